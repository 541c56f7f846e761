import type { Booking } from '../../../../../server/contracts/booking';
import { Spinner } from '../../../components/Spinner';
import { useI18n } from '../../../i18n/I18nProvider';
import { problemKey } from '../../../lib/apiErrors';
import { useCreateBooking } from '../useCreateBooking';

/** "No technician accepted": the same request again, as a NEW booking (new idempotency key). */
export function RetryButton({ booking }: { booking: Booking }) {
  const { t, localized } = useI18n();
  const { create, mutation } = useCreateBooking();
  const retry = () => {
    const scheduledFor =
      booking.scheduledFor && Date.parse(booking.scheduledFor) > Date.now() + 60_000
        ? booking.scheduledFor
        : undefined;
    create(
      {
        serviceId: booking.service.id,
        lat: booking.location.lat,
        lng: booking.location.lng,
        address: booking.location.address,
        addressDetails: booking.location.details ?? undefined,
        notes: booking.notes ?? undefined,
        scheduledFor,
        emergency: booking.emergency || undefined,
      },
      localized(booking.service.name),
    );
  };
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        data-testid="retry-booking"
        disabled={mutation.isPending}
        onClick={retry}
      >
        {mutation.isPending && <Spinner small />}
        {mutation.isPending ? t('book.requesting') : t('booking.retry')}
      </button>
      {mutation.error && (
        <p className="form-error" role="alert">
          {t(problemKey(mutation.error, { CONFLICT: 'book.error.conflict' }))}
        </p>
      )}
    </>
  );
}
