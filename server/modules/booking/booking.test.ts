import { randomUUID } from 'node:crypto';
import type { TRPCClientError } from '@trpc/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { technicianProfiles } from '../../../db/schema';
import {
  codeOf,
  customer,
  offset,
  sentOf,
  serviceId,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, wsClient } from '../../test/harness';
import { createBookingRepo } from './booking.repo';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const svc = () => server.services;

/** A booking assigned to a fresh technician nearby. */
async function assignedBooking() {
  const spot = uniqueSpot();
  const t = await technician(svc(), offset(spot, 100));
  const c = await customer(svc());
  const b = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...spot,
    address: '7 Adeola Odeku Street, Victoria Island',
    notes: 'Gate code 1234',
    idempotencyKey: randomUUID(),
  });
  await until(async () => (await codeOf(svc().dispatch.accept(b.id, t.user.id))) === 'OK');
  return { booking: b, customer: c, technician: t };
}

const advanceTargets = ['en_route', 'arrived', 'in_progress', 'completed'] as const;
const path = ['assigned', ...advanceTargets] as const;

describe('the booking state machine', () => {
  it('walks the happy path; every out-of-order step is CONFLICT; history matches', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking();
    const tech = { id: t.user.id, role: 'technician' as const };
    for (let i = 1; i < path.length; i++) {
      for (const to of advanceTargets) {
        if (to === path[i]) continue;
        expect(await codeOf(svc().bookings.advance(booking.id, tech, to)), `${path[i - 1]} → ${to}`).toBe(
          'CONFLICT',
        );
      }
      const next = await svc().bookings.advance(booking.id, tech, advanceTargets[i - 1]!);
      expect(next.status).toBe(path[i]);
    }
    const done = await svc().bookings.get(booking.id, c.user);
    expect(
      done.completedAt && done.startedAt && done.arrivedAt && done.enRouteAt && done.assignedAt,
    ).toBeTruthy();
    // Completed: nobody can cancel any more; the customer can dispute.
    expect(await codeOf(svc().bookings.cancel(booking.id, c.user, 'too late'))).toBe('CONFLICT');
    expect(await codeOf(svc().bookings.cancel(booking.id, tech, 'too late'))).toBe('CONFLICT');
    const disputed = await svc().bookings.dispute(booking.id, c.user, 'The shoes are still dirty');
    expect(disputed).toMatchObject({ status: 'disputed', disputeReason: 'The shoes are still dirty' });
    expect(await codeOf(svc().bookings.dispute(booking.id, c.user, 'again'))).toBe('CONFLICT');

    const history = await svc().bookings.history(booking.id, c.user);
    expect(history.map((h) => [h.from, h.to, h.by.role])).toEqual([
      [null, 'searching', 'customer'],
      ['searching', 'assigned', 'technician'],
      ['assigned', 'en_route', 'technician'],
      ['en_route', 'arrived', 'technician'],
      ['arrived', 'in_progress', 'technician'],
      ['in_progress', 'completed', 'technician'],
      ['completed', 'disputed', 'customer'],
    ]);
    expect(history.at(-1)!.reason).toBe('The shoes are still dirty');
  });

  it('a technician dropping a job before start hands it back to dispatch; not after start', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking();
    const tech = { id: t.user.id, role: 'technician' as const };
    await svc().bookings.advance(booking.id, tech, 'en_route');
    const back = await svc().bookings.cancel(booking.id, tech, 'Flat tyre');
    expect(back).toMatchObject({ status: 'searching', technician: null, enRouteAt: null });
    // They are no longer a participant.
    expect(await codeOf(svc().bookings.get(booking.id, tech))).toBe('NOT_FOUND');
    const history = await svc().bookings.history(booking.id, c.user);
    expect(history.at(-1)).toMatchObject({ from: 'en_route', to: 'searching', reason: 'Flat tyre' });

    const other = await assignedBooking();
    const otherTech = { id: other.technician.user.id, role: 'technician' as const };
    for (const to of ['en_route', 'arrived', 'in_progress'] as const)
      await svc().bookings.advance(other.booking.id, otherTech, to);
    expect(await codeOf(svc().bookings.cancel(other.booking.id, otherTech, 'bored'))).toBe('CONFLICT');
    expect(await codeOf(svc().bookings.cancel(other.booking.id, other.customer.user, 'bored'))).toBe(
      'CONFLICT',
    );
  });

  it('customers cancel while searching or before the job starts; offers are withdrawn', async () => {
    const spot = uniqueSpot();
    const c = await customer(svc());
    const t = await technician(svc(), offset(spot, 100));
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: 'Cancel Crescent 2',
      idempotencyKey: randomUUID(),
    });
    const offer = await until(
      async () => (await svc().dispatch.offers(t.user.id, AbortSignal.timeout(500)).next()).value,
    );
    expect(offer).toMatchObject({ type: 'offer' });
    const cancelled = await svc().bookings.cancel(b.id, c.user, 'Changed my mind');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'Changed my mind' });
    expect(await codeOf(svc().bookings.cancel(b.id, c.user, 'again'))).toBe('CONFLICT');
    // The technician's card disappears: no open offers left for them.
    const left = svc().dispatch.offers(t.user.id, AbortSignal.timeout(200));
    expect(await left.next().catch(() => ({ done: true }))).toMatchObject({ done: true });
  });

  it('limits how many open bookings a customer may have', async () => {
    const c = await customer(svc());
    const spot = uniqueSpot();
    await technician(svc(), offset(spot, 100)); // someone is being asked, so the bookings stay open
    const sid = await serviceId(svc());
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await codeOf(
          svc().bookings.create(c.user, {
            serviceId: sid,
            ...spot,
            address: 'Limit Lane 3',
            idempotencyKey: randomUUID(),
          }),
        ),
      );
    }
    expect(results).toEqual(['OK', 'OK', 'OK', 'CONFLICT']);
  });

  it("a new booking's checks go with the customer's lock, in one round trip (issue 18 §2)", async () => {
    expect(svc().database.driver).toBe('postgres');
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 100));
    const c = await customer(svc());
    const create = (technicianId?: string) =>
      svc().bookings.create(c.user, {
        serviceId: sid,
        ...spot,
        address: 'Round Trip Road 1',
        idempotencyKey: randomUUID(),
        ...(technicianId ? { technicianId } : {}),
      });
    const sid = await serviceId(svc());
    for (const chosen of [undefined, t.user.id]) {
      const [tx] = (await sentOf(svc(), () => create(chosen))).filter((sent) =>
        sent.some((q) => /pg_advisory_xact_lock/.test(q.sql)),
      );
      // The lock, the unpaid bill, the chosen technician's service and the key's booking and open count:
      // sent together, then the insert (was one round trip each). What follows the insert (the webhooks'
      // look at a customer not seen before) is not the checks'.
      const insert = tx!.findIndex((q) => /insert into "bookings"/.test(q.sql));
      expect(insert, chosen ? 'a chosen technician' : 'the nearest').toBe(chosen ? 4 : 3);
      expect(tx![0]!.sql, 'the lock first: the reads after it take their snapshots with it held').toMatch(
        /pg_advisory_xact_lock/,
      );
      expect(tx!.slice(0, insert + 1).map((q) => q.round)).toEqual([...tx!.slice(0, insert).map(() => 0), 1]);
    }
    // The checks still answer in their order: a technician who does not offer it, then the key's booking.
    expect(await codeOf(create(randomUUID()))).toBe('NOT_FOUND');
  });

  it("shows the technician's rating with the booking, photo or not; the assigned technician works it", async () => {
    const { booking, customer: c, technician: t } = await assignedBooking();
    // No photo: the profile's first column in the booking's view was photo_url, and a null first column
    // made Drizzle drop the whole left-joined profile (the rating with it).
    await svc()
      .database.db.update(technicianProfiles)
      .set({ photoUrl: null, ratingSum: 9, ratingCount: 2 })
      .where(eq(technicianProfiles.userId, t.user.id));
    const seen = await svc().bookings.get(booking.id, c.user);
    expect(seen.technician).toMatchObject({ id: t.user.id, photoUrl: null, rating: 4.5 });
    const tech = { id: t.user.id, role: 'technician' as const };
    expect((await svc().bookings.advance(booking.id, tech, 'en_route')).technician?.rating).toBe(4.5);
  });

  it('a status change and its history row are one statement: a booking no longer in `from` gets neither', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking();
    const repo = createBookingRepo(svc().database.db); // no transaction: the statement alone must hold
    const actor = { id: t.user.id, role: 'technician' as const };
    const before = await svc().bookings.history(booking.id, c.user);
    expect(
      await repo.changeStatus(booking.id, 'en_route', { status: 'arrived' }, actor, null),
    ).toBeUndefined();
    expect(await svc().bookings.history(booking.id, c.user)).toEqual(before);
    const moved = await repo.changeStatus(booking.id, 'assigned', { status: 'en_route' }, actor, 'on my way');
    expect(moved?.booking.status).toBe('en_route');
    const after = await svc().bookings.history(booking.id, c.user);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ id: String(moved!.history.id), from: 'assigned', to: 'en_route' });
    expect(moved?.history).toMatchObject({
      fromStatus: 'assigned',
      toStatus: 'en_route',
      reason: 'on my way',
    });
  });

  it('prices on the server: base + emergency surcharge, commission and earnings add up', async () => {
    const q = await svc().bookings.quote({
      serviceId: await serviceId(svc(), 'leak-repair'),
      ...uniqueSpot(),
      emergency: true,
    });
    expect(q.price.base.amount).toBe(1_200_000); // ₦12,000 in kobo
    expect(q.price.surcharge.amount).toBe(600_000); // 50 %
    expect(q.price.total.amount).toBe(1_800_000);
    expect(q.price.commission.amount).toBe(270_000); // 15 %
    expect(q.price.technicianEarnings.amount).toBe(1_530_000);
    expect(q.price.total.currency).toBe('NGN');
    expect(q.availableTechnicians).toBe(0);
    expect(q.nearest).toBeNull();
  });
});

