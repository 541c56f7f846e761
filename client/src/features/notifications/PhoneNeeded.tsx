import { useI18n } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import { Link } from '../../lib/router';

/** The server refused because the account has no verified phone (issue 11 §3: going online, booking). */
export function isPhoneUnverified(error: unknown): boolean {
  return error != null && toApiProblem(error).details?.reason === 'phone_unverified';
}

/** A same-origin path to come back to after verifying (never another site). */
export function safeNext(next: string | null): string | null {
  return next && /^\/(?![/\\])/.test(next) ? next : null;
}

/**
 * Says why, and links to /verify-phone, which brings the user back here once the number is verified.
 * Kept out of VerifyPhone.tsx so the screens that show it do not load the verification form.
 */
export function PhoneNeeded({ reason }: { reason: 'online' | 'booking' }) {
  const { t } = useI18n();
  const back = `${window.location.pathname}${window.location.search}`;
  return (
    <div className="form-error" role="alert" data-testid="phone-needed">
      <p>{t(reason === 'online' ? 'phone.needed' : 'phone.neededBooking')}</p>
      <Link href={`/verify-phone?next=${encodeURIComponent(back)}`} className="button button-secondary">
        {t('phone.needed.link')}
      </Link>
    </div>
  );
}
