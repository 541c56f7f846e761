import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';

/** The admin home's way to the verification queue. */
export function OnboardingLink() {
  const { t } = useI18n();
  return (
    <Link href="/admin/onboarding" className="card link-card" data-testid="admin-onboarding-link">
      <span className="link-card-title">{t('onboarding.admin.link')}</span>
      <span className="muted small">{t('onboarding.admin.linkHint')}</span>
    </Link>
  );
}
