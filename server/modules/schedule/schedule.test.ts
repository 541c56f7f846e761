import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMeters } from '#shared/geo';
import { queryRows } from '../../../db/client';
import { pgErrorCode } from '../../lib/errors';
import { etaSeconds } from '../../lib/eta';
import {
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  sleep,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';
import { createDispatchRepo } from '../dispatch/dispatch.repo';
import { localTime, worksDuring } from './hours';
import { createScheduleService } from './schedule.service';

/** Issue 12 §5: working hours, time off, travel-aware slots and reservations. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TRAVEL_BUFFER_MINUTES: '10', SLOT_STEP_MINUTES: '30' });
});
afterAll(() => server.close());
const svc = () => server.services;
const db = () => server.services.database.db;

const MIN = 60_000;
const BUFFER = 10 * MIN;
const STEP = 30 * MIN;
/** 10:00 in Lagos (UTC+1 all year) two days from now: far enough that dispatch leaves it alone. */
function lagosTen(daysAhead = 2) {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + daysAhead, 9, 0);
}
const iso = (ms: number) => new Date(ms).toISOString();

async function bookChosen(technicianId: string, at: { lat: number; lng: number }, start: number) {
  const c = await customer(svc());
  return svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...at,
    address: '14 Awolowo Road, Ikoyi',
    scheduledFor: iso(start),
    technicianId,
    fallbackToNearest: false,
    idempotencyKey: randomUUID(),
  });
}

async function slotStarts(q: {
  technicianId?: string;
  at: { lat: number; lng: number };
  from: number;
  to: number;
}) {
  const r = await svc().schedule.slots({
    technicianId: q.technicianId,
    serviceId: await serviceId(svc()),
    ...q.at,
    from: iso(q.from),
    to: iso(q.to),
  });
  return r.slots.map((s) => Date.parse(s.start));
}

async function reservationOf(bookingId: string) {
  const [row] = await queryRows<{ reserved_for: string | null; reserved_from: Date | string | null }>(
    db(),
    sql`SELECT reserved_for, reserved_from FROM bookings WHERE id = ${bookingId}`,
  );
  return row!;
}

