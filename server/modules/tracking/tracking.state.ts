import type { BookingStatus } from '../../contracts/booking';
import { covers } from '../../lib/geo';
import { createLocationIndex } from '../../realtime/location-index';
import { overlapsAny, type Schedule, worksDuring } from '../schedule/hours';
import type { Fix } from './fix-filter';

/**
 * What the parts of the live-location pipeline share on one node (ingest, feeds, persistence, queries):
 * the newest fix per technician, the index dispatch and maps read, who is on which job, and what the
 * database says of each indexed technician.
 */

export type TrackingConfig = {
  flushMs: number;
  staleAfterMs: number;
  breadcrumbRetentionMs: number;
};

export const WATCHABLE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived']);
export const ACTIVE: ReadonlySet<BookingStatus> = new Set(['assigned', 'en_route', 'arrived', 'in_progress']);

export type Caller = { id: string; role: 'customer' | 'technician' | 'admin' };
/** Accepted current fixes as they cross nodes: [lat, lng, recordedAt, accuracy, heading, speed]. */
export type WireFix = [number, number, number, number | null, number | null, number | null];
/** Fixes accepted on one node during one turn of its event loop: [technician, heard at, fixes]. */
export type FixesMessage = { node: string; batch: Array<[string, number, WireFix[]]> };
export type BookingChangeMessage = {
  /** The node that made the change (the one to act on it where only one should). */
  node: string;
  bookingId: string;
  status: BookingStatus;
  technicianId: string | null;
  /**
   * A scheduled job (false: on demand). Only an on-demand job makes its technician unavailable; absent
   * (from a node that does not send it) the technicians it touches are read again.
   */
  scheduled?: boolean;
};
export type TechniciansMessage = { node: string; ids: string[] };
export type LiveFix = Required<Pick<Fix, 'lat' | 'lng' | 'recordedAt'>> & {
  accuracy: number | null;
  heading: number | null;
  speed: number | null;
};

export function createTrackingState(config: TrackingConfig) {
  const index = createLocationIndex();
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
  /** The newest breadcrumb time per technician on a job. */
  const lastCrumbAt = new Map<string, number>();
  /** Display names of online technicians, for the admin's map (read from the database once each). */
  const names = new Map<string, string>();
  /** What the database says of each indexed technician: verified and not on a job. Presence is the rest. */
  const eligible = new Map<string, boolean>();
  /** What the database says of each indexed technician's verification (the rest of `eligible`). */
  const verified = new Map<string, boolean>();
  /**
   * Bumped whenever a booking change sets a technician's availability without a read: a read that began
   * before it (`refresh`) does not overwrite what the change said.
   */
  const jobChanges = new Map<string, number>();
  /** No fix for longer than the configured time: shown as "last seen …". */
  const isStale = (fix: LiveFix, now: number) => now - fix.recordedAt > config.staleAfterMs;

  return {
    index,
    last,
    speeds,
    activeJob,
    onTheWay,
    arrivingWork,
    areas,
    servesCache,
    serves,
    schedules,
    timeOff,
    onDuty,
    ownPrices,
    lastCrumbAt,
    names,
    eligible,
    verified,
    jobChanges,
    isStale,
  };
}

export type TrackingState = ReturnType<typeof createTrackingState>;
