import { useI18n } from '../../i18n/I18nProvider';

/** "Load more" under a console list of pages (an infinite query's next page), shown while there is one. */
export function LoadMore({
  pages,
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
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
      {t('console.loadMore')}
    </button>
  );
}