describe('travel-aware slots', () => {
  it('a job across the city at 10:00 (20 min): no 10:30 slot near its end when the drive takes 40 min', async () => {
    const jobA = uniqueSpot();
    // Across the city: ~8.6 km, which the ETA module puts at about 40 minutes.
    const far = offset(jobA, 8_572);
    const next = offset(jobA, 100);
    const travel = etaSeconds(distanceMeters(jobA, far)) * 1000;
    expect(Math.round(travel / MIN)).toBe(40);
    const t = await technician(svc(), offset(jobA, 3_000));
    const ten = lagosTen();
    const a = await bookChosen(t.user.id, jobA, ten);
    expect(a.scheduledFor).toBe(iso(ten));
    const jobEnd = ten + 20 * MIN; // shoe shine: 20 minutes

    // Far side of town: 10:30 is right after the first job ends, but they cannot be there before ~11:10.
    const farSlots = await slotStarts({
      technicianId: t.user.id,
      at: far,
      from: ten - 3 * 3600_000,
      to: ten + 4 * 3600_000,
    });
    expect(farSlots).not.toContain(ten + 30 * MIN);
    expect(farSlots).not.toContain(ten + 60 * MIN);
    const firstAfter = farSlots.find((s) => s > ten)!;
    expect(firstAfter).toBe(Math.ceil((jobEnd + travel + BUFFER) / STEP) * STEP); // 11:30
    // And before it: the job at the far side must end 40 min + buffer before 10:00.
    expect(farSlots).not.toContain(ten - 30 * MIN); // 09:30–09:50, then 40 min of driving: too late
    expect(farSlots).not.toContain(ten - 60 * MIN); // 09:00–09:20 + 40 + 10 = 10:10: still too late
    expect(farSlots).toContain(ten - 90 * MIN); // 08:30–08:50 + 40 + 10 = 09:40: in time

    // In the same building, 10:30 is fine (20 min of work, the 10-minute buffer); 100 m away, 11:00.
    const sameSlots = await slotStarts({
      technicianId: t.user.id,
      at: jobA,
      from: ten - 3600_000,
      to: ten + 2 * 3600_000,
    });
    expect(sameSlots).toContain(ten + 30 * MIN);
    expect(sameSlots).not.toContain(ten); // the job itself
    const nearSlots = await slotStarts({
      technicianId: t.user.id,
      at: next,
      from: ten - 3600_000,
      to: ten + 2 * 3600_000,
    });
    expect(nearSlots).not.toContain(ten + 30 * MIN); // half a minute's drive over the buffer
    expect(nearSlots).toContain(ten + 60 * MIN);

    // Booking it anyway is refused with the reason; the first slot offered books, and reserves the drive.
    const refused = bookChosen(t.user.id, far, ten + 30 * MIN);
    expect(await codeOf(refused)).toBe('CONFLICT');
    await refused.catch((e) =>
      expect(e.details).toMatchObject({ reason: 'SLOT_UNAVAILABLE', why: 'travel' }),
    );
    const b = await bookChosen(t.user.id, far, firstAfter);
    const r = await reservationOf(b.id);
    expect(r.reserved_for).toBe(t.user.id);
    expect(new Date(r.reserved_from!).getTime()).toBe(firstAfter - travel - BUFFER);
  });

  it('a job booked between two others shortens the drive reserved by the next one, or is refused', async () => {
    const here = uniqueSpot();
    const t = await technician(svc(), here);
    const ten = lagosTen(3);
    const later = await bookChosen(t.user.id, offset(here, 200), ten + 2 * 3600_000); // 12:00 next door
    expect(new Date((await reservationOf(later.id)).reserved_from!).getTime()).toBe(
      ten + 2 * 3600_000 - BUFFER,
    );
    // 11:30 across town (20 min + ~40 min drive back to 12:00): refused; 11:00 next door: fine.
    expect(await codeOf(bookChosen(t.user.id, offset(here, 8_572), ten + 90 * MIN))).toBe('CONFLICT');
    const between = await bookChosen(t.user.id, offset(here, 400), ten + 60 * MIN);
    const drive = etaSeconds(distanceMeters(offset(here, 400), offset(here, 200))) * 1000;
    expect(new Date((await reservationOf(later.id)).reserved_from!).getTime()).toBe(
      ten + 2 * 3600_000 - drive - BUFFER,
    );
    expect((await reservationOf(between.id)).reserved_for).toBe(t.user.id);
  });

  it('without a technician: slots where at least one suitable technician is free', async () => {
    const here = uniqueSpot();
    const a = await technician(svc(), offset(here, 500));
    const b = await technician(svc(), offset(here, 900));
    const ten = lagosTen(4);
    await bookChosen(a.user.id, here, ten);
    const r = await svc().schedule.slots({
      serviceId: await serviceId(svc()),
      ...here,
      from: iso(ten - STEP),
      to: iso(ten + STEP),
    });
    const at = (ms: number) => r.slots.find((s) => s.start === iso(ms))?.technicians;
    expect(at(ten - STEP)).toBe(2);
    expect(at(ten)).toBe(1); // a is busy, b is free
    await bookChosen(b.user.id, here, ten);
    const again = await slotStarts({ at: here, from: ten - STEP, to: ten + STEP });
    expect(again).not.toContain(ten);
    expect(r.timeZone).toBe('Africa/Lagos');
  });
});

describe('the slot race', () => {
  it('twelve customers booking one technician for the same slot at once: exactly one gets it', async () => {
    const here = uniqueSpot();
    const t = await technician(svc(), here);
    const start = lagosTen(5) + 3 * 3600_000;
    const results = await Promise.all(
      Array.from({ length: 12 }, () => codeOf(bookChosen(t.user.id, offset(here, 50), start))),
    );
    expect(results.filter((c) => c === 'OK')).toHaveLength(1);
    expect(results.filter((c) => c === 'CONFLICT')).toHaveLength(11);
  });

  it('the database itself refuses overlapping reservations (the exclusion constraint, travel included)', async () => {
    const here = uniqueSpot();
    const t = await technician(svc(), here);
    const start = lagosTen(6);
    const held = await bookChosen(t.user.id, here, start);
    const other = await svc().bookings.create((await customer(svc())).user, {
      serviceId: await serviceId(svc()),
      ...here,
      address: '3 Broad Street, Lagos Island',
      scheduledFor: iso(start + 25 * MIN),
      idempotencyKey: randomUUID(),
    });
    // Starts after the held job ends (20 min), but its reserved drive reaches back into it.
    const write = db().execute(
      sql`UPDATE bookings SET reserved_for = ${t.user.id}, reserved_from = ${iso(start + 15 * MIN)}::timestamptz,
            reserved_to = ${iso(start + 45 * MIN)}::timestamptz WHERE id = ${other.id}`,
    );
    const error = await write.then(
      () => null,
      (e: unknown) => e,
    );
    expect(pgErrorCode(error)).toEqual({ code: '23P01', constraint: 'bookings_no_overlapping_reservations' });
    // Once the held booking is cancelled, the time is free again.
    await svc().bookings.cancel(held.id, { id: held.customer.id, role: 'customer' }, 'plans changed');
    await db().execute(
      sql`UPDATE bookings SET reserved_for = ${t.user.id}, reserved_from = ${iso(start + 15 * MIN)}::timestamptz,
            reserved_to = ${iso(start + 45 * MIN)}::timestamptz WHERE id = ${other.id}`,
    );
  });
});

