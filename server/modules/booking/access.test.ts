import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOffers, technicianProfiles } from '../../../db/schema';
import type { FeedEvent } from '../../realtime/feed';
import {
  assignedBooking,
  codeOf,
  customer,
  offset,
  serviceId,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { arriveAndStart } from '../payments/payments.fixtures';

/**
 * Issue 15 §3: a subscription ends (or stops delivering) once its caller's access ends, for booking.events,
 * tracking.watch, technician.offers and chat.stream; suspension stops offers and work; quotes do not locate.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const svc = () => server.services;

/** Pulls from an async iterator until it ends or `ms` pass; what it yielded and whether it ended. */
async function drain<T>(it: AsyncIterator<T>, ms: number, stopWhen?: (items: T[]) => boolean) {
  const items: T[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return { items, ended: false };
    const next = await Promise.race([
      it.next(),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left)),
    ]);
    if (next === 'timeout') return { items, ended: false };
    if (next.done) return { items, ended: true };
    items.push(next.value);
    if (stopWhen?.(items)) return { items, ended: false };
  }
}

async function handBackAndReassign(
  booking: { id: string },
  spot: { lat: number; lng: number },
  first: string,
) {
  await svc().bookings.cancel(booking.id, { id: first, role: 'technician' }, 'flat tyre');
  const second = await technician(svc(), offset(spot, 1000), { name: 'Second Technician' });
  await until(async () => {
    try {
      await svc().dispatch.accept(booking.id, second.user.id);
      return true;
    } catch {
      return false;
    }
  });
  return second;
}

