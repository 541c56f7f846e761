import { useI18n } from '../../i18n/I18nProvider';
import { useRestoredAt } from '../../lib/queryPersist';
import { useOnline } from '../../lib/useOnline';
import { useSessionState } from '../session/SessionProvider';

export function OfflineBanner() {
  const { t, formatDateTime } = useI18n();
  const online = useOnline();
  const { unreachable } = useSessionState();
  const restoredAt = useRestoredAt();
  const message = !online ? t('offline.banner') : unreachable ? t('offline.unreachable') : null;
  // Screens showing answers saved on the device (no fresh one yet) say from when they are.
  const saved =
    message && restoredAt !== null
      ? t(online ? 'offline.savedDataUnreachable' : 'offline.savedData', { time: formatDateTime(restoredAt) })
      : null;
  // The live region stays mounted so screen readers announce the message when it appears.
  return (
    <div role="status">
      {message && (
        <p className="banner" data-testid="offline-banner">
          {saved ? <span data-testid="saved-data-notice">{saved}</span> : message}
        </p>
      )}
    </div>
  );
}
