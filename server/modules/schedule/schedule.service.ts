import type { z } from 'zod';
import { distanceMeters } from '#shared/geo';
import type { Db, DbOrTx } from '../../../db/client';
import type { LngLat } from '../../../db/schema/columns';
import {
  type addTimeOffInput,
  clockOf,
  type Slot,
  type Slots,
  type setHoursInput,
  type slotsInput,
  type TimeOff,
  type WorkingHours,
} from '../../contracts/schedule';
import { DomainError, pgErrorCode } from '../../lib/errors';
import { etaSeconds } from '../../lib/eta';
import type { CatalogService } from '../catalog/catalog.service';
import type { MarketService } from '../market/market.service';
import { isTimeZone, mergeRanges, overlapsAny, type Schedule, worksDuring } from './hours';
import { createScheduleRepo, type Reservation } from './schedule.repo';

export type ScheduleConfig = {
  /** Added to every drive between two jobs (parking, stairs, the ETA being an estimate). */
  travelBufferMs: number;
  /** Slots start on multiples of this (UTC; every market's offset is whole hours). */
  slotStepMs: number;
  /** The earliest slot offered is this far from now. */
  slotMinLeadMs: number;
  /** Technicians without service areas are suitable within this distance of where they were last seen. */
  radiusMeters: number;
};

/** Driving time between two places, from the project's ETA module. */
export const travelMs = (a: LngLat, b: LngLat) => etaSeconds(distanceMeters(a, b)) * 1000;

const DAY = 24 * 3600_000;

/** What stands in the way of a job at `[start, end)` at `at` for one technician (null: nothing). */
export function obstacle(
  c: {
    schedule: Schedule;
    timeOff: Array<[number, number]>;
    jobs: Reservation[];
    bufferMs: number;
  },
  at: LngLat,
  start: number,
  end: number,
): 'hours' | 'time_off' | 'taken' | 'travel' | null {
  if (!worksDuring(c.schedule, start, end)) return 'hours';
  if (overlapsAny(c.timeOff, start, end)) return 'time_off';
  for (const j of c.jobs) {
    if (j.start < end && j.end > start) return 'taken';
    // From an earlier job to this one, and from this one on to a later one, in time.
    if (j.end <= start && j.end + travelMs(j.location, at) + c.bufferMs > start) return 'travel';
    if (j.start >= end && end + travelMs(at, j.location) + c.bufferMs > j.start) return 'travel';
  }
  return null;
}

/**
 * Working hours, time off and travel-aware slots (issue 12 §5). A technician with no hours set is
 * available whenever online (the behaviour before hours existed); once they save hours, only those count.
 */
