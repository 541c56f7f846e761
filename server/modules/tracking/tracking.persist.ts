import { distanceMeters } from '#shared/geo';
import { intern } from '../../lib/intern';
import { log } from '../../lib/log';
import type { PresenceService } from '../presence/presence.service';
import { POSITION_WRITE_METERS, type TrackingRepo } from './tracking.repo';
import type { LiveFix, TrackingState } from './tracking.state';

const MAX_PENDING_CRUMBS = 100_000;
/**
 * The positions are written in this many parts, one part per FLUSH_PARTS-th of the flush interval: each
 * technician's position still reaches PostGIS within the interval (written at most once per interval),
 * but no single statement writes every moving technician at once. One statement per second writing
 * 1,000 positions made a stall the live path felt: ingest p99 at 5,000 fixes/s was 4.8–5.3 ms with it and
 * 0.6–3.4 ms with the flush off (bench:tracking, BENCH_TRACKING_FLUSH_MS=60000).
 */
export const FLUSH_PARTS = 4;
/** Which part a technician's position is written in (a UUID's last hex digit: spread evenly enough). */
const partOf = (id: string) => id.charCodeAt(id.length - 1) % FLUSH_PARTS;

/**
 * The tracking pipeline's side in PostGIS: current positions and breadcrumbs written in batches, and the
 * technicians read back into memory (after a restart, or when their row changed).
 */
export function createTrackingPersistence(deps: {
  repo: TrackingRepo;
  state: TrackingState;
  presence: PresenceService;
}) {
  const { repo, state, presence } = deps;
  const {
    index,
    last,
    eligible,
    verified,
    jobChanges,
    ownPrices,
    areas,
    servesCache,
    schedules,
    timeOff,
    activeJob,
    onTheWay,
  } = state;
  /** Technicians read again from PostGIS (diagnostics and tests: `stats().refreshed`). */
  let refreshed = 0;
  const dirty = Array.from({ length: FLUSH_PARTS }, () => new Map<string, LiveFix>());
  let nextPart = 0;
  /**
   * Where this node knows each technician's stored position to be (read by `refresh`, or written by its
   * own flush; `at` only moves forward). A fix within POSITION_WRITE_METERS of it is not queued at all:
   * the statement would skip it anyway (tracking.repo.ts), and an idle technician's fix every second then
   * costs the flush nothing on this side either (issue 15 §7: the flush is the live path's share of the
   * server's CPU that the uWS floor does not have). Forgotten when another node takes the technician's
   * fixes (it writes them) or the statement disagrees; then the statement judges again.
   */
  const stored = new Map<string, { lat: number; lng: number; at: number }>();
  function learnStored(id: string, lat: number, lng: number, at: number) {
    const known = stored.get(id);
    if (!known || known.at <= at) stored.set(known ? id : intern(id), { lat, lng, at });
  }
  let crumbs: Array<{ bookingId: string; technicianId: string; fix: LiveFix }> = [];

  /** Writes the queued positions of `parts` (and every queued breadcrumb). */
  async function writeBatch(parts: readonly number[]) {
    const positions: Array<[string, LiveFix]> = [];
    for (const part of parts) {
      for (const entry of dirty[part]!) positions.push(entry);
      dirty[part]!.clear();
    }
    const batch = crumbs;
    crumbs = [];
    try {
      const written = await repo.writePositions(
        positions.map(([technicianId, f]) => ({
          technicianId,
          lat: f.lat,
          lng: f.lng,
          accuracy: f.accuracy,
          at: new Date(f.recordedAt),
        })),
      );
      for (const [id, f] of positions) {
        if (written.has(id)) learnStored(id, f.lat, f.lng, f.recordedAt);
        else stored.delete(id); // stored elsewhere than this node thought (or newer): the statement judges
      }
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
   * Flushes run one after another, so awaiting flush() means everything accepted so far is in PostGIS
   * (and any "arriving" it caused is in the outbox).
   */
  let flushing: Promise<void> = Promise.resolve();
  const everyPart = Array.from({ length: FLUSH_PARTS }, (_, i) => i);
  function flush() {
    flushing = flushing
      .then(() => writeBatch(everyPart))
      .then(async () => {
        while (state.arrivingWork.size) await Promise.all(state.arrivingWork);
      });
    return flushing;
  }
  /** The timer's flush: the next part's positions (see FLUSH_PARTS) and the breadcrumbs. */
  function flushNextPart() {
    const part = nextPart;
    nextPart = (nextPart + 1) % FLUSH_PARTS;
    flushing = flushing.then(() => writeBatch([part]));
    return flushing;
  }

  /**
   * Re-reads technicians from PostGIS into the index (after a restart, or when their status changed).
   * `jobs: false` when the caller already knows who is on which job (a booking change says so).
   */
  async function refresh(ids?: string[], opts: { jobs?: boolean } = {}) {
    const changesBefore = ids ? new Map(ids.map((id) => [id, jobChanges.get(id)])) : new Map(jobChanges);
    const rows = await repo.liveTechnicians(ids);
    refreshed += ids?.length ?? rows.length;
    const seen = new Set(rows.map((r) => r.id));
    for (const id of ids ?? [])
      if (!seen.has(id)) {
        index.remove(id);
        eligible.delete(id);
        verified.delete(id);
        jobChanges.delete(id);
        stored.delete(id);
      }
    for (const r of rows) {
      r.id = intern(r.id); // one copy of the id for every Map of the live path (server/lib/intern.ts)
      // A booking change while this read was under way said whether they are free: it stands.
      const available =
        jobChanges.get(r.id) === changesBefore.get(r.id) ? r.available : (eligible.get(r.id) ?? r.available);
      eligible.set(r.id, available);
      verified.set(r.id, r.verified);
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
        available: available && presence.isPresent(r.id),
        services: new Set(r.services),
      });
      if (r.at) learnStored(r.id, r.lat, r.lng, r.at.getTime());
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
      if (j.technicianId) activeJob.set(intern(j.technicianId), j.bookingId);
      if (j.status !== 'en_route') continue;
      const known = onTheWay.get(j.bookingId);
      if (known) known.target ??= j.location;
      else onTheWay.set(j.bookingId, { target: j.location, told: false });
    }
  }

  return {
    flush,
    flushNextPart,
    refresh,
    refreshed: () => refreshed,
    /** A technician's new current position, written at the next flush (only the newest is kept). */
    position(technicianId: string, fix: LiveFix) {
      const known = stored.get(technicianId);
      // Back within reach of the stored position: an earlier queued fix need not be written either.
      const queue = dirty[partOf(technicianId)]!;
      if (known && distanceMeters(known, fix) < POSITION_WRITE_METERS) queue.delete(technicianId);
      else queue.set(technicianId, fix);
    },
    /** This node no longer knows the technician's stored position (another node writes it, or it was reset). */
    forget(technicianId: string) {
      stored.delete(technicianId);
    },
    /** A breadcrumb of a job's route, written at the next flush. */
    crumb(bookingId: string, technicianId: string, fix: LiveFix) {
      // Bounded: if PostGIS falls far behind, the oldest unsaved breadcrumbs go first.
      if (crumbs.push({ bookingId, technicianId, fix }) > MAX_PENDING_CRUMBS) crumbs.shift();
    },
  };
}

export type TrackingPersistence = ReturnType<typeof createTrackingPersistence>;
