// The floor for bench/rush.ts: PostgreSQL's own TPC-B-like rate on this machine (pgbench, scale 10,
// 8 clients, 2 threads), on a throw-away database of its own that is dropped again at once.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export type PgbenchResult = {
  binary: string;
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  /** Transactions per second, without the initial connection time. */
  tps: number;
  latencyAverageMs: number | null;
  transactions: number | null;
};

function pgbenchBinary(): string {
  const candidates = [process.env.PGBENCH, '/usr/lib/postgresql/15/bin/pgbench'].filter((c): c is string =>
    Boolean(c),
  );
  return candidates.find((c) => existsSync(c)) ?? 'pgbench';
}

export async function runPgbench(
  adminUrl: string,
  opts: { scale: number; clients: number; threads: number; seconds: number },
): Promise<PgbenchResult> {
  const binary = pgbenchBinary();
  const url = new URL(adminUrl);
  const name = `fundi_rush_pgbench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const env = {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
  try {
    await admin.unsafe(`create database "${name}"`);
    await run(binary, ['-i', '-q', '-s', String(opts.scale), name], { env, maxBuffer: 16 << 20 });
    const { stdout } = await run(
      binary,
      ['-c', String(opts.clients), '-j', String(opts.threads), '-T', String(opts.seconds), name],
      { env, maxBuffer: 16 << 20 },
    );
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${stdout}`);
    const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
    const transactions = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1];
    return {
      binary,
      ...opts,
      tps,
      latencyAverageMs: latency ? Number(latency) : null,
      transactions: transactions ? Number(transactions) : null,
    };
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  }
}
