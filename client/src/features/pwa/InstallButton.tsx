import { useState } from 'react';
import { useT } from '../../i18n/I18nProvider';
import { readStorage, writeStorage } from '../../lib/storage';
import { isIosBrowserTab, promptInstall, useInstallPrompt } from './install';

const IOS_HINT_DISMISSED = 'fundi.iosInstallHintDismissed';

/** "Install app" where the browser offers installation. */
export function InstallButton() {
  const t = useT();
  const offer = useInstallPrompt();
  if (!offer) return null;
  return (
    <button
      type="button"
      className="button button-secondary install-button"
      data-testid="install-app"
      onClick={() => void promptInstall()}
    >
      {t('install.button')}
    </button>
  );
}

/** On iOS Safari (no install prompt there) a short, dismissible "Add to Home Screen" hint. */
export function IosInstallHint() {
  const t = useT();
  const [show, setShow] = useState(() => isIosBrowserTab() && readStorage(IOS_HINT_DISMISSED) !== '1');
  if (!show) return null;
  return (
    <div className="install-hint" data-testid="ios-install-hint">
      <p>{t('install.iosHint')}</p>
      <button
        type="button"
        className="button button-ghost"
        onClick={() => {
          writeStorage(IOS_HINT_DISMISSED, '1');
          setShow(false);
        }}
      >
        {t('install.dismiss')}
      </button>
    </div>
  );
}
