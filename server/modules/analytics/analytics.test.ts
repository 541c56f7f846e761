import { randomUUID } from 'node:crypto';
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import {
  bookingStatusHistory,
  bookings,
  dispatchOffers,
  ledgerEntries,
  ledgerJournals,
  presenceSamples,
  reviews,
  services as servicesTable,
  technicianProfiles,
} from '../../../db/schema';
import type { AnalyticsDashboard } from '../../contracts/analytics';
import { codeOf, customer } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';

/*
 * Analytics numbers against a recomputation: a known data set goes into the real tables (bookings,
 * history, offers, ledger, reviews, presence samples) of a database of this file's own, the procedures
 * answer, and each number is recomputed here in JS from the raw rows read back from those tables.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { isolated: true, dispatch: false });
});
afterAll(() => server.close());
const db = () => server.database.db;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The range: 10 days ending at a whole hour (Lagos is UTC+1 all year: hours align with UTC's).
const TO = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
const FROM = new Date(TO.getTime() - 10 * DAY);
const LAGOS = { lat: 6.5244, lng: 3.3792 };
const CAIRO = { lat: 30.0444, lng: 31.2357 };

/** A small deterministic generator: the data set is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function percentileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
const iso = (ms: number) => new Date(ms).toISOString();
const lagosDay = (d: Date) => new Date(d.getTime() + HOUR).toISOString().slice(0, 10);

let adminToken = '';
let customerToken = '';
let technicianToken = '';

async function seed() {
  const r = rng(14);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const api = httpClient(server);
  const adminEmail = uniqueEmail('admin');
  await server.services.auth.ensureAdmin(adminEmail, 'admin password 1');
  adminToken = (await api.auth.signIn.mutate({ email: adminEmail, password: 'admin password 1' })).token;
  const customers = await Promise.all([customer(server.services, 'A'), customer(server.services, 'B')]);
  customerToken = customers[0].token;
  const techs = await Promise.all(
    [1, 2, 3, 4].map((i) =>
      server.services.auth.signUp(
        {
          email: uniqueEmail('tech'),
          password: 'technician password',
          name: `Tech ${i}`,
          role: 'technician',
        },
        '127.0.0.1',
      ),
    ),
  );
  technicianToken = techs[0]!.token;
  const svcRows = await db().select().from(servicesTable);
  const lagosService = svcRows.find((s) => s.market === 'lagos')!;
  const cairoService = svcRows.find((s) => s.market === 'cairo')!;

  // 120 Lagos bookings in the range, 15 before it, 15 in Cairo (both must not count).
  const plan: { market: 'lagos' | 'cairo'; at: Date }[] = [];
  for (let i = 0; i < 120; i++) plan.push({ market: 'lagos', at: new Date(FROM.getTime() + r() * 10 * DAY) });
  for (let i = 0; i < 15; i++)
    plan.push({ market: 'lagos', at: new Date(FROM.getTime() - r() * 5 * DAY - 1) });
  for (let i = 0; i < 15; i++) plan.push({ market: 'cairo', at: new Date(FROM.getTime() + r() * 10 * DAY) });
  plan.push({ market: 'lagos', at: FROM }, { market: 'lagos', at: new Date(TO.getTime() - 1) });

  const statuses = [
    'completed',
    'completed',
    'completed',
    'cancelled',
    'unfulfilled',
    'searching',
    'disputed',
  ];
  const reasons = ['Changed my mind', 'changed my mind ', 'Found someone else', 'Too slow'];
  const unfulfilledReasons = [
    'No technician accepted in time',
    'The technician you chose could not take this job',
  ];
  let openOfferGiven = false;

  for (const [i, p] of plan.entries()) {
    const cust = customers[i % 2]!.user.id;
    const tech = techs[i % 4]!.user.id;
    let status = pick(statuses);
    const cancelledAfter = status === 'cancelled' && r() < 0.4;
    const scheduled = r() < 0.15;
    const assigned =
      status === 'completed' || status === 'disputed' || cancelledAfter
        ? new Date(p.at.getTime() + Math.round(5_000 + r() * 600_000))
        : null;
    if (i === 3) status = 'assigned';
    const centre = p.market === 'lagos' ? LAGOS : CAIRO;
    const svc = p.market === 'lagos' ? lagosService : cairoService;
    // Raw SQL, naming its columns: the insert must not depend on columns added to bookings later.
    const cancelReason = status === 'cancelled' ? (r() < 0.1 ? null : pick(reasons)) : null;
    const loc = { lat: centre.lat + (r() - 0.5) * 0.08, lng: centre.lng + (r() - 0.5) * 0.08 };
    const [b] = await queryRows<{ id: string }>(
      db(),
      sql`insert into bookings (customer_id, service_id, technician_id, status, location, address,
          scheduled_for, scheduled_end, currency, price_base, price_surcharge, price_total, commission,
          technician_earnings, idempotency_key, request_hash, cancel_reason, created_at, assigned_at)
        values (${cust}, ${svc.id}, ${assigned || status === 'assigned' ? tech : null}, ${status},
          ${`SRID=4326;POINT(${loc.lng} ${loc.lat})`}::geography,
          'Somewhere', ${scheduled ? iso(p.at.getTime() + DAY) : null}::timestamptz,
          ${scheduled ? iso(p.at.getTime() + DAY + HOUR) : null}::timestamptz, ${svc.currency},
          10000, 0, 10000, 1500, 8500, ${randomUUID()}, 'x', ${cancelReason}, ${p.at.toISOString()}::timestamptz,
          ${status === 'assigned' ? iso(p.at.getTime() + 42_000) : assigned ? assigned.toISOString() : null}::timestamptz)
        returning id`,
    );
    const id = b!.id;
    await db().insert(bookingStatusHistory).values({
      bookingId: id,
      toStatus: 'searching',
      actorRole: 'customer',
      actorId: cust,
      createdAt: p.at,
    });
    if (status === 'unfulfilled')
      await db()
        .insert(bookingStatusHistory)
        .values({
          bookingId: id,
          fromStatus: 'searching',
          toStatus: 'unfulfilled',
          actorRole: 'system',
          reason: pick(unfulfilledReasons),
        });
    if (status === 'cancelled') {
      const side = pick(['customer', 'customer', 'technician', 'admin'] as const);
      await db()
        .insert(bookingStatusHistory)
        .values({
          bookingId: id,
          fromStatus: 'searching',
          toStatus: 'cancelled',
          actorRole: side,
          actorId: side === 'admin' ? null : side === 'customer' ? cust : tech,
          reason: cancelReason,
        });
    }
    // Offers: up to 3 technicians asked, each with an outcome.
    const asked = Math.floor(r() * 4);
    for (let k = 0; k < asked; k++) {
      let st = pick(['accepted', 'declined', 'expired', 'withdrawn', 'declined'] as const) as
        | 'accepted'
        | 'declined'
        | 'expired'
        | 'withdrawn'
        | 'offered';
      if (!openOfferGiven && p.market === 'lagos' && p.at > FROM) {
        st = 'offered';
        openOfferGiven = true;
      }
      await db()
        .insert(dispatchOffers)
        .values({
          bookingId: id,
          technicianId: techs[(i + k) % 4]!.user.id,
          status: st,
          distanceMeters: 1000,
          offeredAt: new Date(p.at.getTime() + k * 30_000),
          expiresAt: new Date(p.at.getTime() + k * 30_000 + 30_000),
        });
    }
    // Reviews for finished jobs, written within a day (some after the range ends, some hidden).
    if ((status === 'completed' || status === 'disputed') && r() < 0.8) {
      const hidden = r() < 0.1;
      await db()
        .insert(reviews)
        .values({
          bookingId: id,
          customerId: cust,
          technicianId: tech,
          rating: 1 + Math.floor(r() * 5),
          createdAt: new Date(p.at.getTime() + r() * DAY),
          publishDueAt: new Date(p.at.getTime() + 8 * DAY),
          hiddenAt: hidden ? new Date() : null,
          hiddenReason: hidden ? 'Not a real job' : null,
        });
    }
    // Ledger: an invoice, a payment with a tip, now and then a refund; posted within hours of the request.
    if (status === 'completed' || status === 'disputed') {
      const c = svc.currency;
      const when = new Date(p.at.getTime() + r() * 6 * HOUR);
      const tip = r() < 0.5 ? 500 : 0;
      await post(`invoice:${id}`, 'job', id, when, [
        { account: `customer:${cust}`, currency: c, amount: 10_000, line: 'charge' },
        { account: `technician:${tech}`, currency: c, amount: -8_500, line: 'earnings' },
        { account: 'platform:commission', currency: c, amount: -1_500, line: 'commission' },
      ]);
      await post(`payment:${id}`, 'payment', id, new Date(when.getTime() + 60_000), [
        { account: 'gateway:paystack', currency: c, amount: 10_000 + tip, line: 'payment' },
        { account: `customer:${cust}`, currency: c, amount: -10_000, line: 'payment' },
        ...(tip ? [{ account: `technician:${tech}`, currency: c, amount: -tip, line: 'tip' }] : []),
      ]);
      if (r() < 0.2) {
        await post(`refund:${id}`, 'refund', id, new Date(when.getTime() + 2 * HOUR), [
          { account: 'gateway:paystack', currency: c, amount: -(2_000 + tip), line: 'refund' },
          { account: `technician:${tech}`, currency: c, amount: 1_700, line: 'earnings' },
          ...(tip ? [{ account: `technician:${tech}`, currency: c, amount: tip, line: 'tip' }] : []),
          { account: 'platform:commission', currency: c, amount: 300, line: 'commission' },
        ]);
      }
    }
  }

  // Presence samples: every 10 minutes over the last 8 days, plus Cairo's (must not count).
  const rows: (typeof presenceSamples.$inferInsert)[] = [];
  for (let t = TO.getTime() - 8 * DAY; t < TO.getTime() + 2 * HOUR; t += 10 * 60_000) {
    const online = Math.floor(r() * 50);
    const available = Math.floor(online * r());
    rows.push({ market: 'lagos', sampledAt: new Date(t), online, available, busy: online - available });
    rows.push({ market: 'cairo', sampledAt: new Date(t), online: 999, available: 999, busy: 0 });
  }
  await db().insert(presenceSamples).values(rows);
}

async function post(
  key: string,
  kind: string,
  bookingId: string,
  at: Date,
  entries: { account: string; currency: string; amount: number; line: string }[],
) {
  await db().transaction(async (tx) => {
    const [j] = await tx
      .insert(ledgerJournals)
      .values({ key, kind, bookingId, createdAt: at })
      .returning({ id: ledgerJournals.id });
    await tx.insert(ledgerEntries).values(entries.map((e) => ({ ...e, journalId: j!.id, createdAt: at })));
  });
}

/** The raw rows the numbers are recomputed from: Lagos bookings requested in the range, with their history. */
async function rawLagos() {
  const rows = await db()
    .select({
      b: {
        id: bookings.id,
        status: bookings.status,
        createdAt: bookings.createdAt,
        assignedAt: bookings.assignedAt,
        scheduledFor: bookings.scheduledFor,
        cancelReason: bookings.cancelReason,
        location: bookings.location,
      },
    })
    .from(bookings)
    .innerJoin(servicesTable, eq(servicesTable.id, bookings.serviceId))
    .where(and(eq(servicesTable.market, 'lagos'), gte(bookings.createdAt, FROM), lt(bookings.createdAt, TO)));
  const list = rows.map((r) => r.b);
  const ids = list.map((b) => b.id);
  const history = ids.length
    ? await db().select().from(bookingStatusHistory).where(inArray(bookingStatusHistory.bookingId, ids))
    : [];
  const offers = ids.length
    ? await db().select().from(dispatchOffers).where(inArray(dispatchOffers.bookingId, ids))
    : [];
  return { list, history, offers };
}