describe('authorization: nobody else sees or touches a booking', () => {
  it('gives a different customer and an unrelated technician NOT_FOUND/FORBIDDEN and no data, on every procedure', async () => {
    const { booking, customer: owner, technician: assigned } = await assignedBooking();
    const stranger = await customer(svc(), 'Stranger');
    const otherTech = await technician(svc(), uniqueSpot());
    const asStranger = httpClient(server, stranger.token);
    const asOtherTech = httpClient(server, otherTech.token);
    const id = booking.id;
    const attempts = (api: ReturnType<typeof httpClient>) => [
      api.booking.get.query({ id }),
      api.booking.history.query({ id }),
      api.booking.cancel.mutate({ id, reason: 'x' }),
      api.booking.advance.mutate({ id, to: 'en_route' }),
      api.booking.dispute.mutate({ id, reason: 'x' }),
      api.booking.accept.mutate({ id }),
      api.booking.decline.mutate({ id }),
    ];
    const strangerCodes = await Promise.all(attempts(asStranger).map(codeOf));
    const techCodes = await Promise.all(attempts(asOtherTech).map(codeOf));
    // A customer may not call technician procedures at all (FORBIDDEN); everything else looks like "no such booking".
    expect(strangerCodes).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'FORBIDDEN',
      'NOT_FOUND',
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
    expect(techCodes).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'FORBIDDEN',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect((await asStranger.booking.list.query({})).items.map((b) => b.id)).not.toContain(id);
    expect((await asOtherTech.booking.list.query({})).items.map((b) => b.id)).not.toContain(id);

    // The live event stream too.
    const ws = wsClient(server, stranger.token);
    try {
      const err = await new Promise<unknown>((resolve) => {
        ws.client.booking.events.subscribe({ id }, { onData: () => resolve('got data!'), onError: resolve });
      });
      expect((err as TRPCClientError<never>).data).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      ws.close();
    }

    // The participants and admins do see it, the technician with the exact address now that it is theirs.
    const mine = await httpClient(server, owner.token).booking.get.query({ id });
    expect(mine.location.address).toContain('Adeola Odeku');
    const theirs = await httpClient(server, assigned.token).booking.get.query({ id });
    expect(theirs.notes).toBe('Gate code 1234');
  });

  it('streams status changes to the participants, starting with the current state, resumable', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking();
    const ws = wsClient(server, c.token);
    const seen: Array<{ id: string; status: string }> = [];
    try {
      const sub = ws.client.booking.events.subscribe(
        { id: booking.id },
        { onData: (e) => seen.push({ id: e.id, status: e.data.booking.status }) },
      );
      await until(async () => seen.length >= 1);
      expect(seen[0]!.status).toBe('assigned');
      const tech = { id: t.user.id, role: 'technician' as const };
      await svc().bookings.advance(booking.id, tech, 'en_route');
      await svc().bookings.advance(booking.id, tech, 'arrived');
      await until(async () => seen.length >= 3);
      expect(seen.map((s) => s.status)).toEqual(['assigned', 'en_route', 'arrived']);
      sub.unsubscribe();
      // Resuming from the last id we have: nothing repeated, the next change arrives.
      const resumed: string[] = [];
      ws.client.booking.events.subscribe(
        { id: booking.id, lastEventId: seen.at(-1)!.id },
        { onData: (e) => resumed.push(e.data.booking.status) },
      );
      await svc().bookings.advance(booking.id, tech, 'in_progress');
      await until(async () => resumed.length >= 1);
      expect(resumed).toEqual(['in_progress']);
    } finally {
      ws.close();
    }
  });
});
