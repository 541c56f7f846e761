import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbOrTx, queryRows } from '../../../db/client';
import type { AnalyticsDashboard, AnalyticsInput } from '../../contracts/analytics';
import { testDatabase } from '../../test/harness';
import { createBookingRepo } from '../booking/booking.repo';
import { createAnalyticsService } from './analytics.service';

/*
 * Daily rollups (issue 14 §6) answer exactly what the raw rows answer. Three markets of this file's own
 * (their own currencies, so nothing else in a shared database counts) in zones that make local days hard:
 * Lagos (UTC+1), Cairo (summer time starting at midnight: one local day has no 00:00) and St John's
 * (UTC−3:30, summer time at 02:00). A year and a month of bookings, with some at the exact local midnight
 * and at the last microsecond before it, their history, offers, reviews and ledger lines; then every card
 * from a service that reads only raw rows against one that reads the rollups, before and after the
 * worker, after changes to days already rolled up, and after rolling those up again.
 */

const DAY = 86_400_000;
const suffix = randomUUID().slice(0, 8);
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const code = () => `Q${letters[Math.floor(Math.random() * 26)]}${letters[Math.floor(Math.random() * 26)]}`;
const currencies = new Set<string>();
while (currencies.size < 3) currencies.add(code());
const [c1, c2, c3] = [...currencies] as [string, string, string];

const MARKETS = [
  { slug: `rt-lagos-${suffix}`, tz: 'Africa/Lagos', currency: c1, lat: 6.5, lng: 3.38 },
  { slug: `rt-cairo-${suffix}`, tz: 'Africa/Cairo', currency: c2, lat: 30.04, lng: 31.24 },
  { slug: `rt-stjohns-${suffix}`, tz: 'America/St_Johns', currency: c3, lat: 47.56, lng: -52.71 },
] as const;

let database: Awaited<ReturnType<typeof testDatabase>>;
const db = () => database.db;
const exec = (q: string) => db().execute(sql.raw(q));

function services() {
  const deps = { db: db(), presenceTimeoutMs: 30_000, reviewWindowMs: 14 * DAY };
  return {
    raw: createAnalyticsService({ ...deps, rollups: false }),
    rolled: createAnalyticsService({ ...deps, rollups: true }),
  };
}
let svc: ReturnType<typeof services>;

