import type { Booking } from '../../../../../server/contracts/booking';
import { Avatar } from '../../../components/Avatar';
import { useI18n } from '../../../i18n/I18nProvider';
import { TrustSummary } from '../../reviews/TrustSummary';
import { Rating } from '../Rating';

/** Who is coming. The customer also sees their stars, review count, latest review and profile link. */
export function TechnicianCard({
  technician,
  forCustomer,
}: {
  technician: NonNullable<Booking['technician']>;
  forCustomer: boolean;
}) {
  const { t } = useI18n();
  return (
    <div className="person" data-testid="assigned-technician">
      <Avatar name={technician.name} photoUrl={technician.photoUrl} />
      <div className="person-text">
        <p className="person-name">{technician.name}</p>
        {forCustomer ? (
          <TrustSummary technicianId={technician.id} name={technician.name} />
        ) : (
          <Rating value={technician.rating} />
        )}
      </div>
      {technician.phone && (
        <a className="button button-secondary" href={`tel:${technician.phone}`}>
          {t('booking.call')}
        </a>
      )}
    </div>
  );
}
