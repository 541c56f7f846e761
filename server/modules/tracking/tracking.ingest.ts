import type { z } from 'zod';
import { distanceMeters } from '#shared/geo';
import type { Db, DbOrTx } from '../../../db/client';
import type { BookingStatus } from '../../contracts/booking';
import type { trackingUpdateInput } from '../../contracts/technician';
import { etaSeconds, URBAN_SPEED_MPS } from '../../lib/eta';
import { intern } from '../../lib/intern';
import { log } from '../../lib/log';
import { type Bus, channels } from '../../realtime/bus';
import type { PresenceService } from '../presence/presence.service';
import { createFixFilter, type FixVerdict } from './fix-filter';
import type { TrackingFeeds } from './tracking.feeds';
import type { TrackingPersistence } from './tracking.persist';
import type { TrackingRepo } from './tracking.repo';
import { ACTIVE, type FixesMessage, type LiveFix, type TrackingState, type WireFix } from './tracking.state';

/**
 * A breadcrumb at most this often per technician: the customer's map draws the route, it does not need
 * every 1 Hz fix (and PostGIS would write 4× the rows at 4 fixes/s). Late fixes are always kept.
 */
const CRUMB_EVERY_MS = 2_000;
/** Under this ETA the customer hears "arriving" (issue 11 §2). */
export const ARRIVING_ETA_SECONDS = 120;

/**
 * Fixes coming in: judged (fix-filter.ts), applied to memory, the index and the feeds, queued for
 * PostGIS, shared with the other nodes, and checked for "arriving". Also fixes other nodes accepted.
 */
