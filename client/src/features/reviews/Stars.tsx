import './reviews.css';
import type { RatingSummary } from '../../../../server/contracts/discovery';
import { useI18n } from '../../i18n/I18nProvider';
import { usePlural } from './plural';

/** "★ 4.8 · 12 reviews", or "New" before the first published review. */
export function Stars({ rating, compact = false }: { rating: RatingSummary; compact?: boolean }) {
  const { t, formatNumber } = useI18n();
  const plural = usePlural();
  if (rating.average === null || rating.count === 0) {
    return (
      <span className="rating muted" data-testid="stars">
        {t('rating.none')}
      </span>
    );
  }
  const average = formatNumber(rating.average, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <span className="rating" data-testid="stars" data-average={rating.average} data-count={rating.count}>
      <span aria-hidden="true" className="rating-star">
        ★{' '}
      </span>
      <span aria-hidden="true">
        {average}
        {!compact && <span className="muted"> · {plural('count.reviews', rating.count)}</span>}
      </span>
      <span className="visually-hidden">
        {t('stars.label', { value: average, count: plural('count.reviews', rating.count) })}
      </span>
    </span>
  );
}

/** Five stars, filled up to `value` (a review's own rating). */
export function StarRow({ value }: { value: number }) {
  const { t, formatNumber } = useI18n();
  return (
    <span className="star-row" role="img" aria-label={t('stars.outOf', { value: formatNumber(value) })}>
      {[1, 2, 3, 4, 5].map((n) => (
        <span key={n} aria-hidden="true" className={n <= value ? 'star-on' : 'star-off'}>
          ★
        </span>
      ))}
    </span>
  );
}
