import { tracked } from '@trpc/server';
import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { BookingStatus } from '../../contracts/booking';
import type { trackingUpdateInput } from '../../contracts/technician';
import type { LivePosition, Nearby } from '../../contracts/tracking';
import { DomainError } from '../../lib/errors';
import { etaSeconds, URBAN_SPEED_MPS } from '../../lib/eta';
import { distanceMeters, snap } from '../../lib/geo';
import { log } from '../../lib/log';
import { type Bus, channels } from '../../realtime/bus';
import { createLocationIndex } from '../../realtime/location-index';
import type { PublishedBookingEvent } from '../booking/booking.lifecycle';
import { createBookingRepo } from '../booking/booking.repo';
import { type Fix, type FixVerdict, judgeFix } from './fix-filter';
import { createTrackingRepo } from './tracking.repo';

export type TrackingConfig = {
  flushMs: number;
  staleAfterMs: number;
  breadcrumbRetentionMs: number;
};

const MAX_PENDING_CRUMBS = 100_000;
const WATCHABLE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived']);
const ACTIVE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived', 'in_progress']);

type Caller = { id: string; role: 'customer' | 'technician' | 'admin' };
type LiveFix = Required<Pick<Fix, 'lat' | 'lng' | 'recordedAt'>> & {
  accuracy: number | null;
  heading: number | null;
  speed: number | null;
};

/**
 * The live-location pipeline: validate fixes, keep the newest per technician in memory (and in the
 * index dispatch and maps read), fan out to watchers, and persist to PostGIS in batches.
 */
