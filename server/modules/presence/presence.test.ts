import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOffers } from '../../../db/schema';
import type { OfferEvent } from '../../contracts/technician';
import { createServices } from '../../services';
import {
  customer,
  offset,
  openOfferOf,
  serviceId,
  sleep,
  technician,
  uniqueSpot,
  until,
  userRow,
} from '../../test/fixtures';
import { startTestServer, type TestServer, wsClient } from '../../test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(
    {
      PRESENCE_TIMEOUT_SECONDS: '1',
      PRESENCE_OFFLINE_MINUTES: '0.05', // 3 s
      OFFER_WINDOW_SECONDS: '30',
      DISPATCH_SEARCH_WINDOW_SECONDS: '60',
      // Its sweeps (offline after 3 s) are database-wide: a database of its own.
    },
    { isolated: true },
  );
});
afterAll(() => server.close());
const svc = () => server.services;

/** A technician whose app is open: a WebSocket with `technician.offers` subscribed, collecting offers. */
async function withApp(t: { token: string; user: { id: string } }) {
  const app = wsClient(server, t.token);
  const offers: OfferEvent[] = [];
  const sub = app.client.technician.offers.subscribe(undefined, { onData: (e) => offers.push(e) });
  await until(async () => (await userRow(svc(), t.user.id))?.listeningAt);
  return {
    offers,
    close() {
      sub.unsubscribe();
      app.close();
    },
  };
}

async function quote(at: { lat: number; lng: number }) {
  return svc().bookings.quote({ serviceId: await serviceId(svc()), ...at });
}

async function book(at: { lat: number; lng: number }) {
  const c = await customer(svc());
  return svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...at,
    address: '3 Presence Road, Yaba',
    idempotencyKey: randomUUID(),
  });
}

const openOffer = (bookingId: string) => openOfferOf(svc(), bookingId, 10_000);

describe('presence', () => {
  it('a ghost (app closed, no fixes) is not counted or offered jobs after the timeout, and is back when it reconnects', async () => {
    const spot = uniqueSpot();
    const ghost = await technician(svc(), offset(spot, 100), { listening: false });
    const real = await technician(svc(), offset(spot, 900), { listening: false });
    const ghostApp = await withApp(ghost);
    const realApp = await withApp(real);
    expect((await quote(spot)).availableTechnicians).toBe(2);

    ghostApp.close(); // the phone dies: socket gone, no more fixes
    await sleep(1_500);
    expect(svc().presence.isPresent(ghost.user.id)).toBe(false);
    expect((await svc().technicians.me(ghost.user.id)).presence).toBe('away');
    expect((await quote(spot)).availableTechnicians).toBe(1);
    expect(svc().tracking.nearby(spot).count).toBe(1);
    const snapshot = await svc().tracking.online();
    expect(snapshot.technicians.find((x) => x.id === ghost.user.id)?.away).toBe(true);

    // Dispatch goes straight to the technician who is there, not to the nearer ghost.
    const b1 = await book(spot);
    const started = Date.now();
    expect((await openOffer(b1.id)).technicianId).toBe(real.user.id);
    expect(Date.now() - started).toBeLessThan(5_000);
    await until(async () => realApp.offers.some((e) => e.type === 'offer' && e.offer.bookingId === b1.id));
    await svc().dispatch.decline(b1.id, real.user.id);

    // The ghost's app comes back: available again by itself, and offered what is waiting.
    const back = await withApp(ghost);
    expect(svc().presence.isPresent(ghost.user.id)).toBe(true);
    expect((await svc().technicians.me(ghost.user.id)).presence).toBe('available');
    expect((await openOffer(b1.id)).technicianId).toBe(ghost.user.id);
    await until(async () => back.offers.some((e) => e.type === 'offer' && e.offer.bookingId === b1.id));
    back.close();
    realApp.close();
  });

  it('fixes alone keep a technician present; silence makes them away', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    await sleep(1_200);
    expect(svc().presence.isPresent(t.user.id)).toBe(false);
    expect((await quote(spot)).availableTechnicians).toBe(0);
    await svc().technicians.trackingUpdate(t.user.id, {
      points: [{ ...spot, accuracy: 8, recordedAt: new Date().toISOString() }],
    });
    expect(svc().presence.isPresent(t.user.id)).toBe(true);
    expect((await quote(spot)).availableTechnicians).toBe(1);
  });

  it('an offer whose technician can no longer be reached moves on at once, not after its 30 s window', async () => {
    const spot = uniqueSpot();
    const near = await technician(svc(), offset(spot, 100), { listening: false });
    const far = await technician(svc(), offset(spot, 800), { listening: false });
    const nearApp = await withApp(near);
    const farApp = await withApp(far);
    const b = await book(spot);
    expect((await openOffer(b.id)).technicianId).toBe(near.user.id);
    const closedAt = Date.now();
    nearApp.close(); // app closed while the offer is open
    const next = await until(async () => {
      const o = await openOffer(b.id);
      return o.technicianId === far.user.id ? o : undefined;
    }, 15_000);
    expect(next.technicianId).toBe(far.user.id);
    expect(Date.now() - closedAt).toBeLessThan(10_000);
    const [first] = await svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, b.id), eq(dispatchOffers.technicianId, near.user.id)));
    expect(first?.status).toBe('expired');
    expect(first?.reason).toBe('not reachable');
    farApp.close();
  });

  it('after PRESENCE_OFFLINE_MINUTES of silence the technician is set offline', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    expect((await userRow(svc(), t.user.id))?.online).toBe(true);
    await until(async () => (await userRow(svc(), t.user.id))?.online === false, 15_000);
    await until(async () => svc().tracking.index.get(t.user.id) === undefined);
  });

  it('after a restart nobody is available until heard from again', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    expect((await quote(spot)).availableTechnicians).toBe(1);
    const restarted = createServices(server.database, server.config);
    await restarted.start();
    try {
      const q = await restarted.bookings.quote({ serviceId: await serviceId(svc()), ...spot });
      expect(q.availableTechnicians).toBe(0);
      expect(restarted.tracking.nearby(spot).count).toBe(0);
      const row = await userRow(svc(), t.user.id);
      expect(row?.online).toBe(true); // their choice is kept, but nobody has heard from them since
      await restarted.technicians.trackingUpdate(t.user.id, {
        points: [{ ...spot, accuracy: 8, recordedAt: new Date().toISOString() }],
      });
      const again = await restarted.bookings.quote({ serviceId: await serviceId(svc()), ...spot });
      expect(again.availableTechnicians).toBe(1);
    } finally {
      await restarted.stop();
    }
  });
});
