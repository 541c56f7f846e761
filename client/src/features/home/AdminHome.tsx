import type { PublicUser } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { useT } from '../../i18n/I18nProvider';
import { AccountPanel } from './AccountPanel';

export function AdminHome({ user }: { user: PublicUser }) {
  const t = useT();
  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-admin">
      <section className="card card-feature" aria-labelledby="queue-title">
        <h2 id="queue-title">{t('admin.queue.title')}</h2>
        <p className="muted">{t('admin.queue.body')}</p>
      </section>
      <AccountPanel user={user} />
    </Screen>
  );
}
