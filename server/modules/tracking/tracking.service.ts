import type { z } from 'zod';
import { distanceMeters } from '#shared/geo';
import type { Db, DbOrTx } from '../../../db/client';
import type { BookingStatus } from '../../contracts/booking';
import type { trackingUpdateInput } from '../../contracts/technician';
import type { LivePosition, Nearby, OnlineSnapshot } from '../../contracts/tracking';
import { DomainError } from '../../lib/errors';
import { etaSeconds, URBAN_SPEED_MPS } from '../../lib/eta';
import { covers, snap } from '../../lib/geo';
import { log } from '../../lib/log';
import { type Bus, channels } from '../../realtime/bus';
import type { Feed, FeedEvent, FeedSink } from '../../realtime/feed';
import { createLocationIndex } from '../../realtime/location-index';
import { createBookingRepo } from '../booking/booking.repo';
import type { Leader } from '../cluster/leader';
import type { PresenceService } from '../presence/presence.service';
import { overlapsAny, type Schedule, worksDuring } from '../schedule/hours';
import { createFixFilter, type Fix, type FixVerdict } from './fix-filter';
import { createTrackingRepo } from './tracking.repo';

export type TrackingConfig = {
  flushMs: number;
  staleAfterMs: number;
  breadcrumbRetentionMs: number;
};

const MAX_PENDING_CRUMBS = 100_000;
/**
 * A breadcrumb at most this often per technician: the customer's map draws the route, it does not need
 * every 1 Hz fix (and PostGIS would write 4× the rows at 4 fixes/s). Late fixes are always kept.
 */
const CRUMB_EVERY_MS = 2_000;
/** The admin's live map shows at most this many technicians (and says how many are online in all). */
export const ONLINE_MAP_LIMIT = 5_000;
/** Under this ETA the customer hears "arriving" (issue 11 §2). */
export const ARRIVING_ETA_SECONDS = 120;
const WATCHABLE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived']);
const ACTIVE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived', 'in_progress']);

type Caller = { id: string; role: 'customer' | 'technician' | 'admin' };
/** Accepted current fixes as they cross nodes: [lat, lng, recordedAt, accuracy, heading, speed]. */
type WireFix = [number, number, number, number | null, number | null, number | null];
/** Fixes accepted on one node during one turn of its event loop: [technician, heard at, fixes]. */
type FixesMessage = { node: string; batch: Array<[string, number, WireFix[]]> };
export type BookingChangeMessage = {
  /** The node that made the change (the one to act on it where only one should). */
  node: string;
  bookingId: string;
  status: BookingStatus;
  technicianId: string | null;
};
type TechniciansMessage = { node: string; ids: string[] };
type LiveEvent = FeedEvent & { data: LivePosition; recordedAt: number; stale: boolean };
/** Everyone watching one booking: they all receive the same events. */
type BookingFeed = {
  bookingId: string;
  technicianId: string;
  target: { lat: number; lng: number };
  sinks: Set<FeedSink>;
  last: LiveEvent | undefined;
};
export type LiveFix = Required<Pick<Fix, 'lat' | 'lng' | 'recordedAt'>> & {
  accuracy: number | null;
  heading: number | null;
  speed: number | null;
};

/** What a viewer sees of a fix: where, how fresh, and how far (and how long at `speedMps`) from `target`. */
export function livePosition(
  fix: LiveFix,
  target: { lat: number; lng: number },
  speedMps: number | undefined,
  stale: boolean,
): LivePosition {
  const d = Math.round(distanceMeters(fix, target));
  return {
    lat: fix.lat,
    lng: fix.lng,
    accuracy: fix.accuracy,
    heading: fix.heading,
    speed: fix.speed,
    recordedAt: new Date(fix.recordedAt).toISOString(),
    stale,
    etaSeconds: etaSeconds(d, speedMps),
    distanceMeters: d,
  };
}

/**
 * The live-location pipeline: validate fixes, keep the newest per technician in memory (and in the
 * index dispatch and maps read), fan out to watchers, and persist to PostGIS in batches.
 */
