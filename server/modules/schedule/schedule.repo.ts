import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../../db/client';
import { technicianHours, technicianSchedules, technicianTimeOff, users } from '../../../db/schema';
import type { LngLat } from '../../../db/schema/columns';
import type { DayRange, Schedule } from './hours';

/** Statuses in which a booking still holds its technician's time (also the exclusion constraint's). */
const HOLDING = sql`('searching', 'assigned', 'en_route', 'arrived', 'in_progress')`;

const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/** A booked job on a technician's calendar: where, the job itself, and the time it reserves. */
export type Reservation = {
  bookingId: string;
  technicianId: string;
  location: LngLat;
  start: number;
  end: number;
  reservedFrom: number | null;
};

export function createScheduleRepo(db: DbOrTx) {
  return {
    /** Serialises changes to one technician's calendar (neighbours read under it are the truth). */
    async lock(technicianId: string) {
      await queryRows(db, sql`select pg_advisory_xact_lock(hashtextextended(${technicianId}, 512))`);
    },

    async userTimeZone(userId: string) {
      const [row] = await db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId));
      return row?.timeZone;
    },

    /** Schedules of these technicians (absent from the map: no hours set). */
    async schedules(ids: string[]): Promise<Map<string, NonNullable<Schedule>>> {
      const out = new Map<string, NonNullable<Schedule>>();
      if (!ids.length) return out;
      const rows = await queryRows<{
        id: string;
        tz: string;
        weekday: number | null;
        s: number | null;
        e: number | null;
      }>(
        db,
        sql`SELECT s.technician_id AS id, s.time_zone AS tz, h.weekday, h.start_minute AS s, h.end_minute AS e
            FROM technician_schedules s
            LEFT JOIN technician_hours h ON h.technician_id = s.technician_id
            WHERE s.technician_id IN ${ids}
            ORDER BY s.technician_id, h.weekday, h.start_minute`,
      );
      for (const r of rows) {
        let sched = out.get(r.id);
        if (!sched) {
          sched = { timeZone: r.tz, ranges: [] };
          out.set(r.id, sched);
        }
        if (r.weekday !== null && r.s !== null && r.e !== null)
          sched.ranges.push({ weekday: Number(r.weekday), start: Number(r.s), end: Number(r.e) });
      }
      return out;
    },

    /** Replaces the week (run inside a transaction). */
    async replace(technicianId: string, timeZone: string, ranges: DayRange[]) {
      await db
        .insert(technicianSchedules)
        .values({ technicianId, timeZone })
        .onConflictDoUpdate({
          target: technicianSchedules.technicianId,
          set: { timeZone, updatedAt: sql`now()` },
        });
      await db.delete(technicianHours).where(eq(technicianHours.technicianId, technicianId));
      if (ranges.length)
        await db.insert(technicianHours).values(
          ranges.map((r) => ({
            technicianId,
            weekday: r.weekday,
            startMinute: r.start,
            endMinute: r.end,
          })),
        );
    },

    clear: (technicianId: string) =>
      db.delete(technicianSchedules).where(eq(technicianSchedules.technicianId, technicianId)),

    /** Time off that has not ended yet, soonest first. */
    upcomingTimeOff: (technicianId: string) =>
      db
        .select()
        .from(technicianTimeOff)
        .where(
          and(eq(technicianTimeOff.technicianId, technicianId), gt(technicianTimeOff.endsAt, sql`now()`)),
        )
        .orderBy(asc(technicianTimeOff.startsAt))
        .limit(200),

    async addTimeOff(technicianId: string, startsAt: Date, endsAt: Date, reason: string | null) {
      const [row] = await db
        .insert(technicianTimeOff)
        .values({ technicianId, startsAt, endsAt, reason })
        .returning();
      return row!;
    },

    async removeTimeOff(technicianId: string, id: string) {
      const rows = await db
        .delete(technicianTimeOff)
        .where(and(eq(technicianTimeOff.id, id), eq(technicianTimeOff.technicianId, technicianId)))
        .returning({ id: technicianTimeOff.id });
      return rows.length > 0;
    },

    /** Time off of these technicians overlapping `[from, to)`, as epoch-ms intervals. */
    async timeOffOf(ids: string[], from: Date, to: Date): Promise<Map<string, Array<[number, number]>>> {
      const out = new Map<string, Array<[number, number]>>();
      if (!ids.length) return out;
      const rows = await queryRows<{ id: string; s: Date | string; e: Date | string }>(
        db,
        sql`SELECT technician_id AS id, starts_at AS s, ends_at AS e FROM technician_time_off
            WHERE technician_id IN ${ids} AND ends_at > ${from.toISOString()}::timestamptz
              AND starts_at < ${to.toISOString()}::timestamptz`,
      );
      for (const r of rows) {
        const list = out.get(r.id) ?? [];
        list.push([toDate(r.s).getTime(), toDate(r.e).getTime()]);
        out.set(r.id, list);
      }
      return out;
    },

    /**
     * Jobs on these technicians' calendars around `[from, to)`: reservations (held or assigned), and
     * scheduled jobs assigned before reservations existed. Sorted by start.
     */
    async reservationsOf(
      ids: string[],
      from: Date,
      to: Date,
      exceptBooking?: string,
    ): Promise<Reservation[]> {
      if (!ids.length) return [];
      const f = from.toISOString();
      const t = to.toISOString();
      const rows = await queryRows<{
        id: string;
        tech: string;
        lat: number;
        lng: number;
        s: Date | string;
        e: Date | string;
        rf: Date | string | null;
      }>(
        db,
        sql`SELECT b.id, COALESCE(b.reserved_for, b.technician_id) AS tech,
                   ST_Y(b.location::geometry) AS lat, ST_X(b.location::geometry) AS lng,
                   b.scheduled_for AS s, b.scheduled_end AS e, b.reserved_from AS rf
            FROM bookings b
            WHERE b.status IN ${HOLDING} AND b.scheduled_for IS NOT NULL
              ${exceptBooking ? sql`AND b.id <> ${exceptBooking}` : sql``}
              AND (
                (b.reserved_for IN ${ids}
                  AND tstzrange(b.reserved_from, b.reserved_to) && tstzrange(${f}::timestamptz, ${t}::timestamptz))
                OR (b.reserved_for IS NULL AND b.technician_id IN ${ids}
                  AND b.scheduled_end > ${f}::timestamptz AND b.scheduled_for < ${t}::timestamptz))
            ORDER BY b.scheduled_for`,
      );
      return rows.map((r) => ({
        bookingId: r.id,
        technicianId: r.tech,
        location: { lat: Number(r.lat), lng: Number(r.lng) },
        start: toDate(r.s).getTime(),
        end: toDate(r.e).getTime(),
        reservedFrom: r.rf === null ? null : toDate(r.rf).getTime(),
      }));
    },

    /** The travel a job reserves before it changed (a job was booked just before it). */
    async setReservedFrom(bookingId: string, reservedFrom: Date) {
      await queryRows(
        db,
        sql`UPDATE bookings SET reserved_from = ${reservedFrom.toISOString()}::timestamptz
            WHERE id = ${bookingId} AND reserved_for IS NOT NULL RETURNING id`,
      );
    },

    /** Gives up a booking's hold on a technician's time (they declined, or handed the job back). */
    async release(bookingId: string) {
      await queryRows(
        db,
        sql`UPDATE bookings SET reserved_for = NULL, reserved_from = NULL, reserved_to = NULL
            WHERE id = ${bookingId} AND reserved_for IS NOT NULL RETURNING id`,
      );
    },

    /**
     * Technicians who could do this service at this pin on some future day: verified, offering it, and
     * either with a service area covering the pin or, without areas, last seen within `radiusMeters`.
     * `technicianId`: only them, at any distance (the customer chose them), areas still apply.
     */
    async suitable(serviceId: string, at: LngLat, radiusMeters: number, technicianId?: string) {
      const geom = sql`ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)`;
      const offers = sql`tp.verification = 'verified' AND EXISTS (SELECT 1 FROM technician_services ts
        WHERE ts.technician_id = tp.user_id AND ts.service_id = ${serviceId})`;
      const rows = technicianId
        ? await queryRows<{ id: string }>(
            db,
            sql`SELECT tp.user_id AS id FROM technician_profiles tp
                WHERE tp.user_id = ${technicianId} AND ${offers}
                  AND (NOT EXISTS (SELECT 1 FROM technician_areas ta WHERE ta.technician_id = tp.user_id)
                       OR EXISTS (SELECT 1 FROM technician_areas ta WHERE ta.technician_id = tp.user_id
                                  AND ST_Covers(ta.area, ${geom})))`,
          )
        : await queryRows<{ id: string }>(
            db,
            sql`SELECT tp.user_id AS id FROM (
                  SELECT ta.technician_id AS id FROM technician_areas ta WHERE ST_Covers(ta.area, ${geom})
                  UNION
                  SELECT p.user_id FROM technician_profiles p
                  WHERE ST_DWithin(p.location, ${geom}::geography, ${radiusMeters})
                    AND NOT EXISTS (SELECT 1 FROM technician_areas ta WHERE ta.technician_id = p.user_id)
                ) c JOIN technician_profiles tp ON tp.user_id = c.id
                WHERE ${offers}
                LIMIT 50`,
          );
      return rows.map((r) => r.id);
    },
  };
}

export type ScheduleRepo = ReturnType<typeof createScheduleRepo>;