describe('working hours and time off', () => {
  it('a technician whose phone names no market’s zone keeps hours in the default MARKET’s zone', async () => {
    const t = await technician(svc(), uniqueSpot());
    await db().execute(sql`UPDATE users SET time_zone = 'UTC' WHERE id = ${t.user.id}`);
    const deployedIn = (market: string) =>
      createScheduleService({
        db: db(),
        catalog: svc().catalog,
        markets: svc().markets,
        defaultMarket: market,
        config: { travelBufferMs: BUFFER, slotStepMs: STEP, slotMinLeadMs: 0, radiusMeters: 10_000 },
      });
    expect((await deployedIn('cairo').hours(t.user.id)).timeZone).toBe('Africa/Cairo');
    expect((await deployedIn('lagos').hours(t.user.id)).timeZone).toBe('Africa/Lagos');
    // Their own zone, when it is a market's, comes first.
    await db().execute(sql`UPDATE users SET time_zone = 'Africa/Lagos' WHERE id = ${t.user.id}`);
    expect((await deployedIn('cairo').hours(t.user.id)).timeZone).toBe('Africa/Lagos');
  });

  it('setHours merges ranges, keeps them in a market zone, and clear goes back to "always"', async () => {
    const t = await technician(svc(), uniqueSpot());
    // Their phone said UTC at sign-up: hours are kept in a market's zone all the same.
    await db().execute(sql`UPDATE users SET time_zone = 'UTC' WHERE id = ${t.user.id}`);
    expect(await svc().schedule.hours(t.user.id)).toEqual({
      set: false,
      timeZone: 'Africa/Lagos',
      ranges: [],
    });
    const h = await svc().schedule.setHours(t.user.id, {
      ranges: [
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '11:00', end: '13:00' },
        { weekday: 1, start: '14:00', end: '18:00' },
        { weekday: 6, start: '10:00', end: '24:00' },
      ],
    });
    expect(h).toEqual({
      set: true,
      timeZone: 'Africa/Lagos',
      ranges: [
        { weekday: 1, start: '09:00', end: '13:00' },
        { weekday: 1, start: '14:00', end: '18:00' },
        { weekday: 6, start: '10:00', end: '24:00' },
      ],
    });
    expect(await codeOf(svc().schedule.setHours(t.user.id, { timeZone: 'Europe/Paris', ranges: [] }))).toBe(
      'VALIDATION',
    );
    expect((await svc().schedule.setHours(t.user.id, { ranges: [], clear: true })).set).toBe(false);
    // Time off: listed until over; someone else's cannot be removed.
    const off = await svc().schedule.addTimeOff(t.user.id, {
      startsAt: iso(Date.now() + 3600_000),
      endsAt: iso(Date.now() + 5 * 3600_000),
      reason: 'Wedding',
    });
    expect(off).toHaveLength(1);
    const other = await technician(svc(), uniqueSpot());
    expect(await codeOf(svc().schedule.removeTimeOff(other.user.id, off[0]!.id))).toBe('NOT_FOUND');
    expect(await svc().schedule.removeTimeOff(t.user.id, off[0]!.id)).toEqual([]);
  });

  it('on-demand dispatch and quotes only count technicians at work now and not on time off', async () => {
    const here = uniqueSpot();
    const sid = await serviceId(svc());
    const t = await technician(svc(), offset(here, 300));
    const quote = async () => (await svc().bookings.quote({ serviceId: sid, ...here })).availableTechnicians;
    const sqlCount = async () =>
      (await createDispatchRepo(db(), { timeoutMs: 60_000, since: () => 0 }).availability(sid, here, 10_000))
        .count;
    expect(await quote()).toBe(1);
    expect(await sqlCount()).toBe(1);

    // Hours set, but none today at this hour (every day except now's weekday).
    const now = localTime(Date.now(), 'Africa/Lagos');
    const otherDays = [1, 2, 3, 4, 5, 6, 7]
      .filter((d) => d !== now.weekday)
      .map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
    await svc().schedule.setHours(t.user.id, { ranges: otherDays });
    expect(await quote()).toBe(0);
    expect(await sqlCount()).toBe(0);
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: sid,
      ...here,
      address: '9 Allen Avenue, Ikeja',
      idempotencyKey: randomUUID(),
    });
    await sleep(800); // several dispatch sweeps
    const offers = await queryRows<{ n: number | string }>(
      db(),
      sql`SELECT count(*) AS n FROM dispatch_offers WHERE booking_id = ${b.id}`,
    );
    expect(Number(offers[0]?.n)).toBe(0);

    // Their hours start (today added): the waiting booking is offered to them at once.
    await svc().schedule.setHours(t.user.id, {
      ranges: [...otherDays, { weekday: now.weekday, start: '00:00', end: '24:00' }],
    });
    expect(await quote()).toBe(1);
    const offer = await openOfferOf(svc(), b.id);
    expect(offer.technicianId).toBe(t.user.id);
    await svc().dispatch.decline(b.id, t.user.id);

    // Time off now: out again, whatever the hours say.
    await svc().schedule.addTimeOff(t.user.id, {
      startsAt: iso(Date.now() - MIN),
      endsAt: iso(Date.now() + 3600_000),
    });
    expect(await quote()).toBe(0);
    expect(await sqlCount()).toBe(0);
  });

  it('a scheduled job is offered only to technicians at work for its whole time (Cairo: 09:00 is 07:00 UTC in winter)', async () => {
    const here = uniqueSpot();
    const sid = await serviceId(svc());
    const t = await technician(svc(), offset(here, 200));
    await svc().schedule.setHours(t.user.id, {
      timeZone: 'Africa/Cairo',
      ranges: [{ weekday: 1, start: '09:00', end: '17:00' }],
    });
    const repo = createDispatchRepo(db(), { timeoutMs: 60_000, since: () => 0 });
    // A real booking (its customer is not a candidate), asked about at other times below.
    const booking = await svc().bookings.create((await customer(svc())).user, {
      serviceId: sid,
      ...here,
      address: '5 Tahrir Square, Cairo',
      scheduledFor: iso(Date.now() + 80 * 24 * 3600_000),
      idempotencyKey: randomUUID(),
    });
    const job = (from: number) => ({
      id: booking.id,
      serviceId: sid,
      location: here,
      scheduledFor: new Date(from),
      scheduledEnd: new Date(from + 20 * MIN),
    });
    // Monday 4 January 2027 (winter, UTC+2) and Monday 5 July 2027 (summer time, UTC+3).
    const winter = Date.UTC(2027, 0, 4, 7, 0);
    const summer = Date.UTC(2027, 6, 5, 6, 0);
    expect((await repo.nextCandidate(job(winter), 10_000))?.technicianId).toBe(t.user.id);
    expect(await repo.nextCandidate(job(winter - 30 * MIN), 10_000)).toBeUndefined();
    expect(await repo.nextCandidate(job(Date.UTC(2027, 0, 4, 14, 50)), 10_000)).toBeUndefined(); // ends 17:10
    expect((await repo.nextCandidate(job(summer), 10_000))?.technicianId).toBe(t.user.id);
    expect(await repo.nextCandidate(job(summer - 30 * MIN), 10_000)).toBeUndefined();
    expect(await repo.nextCandidate(job(winter + 24 * 3600_000), 10_000)).toBeUndefined(); // Tuesday

    // The same hours in memory (quotes) and in slots.
    expect(
      worksDuring({ timeZone: 'Africa/Cairo', ranges: [{ weekday: 1, start: 540, end: 1020 }] }, winter),
    ).toBe(true);
    const slots = await svc().schedule.slots({
      technicianId: t.user.id,
      serviceId: sid,
      ...here,
      from: iso(Date.UTC(2027, 0, 4, 0, 0)),
      to: iso(Date.UTC(2027, 0, 5, 0, 0)),
    });
    expect(slots.timeZone).toBe('Africa/Cairo');
    expect(slots.slots[0]?.start).toBe(iso(winter));
    expect(slots.slots.at(-1)?.start).toBe(iso(Date.UTC(2027, 0, 4, 14, 30))); // 16:30–16:50 Cairo
    const summerSlots = await slotStarts({
      technicianId: t.user.id,
      at: here,
      from: Date.UTC(2027, 6, 5, 0, 0),
      to: Date.UTC(2027, 6, 6, 0, 0),
    });
    expect(summerSlots[0]).toBe(summer);

    // Booking them outside their hours is refused; time off blocks a slot inside them.
    const start = lagosTen(2);
    await svc().schedule.setHours(t.user.id, { timeZone: 'Africa/Lagos', ranges: [] });
    expect(await codeOf(bookChosen(t.user.id, here, start))).toBe('CONFLICT');
    const weekday = localTime(start, 'Africa/Lagos').weekday;
    await svc().schedule.setHours(t.user.id, { ranges: [{ weekday, start: '08:00', end: '18:00' }] });
    await svc().schedule.addTimeOff(t.user.id, { startsAt: iso(start - MIN), endsAt: iso(start + 3600_000) });
    expect(
      await slotStarts({
        technicianId: t.user.id,
        at: here,
        from: start - 3600_000,
        to: start + 3 * 3600_000,
      }),
    ).toEqual([
      start - 3600_000,
      start - 30 * MIN,
      start + 3600_000,
      start + 90 * MIN,
      start + 2 * 3600_000,
      start + 150 * MIN,
    ]);
    expect(await codeOf(bookChosen(t.user.id, here, start))).toBe('CONFLICT');
    expect(await codeOf(bookChosen(t.user.id, here, start + 3600_000))).toBe('OK');
  });

  it('a chosen technician is asked to confirm a held slot at once; declining frees the slot', async () => {
    const here = uniqueSpot();
    const t = await technician(svc(), offset(here, 200));
    const start = lagosTen(2);
    const b = await bookChosen(t.user.id, here, start); // no fallback to the nearest
    const offer = await openOfferOf(svc(), b.id);
    expect(offer.technicianId).toBe(t.user.id);
    expect(offer.expiresAt.getTime()).toBeLessThan(start - 3600_000); // long before SCHEDULE_LEAD_MINUTES
    await svc().dispatch.decline(b.id, t.user.id);
    expect((await reservationOf(b.id)).reserved_for).toBeNull();
    await until(
      async () =>
        (await svc().bookings.get(b.id, { id: b.customer.id, role: 'customer' })).status === 'unfulfilled',
    );
    expect(await slotStarts({ technicianId: t.user.id, at: here, from: start, to: start + STEP })).toEqual([
      start,
    ]);
  });

  it('accepting a scheduled job reserves the time; a technician handing it back frees it', async () => {
    const here = uniqueSpot();
    const sid = await serviceId(svc());
    const t = await technician(svc(), offset(here, 200));
    const c = await customer(svc());
    // Soon enough to be dispatched now (SCHEDULE_LEAD_MINUTES, 60 by default).
    const start = Math.ceil((Date.now() + 30 * MIN) / MIN) * MIN;
    const b = await svc().bookings.create(c.user, {
      serviceId: sid,
      ...here,
      address: '21 Opebi Road, Ikeja',
      scheduledFor: iso(start),
      idempotencyKey: randomUUID(),
    });
    await openOfferOf(svc(), b.id);
    await svc().dispatch.accept(b.id, t.user.id);
    const r = await reservationOf(b.id);
    expect(r.reserved_for).toBe(t.user.id);
    expect(new Date(r.reserved_from!).getTime()).toBe(start - BUFFER);
    await svc().bookings.cancel(b.id, { id: t.user.id, role: 'technician' }, 'tyre burst');
    expect((await reservationOf(b.id)).reserved_for).toBeNull();
    await until(async () => (await svc().bookings.get(b.id, c.user)).status === 'searching');
  });
});
