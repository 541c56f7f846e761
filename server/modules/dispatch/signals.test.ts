import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOffers, technicianProfiles } from '../../../db/schema';
import { customer, offset, openOfferOf, serviceId, technician, uniqueSpot } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';

/** Ratings as dispatch signals (README "Ratings in dispatch"): the rating band and the customer floor. */
let server: TestServer;
beforeAll(async () => {
  // One private rating below the floor is enough here, and one completed job makes a technician experienced.
  server = await startTestServer({
    OFFER_WINDOW_SECONDS: '30',
    DISPATCH_RATING_BAND_METERS: '300',
    CUSTOMER_RATING_FLOOR: '2.5',
    CUSTOMER_RATING_MIN_COUNT: '1',
    CUSTOMER_FLAGGED_MIN_JOBS: '1',
  });
});
afterAll(() => server.close());
const svc = () => server.services;

async function rate(technicianId: string, sum: number, count: number) {
  await svc()
    .database.db.update(technicianProfiles)
    .set({ ratingSum: sum, ratingCount: count })
    .where(eq(technicianProfiles.userId, technicianId));
}

async function book(c: Awaited<ReturnType<typeof customer>>, at: { lat: number; lng: number }) {
  return svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...at,
    address: '12 Herbert Macaulay Way, Yaba',
    idempotencyKey: randomUUID(),
  });
}

describe('the rating band', () => {
  it('offers the best-rated within 300 m beyond the nearest, not a better one farther away', async () => {
    const spot = uniqueSpot();
    const nearPoor = await technician(svc(), offset(spot, 100));
    await rate(nearPoor.user.id, 60, 20); // 3.0 over 20 reviews: score 3.2
    const bandGood = await technician(svc(), offset(spot, 350));
    await rate(bandGood.user.id, 96, 20); // 4.8 over 20: score 4.64
    const farBest = await technician(svc(), offset(spot, 1_500));
    await rate(farBest.user.id, 1000, 200); // 5.0 over 200: beyond the band
    const b = await book(await customer(svc()), spot);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(bandGood.user.id);
    // They say no: the band is measured again from the nearest left, who is the only one in it.
    await svc().dispatch.decline(b.id, bandGood.user.id);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(nearPoor.user.id);
  });

  it('with equal scores it is the nearest, as before', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 100));
    await technician(svc(), offset(spot, 250));
    const b = await book(await customer(svc()), spot);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(near.user.id);
  });
});

describe('the customer floor', () => {
  it('a customer technicians rated below the floor is offered only experienced technicians', async () => {
    const spot = uniqueSpot();
    const veteran = await technician(svc(), offset(spot, 2_000));
    const flagged = await customer(svc());
    // A first job, done; the veteran rates the customer 1 star (privately).
    const first = await book(flagged, spot);
    expect((await openOfferOf(svc(), first.id)).technicianId).toBe(veteran.user.id);
    await svc().dispatch.accept(first.id, veteran.user.id);
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
      await svc().bookings.advance(first.id, veteran.user, to, { confirmFar: true });
    await svc().reviews.rateCustomer(veteran.user, { bookingId: first.id, rating: 1 });

    // A newcomer, much nearer: not offered the flagged customer's job; the veteran is.
    const newcomer = await technician(svc(), offset(spot, 100));
    const second = await book(flagged, spot);
    expect((await openOfferOf(svc(), second.id)).technicianId).toBe(veteran.user.id);
    // The veteran declines: nobody else qualifies, so the newcomer is still not asked.
    await svc().dispatch.decline(second.id, veteran.user.id);
    await new Promise((r) => setTimeout(r, 500));
    const open = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, second.id), eq(dispatchOffers.status, 'offered')));
    expect(open).toEqual([]);

    // Any other customer's booking goes to the nearest, the newcomer.
    const other = await book(await customer(svc()), spot);
    expect((await openOfferOf(svc(), other.id)).technicianId).toBe(newcomer.user.id);
  });
});
