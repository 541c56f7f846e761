import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import { bookings, trackingBreadcrumbs, users } from '../../../db/schema';

export type PositionWrite = {
  technicianId: string;
  lat: number;
  lng: number;
  accuracy: number | null;
  at: Date;
};
export type LiveTechnicianRow = {
  id: string;
  lat: number;
  lng: number;
  accuracy: number | null;
  at: Date | null;
  available: boolean;
  /** Verified (`available` is this and not on an on-demand job). */
  verified: boolean;
  services: string[];
  /** Their own prices, `serviceId` → minor units (services at the list price are absent). */
  prices: Map<string, number>;
  /** Their service areas as GeoJSON polygon coordinates (none: anywhere within the radius). */
  areas: number[][][][];
  /** Their weekly hours (issue 12 §5); null: none set, always at work. */
  schedule: { timeZone: string; ranges: Array<{ weekday: number; start: number; end: number }> } | null;
  /** Time off not yet over, as epoch-ms `[from, to)`. */
  timeOff: Array<[number, number]>;
};

export type BreadcrumbWrite = {
  bookingId: string;
  technicianId: string;
  lat: number;
  lng: number;
  accuracy: number | null;
  at: Date;
};

// Batched writes (the tracking flush, once a second) travel as ONE text parameter: a JSON array of
// compact per-row arrays that `json_array_elements` expands in SQL. The Node side is JSON.stringify —
// no bind parameter per value, no 65,535-parameter limit, one prepared statement for every batch
// size — and the same SQL runs on postgres.js and PGlite. Times go as epoch milliseconds:
// `to_timestamp(ms / 1000)` is exact to the millisecond (it rounds to whole microseconds), and a
// number is cheaper to format than an ISO string. Non-finite numbers are not expected (fixes are
// validated on the way in); JSON would turn them into NULL.

/**
 * A fix this close (metres) to the stored position is not written: the stored one (with its time) stands.
 * The stored position is what dispatch's KNN, search and a restart read, and each of those is coarser than
 * this (quotes round to 500 m, search snaps to 300 m, the fix filter allows 55 m/s). The live map and
 * arrival use the in-memory fix. Skipping matters because a written position is a non-HOT update of the
 * wide technician row (two GiST indexes on `location`): ~40 µs of PostgreSQL per technician against a few
 * µs for the skipped row's read, measured with pgbench over 300 rows (12.3 vs 1.8 ms per flush). A
 * technician who stands (a shoe shine at their pitch) or walks costs nearly nothing per second.
 */
export const POSITION_WRITE_METERS = 25;

/** Rows per statement: a usual flush is one statement; the largest (100k breadcrumbs) a few. */
const SLICE = 25_000;
/** Rows serialised per synchronous step (~1 ms); between steps the event loop serves the sockets. */
const CHUNK = 1_000;

/**
 * `[row(rows[from]), …, row(rows[to - 1])]` as JSON, built CHUNK rows at a time with a yield to the
 * event loop in between, so a large batch never stalls it for long. The caller must not mutate
 * `rows` meanwhile (the service hands over freshly built arrays).
 */
async function jsonRows<T>(rows: T[], from: number, to: number, row: (r: T) => unknown[]): Promise<string> {
  const parts: string[] = [];
  for (let start = from; start < to; start += CHUNK) {
    if (start > from) await yieldToEventLoop();
    const end = Math.min(start + CHUNK, to);
    const out = new Array<unknown>(end - start);
    for (let i = start; i < end; i++) out[i - start] = row(rows[i]!);
    parts.push(JSON.stringify(out).slice(1, -1));
  }
  return `[${parts.join(',')}]`;
}

/** `[technicianId, lng, lat, accuracy, epochMs]`: lng first, as ST_MakePoint takes it. */
const positionRow = (r: PositionWrite) => [r.technicianId, r.lng, r.lat, r.accuracy, r.at.getTime()];
/** `[bookingId, technicianId, lng, lat, accuracy, epochMs]`. */
const breadcrumbRow = (r: BreadcrumbWrite) => [
  r.bookingId,
  r.technicianId,
  r.lng,
  r.lat,
  r.accuracy,
  r.at.getTime(),
];