let dash: AnalyticsDashboard;
const input = { market: 'lagos', from: FROM.toISOString(), to: TO.toISOString() };

describe('admin.analytics', () => {
  beforeAll(async () => {
    await seed();
    dash = await httpClient(server, adminToken).admin.analytics.dashboard.query(input);
  });

  it('bookings per hour over the last 7 days of the range equal a count of the raw rows', async () => {
    const { list } = await rawLagos();
    const start = TO.getTime() - 7 * DAY;
    expect(dash.bookingsPerHour.points).toHaveLength(7 * 24);
    expect(dash.bookingsPerHour.points[0]!.at).toBe(new Date(start).toISOString());
    for (const p of dash.bookingsPerHour.points) {
      const h = Date.parse(p.at);
      expect(p.count).toBe(
        count(list, (b) => b.createdAt.getTime() >= h && b.createdAt.getTime() < h + HOUR),
      );
    }
    expect(dash.bookingsPerHour.points.reduce((a, p) => a + p.count, 0)).toBe(
      count(list, (b) => b.createdAt.getTime() >= start),
    );
  });

  it('fulfilment and the reasons for unfulfilled equal a recomputation', async () => {
    const { list, history } = await rawLagos();
    const unfulfilled = count(list, (b) => b.status === 'unfulfilled');
    const searching = count(list, (b) => b.status === 'searching');
    const cancelledBefore = count(list, (b) => b.status === 'cancelled' && !b.assignedAt);
    const assigned = list.length - unfulfilled - searching - cancelledBefore;
    expect(dash.fulfilment).toMatchObject({
      requested: list.length,
      assigned,
      unfulfilled,
      searching,
      cancelledBeforeAssignment: cancelledBefore,
    });
    expect(dash.fulfilment.rate).toBeCloseTo(assigned / (assigned + unfulfilled), 12);
    const reasons = new Map<string, number>();
    for (const b of list.filter((x) => x.status === 'unfulfilled')) {
      const h = history.filter((x) => x.bookingId === b.id && x.toStatus === 'unfulfilled').at(-1);
      reasons.set(h?.reason ?? '', (reasons.get(h?.reason ?? '') ?? 0) + 1);
    }
    expect(Object.fromEntries(dash.fulfilment.reasons.map((x) => [x.reason, x.count]))).toEqual(
      Object.fromEntries(reasons),
    );
    expect(dash.fulfilment.reasons.length).toBeGreaterThan(1);
  });

  it('time to assignment p50/p90 equal percentile_cont recomputed over on-demand bookings (whole seconds)', async () => {
    const { list } = await rawLagos();
    const secs = list
      .filter((b) => b.assignedAt && !b.scheduledFor)
      .map((b) => Math.floor((b.assignedAt!.getTime() - b.createdAt.getTime()) / 1000));
    expect(dash.timeToAssignment.count).toBe(secs.length);
    expect(secs.length).toBeGreaterThan(10);
    expect(dash.timeToAssignment.p50Seconds).toBeCloseTo(percentileCont(secs, 0.5)!, 6);
    expect(dash.timeToAssignment.p90Seconds).toBeCloseTo(percentileCont(secs, 0.9)!, 6);
  });

  it('offer acceptance equals a recomputation', async () => {
    const { offers } = await rawLagos();
    const n = (s: string) => count(offers, (o) => o.status === s);
    expect(dash.offers).toMatchObject({
      total: offers.length,
      accepted: n('accepted'),
      declined: n('declined'),
      expired: n('expired'),
      withdrawn: n('withdrawn'),
      open: n('offered'),
    });
    expect(n('offered')).toBe(1);
    expect(dash.offers.rate).toBeCloseTo(n('accepted') / (n('accepted') + n('declined') + n('expired')), 12);
  });

  it('cancellations by side and by reason equal a recomputation', async () => {
    const { list, history } = await rawLagos();
    const cancelled = list.filter((b) => b.status === 'cancelled');
    const bySide = new Map<string, number>();
    const byReason = new Map<string, number>();
    for (const b of cancelled) {
      const side = history
        .filter((h) => h.bookingId === b.id && h.toStatus === 'cancelled')
        .at(-1)?.actorRole;
      bySide.set(side ?? 'system', (bySide.get(side ?? 'system') ?? 0) + 1);
      const reason = (b.cancelReason ?? '').trim().toLowerCase();
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    expect(dash.cancellations.total).toBe(cancelled.length);
    expect(Object.fromEntries(dash.cancellations.bySide.map((s) => [s.side, s.count]))).toEqual(
      Object.fromEntries(bySide),
    );
    // "Changed my mind" and "changed my mind " are one reason.
    expect(Object.fromEntries(dash.cancellations.byReason.map((s) => [s.reason, s.count]))).toEqual(
      Object.fromEntries(byReason),
    );
    expect(dash.cancellations.byReason[0]!.count).toBe(Math.max(...byReason.values()));
  });

  it('revenue, commission, tips and refunds per Lagos day equal sums of the raw ledger lines', async () => {
    const entries = await db()
      .select()
      .from(ledgerEntries)
      .where(and(gte(ledgerEntries.createdAt, FROM), lt(ledgerEntries.createdAt, TO)));
    const days = new Map<string, { revenue: number; commission: number; tips: number; refunds: number }>();
    for (let t = FROM.getTime(); t < TO.getTime(); t += HOUR) {
      days.set(lagosDay(new Date(t)), { revenue: 0, commission: 0, tips: 0, refunds: 0 });
    }
    for (const e of entries.filter((x) => x.currency === 'NGN')) {
      const d = days.get(lagosDay(e.createdAt))!;
      if (e.line === 'charge') d.revenue += e.amount;
      if (e.line === 'commission') d.commission -= e.amount;
      if (e.line === 'tip' && e.account.startsWith('technician:')) d.tips -= e.amount;
      if (e.line === 'refund' || e.line === 'credit') d.refunds -= e.amount;
    }
    expect(dash.money.currency).toBe('NGN');
    expect(dash.money.days.map((d) => d.day)).toEqual([...days.keys()]);
    for (const d of dash.money.days) expect(d).toEqual({ day: d.day, ...days.get(d.day) });
    const sum = (k: 'revenue' | 'tips' | 'refunds') => [...days.values()].reduce((a, d) => a + d[k], 0);
    expect(dash.money.totals.revenue).toBe(sum('revenue'));
    expect(dash.money.totals.tips).toBe(sum('tips'));
    expect(dash.money.totals.refunds).toBe(sum('refunds'));
    expect(sum('revenue')).toBeGreaterThan(0);
    expect(sum('tips')).toBeGreaterThan(0);
    expect(sum('refunds')).toBeGreaterThan(0);
  });

  it('technicians online against demand per hour equal the samples and the bookings', async () => {
    const { list } = await rawLagos();
    const samples = await db().select().from(presenceSamples).where(eq(presenceSamples.market, 'lagos'));
    expect(dash.supplyDemand.points).toHaveLength(7 * 24);
    for (const p of dash.supplyDemand.points) {
      const h = Date.parse(p.at);
      const inHour = samples.filter((s) => s.sampledAt.getTime() >= h && s.sampledAt.getTime() < h + HOUR);
      const avg = (f: (s: (typeof samples)[number]) => number) =>
        inHour.length ? Math.round((inHour.reduce((a, s) => a + f(s), 0) / inHour.length) * 10) / 10 : 0;
      expect(p.online).toBeCloseTo(
        avg((s) => s.online),
        6,
      );
      expect(p.available).toBeCloseTo(
        avg((s) => s.available),
        6,
      );
      expect(p.requests).toBe(
        count(list, (b) => b.createdAt.getTime() >= h && b.createdAt.getTime() < h + HOUR),
      );
    }
  });

  it('the ratings of the bookings requested in the range equal a count of their reviews (hidden excluded)', async () => {
    const { list } = await rawLagos();
    const ids = new Set(list.map((b) => b.id));
    const rows = await db()
      .select({ bookingId: reviews.bookingId, rating: reviews.rating, hiddenAt: reviews.hiddenAt })
      .from(reviews);
    const counted = rows.filter((r) => ids.has(r.bookingId) && !r.hiddenAt);
    const counts = [1, 2, 3, 4, 5].map((n) => count(counted, (r) => r.rating === n));
    expect(dash.ratings.counts).toEqual(counts);
    expect(dash.ratings.count).toBe(counted.length);
    expect(dash.ratings.average).toBeCloseTo(counted.reduce((a, r) => a + r.rating, 0) / counted.length, 12);
    expect(rows.some((r) => r.hiddenAt && ids.has(r.bookingId))).toBe(true);
    // Reviews of other bookings (Cairo's, earlier ones) exist and are left out.
    expect(rows.length).toBeGreaterThan(counted.length);
  });

  it('the demand heatmap equals the requests counted per 0.01° cell', async () => {
    const { list } = await rawLagos();
    const cells = new Map<string, number>();
    for (const b of list) {
      const key = `${Math.round(b.location.lat / 0.01)},${Math.round(b.location.lng / 0.01)}`;
      cells.set(key, (cells.get(key) ?? 0) + 1);
    }
    const got = new Map(
      dash.heatmap.cells.map((c) => [`${Math.round(c.lat / 0.01)},${Math.round(c.lng / 0.01)}`, c.count]),
    );
    expect(got).toEqual(cells);
    expect(dash.heatmap.max).toBe(Math.max(...cells.values()));
    expect(dash.heatmap.cells.reduce((a, c) => a + c.count, 0)).toBe(list.length);
  });

  it('each card alone answers the same as the dashboard', async () => {
    const api = httpClient(server, adminToken).admin.analytics;
    expect(await api.fulfilment.query(input)).toEqual(dash.fulfilment);
    expect(await api.timeToAssignment.query(input)).toEqual(dash.timeToAssignment);
    expect(await api.offers.query(input)).toEqual(dash.offers);
    expect(await api.cancellations.query(input)).toEqual(dash.cancellations);
    expect(await api.money.query(input)).toEqual(dash.money);
    expect(await api.ratings.query(input)).toEqual(dash.ratings);
    expect(await api.heatmap.query(input)).toEqual(dash.heatmap);
    expect(await api.bookingsPerHour.query(input)).toEqual(dash.bookingsPerHour);
    expect(await api.supplyDemand.query(input)).toEqual(dash.supplyDemand);
  });

  it('Cairo sees its own bookings and currency only', async () => {
    const cairo = await httpClient(server, adminToken).admin.analytics.dashboard.query({
      ...input,
      market: 'cairo',
    });
    expect(cairo.range.currency).toBe('EGP');
    expect(cairo.fulfilment.requested).toBe(15);
    expect(cairo.supplyDemand.points.some((p) => p.online === 999)).toBe(true);
  });

  it('refuses non-admins (FORBIDDEN), anonymous callers, unknown markets and bad ranges', async () => {
    const procs = [
      'dashboard',
      'bookingsPerHour',
      'fulfilment',
      'timeToAssignment',
      'offers',
      'cancellations',
      'money',
      'supplyDemand',
      'ratings',
      'heatmap',
    ] as const;
    for (const token of [customerToken, technicianToken]) {
      const api = httpClient(server, token).admin.analytics;
      for (const p of procs) expect(await codeOf(api[p].query(input))).toBe('FORBIDDEN');
    }
    expect(await codeOf(httpClient(server).admin.analytics.dashboard.query(input))).toBe('UNAUTHORIZED');
    const admin = httpClient(server, adminToken).admin.analytics;
    expect(await codeOf(admin.dashboard.query({ ...input, market: 'atlantis' }))).toBe('NOT_FOUND');
    expect(await codeOf(admin.dashboard.query({ ...input, from: input.to, to: input.from }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(
        admin.dashboard.query({ market: 'lagos', from: new Date(Date.now() - 400 * DAY).toISOString() }),
      ),
    ).toBe('BAD_REQUEST');
  });
});

describe('presence samples', () => {
  it('one sample per market per minute counts the online technicians inside the market', async () => {
    const t = await server.services.auth.signUp(
      { email: uniqueEmail('tech'), password: 'technician password', name: 'Online', role: 'technician' },
      '127.0.0.1',
    );
    await db()
      .update(technicianProfiles)
      .set({
        online: true,
        verification: 'verified',
        location: { lat: 6.6, lng: 3.35 },
        seenAt: sql`now()`,
      })
      .where(eq(technicianProfiles.userId, t.user.id));
    const expected = await db()
      .select({ id: technicianProfiles.userId })
      .from(technicianProfiles)
      .where(
        and(
          eq(technicianProfiles.online, true),
          sql`${technicianProfiles.seenAt} > now() - interval '1 minute'`,
          sql`st_covers((select boundary from markets where slug = 'lagos'), ${technicianProfiles.location}::geometry)`,
        ),
      );
    const written = await server.services.analytics.samplePresence();
    // Another call in the same minute writes nothing (the primary key), unless the minute just turned.
    const again = await server.services.analytics.samplePresence();
    expect(written).toBeGreaterThanOrEqual(2);
    expect(again === 0 || again === written).toBe(true);
    const [row] = await db()
      .select()
      .from(presenceSamples)
      .where(
        and(
          eq(presenceSamples.market, 'lagos'),
          sql`${presenceSamples.sampledAt} >= date_trunc('minute', now()) - interval '1 minute'`,
        ),
      )
      .orderBy(sql`${presenceSamples.sampledAt} desc`)
      .limit(1);
    expect(row!.online).toBe(expected.length);
    expect(row!.available).toBe(expected.length);
    expect(row!.busy).toBe(0);
  });
});