describe('stale subscriptions end when access ends', () => {
  it('booking.events: a technician who hands the job back hears nothing more (not the next technician)', async () => {
    const { booking, technician: first, spot } = await assignedBooking(svc());
    const ac = new AbortController();
    const events = svc().bookings.events(booking.id, first.user, null, ac.signal)[Symbol.asyncIterator]();
    const initial = await drain(events, 5_000, (items) => items.length >= 1);
    expect(initial.items).toHaveLength(1);
    const second = await handBackAndReassign(booking, spot, first.user.id);
    const after = await drain(events, 1_500);
    ac.abort();
    const seen = JSON.stringify(after.items);
    expect(seen).not.toContain(second.user.id);
    expect(seen).not.toContain('Second Technician');
    expect(after.items).toEqual([]);
    expect(after.ended).toBe(true);
  });

  it('tracking.watch: a feed authorised just before a hand-back does not follow the old technician', async () => {
    const { booking, customer: c, technician: first } = await assignedBooking(svc());
    const feed = await svc().tracking.openFeed(booking.id, c.user, null);
    await svc().bookings.cancel(booking.id, { id: first.user.id, role: 'technician' }, 'flat tyre');
    const got: FeedEvent[] = [];
    let ended = false;
    const unsubscribe = feed.subscribe({ event: (e) => got.push(e), end: () => (ended = true) });
    const at = uniqueSpot();
    svc().tracking.ingest(first.user.id, [{ ...at, recordedAt: new Date().toISOString() }]);
    await new Promise((r) => setTimeout(r, 200));
    unsubscribe();
    expect(ended).toBe(true);
    expect(got).toEqual([]);
  });

  it('technician.offers: suspension withdraws the open offer and ends the stream; accept is refused', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 500));
    const ac = new AbortController();
    const offers = svc().dispatch.offers(t.user.id, ac.signal)[Symbol.asyncIterator]();
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '4 Awolowo Road',
      idempotencyKey: randomUUID(),
    });
    const first = await drain(offers, 8_000, (items) => items.some((e) => e.type === 'offer'));
    expect(first.items.some((e) => e.type === 'offer' && e.offer.bookingId === b.id)).toBe(true);
    await svc().technicians.setVerification(t.user.id, 'suspended', 'documents expired');
    const after = await drain(offers, 3_000);
    ac.abort();
    expect(after.items.filter((e) => e.type === 'offer')).toEqual([]);
    expect(after.ended).toBe(true);
    const [offer] = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, b.id), eq(dispatchOffers.technicianId, t.user.id)));
    expect(offer?.status).toBe('withdrawn');
    expect(await codeOf(svc().dispatch.accept(b.id, t.user.id))).toBe('FORBIDDEN_ROLE');
  });

  it('accept checks verification in its own statement: an offer still open to a suspended technician is refused', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 500));
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '4 Awolowo Road',
      idempotencyKey: randomUUID(),
    });
    const open = () =>
      svc()
        .database.db.select()
        .from(dispatchOffers)
        .where(
          and(
            eq(dispatchOffers.bookingId, b.id),
            eq(dispatchOffers.technicianId, t.user.id),
            eq(dispatchOffers.status, 'offered'),
          ),
        );
    await until(async () => (await open()).length === 1);
    // Suspended behind the service's back (as a suspension committing between the withdrawal and the
    // acceptance would be): the offer is still open, and the acceptance itself refuses it.
    await svc()
      .database.db.update(technicianProfiles)
      .set({ verification: 'suspended' })
      .where(eq(technicianProfiles.userId, t.user.id));
    expect(await codeOf(svc().dispatch.accept(b.id, t.user.id))).toBe('FORBIDDEN_ROLE');
    expect(await open()).toHaveLength(1);
    expect((await svc().bookings.get(b.id, c.user)).status).toBe('searching');
  });

  it('chat.stream: a technician who hands the job back is shown the door', async () => {
    const { booking, technician: first } = await assignedBooking(svc());
    const ac = new AbortController();
    const stream = svc().chat.stream(booking.id, first.user, null, ac.signal)[Symbol.asyncIterator]();
    expect((await drain(stream, 5_000, (items) => items.length >= 1)).items).toHaveLength(1);
    await svc().bookings.cancel(booking.id, { id: first.user.id, role: 'technician' }, 'flat tyre');
    const ended = await stream.next().then(
      (r) => (r.done ? 'done' : 'event'),
      (e: { code?: string }) => e.code ?? 'error',
    );
    ac.abort();
    expect(ended).toBe('NOT_FOUND');
  });

  it('payment.events: a technician who hands the job back sees no more of its payment', async () => {
    const { booking, technician: first, spot } = await assignedBooking(svc());
    const ac = new AbortController();
    const events = svc().payments.events(booking.id, first.user, null, ac.signal)[Symbol.asyncIterator]();
    expect((await drain(events, 5_000, (items) => items.length >= 1)).items).toHaveLength(1);
    const second = await handBackAndReassign(booking, spot, first.user.id);
    // The next technician does the job and takes the cash: the payment changes twice (billed, paid).
    const a = { booking, technician: second } as Parameters<typeof arriveAndStart>[1];
    await arriveAndStart(svc(), a);
    await svc().bookings.advance(booking.id, second.user, 'completed');
    const due = (await svc().payments.get(booking.id, second.user)).due?.amount ?? 0;
    await svc().payments.confirmCash(second.user, { bookingId: booking.id, amount: due });
    const after = await drain(events, 1_500).catch((e: { code?: string }) => ({
      items: [],
      ended: e.code === 'NOT_FOUND',
    }));
    ac.abort();
    expect(after.items).toEqual([]);
    expect(after.ended).toBe(true);
  });
});

describe('suspension stops work', () => {
  it('a suspended technician cannot advance their job or share their location', async () => {
    const { booking, technician: t, techAt } = await assignedBooking(svc());
    await svc().technicians.setVerification(t.user.id, 'suspended', null);
    expect(await codeOf(svc().bookings.advance(booking.id, t.user, 'en_route'))).toBe('FORBIDDEN_ROLE');
    const api = httpClient(server, t.token);
    expect(
      await codeOf(
        api.tracking.update.mutate({ points: [{ ...techAt, recordedAt: new Date().toISOString() }] }),
      ),
    ).toBe('FORBIDDEN');
    await svc().technicians.setVerification(t.user.id, 'verified', null);
    expect((await svc().bookings.advance(booking.id, t.user, 'en_route')).status).toBe('en_route');
  });
});

describe('quotes do not locate technicians', () => {
  it('rounds the nearest distance up to 500 m steps (and the ETA follows the rounded distance)', async () => {
    const spot = uniqueSpot();
    await technician(svc(), offset(spot, 1234));
    const c = await customer(svc());
    const quote = await httpClient(server, c.token).booking.quote.query({
      serviceId: await serviceId(svc()),
      ...spot,
    });
    expect(quote.nearest?.distanceMeters).toBe(1500);
    const other = await httpClient(server, c.token).booking.quote.query({
      serviceId: await serviceId(svc()),
      ...offset(spot, 60),
    });
    expect(other.nearest?.distanceMeters).toBe(1500);
  });
});
