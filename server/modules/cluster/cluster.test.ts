import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dispatchOffers } from '../../../db/schema';
import type { BookingEvent } from '../../contracts/booking';
import type { OfferEvent } from '../../contracts/technician';
import type { LivePosition } from '../../contracts/tracking';
import {
  offset,
  serviceId,
  sleep,
  uniquePhone,
  uniqueSpot,
  until,
  userRow,
  verify,
} from '../../test/fixtures';
import {
  httpClient,
  isolatedDatabase,
  startTestNode,
  type TestServer,
  uniqueEmail,
  wsClient,
} from '../../test/harness';

/**
 * Three real nodes in this process (each its own services, Redis connections and uWS app), on one
 * PostgreSQL database and a real Redis, as three machines behind a balancer would be.
 */
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let nodes: TestServer[];
const env = {
  REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`,
  OFFER_WINDOW_SECONDS: '1',
  DISPATCH_SEARCH_WINDOW_SECONDS: '60',
  PRESENCE_TIMEOUT_SECONDS: '5',
};

beforeAll(async () => {
  database = await isolatedDatabase();
  const { seedCatalog } = await import('../../../db/seed/catalog');
  await seedCatalog(database.db);
  nodes = [];
  for (const id of ['n1', 'n2', 'n3'])
    nodes.push(await startTestNode(database, `${id}-${randomUUID().slice(0, 6)}`, env));
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.close();
  await database?.dispose();
});
const A = () => nodes[0]!;
const B = () => nodes[1]!;
const C = () => nodes[2]!;

async function signUp(node: TestServer, role: 'customer' | 'technician', name: string) {
  return httpClient(node).auth.signUp.mutate({
    email: uniqueEmail(role),
    password: `${role} password 1`,
    name,
    role,
  });
}

/** A verified technician online at `at`, with the app open on `node` (WebSocket + offers subscription). */
async function technicianOn(node: TestServer, at: { lat: number; lng: number }) {
  const t = await signUp(node, 'technician', 'Node Tech');
  await verify(node.services, t.user.id);
  await node.services.phone.markVerified(t.user.id, uniquePhone());
  const api = httpClient(node, t.token);
  await api.technician.setServices.mutate({ services: [{ serviceId: await serviceId(node.services) }] });
  await api.technician.setOnline.mutate({ online: true, ...at });
  const app = wsClient(node, t.token);
  const offers: OfferEvent[] = [];
  const sub = app.client.technician.offers.subscribe(undefined, { onData: (e) => offers.push(e) });
  // Their offers subscription is live once the node has recorded it (dispatch asks PostgreSQL).
  await until(async () => (await userRow(node.services, t.user.id))?.listeningAt);
  return {
    ...t,
    app,
    offers,
    close() {
      sub.unsubscribe();
      app.close();
    },
  };
}

const fix = (p: { lat: number; lng: number }, at = Date.now()) => ({
  ...p,
  accuracy: 8,
  recordedAt: new Date(at).toISOString(),
});

describe('several nodes on Redis and PostgreSQL', () => {
  it('the whole job loop with the technician on node A and the customer on node B', async () => {
    const spot = uniqueSpot();
    const tech = await technicianOn(A(), offset(spot, 1500));
    const cust = await signUp(B(), 'customer', 'Node Customer');
    // Node B's index replica learns of the technician from node A (quotes answered from memory).
    await until(async () => {
      const q = await httpClient(B(), cust.token).booking.quote.query({
        serviceId: await serviceId(B().services),
        ...spot,
      });
      return q.availableTechnicians === 1;
    });
    const booking = await httpClient(B(), cust.token).booking.create.mutate({
      serviceId: await serviceId(B().services),
      ...spot,
      address: '1 Cluster Close, Ikeja',
      idempotencyKey: randomUUID(),
    });
    // The offer made on node B reaches the technician's socket on node A.
    await until(async () => tech.offers.some((e) => e.type === 'offer' && e.offer.bookingId === booking.id));

    const customerWs = wsClient(B(), cust.token);
    const events: BookingEvent[] = [];
    const evSub = customerWs.client.booking.events.subscribe(
      { id: booking.id },
      { onData: (e) => events.push(e.data) },
    );
    await until(async () => events.length > 0);
    await tech.app.client.booking.accept.mutate({ id: booking.id });
    await until(async () => events.some((e) => e.booking.status === 'assigned'));

    // Live position: fixes taken on node A, watched on node B.
    const positions: Array<LivePosition & { receivedAt: number }> = [];
    const watch = customerWs.client.tracking.watch.subscribe(
      { bookingId: booking.id },
      {
        onData: (e) => positions.push({ ...e.data, receivedAt: Date.now() }),
      },
    );
    await sleep(200);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = offset(spot, 1500 - (i + 1) * 5);
      const sent = Date.now();
      expect(await tech.app.client.tracking.update.mutate({ points: [fix(at, sent)] })).toMatchObject({
        accepted: 1,
      });
      const got = await until(async () => positions.find((p) => p.lat === at.lat), 3_000);
      latencies.push(got.receivedAt - sent);
    }
    latencies.sort((a, b) => a - b);
    // Cross-node delivery on loopback, including the tRPC call itself.
    expect(latencies[Math.floor(latencies.length * 0.99)]!).toBeLessThan(100);

    for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const) {
      // (Still 1.4 km out: the technician confirms the arrival, which the history records.)
      await tech.app.client.booking.advance.mutate({ id: booking.id, to, confirmFar: to === 'arrived' });
      await until(async () => events.some((e) => e.booking.status === to));
    }
    const statuses = events.map((e) => e.change?.to);
    expect(statuses).toEqual(['searching', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed']);
    watch.unsubscribe();
    evSub.unsubscribe();
    customerWs.close();
    tech.close();
  });

  it('signing out on one node closes that session’s sockets on the others at once', async () => {
    const user = await signUp(A(), 'customer', 'Sign Out');
    const url = B().wsUrl.replace('/trpc', '/trpc?connectionParams=1');
    const socket = new WebSocket(url);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: user.token } }));
    socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    await new Promise((r) => socket.once('message', r));
    const started = Date.now();
    await httpClient(C(), user.token).auth.signOut.mutate();
    expect(await closed).toBe(4401);
    expect(Date.now() - started).toBeLessThan(2_000);
    // And the session is refused on every node (no 30 s cache).
    expect(await httpClient(B(), user.token).auth.me.query()).toBeNull();
  });

  it('an offer’s expiry is handled once with three nodes running', async () => {
    const spot = uniqueSpot();
    const near = await technicianOn(A(), offset(spot, 200));
    const far = await technicianOn(C(), offset(spot, 900));
    const cust = await signUp(B(), 'customer', 'Timer Customer');
    const booking = await httpClient(B(), cust.token).booking.create.mutate({
      serviceId: await serviceId(B().services),
      ...spot,
      address: '9 Timer Street',
      idempotencyKey: randomUUID(),
    });
    await until(async () => near.offers.some((e) => e.type === 'offer' && e.offer.bookingId === booking.id));
    // Nobody answers: the 1 s window lapses, then the next technician's too.
    await until(
      async () => far.offers.some((e) => e.type === 'offer' && e.offer.bookingId === booking.id),
      5_000,
    );
    await sleep(2_500);
    const rows = await database.db
      .select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, booking.id)));
    expect(rows.map((r) => [r.technicianId, r.status]).sort()).toEqual(
      [
        [near.user.id, 'expired'],
        [far.user.id, 'expired'],
      ].sort(),
    );
    const closedNear = near.offers.filter((e) => e.type === 'closed' && e.bookingId === booking.id);
    const offeredFar = far.offers.filter((e) => e.type === 'offer' && e.offer.bookingId === booking.id);
    expect(closedNear).toHaveLength(1);
    expect(offeredFar).toHaveLength(1);
    near.close();
    far.close();
  });

  it('presence crosses nodes: a technician whose socket closes on node A is away on node C', async () => {
    const spot = uniqueSpot();
    const t = await technicianOn(A(), spot);
    await until(async () => C().services.presence.isPresent(t.user.id));
    t.close();
    // Their last fix was when they went online (none since): away once the timeout passes, on every node.
    await until(async () => !C().services.presence.isPresent(t.user.id), 8_000);
    expect(A().services.presence.isPresent(t.user.id)).toBe(false);
  });
});
