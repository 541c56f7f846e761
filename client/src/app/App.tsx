import { OutboxSync } from '../features/booking/OutboxSync';
import { LiveSync } from '../features/live/LiveSync';
import { IosInstallHint } from '../features/pwa/InstallButton';
import { OfflineBanner } from '../features/pwa/OfflineBanner';
import { UpdatePrompt } from '../features/pwa/UpdatePrompt';
import { Header } from '../features/shell/Header';
import { useT } from '../i18n/I18nProvider';
import { Routes } from './Routes';

export function App() {
  const t = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Header />
      <OfflineBanner />
      <IosInstallHint />
      <main id="main" className="main">
        <Routes />
      </main>
      <UpdatePrompt />
      <OutboxSync />
      <LiveSync />
    </>
  );
}
