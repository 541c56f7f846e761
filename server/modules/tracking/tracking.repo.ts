import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import { bookings, trackingBreadcrumbs } from '../../../db/schema';

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
  services: string[];
};

/** PostgreSQL allows 65,535 bind parameters per statement: batches are written in slices. */
const SLICE = 1_000;
const slices = <T>(rows: T[]) =>
  Array.from({ length: Math.ceil(rows.length / SLICE) }, (_, i) => rows.slice(i * SLICE, (i + 1) * SLICE));

export function createTrackingRepo(db: DbOrTx) {
  return {
    /** One statement for a whole batch of positions; a row only moves forward in time. */
    async writePositions(all: PositionWrite[]) {
      for (const rows of slices(all)) await this.writePositionSlice(rows);
    },

    async writePositionSlice(rows: PositionWrite[]) {
      if (!rows.length) return;
      const values = sql.join(
        rows.map(
          (r) =>
            sql`(${r.technicianId}::uuid, ${r.lng}::float8, ${r.lat}::float8, ${r.accuracy}::real, ${r.at.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      );
      await db.execute(sql`
        UPDATE technician_profiles tp
        SET location = ST_SetSRID(ST_MakePoint(v.lng, v.lat), 4326)::geography,
            location_accuracy = v.accuracy, location_at = v.at
        FROM (VALUES ${values}) AS v(id, lng, lat, accuracy, at)
        WHERE tp.user_id = v.id AND (tp.location_at IS NULL OR tp.location_at < v.at)`);
    },

    async insertBreadcrumbs(
      all: Array<{
        bookingId: string;
        technicianId: string;
        lat: number;
        lng: number;
        accuracy: number | null;
        at: Date;
      }>,
    ) {
      for (const rows of slices(all)) {
        await db.insert(trackingBreadcrumbs).values(
          rows.map((r) => ({
            bookingId: r.bookingId,
            technicianId: r.technicianId,
            location: { lat: r.lat, lng: r.lng },
            accuracy: r.accuracy,
            recordedAt: r.at,
          })),
        );
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

    /** Online technicians with what dispatch filters on, to (re)build the in-memory index. */
    async liveTechnicians(ids?: string[]): Promise<LiveTechnicianRow[]> {
      const rows = await queryRows<{
        id: string;
        lat: number;
        lng: number;
        accuracy: number | null;
        at: Date | string | null;
        available: boolean;
        services: string[] | string | null;
      }>(
        db,
        sql`SELECT tp.user_id AS id, ST_Y(tp.location::geometry) AS lat, ST_X(tp.location::geometry) AS lng,
                   tp.location_accuracy AS accuracy, tp.location_at AS at,
                   (tp.verification = 'verified' AND NOT EXISTS (
                      SELECT 1 FROM bookings b WHERE b.technician_id = tp.user_id AND b.scheduled_for IS NULL
                        AND b.status IN ('assigned', 'en_route', 'arrived', 'in_progress'))) AS available,
                   COALESCE((SELECT array_agg(ts.service_id::text) FROM technician_services ts
                             WHERE ts.technician_id = tp.user_id), '{}') AS services
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
        services: Array.isArray(r.services) ? r.services : parsePgArray(r.services),
      }));
    },

    /** Active on-demand jobs: which booking a technician's fixes belong to. */
    activeJobs: (technicianIds?: string[]) =>
      db
        .select({ bookingId: bookings.id, technicianId: bookings.technicianId })
        .from(bookings)
        .where(
          and(
            inArray(bookings.status, ['assigned', 'en_route', 'arrived', 'in_progress']),
            technicianIds ? inArray(bookings.technicianId, technicianIds) : undefined,
          ),
        ),
  };
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
