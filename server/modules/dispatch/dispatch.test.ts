import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOffers } from '../../../db/schema';
import type { OfferEvent } from '../../contracts/technician';
import { createServices } from '../../services';
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
import { createBookingLifecycle } from '../booking/booking.lifecycle';
import { createBookingRepo } from '../booking/booking.repo';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ OFFER_WINDOW_SECONDS: '1', DISPATCH_SEARCH_WINDOW_SECONDS: '1' });
});
afterAll(() => server.close());

const svc = () => server.services;

async function book(
  at: { lat: number; lng: number },
  slug = 'shoe-shine',
  extra: { scheduledFor?: string } = {},
) {
  const c = await customer(svc());
  const booking = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc(), slug),
    ...at,
    address: '12 Herbert Macaulay Way, Yaba',
    idempotencyKey: randomUUID(),
    ...extra,
  });
  return { customer: c, booking };
}

const openOffer = (bookingId: string) => openOfferOf(svc(), bookingId);

describe('dispatch', () => {
  it('offers the nearest verified, online technician offering the service first', async () => {
    const spot = uniqueSpot();
    await technician(svc(), offset(spot, 3000)); // farther
    const near = await technician(svc(), offset(spot, 800));
    await technician(svc(), offset(spot, 100), { verified: false }); // nearer, but not verified
    await technician(svc(), offset(spot, 200), { online: false }); // nearer, but offline
    await technician(svc(), offset(spot, 300), { slugs: ['leak-repair'] }); // nearer, wrong service
    await technician(svc(), offset(spot, 20_000)); // outside the 10 km radius
    const { booking } = await book(spot);
    const offer = await openOffer(booking.id);
    expect(offer.technicianId).toBe(near.user.id);
    expect(offer.distanceMeters).toBeGreaterThan(700);
    expect(offer.distanceMeters).toBeLessThan(900);
  });

  it('falls back to the PostGIS KNN query when memory has no candidate (e.g. right after a restart)', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 700));
    const far = await technician(svc(), offset(spot, 25_000)); // beyond the 10 km radius
    for (const t of [near, far]) svc().tracking.index.remove(t.user.id);
    const { booking } = await book(spot);
    const offer = await openOffer(booking.id);
    expect(offer.technicianId).toBe(near.user.id);
    expect(offer.distanceMeters).toBeGreaterThan(600);
    expect(offer.distanceMeters).toBeLessThan(800);
    await svc().dispatch.decline(booking.id, near.user.id);
    await sleep(300);
    const offers = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(eq(dispatchOffers.bookingId, booking.id));
    expect(offers.map((o) => o.technicianId)).not.toContain(far.user.id);
  });

  it('takes candidates from the live in-memory index, and the database has the last word', async () => {
    const spot = uniqueSpot();
    const a = await technician(svc(), offset(spot, 900));
    const b = await technician(svc(), offset(spot, 600));
    const c = await technician(svc(), offset(spot, 1500));
    // Memory knows something PostGIS does not yet: c has just moved right next to the customer…
    svc().tracking.index.upsert(c.user.id, offset(spot, 50));
    // …and b looks available in memory, but the database says otherwise (went offline meanwhile).
    await svc().database.db.execute(
      sql`UPDATE technician_profiles SET online = false WHERE user_id = ${b.user.id}`,
    );
    const { booking } = await book(spot);
    const first = await openOffer(booking.id);
    expect(first.technicianId).toBe(c.user.id);
    expect(first.distanceMeters).toBeLessThan(100); // the live position, not the stored one
    await svc().dispatch.decline(booking.id, c.user.id);
    const second = await until(async () => {
      const o = await openOffer(booking.id);
      return o.technicianId !== c.user.id && o;
    });
    expect(second.technicianId).toBe(a.user.id); // b was skipped: offline in the database
  });

  it('moves to the next technician on timeout and decline, then gives up as unfulfilled', async () => {
    const spot = uniqueSpot();
    const first = await technician(svc(), offset(spot, 100));
    const second = await technician(svc(), offset(spot, 500));
    const third = await technician(svc(), offset(spot, 900));
    const { booking } = await book(spot);
    expect((await openOffer(booking.id)).technicianId).toBe(first.user.id);
    // No answer within the 1 s window: the next one is asked.
    const o2 = await until(async () => {
      const o = await openOffer(booking.id);
      return o.technicianId !== first.user.id && o;
    });
    expect(o2.technicianId).toBe(second.user.id);
    await svc().dispatch.decline(booking.id, second.user.id, 'Too far');
    expect((await openOffer(booking.id)).technicianId).toBe(third.user.id);
    // The one whose offer lapsed can no longer accept.
    expect(await codeOf(svc().dispatch.accept(booking.id, first.user.id))).toBe('CONFLICT');
    await svc().dispatch.decline(booking.id, third.user.id);
    const final = await until(async () => {
      const b = await svc().bookings.get(booking.id, { id: booking.customer.id, role: 'customer' });
      return b.status === 'unfulfilled' && b;
    });
    const history = await svc().bookings.history(booking.id, { id: booking.customer.id, role: 'customer' });
    expect(history.map((h) => h.to)).toEqual(['searching', 'unfulfilled']);
    expect(history[1]!.by.role).toBe('system');
    expect(final.technician).toBeNull();
  });

  it('waits for the search window when nobody is available, then tells the customer it is unfulfilled', async () => {
    const { booking } = await book(uniqueSpot());
    expect(booking.status).toBe('searching');
    const final = await until(async () => {
      const b = await svc().bookings.get(booking.id, { id: booking.customer.id, role: 'customer' });
      return b.status !== 'searching' && b;
    });
    expect(final.status).toBe('unfulfilled');
    expect(Date.parse(final.updatedAt) - Date.parse(final.createdAt)).toBeGreaterThanOrEqual(900);
  });

  it('resumes after a restart: an offer that expired while the server was down moves on', async () => {
    const spot = uniqueSpot();
    // A second node on the same database stands in for the server before the restart.
    const before = createServices(server.database, {
      ...server.config,
      dispatch: { ...server.config.dispatch, sweepMs: 60_000 },
    });
    await before.start();
    const first = await technician(svc(), offset(spot, 100));
    const second = await technician(svc(), offset(spot, 600));
    const c = await customer(svc());
    const booking = await before.bookings.create(c.user, {
      serviceId: await serviceId(svc(), 'shoe-shine'),
      ...spot,
      address: 'Restart Street 1',
      idempotencyKey: randomUUID(),
    });
    // Stop our running server's dispatcher too, so nothing but the restart can move the booking on.
    await svc().dispatch.stop();
    try {
      const offer = await openOffer(booking.id);
      expect(offer.technicianId).toBe(first.user.id);
      await before.stop(); // "crash": its timers are gone
      await sleep(1300); // the offer's window passes while nobody is running
      expect((await openOffer(booking.id)).id).toBe(offer.id); // still marked open: nobody noticed
      // (A search window long enough to wait for someone to be heard from.)
      const after = createServices(server.database, {
        ...server.config,
        dispatch: { ...server.config.dispatch, searchWindowMs: 60_000 },
      });
      await after.start(); // startup sweep expires it …
      try {
        // … but after a restart nobody is available until heard from again: no new offer yet.
        await sleep(300);
        const [open] = await svc()
          .database.db.select()
          .from(dispatchOffers)
          .where(and(eq(dispatchOffers.bookingId, booking.id), eq(dispatchOffers.status, 'offered')));
        expect(open).toBeUndefined();
        // The second technician's app reconnects (offers subscription, a fix): the job goes to them.
        await after.presence.listen(second.user.id, () => {});
        await after.technicians.trackingUpdate(second.user.id, {
          points: [{ ...offset(spot, 600), accuracy: 10, recordedAt: new Date().toISOString() }],
        });
        expect((await openOffer(booking.id)).technicianId).toBe(second.user.id);
      } finally {
        await after.stop();
      }
    } finally {
      await svc().dispatch.start();
    }
  });

  it('pushes offers to the technician, without the exact address, and closes them', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 100));
    const abort = new AbortController();
    const events: OfferEvent[] = [];
    const reading = (async () => {
      for await (const e of svc().dispatch.offers(t.user.id, abort.signal)) events.push(e);
    })();
    const { booking } = await book(spot);
    await until(async () => events.length >= 1);
    const first = events[0]!;
    expect(first.type).toBe('offer');
    if (first.type !== 'offer') throw new Error('unreachable');
    expect(first.offer.bookingId).toBe(booking.id);
    expect(JSON.stringify(first.offer)).not.toContain('Herbert Macaulay');
    expect(first.offer.earnings.amount).toBeLessThan(first.offer.price.amount);
    expect(Math.abs(first.offer.area.lat - spot.lat)).toBeLessThan(0.01);
    await svc().dispatch.decline(booking.id, t.user.id);
    await until(async () => events.some((e) => e.type === 'closed'));
    abort.abort();
    await reading;
  });
});

