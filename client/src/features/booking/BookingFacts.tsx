import type { Booking } from '../../../../server/contracts/booking';
import { useT } from '../../i18n/I18nProvider';

/** The "Where" row of a booking's facts list (<dl>): the address, then the details after it. */
export function WhereFact({ location }: { location: Booking['location'] }) {
  const t = useT();
  return (
    <div>
      <dt>{t('booking.where')}</dt>
      <dd>
        <bdi>{location.address}</bdi>
        {location.details && (
          <span className="muted">
            {' · '}
            <bdi>{location.details}</bdi>
          </span>
        )}
      </dd>
    </div>
  );
}

/** The "Notes" row of a booking's facts list, where the customer wrote any. */
export function NotesFact({ notes }: { notes: string | null }) {
  const t = useT();
  if (!notes) return null;
  return (
    <div>
      <dt>{t('booking.notes')}</dt>
      <dd className="prewrap" dir="auto">
        {notes}
      </dd>
    </div>
  );
}
