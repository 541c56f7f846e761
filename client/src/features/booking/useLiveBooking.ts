import { useQueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import type { Booking } from '../../../../server/contracts/booking';
import { toApiProblem } from '../../lib/apiErrors';
import { unwrapTracked } from '../../lib/tracked';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';

/**
 * A booking kept live: the query gives a first answer (and a cached one offline), then `booking.events`
 * pushes every change into the same cache entry. The WebSocket client resumes from the last tracked
 * event id after a reconnect, so no change is missed on a flaky connection.
 */
export function useLiveBooking(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  const utils = trpc.useUtils();
  const query = trpc.booking.get.useQuery({ id }, { enabled, staleTime: 5_000 });
  const notFound = query.error ? toApiProblem(query.error).code === 'NOT_FOUND' : false;

  const subscription = trpc.booking.events.useSubscription(
    { id },
    {
      enabled: enabled && !notFound,
      onData: (raw) => {
        const event = unwrapTracked(raw);
        utils.booking.get.setData({ id }, (old: Booking | undefined) =>
          old && old.updatedAt > event.booking.updatedAt ? old : event.booking,
        );
        if (event.change) {
          void utils.booking.history.invalidate({ id });
          void utils.booking.list.invalidate();
        }
      },
    },
  );

  const { status, error } = subscription;
  const subscriptionNotFound = error ? toApiProblem(error).code === 'NOT_FOUND' : false;
  useResubscribe(subscription, subscriptionNotFound);

  // Not fetched yet (offline, say): the copy in a bookings list already on the device, if any.
  const queryClient = useQueryClient();
  const listed = query.data
    ? undefined
    : findListed(queryClient.getQueriesData({ queryKey: getQueryKey(trpc.booking.list) }), id);

  return {
    booking: query.data ?? listed,
    query,
    notFound: notFound || subscriptionNotFound,
    /** Changes are being pushed right now (false while connecting or after an error). */
    live: status === 'pending',
  };
}

type ListPage = { items: Booking[] };

function findListed(entries: Array<[unknown, unknown]>, id: string): Booking | undefined {
  for (const [, data] of entries) {
    if (!data || typeof data !== 'object') continue;
    const pages: ListPage[] = 'pages' in data ? (data as { pages: ListPage[] }).pages : [data as ListPage];
    for (const page of pages) {
      const found = page?.items?.find((booking) => booking.id === id);
      if (found) return found;
    }
  }
  return undefined;
}
