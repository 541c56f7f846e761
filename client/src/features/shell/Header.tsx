import { useT } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { ConnectionStatus } from '../connection/ConnectionStatus';
import { NotificationBell } from '../notifications/NotificationBell';
import { InstallButton } from '../pwa/InstallButton';
import { LanguageSwitch } from './LanguageSwitch';

export function Header() {
  const t = useT();
  return (
    <header className="header">
      <Link href="/" className="brand">
        <img src="/icons/favicon.svg" alt="" width="32" height="32" />
        <span>{t('app.name')}</span>
      </Link>
      <div className="header-tools">
        <InstallButton />
        <ConnectionStatus />
        <NotificationBell />
        <LanguageSwitch />
      </div>
    </header>
  );
}
