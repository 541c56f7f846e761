import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { useRef } from 'react';
import type { MeEvent } from '../../../../server/contracts/me';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';
import { useSession } from '../session/SessionProvider';

/**
 * Keeps the signed-in user's screens live (home cards, bookings list, booking screens, the technician's
 * verification banner, the admin's technician list and review queue): `me.events` says what changed and
 * the matching queries refetch; only the
 * screens on show fetch anything. Events missed while disconnected are not replayed: every
 * (re)subscription starts with `resync`, and what was fetched before it is refetched.
 */
export function LiveSync() {
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const utils = trpc.useUtils();
  const queryClient = useQueryClient();
  // The first resync after mounting spares what was fetched since (the screen just loaded it).
  const mountedAt = useRef(Date.now());
  const resyncs = useRef(0);

  const subscription = trpc.me.events.useSubscription(undefined, {
    enabled: signedIn,
    onData: (event: MeEvent) => {
      switch (event.type) {
        case 'resync': {
          const before = resyncs.current++ === 0 ? mountedAt.current : Number.POSITIVE_INFINITY;
          const keys: QueryKey[] = [
            getQueryKey(trpc.booking.list),
            getQueryKey(trpc.booking.get),
            getQueryKey(trpc.booking.history),
            getQueryKey(trpc.technician.me),
            getQueryKey(trpc.admin.technicians.list),
            getQueryKey(trpc.admin.onboarding.queue),
          ];
          for (const queryKey of keys)
            void queryClient.invalidateQueries({
              queryKey,
              predicate: (query) => query.state.dataUpdatedAt < before,
            });
          break;
        }
        case 'booking':
          void utils.booking.list.invalidate();
          void utils.booking.get.invalidate({ id: event.bookingId });
          void utils.booking.history.invalidate({ id: event.bookingId });
          break;
        case 'technician':
          void utils.technician.me.invalidate();
          break;
        case 'technicians':
          // The admin queue refetches; it keeps the rows its admin just decided in place (TechniciansAdmin).
          void utils.admin.technicians.list.invalidate();
          break;
        case 'applications':
          // admin.onboarding.queue (QueueScreen): a submission appears, a decided one leaves its filter.
          void utils.admin.onboarding.queue.invalidate();
          break;
        case 'chat':
          void utils.chat.list.invalidate({ bookingId: event.bookingId });
          break;
        case 'dispute':
          void utils.dispute.forBooking.invalidate({ bookingId: event.bookingId });
          void utils.dispute.get.invalidate({ id: event.disputeId });
          break;
      }
    },
  });
  useResubscribe(subscription);
  return null;
}
