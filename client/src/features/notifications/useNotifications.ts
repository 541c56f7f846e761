import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';
import { useSession } from '../session/SessionProvider';

/**
 * The signed-in user's feed (first page) and unread count, kept live by `notification.stream`: each event
 * refetches the first page (the badge and an open list update without a reload).
 */
export function useNotifications() {
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const utils = trpc.useUtils();
  const list = trpc.notification.list.useQuery(undefined, { enabled: signedIn, staleTime: 30_000 });
  const subscription = trpc.notification.stream.useSubscription(undefined, {
    enabled: signedIn,
    onData: () => void utils.notification.list.invalidate(),
  });
  useResubscribe(subscription);
  return { signedIn, list, unread: list.data?.unread ?? 0 };
}
