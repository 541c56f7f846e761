import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { bookings } from '../../../db/schema';
import { covers } from '../../lib/geo';
import { codeOf, customer, openOfferOf, technician } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { createMarketRepo } from './market.repo';

/** Issue 13 §1: the market follows the job's pin (no fallback market here: outside means refused). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MARKET_FALLBACK: '' });
});
afterAll(() => server.close());

const yaba = { lat: 6.5095, lng: 3.3711 };
const zamalek = { lat: 30.0626, lng: 31.2197 };
const gulfOfGuinea = { lat: 6.0, lng: 3.4 };
const sahara = { lat: 25.0, lng: 25.0 };

describe('markets', () => {
  it('lists Lagos and Cairo with their outlines; locates pins; the sea and the desert are in no market', async () => {
    const api = httpClient(server);
    const list = await api.market.list.query();
    expect(list.map((m) => [m.slug, m.currency, m.defaultLocale])).toEqual([
      ['lagos', 'NGN', 'en'],
      ['cairo', 'EGP', 'ar'],
    ]);
    expect((await api.market.locate.query(yaba))?.slug).toBe('lagos');
    expect((await api.market.locate.query(zamalek))?.slug).toBe('cairo');
    expect(await api.market.locate.query(gulfOfGuinea)).toBeNull();
    expect(await api.market.locate.query(sahara)).toBeNull();
  });

  it('the in-memory polygon test agrees with PostGIS ST_Covers on 300 points around both cities', async () => {
    const repo = createMarketRepo(server.database.db);
    const markets = await server.services.markets.list();
    for (let i = 0; i < 300; i++) {
      const c = i % 2 ? zamalek : yaba;
      const p = { lat: c.lat + (Math.random() - 0.5) * 1.2, lng: c.lng + (Math.random() - 0.5) * 1.6 };
      const mine = markets.find((m) => covers(m.boundary, p))?.slug ?? null;
      expect(mine, `${p.lat},${p.lng}`).toBe(await repo.containing(p));
    }
  });

  it("a Cairo job is quoted and booked in EGP from Cairo's list; a Lagos service for a Cairo pin is WRONG_MARKET; the sea is OUT_OF_AREA", async () => {
    const svc = server.services;
    const cairo = await svc.catalog.services(undefined, 'cairo');
    const lagos = await svc.catalog.services(undefined, 'lagos');
    const shineCairo = cairo.find((s) => s.slug === 'shoe-shine')!;
    const shineLagos = lagos.find((s) => s.slug === 'shoe-shine')!;
    expect(shineCairo.basePrice.currency).toBe('EGP');
    const c = await customer(svc);
    const api = httpClient(server, c.token);
    const quote = await api.booking.quote.query({ serviceId: shineCairo.id, ...zamalek });
    expect(quote.price.total.currency).toBe('EGP');
    expect(await codeOf(svc.bookings.quote({ serviceId: shineLagos.id, ...zamalek }))).toBe('WRONG_MARKET');
    expect(await codeOf(svc.bookings.quote({ serviceId: shineLagos.id, ...gulfOfGuinea }))).toBe(
      'OUT_OF_AREA',
    );
    const refused = await api.booking.create
      .mutate({ serviceId: shineLagos.id, ...gulfOfGuinea, address: 'At sea', idempotencyKey: randomUUID() })
      .catch((e: { data: { appCode: string; code: string; details: Record<string, unknown> } }) => e.data);
    expect(refused).toMatchObject({
      appCode: 'OUT_OF_AREA',
      code: 'BAD_REQUEST',
      details: { markets: 'lagos,cairo' },
    });
    const booking = await api.booking.create.mutate({
      serviceId: shineCairo.id,
      ...zamalek,
      address: '26 July Street, Zamalek',
      idempotencyKey: randomUUID(),
    });
    expect(booking.price.total.currency).toBe('EGP');
    expect(booking.market).toBe('cairo');
    // The customer's app picks its market from the newest booking (useMarket asks for one).
    expect((await api.booking.list.query({ limit: 1 })).items.map((b) => [b.id, b.market])).toEqual([
      [booking.id, 'cairo'],
    ]);
    expect((await svc.bookings.list(c.user, {})).items).toHaveLength(1);
    // Out of the next tests' way (a Cairo technician would be offered it first).
    await api.booking.cancel.mutate({ id: booking.id, reason: 'test done' });
  });

  it('a market is data: Accra (GHS) added as rows is listed, quoted, booked, dispatched and paid by its own rules', async () => {
    const svc = server.services;
    const db = server.database.db;
    // Rows only, as db/seed/markets.ts describes: the market, a zone, a price list entry.
    await db.execute(sql`
      INSERT INTO markets (slug, name_en, name_ar, currency, time_zone, default_locale, commission_bps, boundary,
                           sort_order, payment_methods, cancellation_grace_minutes, cancellation_fee_kind,
                           cancellation_fee, cancellation_technician_share_pct, unpaid_grace_hours)
      VALUES ('accra', 'Accra', 'أكرا', 'GHS', 'Africa/Accra', 'en', 1200,
              ST_GeomFromEWKT('SRID=4326;MULTIPOLYGON(((-0.4 5.5,0.05 5.5,0.05 5.8,-0.4 5.8,-0.4 5.5)))'), 2,
              '{cash,stripe}', 10, 'fixed', 2500, 70, 12)
      ON CONFLICT (slug) DO NOTHING`);
    await db.execute(sql`
      INSERT INTO market_zones (market, slug, name_en, name_ar, area, surcharge_pct)
      VALUES ('accra', 'osu', 'Osu', 'أوسو',
              ST_GeomFromEWKT('SRID=4326;POLYGON((-0.19 5.55,-0.16 5.55,-0.16 5.57,-0.19 5.57,-0.19 5.55))'), 0)
      ON CONFLICT (market, slug) DO NOTHING`);
    const [service] = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO services (category_id, market, slug, name_en, name_ar, base_price, currency, duration_minutes)
          SELECT category_id, 'accra', slug, name_en, name_ar, 4000, 'GHS', duration_minutes
            FROM services WHERE market = 'lagos' AND slug = 'shoe-shine'
          ON CONFLICT (market, slug) DO UPDATE SET base_price = EXCLUDED.base_price
          RETURNING id`,
    );
    svc.markets.invalidate();

    const osu = { lat: 5.556, lng: -0.175 };
    const api = httpClient(server);
    expect((await api.market.list.query()).map((m) => [m.slug, m.currency, m.name])).toContainEqual([
      'accra',
      'GHS',
      { en: 'Accra', ar: 'أكرا' },
    ]);
    expect((await api.market.locate.query(osu))?.slug).toBe('accra');
    expect((await api.market.zones.query({ market: 'accra' })).map((z) => z.slug)).toEqual(['osu']);
    const accraList = await api.catalog.services.query({ market: 'accra' });
    expect(accraList.map((s) => [s.id, s.basePrice])).toEqual([
      [service!.id, { amount: 4000, currency: 'GHS' }],
    ]);

    // A technician of Accra (serving Osu) and a customer there.
    const t = await technician(svc, { lat: 5.5565, lng: -0.1745 }, { slugs: [] });
    await svc.technicians.setServices(t.user.id, { services: [{ serviceId: service!.id }] });
    await httpClient(server, t.token).technician.setAreas.mutate({
      areas: [{ market: 'accra', zone: 'osu' }],
    });
    const c = await customer(svc);
    const asCustomer = httpClient(server, c.token);
    const quote = await asCustomer.booking.quote.query({ serviceId: service!.id, ...osu });
    expect(quote.price.total).toEqual({ amount: 4000, currency: 'GHS' });
    // 12% commission, the row's.
    expect(quote.price.commission).toEqual({ amount: 480, currency: 'GHS' });
    const booking = await asCustomer.booking.create.mutate({
      serviceId: service!.id,
      ...osu,
      address: 'Oxford Street, Osu',
      idempotencyKey: randomUUID(),
    });
    expect([booking.market, booking.price.total.currency]).toEqual(['accra', 'GHS']);
    expect((await openOfferOf(svc, booking.id)).technicianId).toBe(t.user.id);
    // Its payment methods are the row's (cash always; Stripe only with keys, none in this rig).
    expect(await asCustomer.payment.methods.query({ bookingId: booking.id })).toEqual({
      market: 'accra',
      currency: 'GHS',
      methods: [{ method: 'cash', online: false }],
    });
    // Its cancellation rule is the row's: ₵25 once the technician set off after 10 free minutes, 70% theirs.
    await svc.dispatch.accept(booking.id, t.user.id);
    await svc.bookings.advance(booking.id, t.user, 'en_route');
    const [row] = await db.select().from(bookings).where(eq(bookings.id, booking.id));
    const assignedAt = row!.assignedAt!.getTime();
    expect(await svc.payments.cancellationFee(row!, new Date(assignedAt + 5 * 60_000))).toMatchObject({
      fee: 0,
    });
    expect(await svc.payments.cancellationFee(row!, new Date(assignedAt + 11 * 60_000))).toMatchObject({
      fee: 2500,
      technicianShare: 1750,
      currency: 'GHS',
    });
    expect(await svc.markets.moneyPolicy('accra')).toEqual({
      market: 'accra',
      currency: 'GHS',
      methods: ['cash', 'stripe'],
      cancellation: { graceMinutes: 10, fee: { kind: 'fixed', amount: 2500 }, technicianSharePct: 70 },
      unpaidGraceHours: 12,
    });
  });

  it("Mona's journey: an Arabic customer in Cairo gets Cairo's list with Arabic names, an EGP quote, books, and a Cairo technician is offered the job", async () => {
    const svc = server.services;
    const api = httpClient(server);
    const mona = await api.auth.signUp.mutate({
      email: `mona.${randomUUID().slice(0, 8)}@test.fundi.app`,
      password: 'mona password 1',
      name: 'منى',
      role: 'customer',
      locale: 'ar',
      timeZone: 'Africa/Cairo',
    });
    expect(mona.user).toMatchObject({ locale: 'ar', timeZone: 'Africa/Cairo' });
    const asMona = httpClient(server, mona.token);
    const pin = { lat: 30.0605, lng: 31.2205 }; // Zamalek

    // Her pin is in Cairo; Cairo's list has Arabic names and EGP prices.
    const market = await asMona.market.locate.query(pin);
    expect(market).toMatchObject({
      slug: 'cairo',
      currency: 'EGP',
      defaultLocale: 'ar',
      name: { ar: 'القاهرة' },
    });
    const list = await asMona.catalog.services.query({ market: 'cairo' });
    expect(list.length).toBeGreaterThan(0);
    for (const s of list) {
      expect(s.basePrice.currency).toBe('EGP');
      expect(s.name.ar).toMatch(/[\u0600-\u06ff]/);
    }
    const shine = list.find((s) => s.slug === 'shoe-shine')!;
    expect(shine.name).toEqual({ en: 'Shoe shine', ar: expect.stringMatching(/[\u0600-\u06ff]/) });

    // A Cairo technician nearby, serving Zamalek, offering Cairo's shoe shine; a Lagos one who is not.
    const cairoTech = await technician(svc, { lat: 30.0615, lng: 31.2215 }, { slugs: [], name: 'Karim' });
    await svc.technicians.setServices(cairoTech.user.id, { services: [{ serviceId: shine.id }] });
    await httpClient(server, cairoTech.token).technician.setAreas.mutate({
      areas: [{ market: 'cairo', zone: 'zamalek' }],
    });

    // Quoted in EGP from Cairo's list (with Zamalek's zone surcharge line), someone available.
    const quote = await asMona.booking.quote.query({ serviceId: shine.id, ...pin });
    expect(quote.price.total.currency).toBe('EGP');
    expect(quote.price.base).toEqual(shine.basePrice);
    expect(quote.availableTechnicians).toBeGreaterThanOrEqual(1);

    const booking = await asMona.booking.create.mutate({
      serviceId: shine.id,
      ...pin,
      address: '26 شارع يوليو، الزمالك',
      idempotencyKey: randomUUID(),
    });
    expect(booking).toMatchObject({
      market: 'cairo',
      service: { name: { ar: shine.name.ar } },
      price: { total: { currency: 'EGP', amount: quote.price.total.amount } },
    });
    expect((await openOfferOf(svc, booking.id)).technicianId).toBe(cairoTech.user.id);
    // They accept it: Mona's booking is theirs, in EGP.
    const accepted = await httpClient(server, cairoTech.token).booking.accept.mutate({ id: booking.id });
    expect(accepted).toMatchObject({
      status: 'assigned',
      technician: { id: cairoTech.user.id },
      price: { total: { currency: 'EGP' } },
    });
  });
});