export function createTrackingService(deps: {
  db: Db;
  config: TrackingConfig;
  bus: Bus;
  presence: PresenceService;
  leader: Leader;
  /**
   * The technician on the way is under ARRIVING_ETA_SECONDS from the address: in this transaction, the
   * customer is told, at most once per booking (the outbox's unique key holds across restarts and nodes).
   */
  arriving?: (tx: DbOrTx, bookingId: string) => Promise<void>;
}) {
  const { db, config, bus, presence } = deps;
  const repo = createTrackingRepo(db);
  const index = createLocationIndex();
  /** Judges fixes, and re-anchors a technician whose stored position was wrong (see fix-filter.ts). */
  const filter = createFixFilter();
  const last = new Map<string, LiveFix>();
  /** Speed learnt from recent fixes (m/s, smoothed) for ETAs. */
  const speeds = new Map<string, number>();
  const activeJob = new Map<string, string>();
  /**
   * Bookings whose technician is on the way (en_route), for the "arriving" check: where to (null until
   * read), and whether this node has had the customer told (the outbox says once for all nodes).
   */
  const onTheWay = new Map<
    string,
    { target: { lat: number; lng: number } | null; told: boolean; reading?: boolean }
  >();
  /** Reads and writes of the "arriving" check still running (flush() waits for them). */
  const arrivingWork = new Set<Promise<void>>();
  /** Technicians' service areas (issue 13 §2); absent: anywhere within the radius. */
  const areas = new Map<string, number[][][][]>();
  /**
   * "Does this technician serve this spot?" per ~110 m cell, so the hot paths (quotes, the map) do not
   * run a polygon test per candidate per query. Approximate at a cell's edge, which is fine for a
   * proposal: dispatch confirms every candidate with ST_Covers in PostgreSQL.
   */
  const servesCache = new Map<string, boolean>();
  function serves(technicianId: string, at: { lat: number; lng: number }): boolean {
    const polygons = areas.get(technicianId);
    if (!polygons) return true;
    const key = `${technicianId}|${Math.round(at.lat * 1000)}|${Math.round(at.lng * 1000)}`;
    let yes = servesCache.get(key);
    if (yes === undefined) {
      yes = covers(polygons, at);
      if (servesCache.size >= 200_000) servesCache.clear();
      servesCache.set(key, yes);
    }
    return yes;
  }
  /** Weekly hours and time off (issue 12 §5): absent means always at work / never off. */
  const schedules = new Map<string, NonNullable<Schedule>>();
  const timeOff = new Map<string, Array<[number, number]>>();
  /** At work at `when` (default now): within their hours if they set any, and not on time off. */
  function onDuty(technicianId: string, when = Date.now()): boolean {
    const off = timeOff.get(technicianId);
    if (off && overlapsAny(off, when)) return false;
    return worksDuring(schedules.get(technicianId) ?? null, when);
  }
  /** Technicians' own prices (issue 12 §2), for the quote's price range: technician → service → price. */
  const ownPrices = new Map<string, Map<string, number>>();
  const dirty = new Map<string, LiveFix>();
  let crumbs: Array<{ bookingId: string; technicianId: string; fix: LiveFix }> = [];
  /** The newest breadcrumb time per technician on a job. */
  const lastCrumbAt = new Map<string, number>();
  const rejected: Partial<Record<Exclude<FixVerdict, { ok: true }>['reason'], number>> = {};
  let accepted = 0;
  let flusher: NodeJS.Timeout | undefined;
  let janitor: NodeJS.Timeout | undefined;
  let staleSweep: NodeJS.Timeout | undefined;
  const feeds = new Map<string, BookingFeed>();
  /**
   * Who may be watched on a booking, as the latest change this node heard says (null: nobody). A viewer
   * authorised from the database just before a hand-back must not start a feed of the old technician.
   */
  const watchable = new Map<string, string | null>();
  const feedsByTechnician = new Map<string, BookingFeed[]>();
  /** Display names of online technicians, for the admin's map (read from the database once each). */
  const names = new Map<string, string>();
  /** What the database says of each indexed technician: verified and not on a job. Presence is the rest. */
  const eligible = new Map<string, boolean>();
  const unsubscribes: Array<() => void> = [];

  function learnSpeed(id: string, prev: LiveFix | undefined, fix: LiveFix) {
    let v = fix.speed ?? undefined;
    if (v === undefined && prev) {
      const s = (fix.recordedAt - prev.recordedAt) / 1000;
      if (s > 0) v = distanceMeters(prev, fix) / s;
    }
    if (v === undefined || !Number.isFinite(v)) return;
    // Only movement teaches us travel speed; waiting at a junction should not make the ETA explode.
    if (v < 0.5) return;
    speeds.set(id, 0.8 * (speeds.get(id) ?? URBAN_SPEED_MPS) + 0.2 * v);
  }

  /**
   * Flushes run one after another, so awaiting flush() means everything accepted so far is in PostGIS
   * (and any "arriving" it caused is in the outbox).
   */
  let flushing: Promise<void> = Promise.resolve();
  function flush() {
    flushing = flushing.then(writeBatch).then(async () => {
      while (arrivingWork.size) await Promise.all(arrivingWork);
    });
    return flushing;
  }

  /**
   * The ETA of a technician on the way, from a fix accepted here (issue 11 §2): the same estimate the
   * customer's map shows. Under ARRIVING_ETA_SECONDS the customer is told, once.
   */
  function checkArriving(technicianId: string, fix: LiveFix) {
    const arriving = deps.arriving;
    const bookingId = activeJob.get(technicianId);
    const job = bookingId ? onTheWay.get(bookingId) : undefined;
    if (!arriving || !bookingId || !job || job.told || job.reading) return;
    if (!job.target) {
      // Went en_route since this node last read its jobs: the address is read once, then checked.
      job.reading = true;
      const read: Promise<void> = repo
        .activeJobs([technicianId])
        .then((rows) => {
          const row = rows.find((r) => r.bookingId === bookingId && r.status === 'en_route');
          // No longer on the way there (the change's message is on its way): nothing to watch.
          if (row) job.target = row.location;
          else if (onTheWay.get(bookingId) === job) onTheWay.delete(bookingId);
        })
        .catch(() => undefined)
        .finally(() => {
          job.reading = false;
          arrivingWork.delete(read);
          const newest = last.get(technicianId);
          if (job.target && newest) checkArriving(technicianId, newest);
        });
      arrivingWork.add(read);
      return;
    }
    if (etaSeconds(distanceMeters(fix, job.target), speeds.get(technicianId)) >= ARRIVING_ETA_SECONDS) return;
    job.told = true;
    const write = db
      .transaction((tx) => arriving(tx, bookingId))
      .catch((e) => {
        job.told = false; // the next fix tries again
        log.warn('tracking: arriving notification failed', { error: (e as Error).message });
      })
      .finally(() => arrivingWork.delete(write));
    arrivingWork.add(write);
  }

  async function writeBatch() {
    const positions = [...dirty.entries()];
    dirty.clear();
    const batch = crumbs;
    crumbs = [];
    try {
      await repo.writePositions(
        positions.map(([technicianId, f]) => ({
          technicianId,
          lat: f.lat,
          lng: f.lng,
          accuracy: f.accuracy,
          at: new Date(f.recordedAt),
        })),
      );
      await repo.insertBreadcrumbs(
        batch.map((c) => ({
          bookingId: c.bookingId,
          technicianId: c.technicianId,
          lat: c.fix.lat,
          lng: c.fix.lng,
          accuracy: c.fix.accuracy,
          at: new Date(c.fix.recordedAt),
        })),
      );
    } catch (e) {
      const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      log.error('tracking: flush failed', {
        error: cause.slice(0, 300),
        positions: positions.length,
        crumbs: batch.length,
      });
    }
  }

  /**
   * Re-reads technicians from PostGIS into the index (after a restart, or when their status changed).
   * `jobs: false` when the caller already knows who is on which job (a booking change says so).
   */
  async function refresh(ids?: string[], opts: { jobs?: boolean } = {}) {
    const rows = await repo.liveTechnicians(ids);
    const seen = new Set(rows.map((r) => r.id));
    for (const id of ids ?? [])
      if (!seen.has(id)) {
        index.remove(id);
        eligible.delete(id);
      }
    for (const r of rows) {
      eligible.set(r.id, r.available);
      if (r.prices.size) ownPrices.set(r.id, r.prices);
      else ownPrices.delete(r.id);
      const before = areas.get(r.id);
      if (r.areas.length) areas.set(r.id, r.areas);
      else areas.delete(r.id);
      if (before || r.areas.length) servesCache.clear();
      if (r.schedule) schedules.set(r.id, r.schedule);
      else schedules.delete(r.id);
      if (r.timeOff.length) timeOff.set(r.id, r.timeOff);
      else timeOff.delete(r.id);
      index.upsert(r.id, {
        lat: r.lat,
        lng: r.lng,
        available: r.available && presence.isPresent(r.id),
        services: new Set(r.services),
      });
      const known = last.get(r.id);
      if (r.at && (!known || known.recordedAt < r.at.getTime())) {
        last.set(r.id, {
          lat: r.lat,
          lng: r.lng,
          recordedAt: r.at.getTime(),
          accuracy: r.accuracy,
          heading: null,
          speed: null,
        });
      }
    }
    if (opts.jobs === false) return;
    for (const j of await repo.activeJobs(ids)) {
      if (j.technicianId) activeJob.set(j.technicianId, j.bookingId);
      if (j.status !== 'en_route') continue;
      const known = onTheWay.get(j.bookingId);
      if (known) known.target ??= j.location;
      else onTheWay.set(j.bookingId, { target: j.location, told: false });
    }
  }

  /** Only the booking's customer (and admins), only while the technician is on the way. */
  async function authorize(bookingId: string, user: Caller) {
    const view = await createBookingRepo(db).view(bookingId);
    const allowed = view && (user.role === 'admin' || view.booking.customerId === user.id);
    if (!view || !allowed) throw new DomainError('NOT_FOUND', 'Booking not found.');
    if (!WATCHABLE.has(view.booking.status) || !view.booking.technicianId) {
      throw new DomainError('CONFLICT', 'Live location is shared only while the technician is on the way.');
    }
    return view;
  }

  /** No fix for longer than the configured time: shown as "last seen …". */
  const isStale = (fix: LiveFix, now: number) => now - fix.recordedAt > config.staleAfterMs;

  function liveEvent(f: BookingFeed, fix: LiveFix, now: number): LiveEvent {
    const data = livePosition(fix, f.target, speeds.get(f.technicianId), isStale(fix, now));
    return {
      id: String(fix.recordedAt),
      data,
      json: JSON.stringify(data),
      recordedAt: fix.recordedAt,
      stale: data.stale,
    };
  }

  /** The feed's newest event, made from the technician's newest fix (and marked stale once it is). */
  function latest(f: BookingFeed, now: number): LiveEvent | undefined {
    const fix = last.get(f.technicianId);
    if (!fix) return undefined;
    const stale = isStale(fix, now);
    if (f.last?.recordedAt !== fix.recordedAt || f.last.stale !== stale) f.last = liveEvent(f, fix, now);
    return f.last;
  }

  function publish(f: BookingFeed, e: LiveEvent) {
    f.last = e;
    for (const sink of f.sinks) sink.event(e);
  }

  function dropFeed(f: BookingFeed) {
    if (feeds.get(f.bookingId) !== f) return;
    feeds.delete(f.bookingId);
    const list = feedsByTechnician.get(f.technicianId)?.filter((x) => x !== f);
    if (list?.length) feedsByTechnician.set(f.technicianId, list);
    else feedsByTechnician.delete(f.technicianId);
  }

  /** The feed is over (job started, cancelled, server stopping): every viewer's subscription ends. */
  function endFeed(f: BookingFeed) {
    dropFeed(f);
    for (const sink of f.sinks) sink.end();
  }

  /**
   * The index learns of a lapse at the next presence beat; until then, answers are checked against
   * presence itself (a map lookup each), so nobody away is counted even for a moment.
   */
  function present<T extends { technician: { id: string } }>(found: T[]): T[] {
    const now = Date.now();
    return found.filter((f) => presence.isPresent(f.technician.id, now));
  }

  /** A technician's new current position: memory, the index, and everyone watching them on this node. */
  function applyCurrent(technicianId: string, prev: LiveFix | undefined, fix: LiveFix, now: number) {
    learnSpeed(technicianId, prev, fix);
    last.set(technicianId, fix);
    if (index.get(technicianId)) index.upsert(technicianId, fix);
    const watched = feedsByTechnician.get(technicianId);
    if (watched) for (const f of watched) publish(f, liveEvent(f, fix, now));
  }

  /**
   * Fixes accepted here go to the other nodes batched per turn of the event loop: one Redis message (and
   * one parse on each node) for every fix that arrived meanwhile, instead of one per call. One process
   * (memory bus): nobody else to tell.
   */
  let outgoing: FixesMessage['batch'] = [];
  function shareFixes(technicianId: string, at: number, fixes: WireFix[]) {
    if (outgoing.length === 0)
      setImmediate(() => {
        const batch = outgoing;
        outgoing = [];
        bus.publish<FixesMessage>(channels.fixes, { node: bus.nodeId, batch });
      });
    outgoing.push([technicianId, at, fixes]);
  }

  /** Fixes another node accepted: judged there already. */
  function onRemoteFixes(m: FixesMessage) {
    if (m.node === bus.nodeId) return;
    const now = Date.now();
    for (const [id, at, fixes] of m.batch) {
      presence.fix(id, at, false);
      for (const [lat, lng, recordedAt, accuracy, heading, speed] of fixes) {
        const prev = last.get(id);
        if (prev && prev.recordedAt >= recordedAt) continue;
        applyCurrent(id, prev, { lat, lng, recordedAt, accuracy, heading, speed }, now);
      }
    }
  }

  /** Keeps the active-job map and the index's availability in step with bookings (on every node). */
  function onBookingChange({ bookingId, status, technicianId }: BookingChangeMessage) {
    // Bounded: old entries matter only for the moment between an authorisation and its subscription.
    if (watchable.size >= 50_000) watchable.delete(watchable.keys().next().value!);
    watchable.delete(bookingId);
    watchable.set(bookingId, WATCHABLE.has(status) ? technicianId : null);
    const feed = feeds.get(bookingId);
    if (feed && (!WATCHABLE.has(status) || feed.technicianId !== technicianId)) endFeed(feed);
    if (status !== 'en_route') onTheWay.delete(bookingId);
    else if (!onTheWay.has(bookingId)) onTheWay.set(bookingId, { target: null, told: false });
    const touched = new Set<string>();
    // Whoever had this job and no longer does (finished, cancelled, handed back).
    for (const [t, b] of activeJob) {
      if (b === bookingId && (t !== technicianId || !ACTIVE.has(status))) {
        activeJob.delete(t);
        lastCrumbAt.delete(t);
        touched.add(t);
      }
    }
    // Only a change of who is on which job changes availability (en_route → arrived does not).
    if (technicianId && ACTIVE.has(status) && activeJob.get(technicianId) !== bookingId) {
      activeJob.set(technicianId, bookingId);
      touched.add(technicianId);
    }
    if (touched.size) void refresh([...touched], { jobs: false }).catch(() => undefined);
  }

  /** Feeds whose technician fell silent get one more event, marked stale ("last seen …"). */
  function sweepStale(now = Date.now()) {
    for (const f of feeds.values()) {
      const fix = last.get(f.technicianId);
      if (fix && !f.last?.stale && isStale(fix, now)) publish(f, liveEvent(f, fix, now));
    }
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
    reposition(technicianId: string) {
      last.delete(technicianId);
      speeds.delete(technicianId);
      filter.forget(technicianId);
    },
    stats: () => ({ accepted, rejected: { ...rejected }, online: index.size }),

    /** Validates and applies a technician's fixes (oldest first). Bad fixes are counted, never fatal. */
    ingest(technicianId: string, points: z.output<typeof trackingUpdateInput>['points'], now = Date.now()) {
      presence.fix(technicianId, now);
      const fixes = points
        .map((p) => ({ ...p, recordedAt: Date.parse(p.recordedAt) }))
        .sort((a, b) => a.recordedAt - b.recordedAt);
      // What the other nodes get (nothing to build with one process).
      const current: WireFix[] | null = bus.mode === 'memory' ? null : [];
      let ok = 0;
      let bad = 0;
      let reason: Exclude<FixVerdict, { ok: true }>['reason'] | null = null;
      for (const p of fixes) {
        const prev = last.get(technicianId);
        const verdict = filter.judge(technicianId, p, prev, now);
        if (!verdict.ok) {
          bad++;
          reason = verdict.reason;
          rejected[verdict.reason] = (rejected[verdict.reason] ?? 0) + 1;
          continue;
        }
        ok++;
        const fix: LiveFix = {
          lat: p.lat,
          lng: p.lng,
          recordedAt: p.recordedAt,
          accuracy: p.accuracy ?? null,
          heading: p.heading ?? null,
          speed: p.speed ?? null,
        };
        const job = activeJob.get(technicianId);
        const crumbAt = lastCrumbAt.get(technicianId) ?? 0;
        if (job && (p.recordedAt >= crumbAt + CRUMB_EVERY_MS || p.recordedAt < crumbAt)) {
          lastCrumbAt.set(technicianId, Math.max(crumbAt, p.recordedAt));
          // Bounded: if PostGIS falls far behind, the oldest unsaved breadcrumbs go first.
          if (crumbs.push({ bookingId: job, technicianId, fix }) > MAX_PENDING_CRUMBS) crumbs.shift();
        }
        if (!verdict.current) continue; // history, not "now"
        dirty.set(technicianId, fix);
        current?.push([fix.lat, fix.lng, fix.recordedAt, fix.accuracy, fix.heading, fix.speed]);
        applyCurrent(technicianId, prev, fix, now);
        checkArriving(technicianId, fix);
      }
      // Every other node keeps its replica of the index, and its own viewers, from what it is sent.
      if (current) shareFixes(technicianId, now, current);
      accepted += ok;
      // `reason`: why the last rejected fix was refused, so the phone can say so instead of "sent".
      return { accepted: ok, rejected: bad, reason };
    },

    /**
     * Technicians whose row changed (online, services, verification): re-read here, and on every other
     * node for its replica of the index.
     */
    async changed(ids: string[]) {
      bus.publish<TechniciansMessage>(channels.technicians, { node: bus.nodeId, ids });
      await refresh(ids);
    },

    /**
     * The assigned technician's position for the booking's customer (and admins) while they are on the
     * way: one feed per booking, shared by all its viewers. Each fix becomes one event, serialised once.
     */
    async openFeed(bookingId: string, user: Caller, lastEventId: string | null | undefined): Promise<Feed> {
      const { booking } = await authorize(bookingId, user);
      // Only these two outlive the call (closures below must not keep the whole booking alive).
      const technicianId = booking.technicianId!;
      const target = booking.location;
      const since = lastEventId ? Number(lastEventId) || 0 : 0;
      const feed = () => {
        let f = feeds.get(bookingId);
        if (!f) {
          f = { bookingId, technicianId, target, sinks: new Set(), last: undefined };
          feeds.set(bookingId, f);
          const list = feedsByTechnician.get(f.technicianId);
          if (list) list.push(f);
          else feedsByTechnician.set(f.technicianId, [f]);
        }
        return f;
      };
      return {
        key: bookingId,
        current() {
          const f = feeds.get(bookingId);
          const e = f && latest(f, Date.now());
          // A position already seen comes again only if it has since gone stale.
          return e && (e.recordedAt > since || (e.stale && e.recordedAt === since)) ? e : undefined;
        },
        subscribe(sink) {
          // Access ended between the check above and now (handed back, cancelled): the stream ends.
          const now = watchable.get(bookingId);
          if (now !== undefined && now !== technicianId) {
            sink.end();
            return () => {};
          }
          const f = feed();
          f.sinks.add(sink);
          return () => {
            f.sinks.delete(sink);
            if (f.sinks.size === 0) dropFeed(f);
          };
        },
      };
    },

    /** How many available technicians offer a service around a point, and how far the nearest is. */
    availability(serviceId: string, at: { lat: number; lng: number }, radiusMeters: number, when?: Date) {
      const t = when?.getTime() ?? Date.now();
      const found = present(index.nearestAvailable(at, 100, radiusMeters, serviceId)).filter(
        (f) => serves(f.technician.id, at) && onDuty(f.technician.id, t),
      );
      // Unit prices of those around with their own price (the rest charge the list price).
      const prices: number[] = [];
      for (const f of found) {
        const p = ownPrices.get(f.technician.id)?.get(serviceId);
        if (p !== undefined) prices.push(p);
      }
      return {
        count: found.length,
        nearestMeters: found[0] ? Math.round(found[0].distanceMeters) : null,
        ownPrices: prices,
        listPriced: found.length - prices.length,
      };
    },

    /** Dispatch's candidates: the nearest available technicians offering a service, from memory. */
    nearest(
      serviceId: string,
      at: { lat: number; lng: number },
      n: number,
      radiusMeters: number,
      when?: Date | null,
    ) {
      const t = when?.getTime() ?? Date.now();
      return present(index.nearestAvailable(at, n, radiusMeters, serviceId))
        .filter((f) => serves(f.technician.id, at) && onDuty(f.technician.id, t))
        .map((f) => ({
          technicianId: f.technician.id,
          distanceMeters: Math.round(f.distanceMeters),
        }));
    },

    /** Available technicians around a point for the pre-booking map: a count and ~300 m cells, no ids. */
    nearby(at: { lat: number; lng: number }, serviceId?: string): Nearby {
      const found = present(index.nearestAvailable(at, 200, 5_000, serviceId)).filter(
        (f) => serves(f.technician.id, at) && onDuty(f.technician.id),
      );
      const cells = new Map<string, { lat: number; lng: number; count: number }>();
      for (const f of found) {
        const c = snap(f.technician, 300);
        const key = `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`;
        const cell = cells.get(key) ?? {
          lat: Number(c.lat.toFixed(5)),
          lng: Number(c.lng.toFixed(5)),
          count: 0,
        };
        cell.count++;
        cells.set(key, cell);
      }
      return { count: found.length, cells: [...cells.values()] };
    },

    /** Every online technician where they are now, from memory: the admin's live map. */
    async online(limit = ONLINE_MAP_LIMIT, now = Date.now()): Promise<OnlineSnapshot> {
      const shown = [];
      for (const t of index.all()) {
        if (shown.length >= limit) break;
        shown.push(t);
      }
      if (names.size > 2 * index.size + 100) names.clear();
      const unnamed = shown.filter((t) => !names.has(t.id)).map((t) => t.id);
      if (unnamed.length) for (const r of await repo.names(unnamed)) names.set(r.id, r.name);
      let present = 0;
      for (const t of index.all()) if (presence.isPresent(t.id, now)) present++;
      return {
        // Away technicians (online, but not heard from) are listed, but not counted as online.
        total: present,
        away: index.size - present,
        technicians: shown.map((t) => {
          const fix = last.get(t.id);
          return {
            id: t.id,
            name: names.get(t.id) ?? '',
            lat: t.lat,
            lng: t.lng,
            available: t.available,
            away: !presence.isPresent(t.id, now),
            recordedAt: fix ? new Date(fix.recordedAt).toISOString() : null,
            stale: !fix || isStale(fix, now),
          };
        }),
      };
    },

    /** The route so far, for the customer's map (same rules as watching). */
    async trail(bookingId: string, user: Caller) {
      await authorize(bookingId, user);
      await flush();
      return (await repo.breadcrumbs(bookingId)).map((b) => ({
        ...b.location,
        at: b.recordedAt.toISOString(),
      }));
    },

    async start() {
      unsubscribes.push(
        bus.on<FixesMessage>(channels.fixes, onRemoteFixes),
        bus.on<BookingChangeMessage>(channels.bookingChanges, onBookingChange),
        bus.on<TechniciansMessage>(channels.technicians, (m) => {
          if (m.node !== bus.nodeId) void refresh(m.ids).catch(() => undefined);
        }),
        presence.onChange(({ id, present }) =>
          index.setAvailable(id, present && (eligible.get(id) ?? false)),
        ),
      );
      await refresh();
      flusher = setInterval(() => void flush(), config.flushMs);
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
      staleSweep = setInterval(() => sweepStale(), Math.max(1000, Math.floor(config.staleAfterMs / 4)));
      staleSweep.unref();
    },

    async stop() {
      for (const u of unsubscribes.splice(0)) u();
      clearInterval(flusher);
      clearInterval(janitor);
      clearInterval(staleSweep);
      for (const f of [...feeds.values()]) endFeed(f);
      await flush();
    },
  };
}

export type TrackingService = ReturnType<typeof createTrackingService>;
