import './reviews.css';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { ReviewItem } from './ReviewItem';

/** A technician's published reviews, newest first, ten at a time. */
export function ReviewList({
  technicianId,
  technicianName,
}: {
  technicianId: string;
  technicianName: string;
}) {
  const { t } = useI18n();
  const pages = trpc.review.list.useInfiniteQuery(
    { technicianId, limit: 10 },
    { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 30_000 },
  );
  const items = pages.data?.pages.flatMap((page) => page.items) ?? [];
  if (pages.isPending) {
    return (
      <div className="skeleton-group" role="status">
        <span className="skeleton" />
        <span className="skeleton" />
        <span className="visually-hidden">{t('app.loading')}</span>
      </div>
    );
  }
  if (pages.error && items.length === 0) {
    return (
      <div>
        <p className="form-error" role="alert">
          {t(problemKey(pages.error))}
        </p>
        <button type="button" className="button button-secondary" onClick={() => void pages.refetch()}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (items.length === 0) return <p className="muted">{t('profile.noReviews')}</p>;
  return (
    <>
      <ul className="review-list" data-testid="review-list">
        {items.map((review) => (
          <li key={review.id} className="review-list-item">
            <ReviewItem review={review} technicianName={technicianName} />
          </li>
        ))}
      </ul>
      {pages.hasNextPage && (
        <button
          type="button"
          className="button button-secondary"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage && <Spinner small />}
          {pages.isFetchingNextPage ? t('common.loadingMore') : t('common.loadMore')}
        </button>
      )}
    </>
  );
}