async function seedMarket(m: (typeof MARKETS)[number], i: number) {
  const box = (d: number) =>
    `SRID=4326;MULTIPOLYGON(((${m.lng - d} ${m.lat - d},${m.lng + d} ${m.lat - d},${m.lng + d} ${m.lat + d},${m.lng - d} ${m.lat + d},${m.lng - d} ${m.lat - d})))`;
  await exec(`insert into markets (slug, name_en, name_ar, currency, time_zone, default_locale, commission_bps, boundary, active, sort_order)
    values ('${m.slug}', 'RT ${i}', 'RT ${i}', '${m.currency}', '${m.tz}', 'en', 1500, '${box(0.5)}', false, 90 + ${i})`);
  await exec(`insert into services (category_id, market, slug, name_en, name_ar, base_price, currency, duration_minutes)
    values ((select id from service_categories where slug = 'rt-${suffix}'), '${m.slug}', 'fix', 'Fix', 'Fix', 10000, '${m.currency}', 60)`);
  const svcId = `(select id from services where market = '${m.slug}' and slug = 'fix')`;
  const who = (role: string) =>
    `(select array_agg(id order by email) from users where email like '${role}%-${i}-${suffix}@rollups.test')`;
  // The request times: each local day's exact midnight, the microsecond before it, and two times of the
  // day from a hash (some days have none of these), from 400 days ago up to now.
  await exec(`insert into bookings (customer_id, service_id, technician_id, status, location, address, scheduled_for,
      scheduled_end, currency, price_base, price_surcharge, price_total, commission, technician_earnings,
      idempotency_key, request_hash, cancel_reason, created_at, assigned_at)
    select c.a[1 + p.h % 2], ${svcId},
      case when p.st in ('completed', 'disputed') or (p.st = 'cancelled' and p.h % 3 = 0) then t.a[1 + p.h % 3] end,
      p.st::booking_status,
      st_setsrid(st_makepoint(${m.lng} + ((p.h / 200) % 200 - 100) * 0.0004, ${m.lat} + (p.h % 200 - 100) * 0.0004), 4326)::geography,
      'Somewhere', case when p.h % 10 = 3 then p.created + interval '1 day' end,
      case when p.h % 10 = 3 then p.created + interval '1 day 2 hours' end,
      '${m.currency}', 10000, 0, 10000, 1500, 8500, 'rt-' || p.h || '-' || p.k || '-' || p.day, 'x',
      case when p.st = 'cancelled' then (array['Changed my mind', 'changed my mind ', 'Found someone else', 'Too slow', null])[1 + p.h % 5] end,
      p.created,
      case when p.st in ('completed', 'disputed') or (p.st = 'cancelled' and p.h % 3 = 0)
        then p.created + make_interval(secs => 5 + (p.h % 900000) / 1000.0) end
    from (
      select s.*, (array['completed', 'completed', 'completed', 'cancelled', 'cancelled', 'unfulfilled', 'searching',
          'disputed', 'completed', 'unfulfilled'])[1 + (s.h / 7) % 10] as st
      from (
        select d.day, k, abs(hashtext(d.day::text || '/' || k || '/${m.slug}')) as h,
          case k when 0 then d.start when 1 then d.start - interval '1 microsecond'
            else d.start + make_interval(secs => abs(hashtext(d.day::text || k::text)) % 86400 + 0.25) end as created
        from (select g::date as day, g at time zone '${m.tz}' as start
              from generate_series((now() at time zone '${m.tz}')::date::timestamp - interval '400 days',
                (now() at time zone '${m.tz}')::date::timestamp, interval '1 day') g) d,
          generate_series(0, 3) k) s
      where s.created < now() and (s.k < 2 or s.h % 7 <> 0)) p,
      ${who('c')} c(a), ${who('t')} t(a)`);
  const mine = `(select b.* from bookings b where b.service_id = ${svcId})`;
  await exec(`insert into booking_status_history (booking_id, to_status, actor_role, created_at)
      select id, 'searching', 'customer', created_at from ${mine} b`);
  await exec(`insert into booking_status_history (booking_id, from_status, to_status, actor_role, reason, created_at)
      select id, 'searching', status,
        case when status = 'unfulfilled' then 'system'
          else (array['customer', 'customer', 'technician', 'admin'])[1 + abs(hashtext(id::text)) % 4] end::actor_role,
        case when status = 'unfulfilled' then (array['No technician accepted in time', 'The technician you chose could not take this job', ''])[1 + abs(hashtext(id::text)) % 3]
          else cancel_reason end,
        created_at + interval '10 minutes'
      from ${mine} b where status in ('unfulfilled', 'cancelled')`);
  // Offers: up to three technicians asked, some just after midnight of the next day; a scheduled
  // booking's the next day.
  await exec(`insert into dispatch_offers (booking_id, technician_id, status, distance_meters, created_at, expires_at)
    select b.id, t.a[1 + (abs(hashtext(b.id::text)) + k) % 3],
      (array['accepted', 'declined', 'expired', 'withdrawn'])[1 + (abs(hashtext(b.id::text)) + k) % 4]::offer_status,
      1000, b.created_at + case when b.scheduled_for is null then k * interval '30 seconds' else interval '20 hours' end,
      b.created_at + interval '1 day'
    from ${mine} b, ${who('t')} t(a), generate_series(1, abs(hashtext(b.id::text)) % 4) k`);
  await exec(`insert into reviews (booking_id, customer_id, technician_id, rating, created_at, publish_due_at, hidden_at, hidden_reason)
    select id, customer_id, technician_id, 1 + abs(hashtext(id::text || 'r')) % 5,
      created_at + make_interval(hours => abs(hashtext(id::text)) % 48), created_at + interval '8 days',
      case when abs(hashtext(id::text)) % 11 = 0 then created_at + interval '3 days' end,
      case when abs(hashtext(id::text)) % 11 = 0 then 'Not a real job' end
    from ${mine} b where status in ('completed', 'disputed') and abs(hashtext(id::text)) % 5 <> 0`);
  // Ledger: an invoice and a payment (a tip now and then) some hours after the request, a refund a day later.
  await exec(`insert into ledger_journals (key, kind, booking_id, created_at)
      select k.kind || ':' || b.id, k.kind, b.id, b.created_at + k.after + make_interval(mins => abs(hashtext(b.id::text)) % 600)
      from ${mine} b, (values ('invoice', interval '1 hour'), ('payment', interval '2 hours'), ('refund', interval '1 day')) k(kind, after)
      where b.status in ('completed', 'disputed') and (k.kind <> 'refund' or abs(hashtext(b.id::text)) % 6 = 0)`);
  await exec(`insert into ledger_entries (journal_id, account, currency, amount, line, created_at)
      select j.id, l.account, '${m.currency}', l.amount, l.line, j.created_at
      from ledger_journals j join ${mine} b on b.id = j.booking_id,
      lateral (select case when abs(hashtext(b.id::text)) % 3 = 0 then 700 else 0 end as tip) tp,
      lateral (values
        ('invoice', 'customer:' || b.customer_id, 10000, 'charge'),
        ('invoice', 'technician:' || b.technician_id, -8500, 'earnings'),
        ('invoice', 'platform:commission', -1500, 'commission'),
        ('payment', 'gateway:test', 10000 + tp.tip, 'payment'),
        ('payment', 'customer:' || b.customer_id, -10000, 'payment'),
        ('payment', 'technician:' || b.technician_id, -tp.tip, 'tip'),
        ('refund', 'gateway:test', -2000, 'refund'),
        ('refund', 'technician:' || b.technician_id, 1700, 'earnings'),
        ('refund', 'platform:commission', 300, 'commission')) l(kind, account, amount, line)
      where l.kind = j.kind and l.amount <> 0`);
}

