import { useI18n } from '../i18n/I18nProvider';
import { Spinner } from './Spinner';

export type NextPages = {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
};

/**
 * "Load more" under a list of pages (an infinite query's next page), shown while there is one.
 * Without `label` it says "Show more", and "Loading more…" with a small spinner while the page loads;
 * with `label` (the list names what comes) the words stay and `spinner` says which spinner shows, if any.
 */
export function LoadMore({
  pages,
  label,
  spinner = label === undefined ? 'small' : 'none',
  testId,
}: {
  pages: NextPages;
  label?: string;
  spinner?: 'small' | 'large' | 'none';
  testId?: string;
}) {
  const { t } = useI18n();
  if (!pages.hasNextPage) return null;
  const busy = pages.isFetchingNextPage;
  return (
    <button
      type="button"
      className="button button-secondary"
      data-testid={testId}
      disabled={busy}
      onClick={() => void pages.fetchNextPage()}
    >
      {busy && spinner !== 'none' && <Spinner small={spinner === 'small'} />}
      {label ?? (busy ? t('common.loadingMore') : t('common.loadMore'))}
    </button>
  );
}
