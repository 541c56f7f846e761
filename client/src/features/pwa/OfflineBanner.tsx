import { useT } from '../../i18n/I18nProvider';
import { useOnline } from '../../lib/useOnline';
import { useSessionState } from '../session/SessionProvider';

export function OfflineBanner() {
  const t = useT();
  const online = useOnline();
  const { unreachable } = useSessionState();
  const message = !online ? t('offline.banner') : unreachable ? t('offline.unreachable') : null;
  // The live region stays mounted so screen readers announce the message when it appears.
  return (
    <div role="status">
      {message && (
        <p className="banner" data-testid="offline-banner">
          {message}
        </p>
      )}
    </div>
  );
}
