import { useMemo, useState } from 'react';
import type { LivePosition } from '../../../../server/contracts/tracking';
import { toApiProblem } from '../../lib/apiErrors';
import { unwrapTracked } from '../../lib/tracked';
import { trpc } from '../../lib/trpc';
import { useResubscribe } from '../../lib/useResubscribe';

/** Enough for hours on the road; older points fall off the start of the line. */
const MAX_TRAIL_POINTS = 2_000;

export type TrailPoint = { lat: number; lng: number; at: string };

/**
 * The assigned technician's live position for the booking's customer: the route so far (`tracking.trail`,
 * once), then each new fix from `tracking.watch`, which also extends the route. The WebSocket client
 * resumes from the last fix after a reconnect; an error ends the subscription, and we subscribe again.
 */
export function useLiveTracking(bookingId: string) {
  const trail = trpc.tracking.trail.useQuery(
    { bookingId },
    { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, retry: 1 },
  );
  const [position, setPosition] = useState<LivePosition | null>(null);
  const [fresh, setFresh] = useState<TrailPoint[]>([]);

  const subscription = trpc.tracking.watch.useSubscription(
    { bookingId },
    {
      onData: (raw) => {
        const next = unwrapTracked(raw);
        // ISO times from the server compare as strings. A stale flag re-sends the same fix.
        setPosition((current) => (current && current.recordedAt > next.recordedAt ? current : next));
        setFresh((list) => {
          const last = list[list.length - 1];
          if (last && last.at >= next.recordedAt) return list;
          const point = { lat: next.lat, lng: next.lng, at: next.recordedAt };
          return list.length >= MAX_TRAIL_POINTS ? [...list.slice(1), point] : [...list, point];
        });
      },
    },
  );

  const { status, error } = subscription;
  // CONFLICT: the job moved on (started, cancelled); NOT_FOUND: not ours. Neither gets better by retrying.
  const code = error ? toApiProblem(error).code : null;
  const final = code === 'CONFLICT' || code === 'NOT_FOUND';
  useResubscribe(subscription, final);

  const path = useMemo(() => {
    const before = trail.data ?? [];
    const lastAt = before[before.length - 1]?.at ?? '';
    const merged = [...before, ...fresh.filter((p) => p.at > lastAt)];
    return merged.length > MAX_TRAIL_POINTS ? merged.slice(-MAX_TRAIL_POINTS) : merged;
  }, [trail.data, fresh]);

  return {
    position,
    path,
    /** Fixes are arriving right now (false while connecting or after an error). */
    live: status === 'pending',
    ended: final,
  };
}