/** Instants the database computes in the market's zone (local midnights, DST days). */
async function at(q: string): Promise<string> {
  const [row] = await queryRows<{ at: string }>(
    db(),
    sql.raw(`select to_char((${q}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`),
  );
  return row!.at;
}

async function ranges(m: (typeof MARKETS)[number]): Promise<Record<string, AnalyticsInput>> {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const midnight = (daysAgo: number) =>
    at(`((now() at time zone '${m.tz}')::date - ${daysAgo})::timestamp at time zone '${m.tz}'`);
  return {
    year: { market: m.slug, from: iso(now - 365 * DAY), to: iso(now) },
    '30 days': { market: m.slug, from: iso(now - 30 * DAY), to: iso(now) },
    'whole days': { market: m.slug, from: await midnight(200), to: await midnight(3) },
    'ends in the past, unaligned': {
      market: m.slug,
      from: iso(now - 300 * DAY - 7 * 3_600_000 - 1234),
      to: iso(now - 100 * DAY + 5 * 3_600_000 + 77),
    },
    'one day': { market: m.slug, from: await midnight(12), to: await midnight(11) },
  };
}

async function both(input: AnalyticsInput): Promise<[AnalyticsDashboard, AnalyticsDashboard]> {
  return [await svc.raw.dashboard(input), await svc.rolled.dashboard(input)];
}

/** Days of `market` marked for a roll-up again (all of them, or one day `YYYY-MM-DD`). */
async function dirtyDays(market: string, day?: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db(),
    day
      ? sql`select count(*)::int as n from analytics_dirty_days where market = ${market} and day = ${day}::date`
      : sql`select count(*)::int as n from analytics_dirty_days where market = ${market}`,
  );
  return row!.n;
}

/**
 * The analytics trigger functions' calls as `tx`'s session has counted them (track_functions on). The view
 * also shows calls not yet reported to the statistics (a backend reports at most once a second, between
 * transactions), so a test reads it before and after a change, in the change's transaction.
 */
