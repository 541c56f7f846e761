import { useMemo } from 'react';
import type { Booking } from '../../../../../server/contracts/booking';
import { useI18n } from '../../../i18n/I18nProvider';
import { type MapMarker, MapView } from '../../map/MapView';
import { NotesFact, WhereFact } from '../BookingFacts';
import { SurchargeRows } from '../PriceLines';

/** Where and when, the notes, a map of the place (when no live map is shown), and the price. */
export function BookingDetails({ booking, showMap }: { booking: Booking; showMap: boolean }) {
  const { t, formatMoney, formatDateTime } = useI18n();
  const markers = useMemo<MapMarker[]>(
    () => [{ id: 'job', position: booking.location, kind: 'job', label: booking.location.address }],
    [booking.location],
  );
  return (
    <section className="card" aria-labelledby="details-title">
      <h2 id="details-title">{t('booking.details')}</h2>
      <dl className="details">
        <WhereFact location={booking.location} />
        <div>
          <dt>{t('booking.when')}</dt>
          <dd>
            {booking.scheduledFor ? formatDateTime(booking.scheduledFor) : t('book.when.now')}
            {booking.emergency && <span className="badge badge-warning">{t('booking.emergency')}</span>}
          </dd>
        </div>
        <NotesFact notes={booking.notes} />
        <div>
          <dt>{t('booking.requested')}</dt>
          <dd>{formatDateTime(booking.createdAt)}</dd>
        </div>
      </dl>
      {showMap && (
        <MapView
          label={t('booking.mapLabel')}
          center={booking.location}
          zoom={15}
          markers={markers}
          height={180}
        />
      )}
      <dl className="breakdown">
        <div>
          <dt>{t('quote.base')}</dt>
          <dd>{formatMoney(booking.price.base)}</dd>
        </div>
        <SurchargeRows price={booking.price} />
        <div className="breakdown-total">
          <dt>{t('quote.total')}</dt>
          <dd>{formatMoney(booking.price.total)}</dd>
        </div>
      </dl>
    </section>
  );
}
