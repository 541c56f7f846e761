import './bookingScreen.css';
import type { BookingHistoryEntry } from '../../../../../server/contracts/booking';
import { useI18n } from '../../../i18n/I18nProvider';

/** Status changes, oldest first: who moved the booking where, and when. */
export function Timeline({ entries }: { entries: BookingHistoryEntry[] }) {
  const { t, formatDateTime } = useI18n();
  return (
    <ol className="timeline" data-testid="history">
      {entries.map((entry) => (
        <li key={entry.id} className="timeline-item">
          <span className="timeline-dot" aria-hidden="true" />
          <div>
            <p className="timeline-title">
              {t(`status.${entry.to}`)}
              <span className="muted small"> · {t(`history.by.${entry.by.role}`)}</span>
            </p>
            {entry.reason && (
              <p className="prewrap" dir="auto">
                {entry.reason}
              </p>
            )}
            <p className="muted small">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
