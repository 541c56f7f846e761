import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookings } from '../../../db/schema';
import { customer, serviceId } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { offerPrice } from '../dispatch/dispatch.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { dispatch: false });
});
afterAll(() => server.close());
const svc = () => server.services;

/** Victoria Island (a seeded Lagos zone with a 10 % surcharge) and Yaba (a zone without one). */
const VI = { lat: 6.43, lng: 3.42 };
const YABA = { lat: 6.51, lng: 3.38 };

describe('zone pricing (issue 13 §2)', () => {
  it('quotes the zone surcharge and the emergency surcharge as lines, and the booking keeps them', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const sid = await serviceId(svc(), 'leak-repair');
    const s = (await svc().catalog.service(sid))!;
    expect(s.emergencySurchargePct).toBeGreaterThan(0);

    const plain = await api.booking.quote.query({ serviceId: sid, ...YABA });
    const base = plain.price.base.amount;
    expect(plain.price.surcharge.amount).toBe(0);
    expect(plain.price.lines).toEqual([]);

    const zoned = await api.booking.quote.query({ serviceId: sid, ...VI });
    expect(zoned.price.lines).toEqual([
      {
        kind: 'zone',
        pct: 10,
        zone: { slug: 'victoria-island', name: { en: 'Victoria Island', ar: 'جزيرة فيكتوريا' } },
        amount: { amount: Math.round(base * 0.1), currency: 'NGN' },
      },
    ]);
    expect(zoned.price.total.amount).toBe(base + Math.round(base * 0.1));

    const both = await api.booking.quote.query({ serviceId: sid, ...VI, emergency: true });
    const emergency = Math.round((base * s.emergencySurchargePct) / 100);
    expect(both.price.lines?.map((l) => [l.kind, l.pct, l.amount.amount])).toEqual([
      ['emergency', s.emergencySurchargePct, emergency],
      ['zone', 10, Math.round(base * 0.1)],
    ]);
    expect(both.price.surcharge.amount).toBe(emergency + Math.round(base * 0.1));
    expect(both.price.total.amount).toBe(base + both.price.surcharge.amount);
    expect(both.price.commission.amount + both.price.technicianEarnings.amount).toBe(both.price.total.amount);

    // The booking stores the same price and its breakdown (what the booking screen and receipt show).
    const booking = await api.booking.create.mutate({
      serviceId: sid,
      ...VI,
      emergency: true,
      address: '12 Ahmadu Bello Way, Victoria Island',
      idempotencyKey: randomUUID(),
    });
    expect(booking.price.total).toEqual(both.price.total);
    expect(booking.price.lines?.map((l) => [l.kind, l.amount.amount, l.zone?.slug ?? null])).toEqual([
      ['emergency', emergency, null],
      ['zone', Math.round(base * 0.1), 'victoria-island'],
    ]);
    const [row] = await svc().database.db.select().from(bookings).where(eq(bookings.id, booking.id));
    expect(row!.zoneSurcharge).toEqual({
      slug: 'victoria-island',
      nameEn: 'Victoria Island',
      nameAr: 'جزيرة فيكتوريا',
      pct: 10,
    });
    expect((await api.booking.get.query({ id: booking.id })).price.lines).toEqual(booking.price.lines);

    // A technician with their own price: the zone's surcharge is re-cut on their price, not dropped.
    const own = offerPrice({ priceBase: base * 2 }, row!, s);
    expect(own.surcharge).toBe(
      Math.round((base * 2 * s.emergencySurchargePct) / 100) + Math.round(base * 0.2),
    );
  });
});