export function createScheduleService(deps: {
  db: Db;
  catalog: Pick<CatalogService, 'requireService'>;
  markets?: Pick<MarketService, 'list' | 'locate' | 'bySlug'> | undefined;
  /** The deployment's default market (MARKET): its zone when nothing else names one. */
  defaultMarket?: string | undefined;
  config: ScheduleConfig;
  /** Their hours or time off changed: refresh the live index (quotes, dispatch proposals), offer waiting jobs. */
  onChanged?: (technicianId: string) => Promise<void> | void;
}) {
  const { db, config } = deps;
  const repo = createScheduleRepo(db);

  /** The markets' zones (Africa/Lagos, Africa/Cairo): hours are kept in one of them. */
  async function marketZones() {
    return deps.markets ? [...new Set((await deps.markets.list()).map((m) => m.timeZone))] : [];
  }

  /** The default market's zone (MARKET; none without market data). */
  async function homeZone(): Promise<string | undefined> {
    if (!deps.markets || !deps.defaultMarket) return undefined;
    return (await deps.markets.bySlug(deps.defaultMarket))?.timeZone;
  }

  /**
   * Their own zone when it is a market's (a phone may say UTC or Europe/London), else the default
   * market's, else the first market's; UTC only when there is no market data at all.
   */
  async function defaultZone(technicianId: string) {
    const [own, zones, home] = await Promise.all([
      repo.userTimeZone(technicianId),
      marketZones(),
      homeZone(),
    ]);
    if (own && (zones.length ? zones.includes(own) : isTimeZone(own))) return own;
    return home ?? zones[0] ?? 'UTC';
  }

  async function hours(technicianId: string): Promise<WorkingHours> {
    const s = (await repo.schedules([technicianId])).get(technicianId);
    if (!s) return { set: false, timeZone: await defaultZone(technicianId), ranges: [] };
    return {
      set: true,
      timeZone: s.timeZone,
      ranges: s.ranges.map((r) => ({ weekday: r.weekday, start: clockOf(r.start), end: clockOf(r.end) })),
    };
  }

  async function allowedZone(zone: string) {
    const zones = new Set(await marketZones());
    if (!isTimeZone(zone) || (zones.size && !zones.has(zone)))
      throw new DomainError(
        'VALIDATION',
        `Use the time zone of a market Fundi works in (${[...zones].join(', ')}).`,
      );
  }

  async function timeOff(technicianId: string): Promise<TimeOff[]> {
    return (await repo.upcomingTimeOff(technicianId)).map((r) => ({
      id: r.id,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      reason: r.reason,
    }));
  }

  /** Everything on these technicians' calendars that matters for `[from, to)`. */
  async function calendars(d: DbOrTx, ids: string[], from: number, to: number, exceptBooking?: string) {
    const r = createScheduleRepo(d);
    // A day either side: a job the evening before still needs its drive.
    const lo = new Date(from - DAY);
    const hi = new Date(to + DAY);
    const [schedules, off, jobs] = await Promise.all([
      r.schedules(ids),
      r.timeOffOf(ids, lo, hi),
      r.reservationsOf(ids, lo, hi, exceptBooking),
    ]);
    return new Map(
      ids.map((id) => [
        id,
        {
          schedule: schedules.get(id) ?? null,
          timeOff: off.get(id) ?? [],
          jobs: jobs.filter((j) => j.technicianId === id),
          bufferMs: config.travelBufferMs,
        },
      ]),
    );
  }

  return {
    hours,
    timeOff,

    async setHours(technicianId: string, input: z.output<typeof setHoursInput>): Promise<WorkingHours> {
      if (input.clear) {
        await repo.clear(technicianId);
      } else {
        const current = (await repo.schedules([technicianId])).get(technicianId);
        const zone = input.timeZone ?? current?.timeZone ?? (await defaultZone(technicianId));
        await allowedZone(zone);
        const ranges = mergeRanges(input.ranges);
        await db.transaction(async (tx) => {
          const r = createScheduleRepo(tx);
          await r.lock(technicianId);
          await r.replace(technicianId, zone, ranges);
        });
      }
      await deps.onChanged?.(technicianId);
      return hours(technicianId);
    },

    async addTimeOff(technicianId: string, input: z.output<typeof addTimeOffInput>): Promise<TimeOff[]> {
      if (Date.parse(input.endsAt) <= Date.now())
        throw new DomainError('VALIDATION', 'This time off is already over.');
      await repo.addTimeOff(
        technicianId,
        new Date(input.startsAt),
        new Date(input.endsAt),
        input.reason ?? null,
      );
      await deps.onChanged?.(technicianId);
      return timeOff(technicianId);
    },

    async removeTimeOff(technicianId: string, id: string): Promise<TimeOff[]> {
      if (!(await repo.removeTimeOff(technicianId, id)))
        throw new DomainError('NOT_FOUND', 'Time off not found.');
      await deps.onChanged?.(technicianId);
      return timeOff(technicianId);
    },

    /**
     * Bookable start times: the technician (or at least one suitable technician) works for the whole job,
     * is not off, has no job then, and can drive from the job before and on to the job after in time
     * (ETA + buffer).
     */
    async slots(input: z.output<typeof slotsInput>): Promise<Slots> {
      const service = await deps.catalog.requireService(input.serviceId);
      const at = { lat: input.lat, lng: input.lng };
      const durationMs = service.durationMinutes * 60_000;
      const step = config.slotStepMs;
      const ids = await repo.suitable(service.id, at, config.radiusMeters, input.technicianId);
      if (input.technicianId && !ids.length)
        throw new DomainError('NOT_FOUND', 'That technician does not offer this service here.');
      const from = Math.max(Date.parse(input.from), Date.now() + config.slotMinLeadMs);
      const first = Math.ceil(from / step) * step;
      const to = Date.parse(input.to);
      const cal = await calendars(db, ids, first, to + durationMs);
      const slots: Slot[] = [];
      for (let start = first; start < to; start += step) {
        const end = start + durationMs;
        let free = 0;
        for (const c of cal.values()) if (!obstacle(c, at, start, end)) free++;
        if (free)
          slots.push({
            start: new Date(start).toISOString(),
            end: new Date(end).toISOString(),
            technicians: free,
          });
      }
      const named = input.technicianId ? cal.get(input.technicianId)?.schedule : null;
      const timeZone =
        named?.timeZone ??
        (input.technicianId ? await defaultZone(input.technicianId) : undefined) ??
        (await deps.markets?.locate(at))?.timeZone ??
        (await homeZone()) ??
        'UTC';
      return { timeZone, durationMinutes: service.durationMinutes, stepMinutes: step / 60_000, slots };
    },

    /**
     * Reserves `[start - travel in - buffer, end)` of a technician's time for a booking, inside the
     * caller's transaction: refused (CONFLICT, `details.reason`) when they do not work then, are off, or
     * cannot drive from the job before or on to the job after in time. The next job's reserved travel is
     * recomputed from this one. The exclusion constraint on bookings settles whatever this check misses.
     */
    async reserve(
      tx: DbOrTx,
      b: { bookingId?: string; technicianId: string; location: LngLat; start: Date; end: Date },
    ) {
      const r = createScheduleRepo(tx);
      await r.lock(b.technicianId);
      const start = b.start.getTime();
      const end = b.end.getTime();
      const c = (await calendars(tx, [b.technicianId], start, end, b.bookingId)).get(b.technicianId)!;
      const why = obstacle(c, b.location, start, end);
      if (why)
        throw new DomainError(
          'CONFLICT',
          why === 'hours'
            ? 'The technician does not work at that time.'
            : why === 'time_off'
              ? 'The technician is off at that time.'
              : 'That time is no longer available with this technician. Choose another time.',
          { reason: 'SLOT_UNAVAILABLE', why },
        );
      const before = c.jobs.filter((j) => j.end <= start).at(-1);
      const after = c.jobs.find((j) => j.start >= end);
      if (after?.reservedFrom != null)
        await r.setReservedFrom(
          after.bookingId,
          new Date(after.start - travelMs(b.location, after.location) - config.travelBufferMs),
        );
      const travelIn = before ? travelMs(before.location, b.location) : 0;
      return {
        reservedFor: b.technicianId,
        reservedFrom: new Date(start - travelIn - config.travelBufferMs),
        reservedTo: b.end,
      };
    },

    release: (tx: DbOrTx, bookingId: string) => createScheduleRepo(tx).release(bookingId),

    /**
     * For search (issue 12 §3): per technician, whether they can do a job of their `durationMs` at `at`
     * starting at `start` (working hours, time off, their reserved jobs and the drives between: the same
     * `obstacle` as slots), and the start of their next free slot within `horizonMs` from now (null: none).
     */
    async freeTimes(
      jobs: Array<{ id: string; durationMs: number }>,
      at: LngLat,
      opts: { start?: number | undefined; horizonMs: number },
    ): Promise<Map<string, { freeAtStart: boolean | null; next: string | null }>> {
      const out = new Map<string, { freeAtStart: boolean | null; next: string | null }>();
      if (!jobs.length) return out;
      const step = config.slotStepMs;
      const first = Math.ceil((Date.now() + config.slotMinLeadMs) / step) * step;
      const last = Date.now() + opts.horizonMs;
      const longest = Math.max(...jobs.map((j) => j.durationMs));
      const from = Math.min(first, opts.start ?? first);
      const to = Math.max(last, opts.start ?? last) + longest;
      const cal = await calendars(
        db,
        jobs.map((j) => j.id),
        from,
        to,
      );
      for (const j of jobs) {
        const c = cal.get(j.id)!;
        let next: string | null = null;
        for (let t = first; t <= last; t += step)
          if (!obstacle(c, at, t, t + j.durationMs)) {
            next = new Date(t).toISOString();
            break;
          }
        out.set(j.id, {
          freeAtStart:
            opts.start === undefined ? null : !obstacle(c, at, opts.start, opts.start + j.durationMs),
          next,
        });
      }
      return out;
    },
  };
}

export type ScheduleService = ReturnType<typeof createScheduleService>;

/** The reservations' exclusion constraint refused a booking: someone else has that time (CONFLICT). */
export function rethrowSlotTaken(e: unknown): never {
  const pg = pgErrorCode(e);
  if (pg.code === '23P01' && pg.constraint === 'bookings_no_overlapping_reservations')
    throw new DomainError(
      'CONFLICT',
      'That time is no longer available with this technician. Choose another time.',
      { reason: 'SLOT_UNAVAILABLE', why: 'taken' },
    );
  throw e;
}
