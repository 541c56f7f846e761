import { Spinner } from '../../../components/Spinner';
import { useI18n } from '../../../i18n/I18nProvider';
import { isRetryable, problemKey, toApiProblem } from '../../../lib/apiErrors';
import { Link } from '../../../lib/router';
import { isPhoneUnverified, PhoneNeeded } from '../../notifications/PhoneNeeded';
import { UnpaidNotice, unpaidBookingOf } from '../../payments/UnpaidNotice';

/** Why the request failed (an unpaid booking, an unverified phone, anything else) and the request button. */
export function SubmitSection({ error, pending }: { error: unknown; pending: boolean }) {
  const { t } = useI18n();
  const failed = error != null;
  const serverProblem = failed ? toApiProblem(error) : null;
  // An earlier booking is still unpaid: say so, with the way to pay it.
  const unpaidId = unpaidBookingOf(serverProblem?.details);
  const retryLabel = failed && isRetryable(error);
  return (
    <>
      {unpaidId && <UnpaidNotice bookingId={unpaidId} />}
      {failed && isPhoneUnverified(error) && <PhoneNeeded reason="booking" />}
      {failed && !unpaidId && !isPhoneUnverified(error) && (
        <div className="form-error" role="alert" data-testid="form-error">
          <p>
            {t(
              problemKey(error, {
                CONFLICT: 'book.error.conflict',
                NETWORK: 'book.error.network',
              }),
            )}
          </p>
          {serverProblem?.code === 'CONFLICT' && <Link href="/bookings">{t('book.seeBookings')}</Link>}
        </div>
      )}
      <button
        type="submit"
        className="button button-primary button-block button-large"
        data-testid="request-booking"
        disabled={pending}
      >
        {pending && <Spinner small />}
        {pending ? t('book.requesting') : retryLabel ? t('book.requestAgain') : t('book.request')}
      </button>
      <p className="muted small">{t('book.payCash')}</p>
    </>
  );
}
