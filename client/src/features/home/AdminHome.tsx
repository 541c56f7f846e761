import type { PublicUser } from '../../../../server/contracts/auth';
import { Screen } from '../../components/Screen';
import { useT } from '../../i18n/I18nProvider';
import { AdminLiveMap } from '../admin/AdminLiveMap';
import { PaymentsLink } from '../admin/PaymentsLink';
import { TechniciansAdmin } from '../admin/TechniciansAdmin';
import { AnalyticsLink } from '../analytics/AnalyticsLink';
import { OpsLinks } from '../cases/OpsLinks';
import { ConsoleLinks } from '../console/ConsoleLinks';
import { OnboardingLink } from '../onboarding/OnboardingLink';
import { AccountPanel } from './AccountPanel';

export function AdminHome({ user }: { user: PublicUser }) {
  const t = useT();
  return (
    <Screen heading={t('home.greeting', { name: user.name })} testId="home-admin">
      <AdminLiveMap user={user} />
      <OpsLinks />
      <OnboardingLink />
      <TechniciansAdmin />
      <PaymentsLink />
      <ConsoleLinks />
      <AnalyticsLink />
      <AccountPanel user={user} />
    </Screen>
  );
}
