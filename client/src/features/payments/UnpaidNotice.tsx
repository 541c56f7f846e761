import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** booking.create refused: an earlier booking is still unpaid (CONFLICT, reason UNPAID_BOOKING). */
export function UnpaidNotice({ bookingId }: { bookingId: string }) {
  const { t } = useI18n();
  return (
    <div className="form-error" role="alert" data-testid="unpaid-booking">
      <p>{t('pay.unpaid.body')}</p>
      <Link href={`/bookings/${bookingId}`} className="button button-primary" data-testid="pay-now">
        {t('pay.unpaid.payNow')}
      </Link>
    </div>
  );
}

/** The booking the server named in an UNPAID_BOOKING refusal, if that is what `details` say. */
export function unpaidBookingOf(details: Record<string, unknown> | undefined): string | null {
  return details?.reason === 'UNPAID_BOOKING' && typeof details.bookingId === 'string'
    ? details.bookingId
    : null;
}
