import type { Db, DbOrTx } from '../../../db/client';
import { type Bus, channels } from '../../realtime/bus';
import type { BookingRecords } from '../booking/booking.records';
import type { Leader } from '../cluster/leader';
import type { PresenceService } from '../presence/presence.service';
import { createTrackingFeeds } from './tracking.feeds';
import { createTrackingIngest } from './tracking.ingest';
import { createTrackingPersistence, FLUSH_PARTS } from './tracking.persist';
import { createTrackingQueries } from './tracking.queries';
import { createTrackingRepo } from './tracking.repo';
import {
  ACTIVE,
  type BookingChangeMessage,
  type Caller,
  createTrackingState,
  type FixesMessage,
  type TechniciansMessage,
  type TrackingConfig,
} from './tracking.state';

export { livePosition } from './tracking.feeds';
export { ARRIVING_ETA_SECONDS } from './tracking.ingest';
export { ONLINE_MAP_LIMIT } from './tracking.queries';
export type { BookingChangeMessage, LiveFix, TrackingConfig } from './tracking.state';

/**
 * The live-location pipeline: validate fixes, keep the newest per technician in memory (and in the
 * index dispatch and maps read), fan out to watchers, and persist to PostGIS in batches. Composed of
 * tracking.ingest (fixes in), tracking.feeds (watchers), tracking.persist (PostGIS) and tracking.queries
 * (who is where), over the node's shared state (tracking.state).
 */
export function createTrackingService(deps: {
  db: Db;
  config: TrackingConfig;
  bus: Bus;
  presence: PresenceService;
  leader: Leader;
  /** Who may watch a booking (its customer, while the technician is on the way). */
  bookings: Pick<BookingRecords, 'withParties'>;
  /**
   * The technician on the way is under ARRIVING_ETA_SECONDS from the address: in this transaction, the
   * customer is told, at most once per booking (the outbox's unique key holds across restarts and nodes).
   */
  arriving?: (tx: DbOrTx, bookingId: string) => Promise<void>;
}) {
  const { db, config, bus, presence } = deps;
  const repo = createTrackingRepo(db);
  const state = createTrackingState(config);
  const { index, last, eligible } = state;
  const persist = createTrackingPersistence({ repo, state, presence });
  const { flush, refresh } = persist;
  const feeds = createTrackingFeeds({ bookings: deps.bookings, state });
  const ingest = createTrackingIngest({
    db,
    repo,
    bus,
    presence,
    state,
    persist,
    feeds,
    arriving: deps.arriving,
  });
  const queries = createTrackingQueries({ repo, state, presence });
  let flusher: NodeJS.Timeout | undefined;
  let janitor: NodeJS.Timeout | undefined;
  let staleSweep: NodeJS.Timeout | undefined;
  const unsubscribes: Array<() => void> = [];

  /** Keeps the feeds, the active-job map and the index's availability in step with bookings (on every node). */
  function onBookingChange({ bookingId, status, technicianId, scheduled }: BookingChangeMessage) {
    feeds.bookingChanged(bookingId, status, technicianId);
    const touched = ingest.bookingChanged(bookingId, status, technicianId);
    const reread: string[] = [];
    for (const id of touched) {
      const isVerified = state.verified.get(id);
      if (scheduled !== false || isVerified === undefined) {
        reread.push(id);
        continue;
      }
      // An on-demand job taken or ended changes only whether its technician is free, and the message says
      // which: no read (it was two per job on every node, issue 18). They hold at most one on-demand job
      // (bookings_one_active_job_per_technician), so one that leaves this job is on none.
      const free = isVerified && !(technicianId === id && ACTIVE.has(status));
      eligible.set(id, free);
      state.jobChanges.set(id, (state.jobChanges.get(id) ?? 0) + 1);
      index.setAvailable(id, free && presence.isPresent(id));
    }
    if (reread.length) void refresh(reread, { jobs: false }).catch(() => undefined);
  }

  return {
    index,
    refresh,
    flush,
    lastPosition: (technicianId: string) => last.get(technicianId),
    /**
     * Forgets where a technician was (this node): the sandbox's simulated technician starts its next job
     * somewhere else, which is not a jump the fix filter should refuse.
     */
    reposition: ingest.reposition,
    stats: () => ({ ...ingest.stats(), online: index.size, refreshed: persist.refreshed() }),
    ingest: ingest.ingest,
    ingestFixes: ingest.ingestFixes,
    ingestFix: ingest.ingestFix,

    /**
     * Technicians whose row changed (online, services, verification): re-read here, and on every other
     * node for its replica of the index.
     */
    async changed(ids: string[]) {
      bus.publish<TechniciansMessage>(channels.technicians, { node: bus.nodeId, ids });
      await refresh(ids);
    },

    openFeed: feeds.openFeed,
    availability: queries.availability,
    nearest: queries.nearest,
    nearby: queries.nearby,
    online: queries.online,

    /** A booking's breadcrumbs as stored (the admin's booking detail; no access check). */
    breadcrumbs: (bookingId: string) => repo.breadcrumbs(bookingId),

    /** The route so far, for the customer's map (same rules as watching). */
    async trail(bookingId: string, user: Caller) {
      await feeds.authorize(bookingId, user);
      await flush();
      return (await repo.breadcrumbs(bookingId)).map((b) => ({
        ...b.location,
        at: b.recordedAt.toISOString(),
      }));
    },

    async start() {
      unsubscribes.push(
        bus.on<FixesMessage>(channels.fixes, ingest.remoteFixes),
        bus.on<BookingChangeMessage>(channels.bookingChanges, onBookingChange),
        bus.on<TechniciansMessage>(channels.technicians, (m) => {
          if (m.node !== bus.nodeId) void refresh(m.ids).catch(() => undefined);
        }),
        presence.onChange(({ id, present }) =>
          index.setAvailable(id, present && (eligible.get(id) ?? false)),
        ),
      );
      await refresh();
      flusher = setInterval(() => void persist.flushNextPart(), Math.max(1, config.flushMs / FLUSH_PARTS));
      flusher.unref();
      // Trail retention runs on one node (the lease holder), not on each.
      janitor = setInterval(
        () =>
          void deps.leader
            .runOnce('trail-retention', 2 * 3600_000, () =>
              repo.deleteBreadcrumbsBefore(new Date(Date.now() - config.breadcrumbRetentionMs)),
            )
            .catch(() => undefined),
        3600_000,
      );
      janitor.unref();
      staleSweep = setInterval(() => feeds.sweepStale(), Math.max(1000, Math.floor(config.staleAfterMs / 4)));
      staleSweep.unref();
    },

    async stop() {
      for (const u of unsubscribes.splice(0)) u();
      clearInterval(flusher);
      clearInterval(janitor);
      clearInterval(staleSweep);
      feeds.endAll();
      await flush();
    },
  };
}

export type TrackingService = ReturnType<typeof createTrackingService>;
