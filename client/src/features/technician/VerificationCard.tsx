import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { useI18n } from '../../i18n/I18nProvider';

const TONE = { pending: 'notice', verified: 'success', rejected: 'danger', suspended: 'danger' } as const;

export function VerificationCard({ profile }: { profile: TechnicianProfile }) {
  const { t } = useI18n();
  const status = profile.verification;
  return (
    <section
      className={`card ${TONE[status]}`}
      aria-labelledby="verification-title"
      data-testid="verification"
      data-verification={status}
    >
      <h2 id="verification-title">{t(`technician.verification.${status}.title`)}</h2>
      <p id="verification-body">{t(`technician.verification.${status}.body`)}</p>
      {profile.verificationNote && (
        <p>
          <strong>{t('technician.verification.note')}</strong> {profile.verificationNote}
        </p>
      )}
    </section>
  );
}