export function createTrackingService(deps: { db: Db; bus: Bus; config: TrackingConfig }) {
  const { db, bus, config } = deps;
  const repo = createTrackingRepo(db);
  const index = createLocationIndex();
  const last = new Map<string, LiveFix>();
  /** Speed learnt from recent fixes (m/s, smoothed) for ETAs. */
  const speeds = new Map<string, number>();
  const activeJob = new Map<string, string>();
  const dirty = new Map<string, LiveFix>();
  let crumbs: Array<{ bookingId: string; technicianId: string; fix: LiveFix }> = [];
  const rejected: Partial<Record<Exclude<FixVerdict, { ok: true }>['reason'], number>> = {};
  let accepted = 0;
  let flusher: NodeJS.Timeout | undefined;
  let janitor: NodeJS.Timeout | undefined;

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

  /** Flushes run one after another, so awaiting flush() means everything accepted so far is in PostGIS. */
  let flushing: Promise<void> = Promise.resolve();
  function flush() {
    flushing = flushing.then(writeBatch);
    return flushing;
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

  /** Re-reads technicians from PostGIS into the index (after a restart, or when their status changed). */
  async function refresh(ids?: string[]) {
    const rows = await repo.liveTechnicians(ids);
    const seen = new Set(rows.map((r) => r.id));
    for (const id of ids ?? []) if (!seen.has(id)) index.remove(id);
    for (const r of rows) {
      index.upsert(r.id, { lat: r.lat, lng: r.lng, available: r.available, services: new Set(r.services) });
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
    for (const j of await repo.activeJobs(ids))
      if (j.technicianId) activeJob.set(j.technicianId, j.bookingId);
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

  function toLive(
    fix: LiveFix,
    technicianId: string,
    target: { lat: number; lng: number },
    now: number,
  ): LivePosition {
    const d = Math.round(distanceMeters(fix, target));
    return {
      lat: fix.lat,
      lng: fix.lng,
      accuracy: fix.accuracy,
      heading: fix.heading,
      speed: fix.speed,
      recordedAt: new Date(fix.recordedAt).toISOString(),
      stale: now - fix.recordedAt > config.staleAfterMs,
      etaSeconds: etaSeconds(d, speeds.get(technicianId)),
      distanceMeters: d,
    };
  }

  return {
    index,
    refresh,
    flush,
    lastPosition: (technicianId: string) => last.get(technicianId),
    stats: () => ({ accepted, rejected: { ...rejected }, online: index.size }),

    /** Validates and applies a technician's fixes (oldest first). Bad fixes are counted, never fatal. */
    ingest(technicianId: string, points: z.output<typeof trackingUpdateInput>['points'], now = Date.now()) {
      const fixes = points
        .map((p) => ({ ...p, recordedAt: Date.parse(p.recordedAt) }))
        .sort((a, b) => a.recordedAt - b.recordedAt);
      let ok = 0;
      let bad = 0;
      for (const p of fixes) {
        const prev = last.get(technicianId);
        const verdict = judgeFix(p, prev, now);
        if (!verdict.ok) {
          bad++;
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
        // Bounded: if PostGIS falls far behind, the oldest unsaved breadcrumbs go first.
        if (job && crumbs.push({ bookingId: job, technicianId, fix }) > MAX_PENDING_CRUMBS) crumbs.shift();
        if (!verdict.current) continue; // history, not "now"
        learnSpeed(technicianId, prev, fix);
        last.set(technicianId, fix);
        dirty.set(technicianId, fix);
        if (index.get(technicianId)) index.upsert(technicianId, fix);
        bus.publish(channels.location(technicianId), fix);
      }
      accepted += ok;
      return { accepted: ok, rejected: bad };
    },

    /** Keeps the active-job map and the index's availability in step with bookings. */
    onBookingChange(bookingId: string, status: BookingStatus, technicianId: string | null) {
      const touched = new Set<string>();
      // Whoever had this job and no longer does (finished, cancelled, handed back).
      for (const [t, b] of activeJob) {
        if (b === bookingId && (t !== technicianId || !ACTIVE.has(status))) {
          activeJob.delete(t);
          touched.add(t);
        }
      }
      if (technicianId && ACTIVE.has(status)) {
        activeJob.set(technicianId, bookingId);
        touched.add(technicianId);
      }
      if (touched.size) void refresh([...touched]).catch(() => undefined);
    },

    /**
     * The assigned technician's position for the booking's customer (and admins) while they are on the
     * way: the latest known first, then each newer fix. Only the newest fix waits for a slow viewer.
     */
    async *watch(
      bookingId: string,
      user: Caller,
      lastEventId: string | null | undefined,
      signal?: AbortSignal,
    ) {
      const view = await authorize(bookingId, user);
      const technicianId = view.booking.technicianId!;
      const target = view.booking.location;

      // A one-slot mailbox: a new fix replaces one not yet sent (coalescing), an end or stale tick wakes us.
      let pending: LiveFix | undefined;
      let ended = false;
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      const onFix = (fix: LiveFix) => {
        pending = fix;
        notify();
      };
      const onBooking = (e: PublishedBookingEvent) => {
        if (!WATCHABLE.has(e.event.booking.status)) {
          ended = true;
          notify();
        }
      };
      const unsubscribe = [
        bus.on(channels.location(technicianId), onFix),
        bus.on(channels.booking(bookingId), onBooking),
      ];
      const staleTimer = setInterval(notify, Math.max(1000, Math.floor(config.staleAfterMs / 4)));
      const onAbort = () => {
        ended = true;
        notify();
      };
      signal?.addEventListener('abort', onAbort);
      try {
        let sentAt = lastEventId ? Number(lastEventId) || 0 : 0;
        let sentStale = false;
        const current = last.get(technicianId);
        if (current && current.recordedAt > sentAt) {
          const live = toLive(current, technicianId, target, Date.now());
          sentAt = current.recordedAt;
          sentStale = live.stale;
          yield tracked(String(current.recordedAt), live);
        }
        while (!ended) {
          if (!pending) {
            await new Promise<void>((r) => {
              wake = r;
            });
          }
          if (ended) break;
          const fix = pending ?? last.get(technicianId);
          pending = undefined;
          if (!fix) continue;
          const now = Date.now();
          const live = toLive(fix, technicianId, target, now);
          if (fix.recordedAt > sentAt || (live.stale && !sentStale)) {
            sentAt = Math.max(sentAt, fix.recordedAt);
            sentStale = live.stale;
            yield tracked(String(fix.recordedAt), live);
          }
        }
      } finally {
        clearInterval(staleTimer);
        signal?.removeEventListener('abort', onAbort);
        for (const off of unsubscribe) off();
      }
    },

    /** How many available technicians offer a service around a point, and how far the nearest is. */
    availability(serviceId: string, at: { lat: number; lng: number }, radiusMeters: number) {
      const found = index.nearest(at, 100, radiusMeters, (t) => t.available && t.services.has(serviceId));
      return { count: found.length, nearestMeters: found[0] ? Math.round(found[0].distanceMeters) : null };
    },

    /** Available technicians around a point for the pre-booking map: a count and ~300 m cells, no ids. */
    nearby(at: { lat: number; lng: number }, serviceId?: string): Nearby {
      const found = index.nearest(
        at,
        200,
        5_000,
        (t) => t.available && (!serviceId || t.services.has(serviceId)),
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
      await refresh();
      flusher = setInterval(() => void flush(), config.flushMs);
      flusher.unref();
      janitor = setInterval(
        () =>
          void repo
            .deleteBreadcrumbsBefore(new Date(Date.now() - config.breadcrumbRetentionMs))
            .catch(() => undefined),
        3600_000,
      );
      janitor.unref();
    },

    async stop() {
      clearInterval(flusher);
      clearInterval(janitor);
      await flush();
    },
  };
}

export type TrackingService = ReturnType<typeof createTrackingService>;
