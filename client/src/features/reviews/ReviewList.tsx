import './reviews.css';
import { PagedList } from '../../components/PagedList';
import { useI18n } from '../../i18n/I18nProvider';
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
  return (
    <PagedList
      pages={pages}
      count={items.length}
      skeleton
      retry
      errorBox="div"
      empty={<p className="muted">{t('profile.noReviews')}</p>}
    >
      <ul className="review-list" data-testid="review-list">
        {items.map((review) => (
          <li key={review.id} className="review-list-item">
            <ReviewItem review={review} technicianName={technicianName} />
          </li>
        ))}
      </ul>
    </PagedList>
  );
}