const functionCalls = (tx: DbOrTx) =>
  queryRows<{ name: string; calls: number }>(
    tx,
    sql`select funcname as name, calls::int from pg_stat_xact_user_functions
        where funcname in ('analytics_bookings_changed', 'analytics_booking_child_changed')`,
  ).then((rows): Record<string, number> => Object.fromEntries(rows.map((c) => [c.name, c.calls])));

/** Whole days of the market that the rolled-up service reads from the rollups. */
async function cleanDays(market: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from analytics_days d where d.market = ${market}
      and not exists (select 1 from analytics_dirty_days x where x.market = d.market and x.day = d.day)`,
  );
  return row!.n;
}

beforeAll(async () => {
  database = await testDatabase();
  svc = services();
  await exec(`insert into service_categories (slug, name_en, name_ar) values ('rt-${suffix}', 'RT', 'RT')`);
  for (const [i, m] of MARKETS.entries()) {
    for (const [role, n] of [
      ['c', 2],
      ['t', 3],
    ] as const)
      for (let k = 0; k < n; k++)
        await exec(`insert into users (email, password_hash, name, role)
          values ('${role}${k}-${i}-${suffix}@rollups.test', 'x', '${role}${k}', '${role === 'c' ? 'customer' : 'technician'}')`);
    await seedMarket(m, i);
  }
}, 600_000);

afterAll(async () => {
  await svc.rolled.stop();
  await database.dispose();
});

describe('analytics rollups', () => {
  it('before any roll-up both services read the raw rows and agree', async () => {
    for (const m of MARKETS) {
      expect(await cleanDays(m.slug)).toBe(0);
      const [raw, rolled] = await both((await ranges(m)).year!);
      expect(rolled).toEqual(raw);
      expect(raw.fulfilment.requested).toBeGreaterThan(1000);
    }
  });

  it('the worker rolls up every closed day; each card then equals its recomputation from raw rows', async () => {
    const done = await svc.rolled.rollUp();
    expect(done.days).toBeGreaterThanOrEqual(3 * 400);
    // Nothing left to do, and no mark left on a closed day.
    expect((await svc.rolled.rollUp()).days).toBe(0);
    for (const m of MARKETS) {
      expect(await cleanDays(m.slug)).toBeGreaterThanOrEqual(400);
      for (const [name, input] of Object.entries(await ranges(m))) {
        const [raw, rolled] = await both(input);
        expect(rolled, `${m.slug} ${name}`).toEqual(raw);
      }
    }
  });

  it('the rolled-up service reads the rollups (a rollup row changed by hand shows)', async () => {
    const m = MARKETS[1];
    const input = (await ranges(m))['whole days']!;
    const day = (await at(`((now() at time zone '${m.tz}')::date - 50)::timestamp`)).slice(0, 10);
    const bump = (by: number) =>
      exec(`update analytics_day_counts set n = n + ${by}
        where market = '${m.slug}' and metric = 'status' and key = 'requested' and day = '${day}'`);
    await bump(1000);
    try {
      const [raw, rolled] = await both(input);
      expect(rolled.fulfilment.requested).toBe(raw.fulfilment.requested + 1000);
    } finally {
      await bump(-1000);
    }
  });

  it('a day changed after it was rolled up is read raw until rolled up again', async () => {
    const m = MARKETS[1];
    const mine = `(select b.* from bookings b join services s on s.id = b.service_id where s.market = '${m.slug}')`;
    const year = (await ranges(m)).year!;
    const [before] = await both(year);
    // A search from 100 days ago is cancelled by an admin; a review 50 days ago hidden; an offer 20 days
    // ago accepted; a late refund posted on a day 10 days ago; an assignment time and a pin changed.
    await db().transaction(async (tx) => {
      await tx.execute(
        sql.raw(`with b as (select id from ${mine} b where status = 'searching' and created_at < now() - interval '100 days' order by created_at desc limit 1)
          update bookings set status = 'cancelled', cancel_reason = 'Late change' where id = (select id from b)`),
      );
      await tx.execute(
        sql.raw(`insert into booking_status_history (booking_id, from_status, to_status, actor_role, reason)
          select id, 'searching', 'cancelled', 'admin', 'Late change' from bookings where cancel_reason = 'Late change'`),
      );
    });
    await exec(`update reviews set hidden_at = now(), hidden_reason = 'late' where id = (
        select r.id from reviews r join ${mine} b on b.id = r.booking_id
        where r.hidden_at is null and b.created_at < now() - interval '50 days' order by b.created_at desc limit 1)`);
    await exec(`update dispatch_offers set status = 'accepted' where id = (
        select o.id from dispatch_offers o join ${mine} b on b.id = o.booking_id
        where o.status = 'expired' and b.created_at < now() - interval '20 days' order by b.created_at desc limit 1)`);
    await db().transaction(async (tx) => {
      await tx.execute(
        sql.raw(
          `insert into ledger_journals (key, kind, created_at) values ('rt-late-${suffix}', 'refund', now() - interval '10 days')`,
        ),
      );
      await tx.execute(
        sql.raw(`insert into ledger_entries (journal_id, account, currency, amount, line, created_at)
          select j.id, a.account, '${m.currency}', a.amount, a.line, j.created_at
          from ledger_journals j,
            (values ('gateway:test', -555, 'refund'), ('platform:commission', 555, 'commission')) a(account, amount, line)
          where j.key = 'rt-late-${suffix}'`),
      );
    });
    await exec(`update bookings set assigned_at = assigned_at + interval '1 hour' where id = (
        select id from ${mine} b where assigned_at is not null and scheduled_for is null
          and created_at < now() - interval '40 days' order by created_at desc limit 1)`);
    await exec(`update bookings set location = st_setsrid(st_makepoint(${m.lng + 0.3}, ${m.lat + 0.3}), 4326)::geography
        where id = (select id from ${mine} b where created_at < now() - interval '60 days' order by created_at desc limit 1)`);

    const dirty = await cleanDays(m.slug);
    const [raw, rolled] = await both(year);
    expect(rolled).toEqual(raw);
    // The changes show (so stale rollups could not have passed for the raw rows).
    expect(raw.cancellations.total).toBe(before.cancellations.total + 1);
    expect(raw.fulfilment.searching).toBe(before.fulfilment.searching - 1);
    expect(raw.ratings.count).toBe(before.ratings.count - 1);
    expect(raw.offers.accepted).toBe(before.offers.accepted + 1);
    expect(raw.money.totals.refunds).toBe(before.money.totals.refunds + 555);
    expect(raw.money.totals.commission).toBe(before.money.totals.commission - 555);
    expect(raw.heatmap).not.toEqual(before.heatmap);

    const again = await svc.rolled.rollUp();
    expect(again.days).toBeGreaterThanOrEqual(5);
    expect(again.marks).toBeGreaterThanOrEqual(5);
    expect(await cleanDays(m.slug)).toBeGreaterThan(dirty);
    for (const [name, input] of Object.entries(await ranges(m))) {
      const [r, o] = await both(input);
      expect(o, name).toEqual(r);
    }
  });

  it("today's changes count at once and are marked only in the day's last hour; a closed day's change is marked", async () => {
    const m = MARKETS[0];
    const year = (await ranges(m)).year!;
    await svc.rolled.rollUp();
    const [before] = await both(year);
    const marks = () => dirtyDays(m.slug);
    // A mark for today is written only when the day ends within the hour (migration 0040); else nobody
    // reads it: roll-ups take closed days only, and today is read from the raw rows.
    const [hour] = await queryRows<{ last: boolean }>(
      db(),
      sql`select (now() at time zone ${m.tz})::date < ((now() + interval '1 hour') at time zone ${m.tz})::date as last`,
    );
    const lastHour = hour!.last;
    const marked = await marks();
    // A booking requested now (its insert is one change, the update below another).
    await exec(`insert into bookings (customer_id, service_id, status, location, address, currency, price_base,
        price_surcharge, price_total, commission, technician_earnings, idempotency_key, request_hash, created_at)
      select b.customer_id, b.service_id, 'searching', b.location, b.address, b.currency, b.price_base,
        b.price_surcharge, b.price_total, b.commission, b.technician_earnings, 'rt-today-${suffix}', 'x', now()
      from bookings b join services s on s.id = b.service_id where s.market = '${m.slug}' limit 1`);
    await exec(`update bookings set status = 'unfulfilled' where idempotency_key = 'rt-today-${suffix}'`);
    expect(await marks()).toBe(marked + (lastHour ? 2 : 0));
    const [raw, rolled] = await both({ ...year, to: new Date().toISOString() });
    expect(rolled).toEqual(raw);
    expect(raw.fulfilment.unfulfilled).toBe(before.fulfilment.unfulfilled + 1);
    // A booking of a closed day (rolled up already) is marked, and read raw until rolled up again.
    await exec(`update bookings set status = 'unfulfilled' where id = (
        select b.id from bookings b join services s on s.id = b.service_id
        where s.market = '${m.slug}' and b.status = 'searching' and b.created_at < now() - interval '3 days'
        order by b.created_at desc limit 1)`);
    expect(await marks()).toBe(marked + (lastHour ? 2 : 0) + 1);
    const [raw2, rolled2] = await both({ ...year, to: new Date().toISOString() });
    expect(rolled2).toEqual(raw2);
    expect(raw2.fulfilment.unfulfilled).toBe(before.fulfilment.unfulfilled + 2);
  });

  it("a status change's history row is marked by its booking's own trigger, not its own (migration 0042)", async () => {
    const m = MARKETS[2];
    await svc.rolled.rollUp();
    const [old] = await queryRows<{ id: string; day: string }>(
      db(),
      sql.raw(`select b.id, (b.created_at at time zone '${m.tz}')::date::text as day from bookings b
        join services s on s.id = b.service_id
        where s.market = '${m.slug}' and b.status = 'searching' and b.created_at < now() - interval '3 days'
        order by b.created_at desc limit 1`),
    );
    const marked = () => dirtyDays(m.slug, old!.day);
    expect(await marked()).toBe(0);
    // The app's statement (booking.repo.ts `changeStatus`: the move and its history row together), counting
    // the trigger functions it calls.
    const calls = await db().transaction(async (tx) => {
      await tx.execute(sql`set local track_functions = 'pl'`);
      const before = await functionCalls(tx);
      const moved = await createBookingRepo(tx).changeStatus(
        old!.id,
        'searching',
        { status: 'unfulfilled' },
        { id: null, role: 'system' },
        'No technician nearby',
      );
      expect(moved?.history.toStatus).toBe('unfulfilled');
      const after = await functionCalls(tx);
      return Object.fromEntries(
        Object.entries(after)
          .map(([name, n]) => [name, n - (before[name] ?? 0)])
          .filter(([, n]) => n !== 0),
      );
    });
    expect(calls).toEqual({ analytics_bookings_changed: 1 });
    // The closed day is marked (by the booking's change) and reads raw until rolled up again.
    expect(await marked()).toBe(1);
    const year = { ...(await ranges(m)).year!, to: new Date().toISOString() };
    const [raw, rolled] = await both(year);
    expect(rolled).toEqual(raw);
    await svc.rolled.rollUp();
    expect(await marked()).toBe(0);
    // A history row written on its own that records no move still marks its booking's day.
    await exec(`insert into booking_status_history (booking_id, from_status, to_status, actor_role, reason)
      values ('${old!.id}', 'unfulfilled', 'unfulfilled', 'admin', 'Note')`);
    expect(await marked()).toBe(1);
  });

  it('a booking of a day not closed yet calls no analytics trigger; its day closing, or moving, calls it again (migration 0043)', async () => {
    const m = MARKETS[1];
    await svc.rolled.rollUp(); // no day marked before
    const [like] = await queryRows<Record<string, unknown>>(
      db(),
      sql.raw(`select b.customer_id, b.service_id from bookings b join services s on s.id = b.service_id
        where s.market = '${m.slug}' limit 1`),
    );
    // Through the app's insert, as a customer's request (it writes when the day closes).
    const insert = async () => {
      const made = await createBookingRepo(db()).insertWithHistory(
        {
          customerId: String(like!.customer_id),
          serviceId: String(like!.service_id),
          status: 'searching',
          location: { lat: m.lat, lng: m.lng },
          address: 'Rollup Road 1',
          currency: m.currency,
          priceBase: 10000,
          priceSurcharge: 0,
          priceTotal: 10000,
          commission: 1500,
          technicianEarnings: 8500,
          idempotencyKey: randomUUID(),
          requestHash: 'x',
        },
        { id: String(like!.customer_id), role: 'customer' },
      );
      return made!.booking;
    };
    const b = await insert();
    // An hour before the local midnight after its request (Cairo: one local day of the year has no 00:00).
    const [when] = await queryRows<{ midnight: string; day: string; next: string; soon: boolean }>(
      db(),
      sql.raw(`select ((analytics_day_closes_at + interval '1 hour') at time zone '${m.tz}')::text as midnight,
          (created_at at time zone '${m.tz}')::date::text as day,
          ((analytics_day_closes_at + interval '1 hour') at time zone '${m.tz}')::date::text as next,
          analytics_day_closes_at <= now() + interval '1 hour' as soon
        from bookings where id = '${b.id}'`),
    );
    expect(b.analyticsDayClosesAt).toBeInstanceOf(Date);
    expect(when!.midnight).toMatch(/ 0[01]:00:00$/);
    expect(new Date(`${when!.next}T00:00:00Z`).getTime() - new Date(`${when!.day}T00:00:00Z`).getTime()).toBe(
      DAY,
    );
    const calls = (tx: DbOrTx) => functionCalls(tx).then((c) => c.analytics_bookings_changed ?? 0);
    const triggerCalls = () =>
      db().transaction(async (tx) => {
        await tx.execute(sql`set local track_functions = 'pl'`);
        const before = await calls(tx);
        const moved = await createBookingRepo(tx).changeStatus(
          b.id,
          'searching',
          { status: 'unfulfilled' },
          { id: null, role: 'system' },
          'No technician nearby',
        );
        expect(moved?.booking.status).toBe('unfulfilled');
        return (await calls(tx)) - before;
      });
    // Not called while the day is open (in its last two hours it is, the function deciding as before).
    expect(await triggerCalls()).toBe(when!.soon ? 1 : 0);
    // Its request moved to a closed day: the instant is forgotten, and that change and the next are marked.
    await exec(`update bookings set created_at = now() - interval '3 days' where id = '${b.id}'`);
    const [moved] = await queryRows<{ closes: string | null; day: string }>(
      db(),
      sql.raw(`select analytics_day_closes_at as closes, (created_at at time zone '${m.tz}')::date::text as day
        from bookings where id = '${b.id}'`),
    );
    expect(moved!.closes).toBeNull();
    const marks = () => dirtyDays(m.slug, moved!.day);
    expect(await marks()).toBe(1);
    await svc.rolled.rollUp();
    await exec(`update bookings set status = 'cancelled' where id = '${b.id}'`);
    expect(await marks()).toBe(1);
    // A market's time zone changed: its recent bookings' instants are forgotten (always called again).
    const c = await insert();
    expect(c.analyticsDayClosesAt).not.toBeNull();
    await exec(`update markets set time_zone = 'Africa/Lagos' where slug = '${m.slug}'`);
    await exec(`update markets set time_zone = '${m.tz}' where slug = '${m.slug}'`);
    const [forgotten] = await queryRows<{ closes: string | null }>(
      db(),
      sql.raw(`select analytics_day_closes_at as closes from bookings where id = '${c.id}'`),
    );
    expect(forgotten!.closes).toBeNull();
    await svc.rolled.rollUp();
  });
});
