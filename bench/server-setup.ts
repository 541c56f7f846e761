// What the benchmark's server children (bench/servers.ts, bench/tracking-servers.ts) share: one
// configuration, so only the transport under test differs, and the database bench/*.ts created.
import { type Database, openDatabase } from '../db/client';
import { type Config, loadConfig } from '../server/config';

export function benchConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    // Sign-up/sign-in are rate limited per IP and every bench request comes from 127.0.0.1.
    AUTH_RATE_LIMIT: '1000000000',
    // The load sends fixes faster than any phone (bench/tracking-leak.ts: 5000 in a row from one
    // technician); the limiter still counts every call, it just never says no.
    TRACKING_RATE_LIMIT: '1000000000',
    // Thousands of sockets from 127.0.0.1, many viewers signed in as one user, open-loop fixes per socket:
    // the caps still count (issue 15 §1), they just never say no here.
    WS_MAX_SOCKETS_PER_IP: '1000000',
    WS_MAX_SOCKETS_PER_USER: '1000000',
    WS_CALLS_PER_SECOND: '1000000',
    BOOKING_CREATE_LIMIT: '1000000',
    BOOKING_CANCEL_LIMIT: '1000000',
    // No built client is needed: the benchmarks never ask for static files.
    STATIC_DIR: './dist',
    // Cluster runs (bench/redis.ts): the parent names the Redis and this node; unset for one process.
    // Not REDIS_URL/NODE_ID themselves, so a REDIS_URL in the shell never turns a single-node phase into a node.
    REDIS_URL: process.env.BENCH_CHILD_REDIS_URL || undefined,
    NODE_ID: process.env.BENCH_CHILD_NODE_ID || undefined,
    ...extra,
  });
}

/** The throw-away database the parent benchmark created and passed in BENCH_DATABASE_URL. */
export function openBenchDatabase(config: Config): Promise<Database> {
  if (!config.databaseUrl) throw new Error('BENCH_DATABASE_URL is not set (the bench/*.ts parent sets it)');
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
}
