import { useRegisterSW } from 'virtual:pwa-register/react';
import { useRef, useState } from 'react';
import { useT } from '../../i18n/I18nProvider';

/**
 * Registers the service worker and, when a new version is waiting, offers to switch to it.
 * The switch only ever happens on the user's click: a reload could throw away a half-filled form.
 */
export function UpdatePrompt() {
  const t = useT();
  const [updating, setUpdating] = useState(false);
  // Read from callbacks that useRegisterSW captures once, on first render.
  const registration = useRef<ServiceWorkerRegistration | undefined>(undefined);
  const updateRequested = useRef(false);

  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registered) {
      registration.current = registered;
      // Installed PWAs are resumed far more often than reloaded; check for a new version on resume.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible' && navigator.onLine) void registered?.update();
      });
    },
    // Called when a new worker takes control. Without our click that was another tab's doing: keep the
    // prompt up rather than reloading under the user.
    onNeedReload() {
      if (updateRequested.current) window.location.reload();
    },
    onRegisterError(error: unknown) {
      console.error('Service worker registration failed', error);
    },
  });

  const update = () => {
    updateRequested.current = true;
    setUpdating(true);
    // The waiting worker is gone if another tab already activated it; then a reload is all that's left.
    if (registration.current?.waiting) void updateServiceWorker(true);
    else window.location.reload();
  };

  // The live region stays mounted so screen readers announce the prompt when it appears.
  return (
    <div role="status">
      {needRefresh && (
        <section className="toast" data-testid="update-prompt" aria-labelledby="update-title">
          <div className="toast-text">
            <h2 id="update-title" className="toast-title">
              {t('update.available')}
            </h2>
            <p>{t('update.body')}</p>
          </div>
          <div className="toast-actions">
            <button type="button" className="button button-ghost" onClick={() => setNeedRefresh(false)}>
              {t('update.later')}
            </button>
            <button type="button" className="button button-primary" onClick={update} disabled={updating}>
              {updating ? t('update.updating') : t('update.now')}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
