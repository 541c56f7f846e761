import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { covers } from '../../lib/geo';
import { codeOf, customer } from '../../test/fixtures';
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
  });
});
