import './technician.css';
import type { Booking } from '../../../../server/contracts/booking';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { StatusChip } from '../booking/StatusChip';

type JobHistoryProps = {
  jobs: Booking[];
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
  onRetry: () => void;
};

/** Past jobs with what each earned, and the total over the jobs shown. */
export function JobHistory({ jobs, loading, error, hasMore, loadingMore, onMore, onRetry }: JobHistoryProps) {
  const { t, localized, formatDateTime, formatMoney } = useI18n();
  const completed = jobs.filter((job) => job.status === 'completed' || job.status === 'disputed');
  const currencies = new Set(completed.map((job) => job.price.technicianEarnings.currency));
  const total =
    currencies.size === 1
      ? {
          amount: completed.reduce((sum, job) => sum + job.price.technicianEarnings.amount, 0),
          currency: [...currencies][0] as string,
        }
      : null;

  return (
    <section className="card" aria-labelledby="history-title" data-testid="job-history" aria-busy={loading}>
      <h2 id="history-title">{t('jobs.title')}</h2>
      {loading ? (
        <div className="skeleton-group" role="status">
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      ) : error && jobs.length === 0 ? (
        <>
          <p className="form-error" role="alert">
            {t(problemKey(error))}
          </p>
          <button type="button" className="button button-secondary" onClick={onRetry}>
            {t('common.retry')}
          </button>
        </>
      ) : jobs.length === 0 ? (
        <p className="muted">{t('jobs.empty')}</p>
      ) : (
        <>
          {total && (
            <p className="earnings-total" data-testid="earnings-total">
              {t('jobs.total', { total: formatMoney(total), count: completed.length })}
            </p>
          )}
          <ul className="booking-list">
            {jobs.map((job) => (
              <li key={job.id}>
                <Link href={`/bookings/${job.id}`} className="booking-item">
                  <span className="booking-item-main">
                    <span className="booking-item-title">{localized(job.service.name)}</span>
                    <span className="muted small">{formatDateTime(job.completedAt ?? job.createdAt)}</span>
                  </span>
                  <span className="booking-item-side">
                    <StatusChip status={job.status} />
                    {(job.status === 'completed' || job.status === 'disputed') && (
                      <span className="small fact-strong">{formatMoney(job.price.technicianEarnings)}</span>
                    )}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {hasMore && (
            <button type="button" className="button button-secondary" disabled={loadingMore} onClick={onMore}>
              {loadingMore && <Spinner small />}
              {loadingMore ? t('common.loadingMore') : t('common.loadMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
