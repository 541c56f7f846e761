import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { OnboardingProgress, useOnboardingStatus } from './Progress';
import './onboarding.css';

/** On an unverified technician's home: where their application stands, and the way to the checklist. */
export function OnboardingCard() {
  const { t } = useI18n();
  const status = useOnboardingStatus();
  const view = status.data;
  if (!view) return null;
  const sentBack = view.status === 'changes_requested' || view.status === 'rejected';
  return (
    <section
      className={`card ${sentBack ? 'danger' : 'card-feature'}`}
      data-testid="onboarding-card"
      data-status={view.status}
    >
      <h2>{t('onboarding.card.title')}</h2>
      <p>{view.status === 'draft' ? t('onboarding.card.body') : t(`onboarding.status.${view.status}`)}</p>
      <OnboardingProgress view={view} />
      <Link href="/onboarding" className="button button-primary" data-testid="onboarding-open">
        {t('onboarding.card.open')}
      </Link>
    </section>
  );
}
