import { useEffect } from 'react';
import { trpc } from '../../lib/trpc';
import { useSession } from '../session/SessionProvider';
import { loadOutbox, onSettled, replayOutbox } from './outbox';

/** Loads the signed-in user's queued booking actions and replays them on start and whenever the device is back online. */
export function OutboxSync() {
  const session = useSession();
  const userId = session.status === 'signed-in' ? session.user.id : null;
  const utils = trpc.useUtils();

  useEffect(() => {
    let active = true;
    void loadOutbox(userId).then(() => {
      if (active && userId !== null && navigator.onLine) void replayOutbox();
    });
    if (userId === null) return;
    const onOnline = () => void replayOutbox();
    // The service worker relays Background Sync ("the connection is back") as a message.
    const onWorkerMessage = (event: MessageEvent<unknown>) => {
      const data = event.data as { type?: unknown } | null;
      if (data?.type === 'REPLAY_OUTBOX') void replayOutbox();
    };
    window.addEventListener('online', onOnline);
    navigator.serviceWorker?.addEventListener('message', onWorkerMessage);
    return () => {
      active = false;
      window.removeEventListener('online', onOnline);
      navigator.serviceWorker?.removeEventListener('message', onWorkerMessage);
    };
  }, [userId]);

  useEffect(
    () =>
      onSettled((action) => {
        if (action.kind === 'chat') return; // The conversation's stream brings the message.
        void utils.booking.list.invalidate();
        if (action.bookingId) void utils.booking.get.invalidate({ id: action.bookingId });
      }),
    [utils],
  );

  return null;
}
