import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../../db/client';
import { dispatchOffers } from '../../../db/schema';
import { pgErrorCode } from '../../lib/errors';
import { offset, sentOf, sleep, technician, transactionsOf, uniqueSpot, until } from '../../test/fixtures';
import { rushServer } from './rush.fixtures';

/**
 * The morning rush (issue 18 §1): a technician holds at most one open offer, and is offered the next
 * waiting booking the moment they are free. Sweeps are slowed to a minute and the database is this
 * file's own, so whatever happens here happens because of the event, not a sweep.
 */
const { svc, book, openOffersOf } = rushServer();

/** An open offer written straight to the database, as a round would have made it. */
const offerByHand = (db: DbOrTx, bookingId: string, technicianId: string) =>
  db.insert(dispatchOffers).values({
    bookingId,
    technicianId,
    distanceMeters: 1,
    expiresAt: new Date(Date.now() + 60_000),
  });

describe('the morning rush', () => {
  it('12 bookings at once around one technician: one open offer for them, never more', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    const bookings = await Promise.all(Array.from({ length: 12 }, (_, i) => book(offset(spot, 50 + i * 20))));
    await until(async () => (await openOffersOf(t.user.id)).length > 0);
    await new Promise((r) => setTimeout(r, 500)); // every dispatch has had its go
    const open = await openOffersOf(t.user.id);
    expect(open).toHaveLength(1);
    expect(bookings.map((b) => b.id)).toContain(open[0]!.bookingId);
  });

  it('the database refuses a second open offer for one technician', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    const [a, b] = [await book(spot), await book(offset(spot, 100))];
    await until(async () => (await openOffersOf(t.user.id)).length === 1);
    const other = (await openOffersOf(t.user.id))[0]!.bookingId === a.id ? b : a;
    const insert = offerByHand(svc().database.db, other.id, t.user.id);
    const error = await insert.then(
      () => null,
      (e: unknown) => e,
    );
    expect(pgErrorCode(error)).toMatchObject({
      code: '23505',
      constraint: 'dispatch_offers_one_open_per_technician',
    });
  });

  it('declining frees the technician at once: the next waiting booking is offered to them', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    const a = await book(spot);
    const b = await book(offset(spot, 300));
    await until(async () => (await openOffersOf(t.user.id)).length === 1);
    // Whichever round won the technician (both run at once; on a busy machine the later one can win).
    const offered = (await openOffersOf(t.user.id))[0]!.bookingId;
    expect([a.id, b.id]).toContain(offered);
    const waiting = offered === a.id ? b : a;
    const declinedAt = Date.now();
    await svc().dispatch.decline(offered, t.user.id);
    const next = await until(async () =>
      (await openOffersOf(t.user.id)).find((o) => o.bookingId === waiting.id),
    );
    expect(next.bookingId).toBe(waiting.id);
    expect(Date.now() - declinedAt).toBeLessThan(5_000); // the sweep is a minute away
  });

  /** A technician on a job, and a booking waiting this far from them (nobody free: no offer yet). */
  async function onAJobWithOneWaiting(metres: number) {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    const job = await book(spot);
    await until(async () => (await openOffersOf(t.user.id)).length === 1);
    await svc().dispatch.accept(job.id, t.user.id);
    const waiting = await book(offset(spot, metres));
    await new Promise((r) => setTimeout(r, 300));
    expect(await openOffersOf(t.user.id)).toHaveLength(0);
    return { spot, t, job, waiting };
  }

  it('finishing a job frees the technician at once for the booking waiting nearby', async () => {
    const { t, job, waiting } = await onAJobWithOneWaiting(200);
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
      await svc().bookings.advance(job.id, t.user, to, { confirmFar: true });
    const next = await until(async () =>
      (await openOffersOf(t.user.id)).find((o) => o.bookingId === waiting.id),
    );
    expect(next.bookingId).toBe(waiting.id);
  });

  it('an offer that reached a technician as another job of theirs was accepted: accepting it closes it, and the booking goes to someone else at once', async () => {
    const { spot, t, waiting } = await onAJobWithOneWaiting(200);
    // The race, by hand: a round chose them from a snapshot taken before their acceptance committed.
    await offerByHand(svc().database.db, waiting.id, t.user.id);
    const other = await technician(svc(), offset(spot, 400));
    const refused = await svc()
      .dispatch.accept(waiting.id, t.user.id)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/active job/) });
    expect(await openOffersOf(t.user.id)).toHaveLength(0);
    const asked = Date.now();
    const next = await until(async () =>
      (await openOffersOf(other.user.id)).find((o) => o.bookingId === waiting.id),
    );
    expect(next.bookingId).toBe(waiting.id);
    expect(Date.now() - asked).toBeLessThan(5_000); // the offer window (and the sweep) are far away
  });

  it('handing a job back frees the technician at once for another waiting booking', async () => {
    const { t, job, waiting } = await onAJobWithOneWaiting(250);
    await svc().bookings.cancel(job.id, t.user, 'Tyre puncture on the way');
    const next = await until(async () =>
      (await openOffersOf(t.user.id)).find((o) => o.bookingId === waiting.id),
    );
    expect(next.bookingId).toBe(waiting.id);
  });

  /**
   * A technician on a job, and bookings waiting at these distances from them (booked in this order, nobody
   * free); `meanwhile` runs before they finish. Returns the waiting bookings and the one offered to them
   * the moment the job is done.
   */
  async function waitingWhileBusy(
    metres: number[],
    meanwhile: (waiting: { id: string }[]) => Promise<unknown>,
  ) {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    const job = await book(spot);
    await until(async () => (await openOffersOf(t.user.id)).length === 1);
    await svc().dispatch.accept(job.id, t.user.id);
    const waiting = [];
    for (const m of metres) waiting.push(await book(offset(spot, m)));
    await meanwhile(waiting);
    await new Promise((r) => setTimeout(r, 300));
    expect(await openOffersOf(t.user.id)).toHaveLength(0);
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
      await svc().bookings.advance(job.id, t.user, to, { confirmFar: true });
    const [next] = await until(async () => {
      const open = await openOffersOf(t.user.id);
      return open.length ? open : undefined;
    });
    return { waiting, offered: next!.bookingId };
  }

  it('a freed technician is offered the nearest of the bookings waiting around them', async () => {
    // Booked farthest first, so "first come" would pick the farthest.
    const { waiting, offered } = await waitingWhileBusy([900, 700, 500, 150, 400], async () => {});
    expect(offered).toBe(waiting[3]!.id); // the one 150 m away
  });

  it('a booking that has waited long goes before nearer ones when a technician near it is freed', async () => {
    const { waiting, offered } = await waitingWhileBusy([900, 150, 400], (w) =>
      // The farthest has been searching for a minute (newer, nearer bookings kept winning the freed).
      svc().database.db.execute(
        sql`UPDATE bookings SET created_at = now() - interval '60 seconds' WHERE id = ${w[0]!.id}`,
      ),
    );
    expect(offered).toBe(waiting[0]!.id);
  });

  it('a burst of triggers for one booking costs one dispatch round, not one each', async () => {
    const spot = uniqueSpot();
    const b = await book(spot); // nobody around: it waits
    const rounds = Array.from({ length: 20 }, () => svc().dispatch.kick(b.id));
    expect(new Set(rounds).size).toBe(1);
    await Promise.all(rounds);
    // Once that round has run, a new trigger starts a new one.
    expect(svc().dispatch.kick(b.id)).not.toBe(rounds[0]);
  });

  it('a round that offers: the locked booking and its open-offer check in one statement (issue 18)', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 40));
    const transactions = await sentOf(svc(), async () => {
      await book(spot);
      await until(async () => (await openOffersOf(t.user.id)).length === 1);
    });
    const round = transactions.find((sent) => sent.some((q) => /insert into "dispatch_offers"/.test(q.sql)))!;
    const sql = round.map((q) => q.sql);
    expect(sql[0]).toMatch(/EXISTS \(SELECT 1 FROM "dispatch_offers" o/);
    expect(sql[0]).toMatch(/for update of "bookings" skip locked/);
    // No statement of its own asks whether the booking has an open offer.
    expect(sql.filter((q) => /^select [^(]* from "dispatch_offers"/i.test(q))).toEqual([]);
    // Then memory's candidates confirmed, the best-rated in the band, the offer with its notification.
    // (The first two as one statement, a lateral subquery, was planned again at every call: 6.6 ms of
    // planning each, against two statements whose generic plans are kept. README, the morning rush.)
    expect(sql).toHaveLength(4);
    // The band is asked around memory's nearest with its confirmation: three round trips, not four.
    expect(round.map((q) => q.round)).toEqual([0, 1, 1, 2]);
    expect(sql[1]).toMatch(/unnest/);
    expect(sql[2]).toMatch(/ST_DWithin/);
  });

  it("a band asked around memory's nearest that the database does not confirm is asked again", async () => {
    const spot = uniqueSpot();
    // Memory's nearest holds another open offer (set by hand: memory does not know), so the database
    // confirms the one behind them, and the band is asked again around that one.
    const held = await technician(svc(), offset(spot, 20));
    const other = await technician(svc(), offset(spot, 900));
    const elsewhere = await book(offset(spot, 30_000));
    await offerByHand(svc().database.db, elsewhere.id, held.user.id);
    const transactions = await sentOf(svc(), async () => {
      await book(spot);
      await until(async () => (await openOffersOf(other.user.id)).length === 1);
    });
    const round = transactions.find((sent) => sent.some((q) => /insert into "dispatch_offers"/.test(q.sql)))!;
    expect(round.map((q) => q.round)).toEqual([0, 1, 1, 2, 3]);
    expect(round[3]!.sql).toMatch(/ST_DWithin/);
    expect(await openOffersOf(held.user.id)).toHaveLength(1); // still only the one by hand
  });

  it('accepting: the offer and the booking locked in one round trip, then the change (issue 18 §2)', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 40));
    const b = await book(spot);
    await until(async () => (await openOffersOf(t.user.id)).length === 1);
    const [accept] = await sentOf(svc(), () => svc().dispatch.accept(b.id, t.user.id));
    expect(accept!.map((q) => q.round)).toEqual([0, 0, 1]);
    expect(accept![0]!.sql).toMatch(/^update "dispatch_offers"/);
    expect(accept![1]!.sql).toMatch(/for update/);
    expect(accept![2]!.sql).toMatch(/update "bookings"/);
  });

  /**
   * Holds the booking's lock while an offer for it commits, and runs a round meanwhile: the round's locked
   * read was taken before the offer existed, so what it does next must not rest on it alone.
   */
  async function roundWaitingWhileOffered(
    bookingId: string,
    offeredTo: string,
    meanwhile: () => Promise<unknown> = async () => {},
  ) {
    const db = svc().database.db;
    let locked!: () => void;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      locked = r;
    });
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`SELECT 1 FROM bookings WHERE id = ${bookingId} FOR UPDATE`);
      await offerByHand(tx, bookingId, offeredTo);
      locked();
      await new Promise<void>((r) => {
        release = r;
      });
    });
    await held;
    const transactions = await transactionsOf(svc(), async () => {
      await meanwhile();
      const round = svc().dispatch.kick(bookingId);
      await sleep(300); // the round waits for the lock
      release();
      await holder;
      await round;
    });
    // A round found the booking held, waited for it, then asked for its open offer again (a snapshot
    // after the wait): it saw the one committed meanwhile and offered nothing. Offering on the locked
    // read's belief alone could deadlock with that offer's acceptance (dispatch.repo.ts lockedForRound).
    const kind = (q: string) =>
      /skip locked/.test(q)
        ? 'lock, not waiting'
        : /for update of "bookings"/.test(q)
          ? 'lock, waiting'
          : /^select [^(]* from "dispatch_offers"/i.test(q)
            ? 'open offer'
            : q.slice(0, 30);
    const rounds = transactions.filter((sent) =>
      sent.some((q) => /for update of "bookings" skip locked/.test(q)),
    );
    expect(rounds.map((sent) => sent.slice(0, 3).map(kind))).toContainEqual([
      'lock, not waiting',
      'lock, waiting',
      'open offer',
    ]);
    expect(rounds.flat().filter((q) => /insert into "dispatch_offers"/.test(q))).toEqual([]);
  }

  it('a round that waited for the lock while another offered the booking: no second offer, no end of the search', async () => {
    const spot = uniqueSpot();
    const elsewhere = await technician(svc(), uniqueSpot());
    // Nobody near, and its search window over: a round that believed no offer was open would end it.
    const lonely = await book(spot);
    await svc().dispatch.kick(lonely.id); // its rounds so far are over (one now would end the search)
    await svc().database.db.execute(
      sql`UPDATE bookings SET created_at = now() - interval '10 minutes' WHERE id = ${lonely.id}`,
    );
    await roundWaitingWhileOffered(lonely.id, elsewhere.user.id);
    expect((await svc().bookings.get(lonely.id, { id: elsewhere.user.id, role: 'admin' })).status).toBe(
      'searching',
    );
    // Someone near: the round finds them, and the one open offer per booking stays the one made.
    const near = uniqueSpot();
    const other = await technician(svc(), uniqueSpot());
    const b = await book(near); // nobody near yet: it waits
    await svc().dispatch.kick(b.id); // its rounds so far are over
    let t!: Awaited<ReturnType<typeof technician>>;
    await roundWaitingWhileOffered(b.id, other.user.id, async () => {
      t = await technician(svc(), offset(near, 30));
    });
    expect(await openOffersOf(t.user.id)).toEqual([]);
    const open = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(sql`${dispatchOffers.bookingId} = ${b.id} AND ${dispatchOffers.status} = 'offered'`);
    expect(open.map((o) => o.technicianId)).toEqual([other.user.id]);
  });
});
