import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { trpc, useApi } from '../../lib/trpc';
import { useOnline } from '../../lib/useOnline';

export type ConnectionState = 'live' | 'connecting' | 'offline';

// The server beats every ~5 s; several missed beats on an open socket means the live path is broken
// even if the socket looks open (e.g. a proxy buffering frames).
const STALE_AFTER_MS = 30_000;
// A failed heartbeat subscription (server error, not a dropped socket) is retried after this delay.
const RESUBSCRIBE_AFTER_MS = 10_000;

/** The state of the realtime WebSocket (the one swapped in by restartRealtime() included). */
function useSocketState() {
  const { wsClient } = useApi();
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = wsClient.connectionState.subscribe({ next: onChange });
      return () => subscription.unsubscribe();
    },
    [wsClient],
  );
  return useSyncExternalStore(subscribe, () => wsClient.connectionState.get());
}

/**
 * Whether the server can hear us right now: the device has a network and the WebSocket is open. A
 * technician's presence hangs on this (their socket, or a recent fix), so it is what "away" means.
 */
export function useSocketOpen(): boolean {
  const online = useOnline();
  const socket = useSocketState();
  return online && socket.state === 'pending';
}

/**
 * Live = the WebSocket is open AND a heartbeat arrived recently, i.e. pushes from the server reach us.
 * Offline = the device has no network. Anything else is "connecting" (the client is (re)trying).
 */
export function useConnectionState(): { state: ConnectionState; lastSignalAt: number | null } {
  const online = useOnline();
  const { wsClient } = useApi();
  const socket = useSocketState();

  // Signals are tied to the client that produced them, so a swapped-in client starts unproven.
  const [signal, setSignal] = useState<{ client: typeof wsClient; at: number } | null>(null);
  const recordSignal = () => setSignal({ client: wsClient, at: Date.now() });
  const heartbeat = trpc.system.heartbeat.useSubscription(undefined, {
    onStarted: recordSignal,
    onData: recordSignal,
  });

  const { status, reset } = heartbeat;
  useEffect(() => {
    if (status !== 'error') return;
    const timer = setTimeout(reset, RESUBSCRIBE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [status, reset]);

  const lastSignalAt = signal?.client === wsClient ? signal.at : null;
  const fresh = useIsRecent(lastSignalAt, STALE_AFTER_MS);

  const state: ConnectionState = !online
    ? 'offline'
    : socket.state === 'pending' && fresh
      ? 'live'
      : 'connecting';
  return { state, lastSignalAt };
}

/** Whether `timestamp` is younger than `maxAgeMs`, re-rendering when it expires. */
function useIsRecent(timestamp: number | null, maxAgeMs: number): boolean {
  const [expired, setExpired] = useState<number | null>(null);
  useEffect(() => {
    if (timestamp === null) return;
    const timer = setTimeout(() => setExpired(timestamp), Math.max(0, timestamp + maxAgeMs - Date.now()));
    return () => clearTimeout(timer);
  }, [timestamp, maxAgeMs]);
  return timestamp !== null && expired !== timestamp;
}
