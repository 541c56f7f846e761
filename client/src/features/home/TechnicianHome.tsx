import type { PublicUser } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { useT } from '../../i18n/I18nProvider';
import { AccountPanel } from './AccountPanel';

export function TechnicianHome({ user }: { user: PublicUser }) {
  const t = useT();
  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-technician">
      <section className="card notice" aria-labelledby="verification-title">
        <h2 id="verification-title">{t('technician.verification.title')}</h2>
        <p id="verification-body">{t('technician.verification.body')}</p>
      </section>
      <section className="card card-feature" aria-labelledby="online-title">
        <h2 id="online-title">{t('technician.online.title')}</h2>
        <p>{t('technician.online.body')}</p>
        {/* Disabled until verification exists: unverified technicians can't take jobs. */}
        <button
          type="button"
          className="button button-primary button-block"
          disabled
          aria-describedby="verification-body"
        >
          {t('technician.online.action')}
        </button>
      </section>
      <AccountPanel user={user} />
    </Screen>
  );
}