export function createTrackingRepo(db: DbOrTx) {
  return {
    /**
     * Latest positions, one statement per SLICE rows. A row only moves forward in time: it is written
     * only if newer than the stored `location_at` (and if a technician appears twice, the newest wins),
     * and only if it is POSITION_WRITE_METERS or more from the stored position (compared in SQL, against
     * what is stored, whichever node wrote it). Returns the technicians whose row was written.
     */
    async writePositions(rows: PositionWrite[]): Promise<Set<string>> {
      const written = new Set<string>();
      for (let from = 0; from < rows.length; from += SLICE) {
        const payload = await jsonRows(rows, from, Math.min(from + SLICE, rows.length), positionRow);
        const out = await queryRows<{ id: string }>(
          db,
          sql`
          UPDATE technician_profiles tp
          SET location = v.point, location_accuracy = v.accuracy, location_at = v.at
          FROM (
            SELECT DISTINCT ON (id) id, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography AS point, accuracy, at
            FROM (
              SELECT (e->>0)::uuid AS id, (e->>1)::float8 AS lng, (e->>2)::float8 AS lat,
                     (e->>3)::real AS accuracy, to_timestamp((e->>4)::float8 / 1000) AS at
              FROM json_array_elements(${payload}::text::json) AS e
            ) r
            ORDER BY id, at DESC
          ) v
          WHERE tp.user_id = v.id AND (tp.location_at IS NULL OR tp.location_at < v.at)
            AND (tp.location IS NULL OR NOT ST_DWithin(tp.location, v.point, ${POSITION_WRITE_METERS}, false))
          RETURNING tp.user_id AS id`,
        );
        for (const r of out) written.add(r.id);
      }
      return written;
    },

    /** Breadcrumbs in arrival order, one statement per SLICE rows. */
    async insertBreadcrumbs(rows: BreadcrumbWrite[]) {
      for (let from = 0; from < rows.length; from += SLICE) {
        const payload = await jsonRows(rows, from, Math.min(from + SLICE, rows.length), breadcrumbRow);
        await db.execute(sql`
          INSERT INTO tracking_breadcrumbs (booking_id, technician_id, location, accuracy, recorded_at)
          SELECT (e->>0)::uuid, (e->>1)::uuid,
                 ST_SetSRID(ST_MakePoint((e->>2)::float8, (e->>3)::float8), 4326)::geography,
                 (e->>4)::real, to_timestamp((e->>5)::float8 / 1000)
          FROM json_array_elements(${payload}::text::json) AS e`);
      }
    },

    breadcrumbs: (bookingId: string) =>
      db
        .select({ location: trackingBreadcrumbs.location, recordedAt: trackingBreadcrumbs.recordedAt })
        .from(trackingBreadcrumbs)
        .where(eq(trackingBreadcrumbs.bookingId, bookingId))
        .orderBy(trackingBreadcrumbs.recordedAt)
        .limit(2000),

    deleteBreadcrumbsBefore: (before: Date) =>
      db.delete(trackingBreadcrumbs).where(lt(trackingBreadcrumbs.recordedAt, before)),

    /** Display names of these users (for the admin's live map). */
    names: (ids: string[]) =>
      db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids)),

    /** Online technicians with what dispatch filters on, to (re)build the in-memory index. */
    async liveTechnicians(ids?: string[]): Promise<LiveTechnicianRow[]> {
      const rows = await queryRows<{
        id: string;
        lat: number;
        lng: number;
        accuracy: number | null;
        at: Date | string | null;
        available: boolean;
        verified: boolean;
        services: string[] | string | null;
        prices: string[] | string | null;
        areas: unknown;
        schedule: unknown;
        time_off: unknown;
      }>(
        db,
        sql`SELECT tp.user_id AS id, ST_Y(tp.location::geometry) AS lat, ST_X(tp.location::geometry) AS lng,
                   tp.location_accuracy AS accuracy, tp.location_at AS at,
                   tp.verification = 'verified' AS verified,
                   (tp.verification = 'verified' AND NOT EXISTS (
                      SELECT 1 FROM bookings b WHERE b.technician_id = tp.user_id AND b.scheduled_for IS NULL
                        AND b.status IN ('assigned', 'en_route', 'arrived', 'in_progress'))) AS available,
                   COALESCE((SELECT array_agg(ts.service_id::text) FROM technician_services ts
                             WHERE ts.technician_id = tp.user_id), '{}') AS services,
                   COALESCE((SELECT array_agg(ts.service_id::text || '=' || ts.price) FROM technician_services ts
                             WHERE ts.technician_id = tp.user_id AND ts.price IS NOT NULL), '{}') AS prices,
                   (SELECT json_agg(ST_AsGeoJSON(ta.area, 6)::json -> 'coordinates') FROM technician_areas ta
                     WHERE ta.technician_id = tp.user_id) AS areas,
                   (SELECT json_build_object('tz', s.time_zone, 'h', COALESCE((
                      SELECT json_agg(json_build_array(h.weekday, h.start_minute, h.end_minute))
                      FROM technician_hours h WHERE h.technician_id = s.technician_id), '[]'::json))
                    FROM technician_schedules s WHERE s.technician_id = tp.user_id) AS schedule,
                   (SELECT json_agg(json_build_array(extract(epoch FROM o.starts_at) * 1000,
                                                     extract(epoch FROM o.ends_at) * 1000))
                    FROM technician_time_off o WHERE o.technician_id = tp.user_id AND o.ends_at > now()) AS time_off
            FROM technician_profiles tp
            WHERE tp.online AND tp.location IS NOT NULL
              ${ids ? sql`AND tp.user_id IN ${ids}` : sql``}`,
      );
      return rows.map((r) => ({
        id: r.id,
        lat: Number(r.lat),
        lng: Number(r.lng),
        accuracy: r.accuracy === null ? null : Number(r.accuracy),
        at: r.at ? new Date(r.at) : null,
        available: Boolean(r.available),
        verified: Boolean(r.verified),
        services: Array.isArray(r.services) ? r.services : parsePgArray(r.services),
        areas: (typeof r.areas === 'string' ? JSON.parse(r.areas) : (r.areas ?? [])) as number[][][][],
        schedule: scheduleOf(json(r.schedule)),
        timeOff: ((json(r.time_off) ?? []) as Array<[number, number]>).map(([a, b]) => [
          Number(a),
          Number(b),
        ]),
        prices: new Map(
          (Array.isArray(r.prices) ? r.prices : parsePgArray(r.prices)).map((p) => {
            const [id, price] = p.split('=');
            return [id ?? '', Number(price)] as const;
          }),
        ),
      }));
    },

    /** Active on-demand jobs: which booking a technician's fixes belong to. */
    activeJobs: (technicianIds?: string[]) =>
      db
        .select({
          bookingId: bookings.id,
          technicianId: bookings.technicianId,
          status: bookings.status,
          location: bookings.location,
        })
        .from(bookings)
        .where(
          and(
            inArray(bookings.status, ['assigned', 'en_route', 'arrived', 'in_progress']),
            technicianIds ? inArray(bookings.technicianId, technicianIds) : undefined,
          ),
        ),
  };
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function scheduleOf(v: unknown): LiveTechnicianRow['schedule'] {
  if (!v || typeof v !== 'object') return null;
  const { tz, h } = v as { tz: string; h: Array<[number, number, number]> };
  return { timeZone: tz, ranges: h.map(([weekday, start, end]) => ({ weekday, start, end })) };
}

/** `{a,b}` → ['a','b'] (PGlite returns text arrays as their text form). */
function parsePgArray(v: string | null): string[] {
  if (!v || v === '{}') return [];
  return v
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean);
}

export type TrackingRepo = ReturnType<typeof createTrackingRepo>;
