import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOffers, notifications } from '../../../db/schema';
import {
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';

/** Issue 12 §2 and §4: a technician's own price, and booking a chosen technician. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ OFFER_WINDOW_SECONDS: '30' });
});
afterAll(() => server.close());
const svc = () => server.services;

async function book(
  at: { lat: number; lng: number },
  extra: { technicianId?: string; fallbackToNearest?: boolean; emergency?: boolean } = {},
) {
  const c = await customer(svc());
  const b = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...at,
    address: '12 Herbert Macaulay Way, Yaba',
    idempotencyKey: randomUUID(),
    ...extra,
  });
  return { c, b };
}

describe("a technician's own price", () => {
  it('flows from setServices to the quote, the offer and, once accepted, the stored price and the receipt; bounds are kept by the database', async () => {
    const spot = uniqueSpot();
    const sid = await serviceId(svc());
    const list = (await svc().catalog.services()).find((s) => s.id === sid)!;
    const t = await technician(svc(), offset(spot, 200));
    const own = Math.round(list.basePrice.amount * 1.4);
    await svc().technicians.setServices(t.user.id, { services: [{ serviceId: sid, price: own }] });
    expect(
      await codeOf(
        svc().technicians.setServices(t.user.id, {
          services: [{ serviceId: sid, price: list.basePrice.amount * 10 }],
        }),
      ),
    ).toBe('VALIDATION');
    // The quote: only they are around, so the range is their price.
    const quote = await until(async () => {
      const q = await svc().bookings.quote({ serviceId: sid, ...spot });
      return q.availableTechnicians === 1 ? q : undefined;
    });
    const ownMoney = { amount: own, currency: list.basePrice.currency };
    expect(quote.priceRange).toEqual({ from: ownMoney, to: ownMoney });
    // …and so is the headline: one value in the range is still their price, not the list's.
    expect(quote.price.total).toEqual(ownMoney);
    expect(quote.price.base).toEqual(ownMoney);
    // Quoted for them by name: their price too.
    const forThem = await svc().bookings.quote({ serviceId: sid, ...spot, technicianId: t.user.id });
    expect(forThem.price.total).toEqual(ownMoney);
    expect(forThem.priceRange).toEqual({ from: ownMoney, to: ownMoney });
    const { b, c } = await book(spot);
    expect(b.price.total.amount).toBe(list.basePrice.amount); // the booking holds the list price until someone accepts
    const offer = await openOfferOf(svc(), b.id);
    expect(offer.technicianId).toBe(t.user.id);
    expect(offer.priceBase).toBe(own);
    const accepted = await svc().dispatch.accept(b.id, t.user.id);
    expect(accepted.price.base.amount).toBe(own);
    expect(accepted.price.total.amount).toBe(own);
    expect(accepted.price.commission.amount + accepted.price.technicianEarnings.amount).toBe(own);

    // Done and paid in cash: the bill and the receipt are their price.
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
      await svc().bookings.advance(b.id, t.user, to, { confirmFar: true });
    const asTech = httpClient(server, t.token);
    const asCustomer = httpClient(server, c.token);
    expect((await asCustomer.payment.get.query({ bookingId: b.id })).due).toEqual(ownMoney);
    await asTech.payment.confirmCash.mutate({ bookingId: b.id, amount: own });
    // Completion queued the customer's review request (a notification, sent after a short delay).
    const queued = await svc()
      .database.db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, c.user.id), eq(notifications.kind, 'review_request')));
    expect(queued).toHaveLength(1);
    expect(queued[0]!.data).toMatchObject({ bookingId: b.id });
    const receipt = await asCustomer.payment.receipt.query({ bookingId: b.id });
    expect(receipt.items).toEqual([{ kind: 'service', label: 'Service', amount: ownMoney }]);
    expect(receipt.total).toEqual(ownMoney);
  });
});

describe('the quote across the technicians around', () => {
  it('shows the range of what they would charge: the list price and their own prices', async () => {
    const spot = uniqueSpot();
    const sid = await serviceId(svc());
    const list = (await svc().catalog.services()).find((s) => s.id === sid)!;
    await technician(svc(), offset(spot, 100));
    const dear = await technician(svc(), offset(spot, 300));
    const own = Math.round(list.basePrice.amount * 2);
    await svc().technicians.setServices(dear.user.id, { services: [{ serviceId: sid, price: own }] });
    const quote = await until(async () => {
      const q = await svc().bookings.quote({ serviceId: sid, ...spot });
      return q.availableTechnicians === 2 && q.priceRange?.to.amount === own ? q : undefined;
    });
    // The headline is the lowest of the range ("from"): here the list price of the one without their own.
    expect(quote.price.total.amount).toBe(list.basePrice.amount);
    // A quote for the dear one by name is at their price, whoever else is around.
    const forDear = await svc().bookings.quote({ serviceId: sid, ...spot, technicianId: dear.user.id });
    expect(forDear.price.total.amount).toBe(own);
    expect(forDear.priceRange).toEqual({
      from: { amount: own, currency: list.basePrice.currency },
      to: { amount: own, currency: list.basePrice.currency },
    });
    expect(await codeOf(svc().bookings.quote({ serviceId: sid, ...spot, technicianId: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
    expect(quote.priceRange).toEqual({
      from: { amount: list.basePrice.amount, currency: list.basePrice.currency },
      to: { amount: own, currency: list.basePrice.currency },
    });
  });
});

describe('booking a chosen technician', () => {
  it('the chosen one is offered first though another is nearer; when they decline, the nearest gets it', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 100));
    const chosen = await technician(svc(), offset(spot, 3000));
    const { b } = await book(spot, { technicianId: chosen.user.id });
    expect(b.chosenTechnicianId).toBe(chosen.user.id);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(chosen.user.id);
    await svc().dispatch.decline(b.id, chosen.user.id);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(near.user.id);
  });

  it('without fallback, the chosen one declining ends the search: unfulfilled, saying why', async () => {
    const spot = uniqueSpot();
    await technician(svc(), offset(spot, 100));
    const chosen = await technician(svc(), offset(spot, 2000));
    const { b, c } = await book(spot, { technicianId: chosen.user.id, fallbackToNearest: false });
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(chosen.user.id);
    await svc().dispatch.decline(b.id, chosen.user.id);
    const done = await until(async () => {
      const now = await svc().bookings.get(b.id, c.user);
      return now.status === 'unfulfilled' ? now : undefined;
    });
    const history = await svc().bookings.history(done.id, c.user);
    expect(history.at(-1)?.reason).toMatch(/chose/);
  });

  it('a retried booking.create with technicianId (same key) returns the same booking; one offer', async () => {
    const spot = uniqueSpot();
    const chosen = await technician(svc(), offset(spot, 1500));
    const c = await customer(svc());
    const input = {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '12 Herbert Macaulay Way, Yaba',
      idempotencyKey: randomUUID(),
      technicianId: chosen.user.id,
    };
    const [a, b] = await Promise.all([
      svc().bookings.create(c.user, input),
      svc().bookings.create(c.user, input),
    ]);
    const again = await svc().bookings.create(c.user, input);
    expect(b.id).toBe(a.id);
    expect(again.id).toBe(a.id);
    expect(again.chosenTechnicianId).toBe(chosen.user.id);
    expect((await openOfferOf(svc(), a.id)).technicianId).toBe(chosen.user.id);
    const offers = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(eq(dispatchOffers.bookingId, a.id));
    expect(offers).toHaveLength(1);
    // The same key with another technician is another request: CONFLICT.
    const other = await technician(svc(), offset(spot, 200));
    expect(await codeOf(svc().bookings.create(c.user, { ...input, technicianId: other.user.id }))).toBe(
      'CONFLICT',
    );
  });

  it('a technician who does not offer the service cannot be chosen (NOT_FOUND), nor can a stranger id', async () => {
    const spot = uniqueSpot();
    const plumber = await technician(svc(), offset(spot, 100), { slugs: ['leak-repair'] });
    expect(await codeOf(book(spot, { technicianId: plumber.user.id }))).toBe('NOT_FOUND');
    expect(await codeOf(book(spot, { technicianId: randomUUID() }))).toBe('NOT_FOUND');
  });
});
