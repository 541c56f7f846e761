import { useI18n } from '../i18n/I18nProvider';

/**
 * "Load more" under a list of pages (an infinite query's next page), shown while there is one. `label`:
 * the button's words where the list names what comes (the console's lists say "Load more").
 */
export function LoadMore({
  pages,
  label,
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  label?: string;
}) {
  const { t } = useI18n();
  if (!pages.hasNextPage) return null;
  return (
    <button
      type="button"
      className="button button-secondary"
      disabled={pages.isFetchingNextPage}
      onClick={() => void pages.fetchNextPage()}
    >
      {label ?? t('console.loadMore')}
    </button>
  );
}