export function createTrackingIngest(deps: {
  db: Db;
  repo: TrackingRepo;
  bus: Bus;
  presence: PresenceService;
  state: TrackingState;
  persist: TrackingPersistence;
  feeds: TrackingFeeds;
  arriving?: (tx: DbOrTx, bookingId: string) => Promise<void>;
}) {
  const { db, repo, bus, presence, state, persist, feeds } = deps;
  const { index, last, speeds, activeJob, onTheWay, arrivingWork, lastCrumbAt } = state;
  /** Judges fixes, and re-anchors a technician whose stored position was wrong (see fix-filter.ts). */
  const filter = createFixFilter();
  const rejected: Partial<Record<Exclude<FixVerdict, { ok: true }>['reason'], number>> = {};
  let accepted = 0;

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
   * The ETA of a technician on the way, from a fix accepted here (issue 11 §2): the same estimate the
   * customer's map shows. Under ARRIVING_ETA_SECONDS the customer is told, once.
   */
  function checkArriving(technicianId: string, fix: LiveFix, bookingId = activeJob.get(technicianId)) {
    const arriving = deps.arriving;
    const job = bookingId ? onTheWay.get(bookingId) : undefined;
    if (!arriving || !bookingId || !job || job.told || job.reading) return;
    if (!job.target) return readTarget(technicianId, bookingId, job);
    if (etaSeconds(distanceMeters(fix, job.target), speeds.get(technicianId)) >= ARRIVING_ETA_SECONDS) return;
    tellArriving(arriving, bookingId, job);
  }

  type OnTheWay = NonNullable<ReturnType<typeof onTheWay.get>>;
  // readTarget and tellArriving are functions of their own: their closures in checkArriving would make V8
  // allocate a context on every call of it, i.e. on every fix (issue 15 §7).

  /** Went en_route since this node last read its jobs: the address is read once, then checked. */
  function readTarget(technicianId: string, bookingId: string, job: OnTheWay) {
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
  }

  function tellArriving(arriving: NonNullable<typeof deps.arriving>, bookingId: string, job: OnTheWay) {
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

  /** A technician's new current position: memory, the index, and everyone watching them on this node. */
  function applyCurrent(technicianId: string, prev: LiveFix | undefined, fix: LiveFix, now: number) {
    learnSpeed(technicianId, prev, fix);
    last.set(technicianId, fix);
    index.move(technicianId, fix);
    feeds.fix(technicianId, fix, now);
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

  /**
   * Applies a technician's fixes, oldest first (`liveFix` objects of the caller's own: kept as they are,
   * never copied). tracking.update's hot path (issue 15 §7) parses each fix's time once, before this.
   */
  function ingestFixes(technicianId: string, fixes: LiveFix[], now = Date.now()) {
    presence.fix(technicianId, now);
    // What the other nodes get (nothing to build with one process).
    const current: WireFix[] | null = bus.mode === 'memory' ? null : [];
    let ok = 0;
    let bad = 0;
    let reason: Exclude<FixVerdict, { ok: true }>['reason'] | null = null;
    for (const fix of fixes) {
      const prev = last.get(technicianId);
      const verdict = filter.judge(technicianId, fix, prev, now);
      if (!verdict.ok) {
        bad++;
        reason = verdict.reason;
        rejected[verdict.reason] = (rejected[verdict.reason] ?? 0) + 1;
        continue;
      }
      ok++;
      const job = activeJob.get(technicianId);
      const crumbAt = lastCrumbAt.get(technicianId) ?? 0;
      if (job && (fix.recordedAt >= crumbAt + CRUMB_EVERY_MS || fix.recordedAt < crumbAt)) {
        lastCrumbAt.set(technicianId, Math.max(crumbAt, fix.recordedAt));
        persist.crumb(job, technicianId, fix);
      }
      if (!verdict.current) continue; // history, not "now"
      persist.position(technicianId, fix);
      current?.push([fix.lat, fix.lng, fix.recordedAt, fix.accuracy, fix.heading, fix.speed]);
      applyCurrent(technicianId, prev, fix, now);
      checkArriving(technicianId, fix, job);
    }
    // Every other node keeps its replica of the index, and its own viewers, from what it is sent.
    if (current) shareFixes(technicianId, now, current);
    accepted += ok;
    // `reason`: why the last rejected fix was refused, so the phone can say so instead of "sent".
    return ok === 1 && bad === 0 ? ONE_ACCEPTED : { accepted: ok, rejected: bad, reason };
  }

  /**
   * One fix (tracking.update's usual call): through ingestFixes in one reused one-element array instead of
   * a new one per call (hot path, issue 15 §7). ingestFixes runs to completion and keeps no reference to it.
   */
  const oneFix: LiveFix[] = [];
  function ingestFix(technicianId: string, fix: LiveFix, now = Date.now()) {
    oneFix[0] = fix;
    return ingestFixes(technicianId, oneFix, now);
  }

  return {
    /** Fixes another node accepted: judged there already. */
    remoteFixes(m: FixesMessage) {
      if (m.node === bus.nodeId) return;
      const now = Date.now();
      for (const [id, at, fixes] of m.batch) {
        presence.fix(id, at, false);
        persist.forget(id);
        for (const [lat, lng, recordedAt, accuracy, heading, speed] of fixes) {
          const prev = last.get(id);
          if (prev && prev.recordedAt >= recordedAt) continue;
          applyCurrent(id, prev, { lat, lng, recordedAt, accuracy, heading, speed }, now);
        }
      }
    },

    /**
     * Keeps the active-job map (breadcrumbs, "arriving") in step with bookings. Returns the technicians
     * whose job changed: their availability is to be re-read.
     */
    bookingChanged(bookingId: string, status: BookingStatus, technicianId: string | null): Set<string> {
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
        activeJob.set(intern(technicianId), bookingId);
        touched.add(technicianId);
      }
      return touched;
    },

    /** Forgets where a technician was (this node); see TrackingService.reposition. */
    reposition(technicianId: string) {
      last.delete(technicianId);
      speeds.delete(technicianId);
      persist.forget(technicianId);
      filter.forget(technicianId);
    },

    stats: () => ({ accepted, rejected: { ...rejected } }),

    /** Validates and applies a technician's fixes (any order). Bad fixes are counted, never fatal. */
    ingest(technicianId: string, points: z.output<typeof trackingUpdateInput>['points'], now = Date.now()) {
      const fixes = points.map((p) => liveFix(p, Date.parse(p.recordedAt)));
      return ingestFixes(technicianId, fixes.length > 1 ? fixes.sort(byTime) : fixes, now);
    },

    ingestFixes,
    ingestFix,
  };
}

/** A point as the pipeline keeps it: its time as epoch milliseconds, absent readings as null. */
export function liveFix(
  p: { lat: number; lng: number; accuracy?: number | null; heading?: number | null; speed?: number | null },
  recordedAt: number,
): LiveFix {
  return {
    lat: p.lat,
    lng: p.lng,
    recordedAt,
    accuracy: p.accuracy ?? null,
    heading: p.heading ?? null,
    speed: p.speed ?? null,
  };
}

const byTime = (a: LiveFix, b: LiveFix) => a.recordedAt - b.recordedAt;

/**
 * The usual answer (one fix, accepted): one frozen object, so the WebSocket reply is serialised once for
 * all calls (server/transport/ws.ts dataReply), not once per fix.
 */
const ONE_ACCEPTED = Object.freeze({ accepted: 1, rejected: 0, reason: null });
