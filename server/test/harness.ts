import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from '@trpc/client';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { type Database, openDatabase } from '../../db/client';
import { seedCatalog } from '../../db/seed/catalog';
import { startServer } from '../app';
import { type Config, loadConfig } from '../config';
import { setLogLevel } from '../lib/log';
import { connectCluster, createServices, type Services } from '../services';
import type { AppRouter } from '../trpc/root';

export const driver = (process.env.TEST_DRIVER ?? 'postgres') as 'postgres' | 'pglite';

/**
 * The database for a test file: the per-run PostgreSQL database made by global-setup, or, in the
 * PGlite smoke project, an embedded one in a temp dir (same migrations, same queries).
 */
export async function testDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  if (driver === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'fundi-pglite-'));
    const database = await openDatabase({ dataDir: dir });
    await database.migrate();
    return {
      ...database,
      dispose: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 20 });
  return { ...database, dispose: () => database.close() };
}

/**
 * The test database through a pool of two connections (PGlite: its one). `inTwoTransactions` runs `ask` in
 * two transactions at once, each holding its connection: a read on the pool from inside either deadlocks
 * (on PGlite any such read does), and it then fails after 5 s instead of hanging. For code that
 * transactions call (issue 18: a rush froze the server so).
 */
export async function twoConnections(base: Database) {
  const small =
    driver === 'postgres'
      ? await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: '', poolSize: 2 })
      : base;
  type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];
  return {
    db: small.db,
    async inTwoTransactions<T>(ask: (tx: Tx) => Promise<T>): Promise<T[]> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const both = Promise.all(
        [1, 2].map(() =>
          small.db.transaction(async (tx) => {
            await tx.execute(sql`select 1`);
            await new Promise((r) => setTimeout(r, 50)); // both hold a connection before either asks
            return ask(tx);
          }),
        ),
      );
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('still waiting after 5 s: the pool is deadlocked')), 5_000);
      });
      return Promise.race([both, late]).finally(() => clearTimeout(timer));
    },
    close: () => (small === base ? Promise.resolve() : small.close()),
  };
}

/**
 * A database of its own for a test file whose server does database-wide things (short presence or
 * offline sweeps, several nodes) that would disturb the other files sharing the per-run database.
 */
export async function isolatedDatabase(): Promise<Database & { url: string; dispose(): Promise<void> }> {
  const base = new URL(inject('databaseUrl'));
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  const name = `fundi_iso_${Date.now()}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 20 });
  await database.migrate();
  return {
    ...database,
    url: url.toString(),
    dispose: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    HEARTBEAT_MS: '200',
    AUTH_RATE_LIMIT: '100000',
    DISPATCH_SWEEP_MS: '250',
    // Test technicians live at random spots on the globe (uniqueSpot): those pins count as Lagos.
    MARKET_FALLBACK: 'lagos',
    // Races fire dozens of creates at once on purpose; overload.test.ts sets its own small limit.
    SHED_CREATES_IN_FLIGHT: '10000',
    SHED_DISPATCH_BACKLOG: '100000',
    // A test worker shares two cores with PostgreSQL and other workers: its event loop's delay is not ours.
    SHED_LOOP_DELAY_MS: '0',
    SHED_CREATE_LATENCY_MS: '0',
    // Tests make many bookings per customer, sockets per user and calls per socket, all from 127.0.0.1;
    // transport/hardening.test.ts and the other issue-15 tests set their own small limits.
    BOOKING_CREATE_LIMIT: '1000000',
    BOOKING_CANCEL_LIMIT: '1000000',
    WS_MAX_SUBSCRIPTIONS: '10000',
    WS_MAX_SOCKETS_PER_IP: '1000000',
    WS_MAX_SOCKETS_PER_USER: '1000000',
    WS_CALLS_PER_SECOND: '1000000',
    STATIC_DIR: path.join(tmpdir(), 'fundi-no-static'),
    ...env,
  });
}

export type TestServer = {
  url: string;
  wsUrl: string;
  origin: string;
  config: Config;
  services: Services;
  database: Database;
  close(): Promise<void>;
};

export async function startTestServer(
  env: Record<string, string> = {},
  opts: {
    dispatch?: boolean;
    isolated?: boolean;
    /** A database of the caller's (migrated), disposed of on close. */
    database?: Database & { dispose(): Promise<void> };
  } = {},
): Promise<TestServer> {
  setLogLevel('error');
  const config = testConfig(env);
  const database = opts.database ?? (opts.isolated ? await isolatedDatabase() : await testDatabase());
  await seedCatalog(database.db);
  const services = createServices(database, config);
  if (opts.dispatch !== false) await services.start();
  return serve(config, services, database, () => database.dispose());
}

/** Redis for cluster-mode tests. */
export const testRedisUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One node of a cluster in this process: its own services, Redis connections and uWS app, on a database
 * the nodes share (as several machines would; closing the node leaves the database open).
 */
export async function startTestNode(
  database: Database,
  nodeId: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  setLogLevel('error');
  const config = testConfig({ REDIS_URL: testRedisUrl(), NODE_ID: nodeId, ...env });
  const services = createServices(database, config, await connectCluster(config));
  await services.start();
  return serve(config, services, database, async () => {});
}

/** The uWS app on a free port; `close` stops it, then the services, then `dispose`. */
async function serve(
  config: Config,
  services: Services,
  database: Database,
  dispose: () => Promise<void>,
): Promise<TestServer> {
  const server = await startServer(config, services, database);
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    wsUrl: `ws://127.0.0.1:${server.port}/trpc`,
    origin: url,
    config,
    services,
    database,
    async close() {
      await server.close();
      await services.stop();
      await dispose();
    },
  };
}

let seq = 0;
export const uniqueEmail = (tag = 'user') => `${tag}.${Date.now()}.${process.pid}.${++seq}@test.fundi.app`;

/** An outside developer's client: only @trpc/client, HTTP batching, and a bearer token. */
export function httpClient(server: TestServer, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${server.url}/trpc`,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

/** The same over tRPC's WebSocket protocol, authenticating with `connectionParams: { token }`. */
export function wsClient(server: TestServer, token?: string) {
  const ws = createWSClient({
    url: server.wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: token ? { token } : null,
    retryDelayMs: () => 100,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return { client, ws, close: () => ws.close() };
}
