import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningCluster, startCluster } from '../../../scripts/cluster-lib';
import type { BookingEvent } from '../../contracts/booking';
import type { OfferEvent } from '../../contracts/technician';
import { offset, sleep, uniqueSpot, until } from '../../test/fixtures';
import { isolatedDatabase, testRedisUrl, uniqueEmail } from '../../test/harness';
import type { AppRouter } from '../../trpc/root';

/**
 * Real server processes behind a real HAProxy (no sticky sessions): kill -9 the node a customer is on,
 * mid-job, and their app reconnects through the balancer to another node and resumes without a gap or
 * a duplicate, while the technician keeps working.
 */
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let cluster: RunningCluster;
const lines: string[] = [];

beforeAll(async () => {
  database = await isolatedDatabase();
  cluster = await startCluster({
    nodes: 2,
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    redisUrl: testRedisUrl(),
    staticDir: path.join(tmpdir(), 'fundi-no-static'),
    drainSeconds: 0,
    env: {
      REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`,
      AUTH_RATE_LIMIT: '100000',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      DISPATCH_SWEEP_MS: '500',
      // The test's technicians live at random spots on the globe (uniqueSpot): those pins count as Lagos.
      MARKET_FALLBACK: 'lagos',
    },
    log: (source, line) => lines.push(`[${source}] ${line}`),
  });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await database?.dispose();
});

const http = (token?: string) =>
  createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${cluster.url}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });

/** An app's live connection through the balancer: reconnects by itself, as the PWA's does. */
function live(token: string) {
  const ws = createWSClient({
    url: `${cluster.url.replace('http', 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { token },
    retryDelayMs: () => 200,
  });
  return { client: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }), ws };
}

async function signUp(role: 'customer' | 'technician') {
  return http().auth.signUp.mutate({
    email: uniqueEmail(role),
    password: `${role} password 1`,
    name: role,
    role,
  });
}

describe('a node killed mid-job (kill -9), behind HAProxy', () => {
  it('every node runs in cluster mode (Redis connected)', async () => {
    for (const n of cluster.nodes) {
      const health = (await (await fetch(`http://127.0.0.1:${n.port}/healthz`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ status: 'ok', node: n.id, redis: 'ok', db: 'ok' });
    }
  });

  it('the customer’s live booking resumes on another node without a gap or a duplicate', async () => {
    const spot = uniqueSpot();
    const techAt = offset(spot, 150);
    const tech = await signUp('technician');
    await database.db.execute(
      sql`UPDATE technician_profiles SET verification = 'verified' WHERE user_id = ${tech.user.id}`,
    );
    await database.db.execute(
      sql`INSERT INTO phone_verifications (user_id, phone) VALUES (${tech.user.id}, '+2348000000001')`,
    );
    const [service] = await http(tech.token).catalog.services.query();
    await http(tech.token).technician.setServices.mutate({ services: [{ serviceId: service!.id }] });
    await http(tech.token).technician.setOnline.mutate({ online: true, ...techAt });
    const techApp = live(tech.token);
    const offers: OfferEvent[] = [];
    techApp.client.technician.offers.subscribe(undefined, { onData: (e) => offers.push(e) });
    await sleep(500);

    const cust = await signUp('customer');
    const booking = await http(cust.token).booking.create.mutate({
      serviceId: service!.id,
      ...spot,
      address: '4 Failover Avenue, Lekki',
      idempotencyKey: randomUUID(),
    });
    await until(
      async () => offers.some((e) => e.type === 'offer' && e.offer.bookingId === booking.id),
      10_000,
    );
    await http(tech.token).booking.accept.mutate({ id: booking.id });

    const custApp = live(cust.token);
    const events: Array<{ id: string; status: string }> = [];
    custApp.client.booking.events.subscribe(
      { id: booking.id },
      { onData: (e) => events.push({ id: e.id, status: (e.data as BookingEvent).change?.to ?? '' }) },
    );
    let node = '';
    custApp.client.system.heartbeat.subscribe(undefined, { onData: (b) => (node = b.node) });
    await until(async () => events.some((e) => e.status === 'assigned') && node);

    // The customer's node dies without a word.
    const victim = cluster.nodes.find((n) => n.id === node) ?? cluster.nodes.find((n) => node.endsWith(n.id));
    expect(victim, `node ${node} among ${cluster.nodes.map((n) => n.id)}`).toBeDefined();
    victim!.kill('SIGKILL');
    // Meanwhile the technician works on (through the balancer, which routes around the dead node).
    for (const to of ['en_route', 'arrived', 'in_progress'] as const) {
      await until(async () => {
        try {
          await http(tech.token).booking.advance.mutate({ id: booking.id, to, confirmFar: to === 'arrived' });
          return true;
        } catch {
          return false;
        }
      }, 15_000);
    }
    await until(async () => events.some((e) => e.status === 'in_progress'), 20_000);
    await sleep(300);
    expect(events.map((e) => e.status)).toEqual(['assigned', 'en_route', 'arrived', 'in_progress']);
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(node).not.toBe(victim!.id); // the heartbeat now comes from the surviving node
    custApp.ws.close();
    techApp.ws.close();
  }, 90_000);
});
