import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { useConnectionState } from './useConnectionState';

export function ConnectionStatus() {
  const { t, formatTime } = useI18n();
  const { state, lastSignalAt } = useConnectionState();

  // "Connecting…" on start-up, "Reconnecting…" once a live connection has been lost.
  const [wasLive, setWasLive] = useState(false);
  useEffect(() => {
    if (state === 'live') setWasLive(true);
  }, [state]);

  const label =
    state === 'live'
      ? t('connection.live')
      : state === 'offline'
        ? t('connection.offline')
        : wasLive
          ? t('connection.reconnecting')
          : t('connection.connecting');

  return (
    <p
      className="connection"
      data-testid="connection-status"
      data-state={state}
      role="status"
      title={lastSignalAt ? t('connection.lastSignal', { time: formatTime(lastSignalAt) }) : undefined}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span>{label}</span>
    </p>
  );
}