describe('races against the database', () => {
  it('20 technicians accepting one booking at once: exactly one assignment, the others CONFLICT', async () => {
    const spot = uniqueSpot();
    const techs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => technician(svc(), offset(spot, 50 + i * 10))),
    );
    const { booking } = await book(spot);
    await openOffer(booking.id);
    // All 20 were asked in turn; 19 windows lapsed and one is open right now. All answer at once.
    const holder = techs[7]!;
    await svc().database.db.transaction(async (tx) => {
      await tx.delete(dispatchOffers).where(eq(dispatchOffers.bookingId, booking.id));
      await tx.insert(dispatchOffers).values(
        techs.map((t, i) => ({
          bookingId: booking.id,
          technicianId: t.user.id,
          distanceMeters: 50 + i * 10,
          status: t === holder ? ('offered' as const) : ('expired' as const),
          expiresAt: new Date(Date.now() + (t === holder ? 60_000 : -1_000)),
        })),
      );
    });
    const results = await Promise.all(techs.map((t) => codeOf(svc().dispatch.accept(booking.id, t.user.id))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(19);
    expect(results[7]).toBe('OK');
    const b = await svc().bookings.get(booking.id, { id: booking.customer.id, role: 'customer' });
    expect(b).toMatchObject({ status: 'assigned', technician: { id: holder.user.id } });
  });

  it('the assignment guard itself: 20 concurrent assignments of one booking, one wins', async () => {
    const spot = uniqueSpot();
    const techs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => technician(svc(), offset(spot, 50 + i * 10))),
    );
    const { booking } = await book(spot);
    const lifecycle = createBookingLifecycle(svc().bus);
    // Straight at the conditional update, with no offer check in front of it.
    const results = await Promise.all(
      techs.map((t) =>
        codeOf(
          svc().database.db.transaction(async (tx) => {
            const row = await createBookingRepo(tx).row(booking.id);
            return lifecycle.transition(tx, row!, 'assigned', { id: t.user.id, role: 'technician' }, null, {
              technicianId: t.user.id,
            });
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(19);
    const history = await svc().bookings.history(booking.id, { id: booking.customer.id, role: 'customer' });
    expect(history.filter((h) => h.to === 'assigned')).toHaveLength(1);
  });

  it('50 concurrent creates with one idempotency key: one booking, every caller gets it', async () => {
    const spot = uniqueSpot();
    const c = await customer(svc());
    const input = {
      serviceId: await serviceId(svc(), 'shoe-shine'),
      ...spot,
      address: 'Idempotent Close 5',
      idempotencyKey: randomUUID(),
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => svc().bookings.create(c.user, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const page = await svc().bookings.list(c.user, {});
    expect(page.items).toHaveLength(1);
    // Same key, different payload: refused.
    expect(await codeOf(svc().bookings.create(c.user, { ...input, address: 'Somewhere else 9' }))).toBe(
      'CONFLICT',
    );
  });

  it('a technician’s scheduled jobs may not overlap, the drive between them and a buffer included', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 100));
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    // Shoe shine takes 20 minutes: 10:15–10:35, so 10:25–10:45 overlaps: not even offered to them.
    const first = await book(spot, 'shoe-shine', { scheduledFor: at(15) });
    await openOffer(first.booking.id);
    expect(await codeOf(svc().dispatch.accept(first.booking.id, t.user.id))).toBe('OK');
    const clash = await book(offset(spot, 50), 'shoe-shine', { scheduledFor: at(25) });
    await sleep(600);
    const asked = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(eq(dispatchOffers.bookingId, clash.booking.id));
    expect(asked).toEqual([]);
    // 10:35:30 next door: no overlap, but 30 s is no time for the drive and the 10-minute buffer (issue 12 §5).
    const after = await book(offset(spot, 80), 'shoe-shine', { scheduledFor: at(35.5) });
    await openOffer(after.booking.id);
    expect(await codeOf(svc().dispatch.accept(after.booking.id, t.user.id))).toBe('CONFLICT');
    // 10:46 next door: in time (all within SCHEDULE_LEAD_MINUTES, so dispatched now).
    const later = await book(offset(spot, 80), 'shoe-shine', { scheduledFor: at(46) });
    await until(async () => (await openOffer(later.booking.id)).technicianId === t.user.id);
    expect(await codeOf(svc().dispatch.accept(later.booking.id, t.user.id))).toBe('OK');
  });
});

describe('a chosen technician who lets the offer lapse (issue 12 §4, as for a decline)', () => {
  async function bookChosen(
    at: { lat: number; lng: number },
    technicianId: string,
    fallbackToNearest: boolean,
  ) {
    const c = await customer(svc());
    const booking = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...at,
      address: '12 Herbert Macaulay Way, Yaba',
      idempotencyKey: randomUUID(),
      technicianId,
      fallbackToNearest,
    });
    return { c, booking };
  }

  it('with fallback agreed, the nearest is asked once the 1 s window lapses', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 100));
    const chosen = await technician(svc(), offset(spot, 3000));
    const { booking } = await bookChosen(spot, chosen.user.id, true);
    expect((await openOffer(booking.id)).technicianId).toBe(chosen.user.id);
    const next = await until(async () => {
      const o = await openOffer(booking.id);
      return o.technicianId !== chosen.user.id && o;
    });
    expect(next.technicianId).toBe(near.user.id);
    const [lapsed] = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, booking.id), eq(dispatchOffers.technicianId, chosen.user.id)));
    expect(lapsed!.status).toBe('expired');
  });

  it('without fallback, the lapse ends the search: unfulfilled, saying why; the nearest is never asked', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 100));
    const chosen = await technician(svc(), offset(spot, 2000));
    const { booking, c } = await bookChosen(spot, chosen.user.id, false);
    expect((await openOffer(booking.id)).technicianId).toBe(chosen.user.id);
    const done = await until(async () => {
      const b = await svc().bookings.get(booking.id, c.user);
      return b.status === 'unfulfilled' && b;
    });
    const history = await svc().bookings.history(done.id, c.user);
    expect(history.at(-1)?.reason).toMatch(/chose/);
    const asked = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, booking.id), eq(dispatchOffers.technicianId, near.user.id)));
    expect(asked).toEqual([]);
  });
});
