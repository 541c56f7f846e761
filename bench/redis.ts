// The Redis that a benchmark's cluster nodes share (bench/tracking-cluster.ts, bench/api-cluster.ts).
//
// By default a private `redis-server` on a free loopback port, started for the run and stopped with it:
// Fundi's channels (`fundi:fixes`, …) are global to a Redis server, whatever its database number, so
// thousands of benchmark fixes per second on a shared Redis would reach every other Fundi node using it
// (another engineer's cluster tests), and theirs ours; its CPU is then ours alone too.
//   BENCH_REDIS_URL=redis://…   use that Redis instead (its CPU is read only if it runs on this machine)
//   BENCH_REDIS=shared          use REDIS_URL, else redis://127.0.0.1:6379, instead of a private one
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { processCpuSeconds } from './cpu';

export type BenchRedis = {
  url: string;
  /** redis-server's pid (INFO server), when it runs on this machine; null otherwise. */
  pid: number | null;
  private: boolean;
  /** CPU-seconds redis-server has used so far (all threads), NaN when unknown. */
  cpuSeconds(): number;
  /** Counters for a phase report: commands processed and pub/sub channels, from INFO. */
  info(): Promise<{ commands: number; channels: number }>;
  describe: string;
};

const redact = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

function findRedisServer(): string | null {
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(path.delimiter)]) {
    const file = path.join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A client that fails fast (no retries, no offline queue): for checks, INFO and nothing else. */
function probe(url: string) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  return { redis, lastError: () => lastError };
}

async function infoSection(url: string, section: string): Promise<Record<string, string>> {
  const { redis, lastError } = probe(url);
  try {
    await redis.connect();
    const text = await redis.info(section);
    return Object.fromEntries(
      text
        .split(/\r?\n/)
        .filter((l) => l.includes(':') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
    );
  } catch (e) {
    const reason = (lastError() ?? (e as Error)).message;
    throw new Error(
      `Redis unreachable at ${redact(url)} (${reason}).\n` +
        '  The two-node runs need Redis: install redis-server (apt-get install -y redis-server) for a private one,\n' +
        '  or set BENCH_REDIS_URL to a reachable Redis; or leave the cluster section out (BENCH_SECTIONS=… without cluster).',
    );
  } finally {
    redis.disconnect();
  }
}

async function describeRedis(url: string, isPrivate: boolean): Promise<BenchRedis> {
  const server = await infoSection(url, 'server');
  const host = new URL(url).hostname;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  const pid = local && server.process_id ? Number(server.process_id) : null;
  const readable = pid !== null && processCpuSeconds(pid) !== null;
  return {
    url,
    pid: readable ? pid : null,
    private: isPrivate,
    cpuSeconds: () => (readable ? (processCpuSeconds(pid!) ?? Number.NaN) : Number.NaN),
    async info() {
      const stats = await infoSection(url, 'stats').catch(() => ({}) as Record<string, string>);
      return {
        commands: Number((stats as Record<string, string>).total_commands_processed ?? Number.NaN),
        channels: Number((stats as Record<string, string>).pubsub_channels ?? Number.NaN),
      };
    },
    describe:
      `${isPrivate ? 'private ' : ''}redis-server ${server.redis_version ?? '?'} at ${redact(url)}` +
      (readable
        ? ` (pid ${pid}, CPU from /proc)`
        : ' (its CPU is not measured: not on this machine or unreadable)'),
  };
}

/** The Redis for this run (see the header); what to undo goes onto `cleanups`. */
export async function startBenchRedis(cleanups: Array<() => Promise<void>>): Promise<BenchRedis> {
  if (process.env.BENCH_REDIS_URL) return describeRedis(process.env.BENCH_REDIS_URL, false);
  const binary = process.env.BENCH_REDIS === 'shared' ? null : findRedisServer();
  if (!binary) {
    const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    if (process.env.BENCH_REDIS !== 'shared')
      console.log(
        `  (no redis-server binary for a private Redis: using ${redact(url)}, shared; other Fundi nodes on it would see the benchmark's fixes)`,
      );
    return describeRedis(url, false);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `redis-server exited at start (code ${child.exitCode}): ${stderr.trim().slice(0, 300)}`,
      );
    try {
      return await describeRedis(url, true);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
