// Live-tracking benchmark: `npm run bench:tracking`. Not a test: it prints a table and writes
// bench/results/tracking-<ISO>.json (git-ignored).
//
//   ingest   fixes over the tRPC WebSocket (`tracking.update`, one fix per call, acknowledged) from
//            technician connections: Fundi (uWS) vs the same router on tRPC's `ws` adapter vs Socket.IO
//            doing the same validation + ingest with an ack. Open loop at fixed rates per connection,
//            then closed loop (the maximum).
//   fanout   technicians × 3 viewers plus a few hot technicians × 100 viewers, viewers on
//            `tracking.watch` for bookings assigned to them: deliveries per server CPU-second and
//            send→receive latency; vs Socket.IO rooms (one per technician); also tRPC's `ws` adapter.
//   memory   server RSS per connected viewer with a live `tracking.watch` subscription (measured on a
//            fresh server at the start of the fan-out section).
//   nearest  nearest-10 available technicians for a service: the in-memory grid index under position
//            updates vs PostGIS KNN at 4 clients, both checked against brute force.
//   cluster  the fan-out workload on one Fundi node vs two nodes sharing PostgreSQL and Redis
//            (technicians on A, viewers on B; and split at random): deliveries per server CPU-second
//            over both nodes, and the latency Redis adds (bench/tracking-cluster.ts, bench/redis.ts).
//
// Environment (all optional):
//   BENCH_SCALE=1             multiplies connection counts and the index size (0.2 for a quick run)
//   BENCH_DURATION=8          seconds measured per phase, after BENCH_WARMUP=2 seconds of warm-up
//   BENCH_SECTIONS=ingest,fanout,nearest,cluster
//   BENCH_CLUSTER_SCENARIOS=one,one-redis,a-to-b,mixed   BENCH_CLUSTER_RATES=1,4   (see bench/tracking-cluster.ts)
//   BENCH_REDIS_URL / BENCH_REDIS=shared   the cluster section's Redis (default: a private redis-server; bench/redis.ts)
//   BENCH_INGEST_RATES=2.5,5,10,20        fixes/s per technician connection, open loop (stops rising
//                                         once a server saturates)
//   BENCH_INGEST_TARGET_RUNS=5   consecutive Fundi runs judged against issue 15 §7's ingest target
//   BENCH_INGEST_TARGET_RATE  fixes/s per connection of those runs (default: the best Fundi stage of the sweep)
//   BENCH_INGEST_SERVERS=fundi,trpcws,socketio   BENCH_FANOUT_SERVERS=fundi,socketio,trpcws,uwsfloor (uwsfloor: the minimal validate-and-publish server on uWS, the floor of issue 15 §7)
//   BENCH_FANOUT_RATES=1,4    fixes/s per technician in the fan-out test
//   BENCH_QUIET_WAIT=20       seconds a phase may wait for the (shared) machine to go idle first (0: never)
//   BENCH_RETRIES=2           re-runs of a phase during which other processes took > 10 % of a core
//   BENCH_SERVER_NODE_OPTIONS extra node flags for the server children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
//   BENCH_PG_IDLE=0           PostgreSQL at normal priority (default: the bench database's backends idle-class, and
//                             every PostgreSQL process at nice 19 until the end: see deprioritisePostgres, nicePostgres)
//   BENCH_PG_CPU=1            (default) the bench database's PostgreSQL backends on CPU 1 (the load generator's), off the
//                             server's core, as well as idle-class (BENCH_PG_CPU= empty: unpinned). In production the
//                             database is on another host; here, on the server's core, its flush statements and their
//                             cache misses landed in the server's figures: ingest at 5,000 fixes/s met issue 15 §7's
//                             target in 3 of 5 runs unpinned (one run at 16k fixes/CPU-s), 5 of 5 pinned (2026-11-30)
//   BENCH_FANOUT_ROUNDS=3     fan-out sections run this many times, servers alternating; judged on the median round
//   BENCH_CPU_PROFILE=<dir>  a V8 CPU profile of each fan-out window, written there (bench/cpuprofile-summary.ts reads it)
//   BENCH_HEAP_SNAPSHOTS=1   heap snapshots (os.tmpdir()) around the memory phase, for bench/heap-diff.ts
//   BENCH_TRACKING_FLUSH_MS   the servers' TRACKING_FLUSH_MS (diagnostics: 60000 ≈ no PostGIS flush during a phase)
//   BENCH_STEP_METERS=2       metres each technician moves per fix (the server writes a position 25 m from the stored one)
//   TEST_DATABASE_URL / DATABASE_URL   PostgreSQL where the throw-away database is created
//
// Server children (bench/tracking-servers.ts) run on CPU 0 (taskset), this process — the load
// generator — on CPU 1, with the servers' GC flags (package.json's bench scripts): with V8's defaults its
// own scavenges paused it for 5–15 ms every ~0.7 s (--trace-gc), and every reply that landed meanwhile
// carried the pause. Ingest p99 at 5,000 fixes/s without them: 3.4–7.7 ms (2 of 5 runs under 5 ms);
// with them: 3.7–4.1 ms (3 of 3); generator loop max 30 → 10 ms (2026-11-30). Server CPU time comes
// from /proc/<pid>/stat. PostgreSQL's bench backends share CPU 1 (BENCH_PG_CPU).
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type WebSocket from 'ws';
import { seedCatalog } from '../db/seed/catalog';
import { createCleanup } from './cleanup';
import {
  deprioritisePostgres,
  machineCpuSeconds,
  nicePostgres,
  type Pinning,
  pinLoadGeneratorToCpu1,
  postgresCpuByPid,
  processCpuTimes,
  sumIncrease,
} from './cpu';
import { createMigratedDatabase } from './database';
import { startBenchRedis } from './redis';
import {
  type ClusterRow,
  clusterScenarios,
  clusterSection,
  clusterTargets,
  printClusterTable,
} from './tracking-cluster';
import {
  eachLimited,
  fixInput,
  fixMessage,
  Histogram,
  Mover,
  median,
  openSocket,
  type Protocol,
  parseReply,
  sleep,
  watchMessage,
} from './tracking-load';
import { type NearestReport, runNearest } from './tracking-nearest';
import { prng, type SeededJob, type SeededTechnician, seedJobs, seedTechnicians } from './tracking-setup';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAGOS = { lat: 6.5244, lng: 3.3792 };

function num(name: string, fallback: number): number {
  const v = process.env[name];
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}
function list<T extends string>(name: string, fallback: T[], allowed?: readonly T[]): T[] {
  const v = process.env[name];
  if (!v) return fallback;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as T[];
  if (allowed) {
    const bad = items.filter((i) => !allowed.includes(i));
    if (bad.length) throw new Error(`${name}: unknown ${bad.join(', ')} (allowed: ${allowed.join(', ')})`);
  }
  return items;
}
const numbers = (name: string, fallback: number[]) =>
  list(name, fallback.map(String)).map((s) => {
    const n = Number(s);
    if (!(n > 0)) throw new Error(`${name}: ${s} is not a positive number`);
    return n;
  });

const serverKinds = ['fundi', 'trpcws', 'socketio', 'uwsfloor'] as const;
type ServerKind = (typeof serverKinds)[number];
const scale = num('BENCH_SCALE', 1) || 1;
const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * scale));

// See BENCH_PG_CPU above: an explicitly empty value leaves PostgreSQL unpinned.
process.env.BENCH_PG_CPU ??= '1';

const settings = {
  scale,
  durationSeconds: num('BENCH_DURATION', 8) || 8,
  warmupSeconds: num('BENCH_WARMUP', 2),
  quietWaitSeconds: num('BENCH_QUIET_WAIT', 20),
  /** A phase during which other processes used more than this share of one core is run again… */
  noiseLimit: 0.1,
  /** …up to this many times; the least noisy run is kept. */
  retries: num('BENCH_RETRIES', 2),
  sections: list(
    'BENCH_SECTIONS',
    ['ingest', 'fanout', 'nearest', 'cluster'],
    ['ingest', 'fanout', 'nearest', 'cluster'],
  ),
  ingest: {
    connections: scaled(2000, 10),
    ratesPerConnection: numbers('BENCH_INGEST_RATES', [2.5, 5, 10, 20]),
    /** Calls in flight per connection in the closed-loop phase. */
    closedLoopDepth: 1,
    /** Open loop: a connection with this many unanswered calls skips its turn (counted). */
    inflightCap: 64,
    servers: list('BENCH_INGEST_SERVERS', ['fundi', 'trpcws', 'socketio'], serverKinds),
    /** Issue 15 §7: the ingest target must hold in this many consecutive runs (5 of 5). */
    targetRuns: Math.max(1, Math.round(num('BENCH_INGEST_TARGET_RUNS', 5) || 5)),
    /** Per connection; 0: the sweep's best Fundi stage with p99 < 5 ms (else its highest unsaturated one). */
    targetRatePerConnection: num('BENCH_INGEST_TARGET_RATE', 0),
  },
  fanout: {
    technicians: scaled(2000, 10),
    viewersPerTechnician: 3,
    hotTechnicians: scaled(5),
    viewersPerHotTechnician: 100,
    ratesPerTechnician: numbers('BENCH_FANOUT_RATES', [1, 4]),
    // uwsfloor: the minimal validate-and-publish server on uWS (the floor Fundi's fan-out target is judged against).
    servers: list('BENCH_FANOUT_SERVERS', ['fundi', 'socketio', 'trpcws', 'uwsfloor'], serverKinds),
    /**
     * The whole section this many times, the servers alternating in each round. On this shared machine the
     * floor's own figure moved between 26k and 63k deliveries/CPU-s from one run to the next (2026-11-30),
     * more than the gap being judged; the target is judged on the median round, every round printed.
     */
    rounds: Math.max(1, Math.round(num('BENCH_FANOUT_ROUNDS', 3) || 3)),
  },
  cluster: {
    scenarios: list('BENCH_CLUSTER_SCENARIOS', [...clusterScenarios], clusterScenarios),
    ratesPerTechnician: numbers('BENCH_CLUSTER_RATES', [1, 4]),
  },
  // Most of the fan-out viewers, in 6 steps: RSS moves in pages and arenas, so a longer run of points gives a steadier slope.
  memory: { viewers: scaled(6000, 50), steps: 6 },
  /** BENCH_HEAP_SNAPSHOTS=1: the servers write a heap snapshot before and after the memory phase's viewers. */
  heapSnapshots: process.env.BENCH_HEAP_SNAPSHOTS === '1',
  cpuProfileDir: process.env.BENCH_CPU_PROFILE ?? '',
  nearest: {
    technicians: scaled(100_000, 10_000),
    services: 20,
    updatesPerSecond: 25_000,
    seconds: num('BENCH_DURATION', 8) || 8,
    pgClients: 4,
    verifySamples: 200,
    radiusMeters: 10_000,
    centre: LAGOS,
    areaRadiusMeters: 20_000,
  },
  poolSize: 10,
  /** BENCH_PG_IDLE=0 leaves PostgreSQL at normal priority (see deprioritisePostgres, nicePostgres). */
  idlePostgres: process.env.BENCH_PG_IDLE !== '0',
};

const fanoutConnections =
  settings.fanout.technicians * (1 + settings.fanout.viewersPerTechnician) +
  settings.fanout.hotTechnicians * (1 + settings.fanout.viewersPerHotTechnician);
if (fanoutConnections > 9_000)
  throw new Error(`fan-out would open ${fanoutConnections} connections (limit 9000): lower BENCH_SCALE`);
settings.memory.viewers = Math.min(
  settings.memory.viewers,
  fanoutConnections - settings.fanout.technicians - settings.fanout.hotTechnicians,
);

// ---------------------------------------------------------------------------------------------
// Cleanup: children, sockets and the database go away on success, failure and Ctrl-C alike.

const { cleanups, cleanup } = createCleanup();

// ---------------------------------------------------------------------------------------------
// Database.

type BenchDatabase = { name: string; url: string; sql: postgres.Sql };

async function createBenchDatabase(): Promise<BenchDatabase> {
  const { name, url } = await createMigratedDatabase('fundi_benchtrk', cleanups, (database) =>
    seedCatalog(database.db),
  );
  const sql = postgres(url, {
    max: settings.nearest.pgClients + 1,
    onnotice: () => {},
    connection: { application_name: 'fundi-bench' },
  });
  cleanups.push(() => sql.end({ timeout: 5 }));
  return { name, url, sql };
}

// ---------------------------------------------------------------------------------------------
// Server children.

/** `profile-start` / `profile-stop`: a V8 CPU profile of the measured window (BENCH_CPU_PROFILE=<dir>). */
type ServerCommand = 'mem' | 'stats' | 'snapshot' | 'profile-start' | 'profile-stop';
export type ServerProcess = {
  kind: ServerKind;
  pid: number;
  port: number;
  uws: string;
  request<T>(command: ServerCommand): Promise<T>;
  stop(): Promise<void>;
  /** Server log lines (warnings, errors) seen so far. */
  logLines: string[];
};

async function spawnServer(
  kind: ServerKind,
  databaseUrl: string,
  pinning: Pinning,
  /** Cluster nodes: BENCH_CHILD_REDIS_URL and BENCH_CHILD_NODE_ID (bench/tracking-cluster.ts). */
  env: Record<string, string> = {},
  label: string = kind,
): Promise<ServerProcess> {
  const extra = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = [
    '--expose-gc',
    // As `npm start` (see package.json), for all three servers: a 32 MB young generation (V8's default
    // is 16) and no allocation-site pretenuring. With pretenuring, V8 moved the per-message allocation
    // sites (message text, parsed JSON) to old space after warm-up: about 3 MB promoted per scavenge and
    // 8–12 ms scavenge pauses at 10k fixes/s, which made the ingest p99; without it, 2–4 ms.
    '--max-semi-space-size=32',
    '--no-allocation-site-pretenuring',
    // The server has one core here (taskset): V8's GC helper threads would take it from the main thread
    // for up to ~20 ms at a time (perf sched_switch trace). On one core, GC work is better done inline.
    // Fan-out p99 at 4 fixes/s: 18–75 ms with it vs 63–160 ms without (noisy machine, 3+ runs each).
    '--single-threaded-gc',
    ...extra,
    '--import',
    'tsx',
    path.join(root, 'bench/tracking-servers.ts'),
    kind,
  ];
  const [command, args] = pinning.enabled
    ? ['taskset', ['-c', '0', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_POOL_SIZE: String(settings.poolSize),
      BENCH_CHILD_REDIS_URL: '',
      BENCH_CHILD_NODE_ID: '',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const undo = () => stopChild(child);
  cleanups.push(undo);
  const logLines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    logLines.push(line);
    if (logLines.length <= 10) console.error(`    [${label}] ${line.slice(0, 300)}`);
    else if (logLines.length === 11)
      console.error(`    [${label}] … (further server log lines counted, not shown)`);
  });
  const waiters = new Map<string, Array<(v: unknown) => void>>();
  const ready = await new Promise<{ port: number; pid: number; uws: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} server did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${label} server exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        console.log(`    [${label}] ${line}`);
        return;
      }
      if (msg.ready) {
        clearTimeout(timer);
        resolve(msg as { port: number; pid: number; uws: string });
        return;
      }
      for (const key of ['mem', 'stats', 'snapshot', 'profile-start', 'profile-stop']) {
        if (key in msg) waiters.get(key)?.shift()?.(msg[key]);
      }
    });
  });
  return {
    kind,
    ...ready,
    logLines,
    request<T>(cmd: ServerCommand) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: no answer to ${cmd}`)), 30_000);
        const list = waiters.get(cmd) ?? [];
        list.push((v) => {
          clearTimeout(timer);
          resolve(v as T);
        });
        waiters.set(cmd, list);
        child.stdin!.write(`${cmd}\n`);
      });
    },
    async stop() {
      await stopChild(child);
      const i = cleanups.indexOf(undo);
      if (i >= 0) cleanups.splice(i, 1);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Every socket the load generator opened, so a failure or Ctrl-C closes them all. */
const openSockets = new Set<WebSocket>();
cleanups.push(async () => closeAll([...openSockets]));
function closeAll(sockets: WebSocket[]) {
  for (const ws of sockets) {
    openSockets.delete(ws);
    ws.terminate();
  }
}

/**
 * Sockets the server closed while the benchmark still counted on them (a cap, a rate limit, backpressure):
 * a phase that lost any is an error, never a quiet measurement of fewer connections.
 */
const lostSockets = { count: 0, first: '' };
function trackSocket(ws: WebSocket, what: string) {
  openSockets.add(ws);
  ws.on('close', (code: number, reason: Buffer) => {
    if (!openSockets.delete(ws)) return; // closed by closeAll
    lostSockets.count++;
    lostSockets.first ||= `${what} socket closed by the server: ${code} ${reason.toString().slice(0, 200)}`;
  });
}
function assertNoLostSockets(when: string) {
  if (lostSockets.count === 0) return;
  throw new Error(
    `${lostSockets.count} sockets were closed by the server ${when} (first: ${lostSockets.first}); ` +
      'every configured connection must stay connected (see benchConfig in bench/server-setup.ts for the caps it lifts)',
  );
}

// ---------------------------------------------------------------------------------------------
// CPU accounting per phase.

type CpuSnapshot = {
  server: number;
  serverSystem: number;
  postgres: Map<number, number>;
  client: NodeJS.CpuUsage;
  machine: ReturnType<typeof machineCpuSeconds>;
  at: number;
};
export type CpuUse = {
  seconds: number;
  server: number;
  /** The kernel part of `server` (socket syscalls). */
  serverSystem: number;
  postgres: number;
  client: number;
  /** CPU-s used on the machine by processes that are not part of the benchmark (a shared machine). */
  other: number;
  machineBusyPercent: number;
  clientCorePercent: number;
};

let databaseName = '';
function cpuSnapshot(pid: number): CpuSnapshot {
  const times = processCpuTimes(pid);
  return {
    server: times ? times.user + times.system : Number.NaN,
    serverSystem: times?.system ?? Number.NaN,
    postgres: postgresCpuByPid(databaseName),
    client: process.cpuUsage(),
    machine: machineCpuSeconds(),
    at: performance.now(),
  };
}
function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const client = (b.client.user - a.client.user + b.client.system - a.client.system) / 1e6;
  const server = b.server - a.server;
  const pg = sumIncrease(a.postgres, b.postgres);
  const busy = b.machine.busy - a.machine.busy;
  const other = Math.max(
    0,
    busy -
      (b.machine.interrupts - a.machine.interrupts) -
      (b.machine.steal - a.machine.steal) -
      server -
      pg -
      client,
  );
  return {
    seconds,
    server,
    serverSystem: b.serverSystem - a.serverSystem,
    postgres: pg,
    client,
    other,
    machineBusyPercent: (busy / (b.machine.total - a.machine.total)) * 100,
    clientCorePercent: (client / seconds) * 100,
  };
}

/** Waits (at most BENCH_QUIET_WAIT s) for two seconds in a row with the machine under 20 % busy. */
async function waitForQuietMachine(): Promise<number> {
  const started = performance.now();
  let quietSeconds = 0;
  while ((performance.now() - started) / 1000 < settings.quietWaitSeconds) {
    const before = machineCpuSeconds();
    await sleep(1000);
    const after = machineCpuSeconds();
    quietSeconds = (after.busy - before.busy) / (after.total - before.total) < 0.2 ? quietSeconds + 1 : 0;
    if (quietSeconds >= 2) break;
  }
  return (performance.now() - started) / 1000;
}

/**
 * Runs a measured phase after waiting for a quiet machine; when other processes still took more than
 * `noiseLimit` of a core during it, runs it again (up to `retries` times) and keeps the least noisy.
 */
async function leastNoisy<
  T extends { cpu: { seconds: number; other: number }; waitedForQuietSeconds: number; attempts: number },
>(measure: (waited: number) => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let attempt = 1; attempt <= settings.retries + 1; attempt++) {
    const waited = settings.quietWaitSeconds ? await waitForQuietMachine() : 0;
    if (settings.idlePostgres) deprioritisePostgres(databaseName);
    const r = await measure(waited);
    r.attempts = attempt;
    if (!best || r.cpu.other < best.cpu.other) best = r;
    if (r.cpu.other <= settings.noiseLimit * r.cpu.seconds) break;
    if (attempt <= settings.retries)
      console.log(
        `      (noisy: other processes used ${r.cpu.other.toFixed(1)} CPU-s in ${r.cpu.seconds.toFixed(0)} s; again)`,
      );
  }
  return best!;
}

const noiseText = (cpu: CpuUse, waited: number) =>
  `${waited >= 2 ? `  (waited ${waited.toFixed(0)} s for a quiet machine)` : ''}` +
  `${cpu.other > settings.noiseLimit * cpu.seconds ? `  NOISE other ${cpu.other.toFixed(1)} CPU-s` : ''}`;

// ---------------------------------------------------------------------------------------------
// Technician connections (ingest and fan-out senders).

const MASK = (1 << 20) - 1;
/** Send time of each call by id (ids are global and increasing; a call never lives for 2^20 ids). */
const sendTimes = new Float64Array(MASK + 1);
let nextId = 1;

export type TechConn = {
  ws: WebSocket;
  proto: Protocol;
  mover: Mover;
  inflight: number;
  /** Fan-out: viewers of this technician and the send time of each fix by its recordedAt. */
  viewers: number;
  sent: Map<string, number> | null;
};

export type CallPhase = {
  running: boolean;
  closedLoop: boolean;
  windowStart: number;
  windowEnd: number;
  sent: number;
  acked: number;
  rejected: number;
  errors: number;
  skipped: number;
  /** Fan-out: deliveries expected from the fixes sent in the window. */
  expected: number;
  hist: Histogram;
  firstError: string | null;
  /** The load generator's own event-loop delay in the window: a latency floor it adds to every reading. */
  generatorLoopMs: { p99: number; max: number };
};
let callPhase: CallPhase | null = null;

function newCallPhase(closedLoop: boolean): CallPhase {
  return {
    running: true,
    closedLoop,
    windowStart: Number.POSITIVE_INFINITY,
    windowEnd: Number.POSITIVE_INFINITY,
    sent: 0,
    acked: 0,
    rejected: 0,
    errors: 0,
    skipped: 0,
    expected: 0,
    hist: new Histogram(0.01, 10_000),
    firstError: null,
    generatorLoopMs: { p99: Number.NaN, max: Number.NaN },
  };
}

function sendFix(c: TechConn) {
  const id = nextId++;
  const f = c.mover.next();
  const now = performance.now();
  sendTimes[id & MASK] = now;
  c.inflight++;
  if (c.sent) {
    c.sent.set(f.iso, now);
    if (c.sent.size > 512) c.sent.delete(c.sent.keys().next().value!);
  }
  c.ws.send(fixMessage(c.proto, id, fixInput(f.lat, f.lng, f.iso)));
  const p = callPhase;
  if (p && now >= p.windowStart && now < p.windowEnd) {
    p.sent++;
    p.expected += c.viewers;
  }
}

/**
 * One position stream per technician for the whole run: the next server loads the last position the
 * previous one persisted, so restarting the walk from the seed point would look like a jump (rejected
 * as implausible speed) and going back in time (rejected as stale/duplicate).
 */
const movers = new Map<string, Mover>();
function moverFor(t: SeededTechnician, i: number) {
  let m = movers.get(t.id);
  if (!m) {
    m = new Mover(t.at, prng(i + 1));
    movers.set(t.id, m);
  }
  return m;
}

async function openTechnicians(
  proto: Protocol,
  port: number,
  techs: SeededTechnician[],
  viewers: (i: number) => number,
  trackSends: boolean,
): Promise<TechConn[]> {
  const conns: TechConn[] = new Array(techs.length);
  const firstReplies: Array<Promise<string | null>> = [];
  await eachLimited(techs, 100, async (t, i) => {
    let first: ((error: string | null) => void) | null = null;
    firstReplies[i] = new Promise((resolve) => {
      first = resolve;
    });
    const conn: TechConn = {
      ws: null as unknown as WebSocket,
      proto,
      mover: moverFor(t, i),
      inflight: 0,
      viewers: viewers(i),
      sent: trackSends ? new Map() : null,
    };
    conn.ws = await openSocket(proto, port, t.token, (text) => {
      const reply = parseReply(proto, text);
      if (!reply) return;
      conn.inflight--;
      if (first) {
        first(reply.error ? text.slice(0, 300) : null);
        first = null;
        return;
      }
      const p = callPhase;
      if (!p) return;
      const sentAt = sendTimes[reply.id & MASK]!;
      if (sentAt >= p.windowStart && sentAt < p.windowEnd) {
        p.acked++;
        if (reply.error) {
          p.errors++;
          p.firstError ??= text.slice(0, 300);
        } else if (!reply.accepted) p.rejected++;
        p.hist.record(performance.now() - sentAt);
      }
      if (p.closedLoop && p.running) sendFix(conn);
    });
    trackSocket(conn.ws, 'technician');
    conns[i] = conn;
    // A first fix per connection: authenticates the socket end to end before any timing starts.
    sendFix(conn);
  });
  // A socket the server closed before answering never replies: bounded, and reported as what it is.
  const answered = await Promise.race([Promise.all(firstReplies), sleep(30_000).then(() => null)]);
  if (!answered) {
    assertNoLostSockets(`while ${techs.length} technicians connected`);
    throw new Error('technician sockets did not answer their first fix within 30 s');
  }
  const errors = answered.filter(Boolean);
  if (errors.length)
    throw new Error(`${errors.length} technician sockets failed their first fix: ${errors[0]}`);
  assertNoLostSockets(`while ${techs.length} technicians connected`);
  return conns;
}

/** Drives `conns` for warm-up + duration (open loop at `rate` fixes/s in total, or closed loop). */
async function drive(
  conns: TechConn[],
  mode: { kind: 'open'; rate: number } | { kind: 'closed'; depth: number },
  pid: number,
  window: { start?(at: number): void; end?(at: number): void } = {},
): Promise<{ phase: CallPhase; cpu: CpuUse }> {
  const p = newCallPhase(mode.kind === 'closed');
  callPhase = p;
  const t0 = performance.now();
  if (mode.kind === 'closed') {
    for (const c of conns) for (let k = 0; k < mode.depth; k++) sendFix(c);
  } else {
    let scheduled = 0;
    let rr = 0;
    const tick = () => {
      if (!p.running) return;
      const due = Math.floor(((performance.now() - t0) / 1000) * mode.rate);
      while (scheduled < due) {
        scheduled++;
        const c = conns[rr++ % conns.length]!;
        if (c.inflight >= settings.ingest.inflightCap) {
          if (performance.now() >= p.windowStart) p.skipped++;
          continue;
        }
        sendFix(c);
      }
      setTimeout(tick, 1);
    };
    tick();
  }
  await sleep(settings.warmupSeconds * 1000);
  const before = cpuSnapshot(pid);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  p.windowStart = performance.now();
  window.start?.(p.windowStart);
  await sleep(settings.durationSeconds * 1000);
  p.windowEnd = performance.now();
  window.end?.(p.windowEnd);
  loop.disable();
  // Minus the 1 ms sampling interval: the delay beyond it.
  p.generatorLoopMs = { p99: loop.percentile(99) / 1e6 - 1, max: loop.max / 1e6 - 1 };
  const after = cpuSnapshot(pid);
  p.running = false;
  // Let the calls still in flight land (their latency counts if they were sent in the window).
  const drainUntil = performance.now() + 15_000;
  while (conns.some((c) => c.inflight > 0) && performance.now() < drainUntil) await sleep(20);
  callPhase = null;
  assertNoLostSockets('during a measured phase');
  if (p.sent > 0 && p.acked === 0)
    throw new Error(`${p.sent} fixes sent in the window and none answered: nothing was measured`);
  return { phase: p, cpu: cpuBetween(before, after) };
}

// ---------------------------------------------------------------------------------------------
// Ingest.

type IngestRow = {
  server: ServerKind;
  mode: 'open' | 'closed';
  connections: number;
  offeredPerSecond: number | null;
  ackedPerSecond: number;
  fixesPerServerCpuSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  generatorLoopMs: { p99: number; max: number };
  acked: number;
  rejected: number;
  errors: number;
  skipped: number;
  firstError: string | null;
  cpu: CpuUse;
  waitedForQuietSeconds: number;
  attempts: number;
  saturated: boolean;
};

/** Issue 15 §7's ingest target: at least this many fixes per server CPU-second… */
const INGEST_TARGET_PER_CPU_SECOND = 25_000;
/** …with a p99 under this (ms), in every one of `settings.ingest.targetRuns` consecutive runs. */
const INGEST_TARGET_P99_MS = 5;
const ingestRunMet = (r: IngestRow) =>
  r.fixesPerServerCpuSecond >= INGEST_TARGET_PER_CPU_SECOND &&
  r.latencyMs.p99 < INGEST_TARGET_P99_MS &&
  r.errors === 0;

async function ingestSection(db: BenchDatabase, techs: SeededTechnician[], pinning: Pinning) {
  const rows: IngestRow[] = [];
  /** Fundi's consecutive runs at one rate, judged against the target one by one. */
  const targetRuns: IngestRow[] = [];
  const logs: Record<string, string[]> = {};
  for (const kind of settings.ingest.servers) {
    console.log(`\n  ${kind}: starting, ${techs.length} technician connections…`);
    const server = await spawnServer(kind, db.url, pinning);
    const proto: Protocol = kind === 'socketio' ? 'socketio' : 'trpc';
    const conns = await openTechnicians(proto, server.port, techs, () => 0, false);
    const run = async (mode: Parameters<typeof drive>[1], into: IngestRow[] = rows, label = '') => {
      const row = await leastNoisy(async (waited): Promise<IngestRow> => {
        const { phase, cpu } = await drive(conns, mode, server.pid);
        const window = (phase.windowEnd - phase.windowStart) / 1000;
        const offered = mode.kind === 'open' ? mode.rate : null;
        const acked = phase.acked / window;
        return {
          server: kind,
          mode: mode.kind,
          connections: conns.length,
          offeredPerSecond: offered,
          ackedPerSecond: acked,
          fixesPerServerCpuSecond: phase.acked / cpu.server,
          latencyMs: { p50: phase.hist.percentile(50), p99: phase.hist.percentile(99), max: phase.hist.max },
          generatorLoopMs: phase.generatorLoopMs,
          acked: phase.acked,
          rejected: phase.rejected,
          errors: phase.errors,
          skipped: phase.skipped,
          firstError: phase.firstError,
          cpu,
          waitedForQuietSeconds: waited,
          attempts: 1,
          saturated:
            offered !== null &&
            (acked < 0.95 * offered || phase.skipped > 0 || phase.hist.percentile(99) > 100),
        };
      });
      into.push(row);
      const { cpu } = row;
      console.log(
        `    ${label}${mode.kind === 'open' ? `open ${String(row.offeredPerSecond).padStart(6)}/s` : `closed x${mode.depth}    `}` +
          `  acked ${row.ackedPerSecond.toFixed(0).padStart(6)}/s  ${row.fixesPerServerCpuSecond.toFixed(0).padStart(6)} fixes/CPU-s` +
          `  p50 ${row.latencyMs.p50.toFixed(2)} p99 ${row.latencyMs.p99.toFixed(2)} ms (generator loop p99 ${row.generatorLoopMs.p99.toFixed(1)} max ${row.generatorLoopMs.max.toFixed(0)} ms)` +
          `  server ${((cpu.server / cpu.seconds) * 100).toFixed(0)}% (kernel ${((cpu.serverSystem / cpu.seconds) * 100).toFixed(0)}%) client ${cpu.clientCorePercent.toFixed(0)}%` +
          `${row.rejected + row.errors ? `  rejected ${row.rejected} errors ${row.errors}` : ''}` +
          noiseText(cpu, row.waitedForQuietSeconds),
      );
      return row;
    };
    for (const perConnection of settings.ingest.ratesPerConnection) {
      const row = await run({ kind: 'open', rate: perConnection * conns.length });
      if (row.saturated) {
        console.log('    (saturated: no higher open-loop rates for this server)');
        break;
      }
    }
    if (kind === 'fundi') {
      // Issue 15 §7: ≥ 25k fixes per server CPU-second with p99 < 5 ms in N of N consecutive runs, at one
      // rate: BENCH_INGEST_TARGET_RATE, else the sweep's lowest stage that met both, else its best stage
      // that met the p99 (else its highest unsaturated one). A server's fixes per CPU-second rise with the
      // rate (more messages per wake-up), so the lowest stage that met the p99 alone may be one that cannot
      // meet the target; and the lowest that met both leaves the load generator (and PostgreSQL, on its
      // core) the most room: at 10,000/s it used 33–48 % of its core and its own loop delay made the p99 of
      // 3 of 5 runs (2026-11-30). Each run is its own measured phase (warm-up, window), back to back.
      const swept = rows.filter((r) => r.server === 'fundi' && r.mode === 'open');
      const byCpu = (a: IngestRow, b: IngestRow) => b.fixesPerServerCpuSecond - a.fixesPerServerCpuSecond;
      const pick =
        swept.find((r) => ingestRunMet(r) && r.errors === 0) ??
        swept.filter((r) => r.latencyMs.p99 < INGEST_TARGET_P99_MS && r.errors === 0).sort(byCpu)[0] ??
        swept.filter((r) => !r.saturated).at(-1) ??
        swept[0];
      const rate = settings.ingest.targetRatePerConnection
        ? settings.ingest.targetRatePerConnection * conns.length
        : (pick?.offeredPerSecond ?? 0);
      if (rate > 0) {
        const n = settings.ingest.targetRuns;
        // The runs start from a settled server, not one paying off the sweep's highest stage (in 3 sets
        // after a 20,000/s stage the first run had the highest p99 in 2, one of them 117 ms; 2026-11-30):
        // two full GCs in the server (`mem`), then a few idle seconds for PostgreSQL (flushes, autovacuum).
        await server.request<Mem>('mem');
        await sleep(3_000);
        console.log(
          `    target runs: ${n} consecutive at ${rate}/s (≥ ${INGEST_TARGET_PER_CPU_SECOND / 1000}k fixes/CPU-s, p99 < ${INGEST_TARGET_P99_MS} ms each)`,
        );
        for (let i = 1; i <= n; i++) {
          const r = await run({ kind: 'open', rate }, targetRuns, `run ${i}/${n} `);
          console.log(`      → ${ingestRunMet(r) ? 'met' : 'NOT met'}`);
        }
        console.log(`    target runs met: ${targetRuns.filter(ingestRunMet).length} of ${n}`);
      }
    }
    await run({ kind: 'closed', depth: settings.ingest.closedLoopDepth });
    closeAll(conns.map((c) => c.ws));
    logs[kind] = [...server.logLines];
    await server.stop();
  }
  return { rows, targetRuns, logs };
}

// ---------------------------------------------------------------------------------------------
// Fan-out (and memory per viewer).

export type Viewer = { ws: WebSocket; tech: TechConn };
export type FanPhase = {
  windowStart: number;
  windowEnd: number;
  received: number;
  delivered: number;
  unmatched: number;
  errors: number;
  hist: Histogram;
};
let fanPhase: FanPhase | null = null;

async function openViewers(
  proto: Protocol,
  port: number,
  specs: Array<{ job: SeededJob; tech: () => TechConn | undefined }>,
): Promise<Viewer[]> {
  const viewers: Viewer[] = new Array(specs.length);
  const failures: string[] = [];
  await eachLimited(specs, 100, async (spec, i) => {
    let subscribed: ((error: string | null) => void) | null = null;
    const ready = new Promise<string | null>((resolve) => {
      subscribed = resolve;
    });
    const viewer: Viewer = { ws: null as unknown as WebSocket, tech: null as unknown as TechConn };
    viewer.ws = await openSocket(proto, port, spec.job.customerToken, (text) => {
      const at = text.indexOf('"recordedAt":"');
      if (at >= 0) {
        const p = fanPhase;
        const tech = spec.tech();
        if (!p || !tech?.sent) return;
        p.received++;
        const sentAt = tech.sent.get(text.slice(at + 14, at + 38));
        if (sentAt === undefined) p.unmatched++;
        else if (sentAt >= p.windowStart && sentAt < p.windowEnd) {
          p.delivered++;
          p.hist.record(performance.now() - sentAt);
        }
        return;
      }
      if (subscribed) {
        // tRPC: {"id":1,"result":{"type":"started"}}; Socket.IO: 431[{"ok":true}]
        const failed = text.includes('"error"');
        if (failed || text.includes('"started"') || text.startsWith('431[')) {
          subscribed(failed ? text.slice(0, 300) : null);
          subscribed = null;
        }
        return;
      }
      if (text.includes('"error"') && fanPhase) fanPhase.errors++;
    });
    trackSocket(viewer.ws, 'viewer');
    viewer.ws.send(watchMessage(proto, 1, spec.job.bookingId));
    const error = await Promise.race([ready, sleep(20_000).then(() => 'no answer to watch within 20 s')]);
    if (error) failures.push(error);
    viewers[i] = viewer;
  });
  if (failures.length) throw new Error(`${failures.length} viewers could not subscribe: ${failures[0]}`);
  assertNoLostSockets(`while ${specs.length} viewers subscribed`);
  return viewers;
}

type MemoryRow = {
  server: ServerKind;
  viewers: number;
  rssBase: number;
  /** RSS after each quarter of the viewers. */
  rssSteps: number[];
  rssAfter: number;
  /** Least-squares slope of RSS over the steps: the marginal cost of a viewer. */
  rssPerViewerBytes: number;
  /** (RSS at N − RSS with none) / N: includes one-off warm-up costs. */
  rssPerViewerFromZeroBytes: number;
  heapPerViewerBytes: number;
  gc: boolean;
};

type FanoutRow = {
  server: ServerKind;
  /** Which run of the section (BENCH_FANOUT_ROUNDS), from 1. */
  round: number;
  fixesPerTechnicianPerSecond: number;
  technicians: number;
  viewers: number;
  fixesPerSecond: number;
  deliveriesPerSecond: number;
  expectedPerSecond: number;
  deliveredPercent: number;
  deliveriesPerServerCpuSecond: number;
  serverCpuMicrosPerDelivery: number;
  latencyMs: { p50: number; p99: number; max: number };
  generatorLoopMs: { p99: number; max: number };
  unmatched: number;
  errors: number;
  fixErrors: number;
  fixP99Ms: number;
  /** Growth of the server's JS heap (after GC) over the whole fan-out run, per delivery, viewers still subscribed. */
  heapRetainedPerDeliveryBytes: number;
  cpu: CpuUse;
  waitedForQuietSeconds: number;
  attempts: number;
};

type Mem = { rss: number; heapUsed: number; gc: boolean };

async function fanoutSection(
  db: BenchDatabase,
  jobs: SeededJob[],
  hotJobs: SeededJob[],
  pinning: Pinning,
  round: number,
) {
  const rows: FanoutRow[] = [];
  const memory: MemoryRow[] = [];
  const logs: Record<string, string[]> = {};
  const allJobs = [...jobs, ...hotJobs];
  const viewersOf = (i: number) =>
    i < jobs.length ? settings.fanout.viewersPerTechnician : settings.fanout.viewersPerHotTechnician;
  for (const kind of settings.fanout.servers) {
    const proto: Protocol = kind === 'socketio' ? 'socketio' : 'trpc';
    const server = await spawnServer(kind, db.url, pinning);
    let techConns: TechConn[] = [];
    const specs = allJobs.flatMap((job, i) =>
      Array.from({ length: viewersOf(i) }, () => ({ job, tech: () => techConns[i] })),
    );
    console.log(
      `\n  ${kind}: memory: ${settings.memory.viewers} viewers, each with a tracking.watch subscription…`,
    );
    // In steps, with a GC'd reading after each: the first step also pays what is paid once (JIT
    // code, DB pool, heap spaces), so the per-viewer cost is the least-squares slope over the steps;
    // the plain before/after difference is reported too.
    await sleep(500);
    const base = await server.request<Mem>('mem');
    if (settings.heapSnapshots) console.log(`    heap snapshot: ${await server.request<string>('snapshot')}`);
    const points: Array<{ n: number; rss: number; heap: number }> = [];
    const memViewers: Viewer[] = [];
    const { steps } = settings.memory;
    for (let k = 1; k <= steps; k++) {
      const upTo = Math.round((settings.memory.viewers * k) / steps);
      memViewers.push(...(await openViewers(proto, server.port, specs.slice(memViewers.length, upTo))));
      await sleep(1_000);
      const m = await server.request<Mem>('mem');
      points.push({ n: memViewers.length, rss: m.rss, heap: m.heapUsed });
    }
    if (settings.heapSnapshots) console.log(`    heap snapshot: ${await server.request<string>('snapshot')}`);
    const last = points.at(-1)!;
    const m: MemoryRow = {
      server: kind,
      viewers: memViewers.length,
      rssBase: base.rss,
      rssSteps: points.map((p) => p.rss),
      rssAfter: last.rss,
      rssPerViewerBytes: slope(points.map((p) => [p.n, p.rss])),
      rssPerViewerFromZeroBytes: (last.rss - base.rss) / last.n,
      heapPerViewerBytes: slope(points.map((p) => [p.n, p.heap])),
      gc: base.gc,
    };
    memory.push(m);
    console.log(
      `    RSS ${[base.rss, ...m.rssSteps].map((r) => (r / 2 ** 20).toFixed(1)).join(' → ')} MiB at ${[0, ...points.map((p) => p.n)].join('/')} viewers: ` +
        `${(m.rssPerViewerBytes / 1024).toFixed(2)} KiB RSS and ${(m.heapPerViewerBytes / 1024).toFixed(2)} KiB JS heap per viewer (slope); ` +
        `${(m.rssPerViewerFromZeroBytes / 1024).toFixed(2)} KiB RSS before/after`,
    );

    console.log(
      `  ${kind}: fan-out: ${allJobs.length} technicians, ${specs.length} viewers (${hotJobs.length} hot × ${settings.fanout.viewersPerHotTechnician})…`,
    );
    const rest = await openViewers(proto, server.port, specs.slice(settings.memory.viewers));
    const viewers = [...memViewers, ...rest];
    techConns = await openTechnicians(
      proto,
      server.port,
      allJobs.map((j) => j.technician),
      viewersOf,
      true,
    );
    await sleep(1_000);
    {
      // The server's own background (timers, sweeps, pings) with everyone connected and nobody moving:
      // part of every figure below, so it is shown.
      const a = processCpuTimes(server.pid);
      await sleep(5_000);
      const b = processCpuTimes(server.pid);
      if (a && b)
        console.log(
          `    idle, all connected: server ${(((b.user - a.user + b.system - a.system) / 5) * 1000).toFixed(1)} ms CPU per second`,
        );
    }
    // JS heap retained while everyone stays subscribed, per delivery: should be ~0 (a leak otherwise).
    const heapBefore = await server.request<Mem>('mem');
    let receivedTotal = 0;
    const stageRows: FanoutRow[] = [];
    for (const rate of settings.fanout.ratesPerTechnician) {
      let received = 0;
      const row = await leastNoisy(async (waited): Promise<FanoutRow> => {
        const f: FanPhase = {
          windowStart: Number.POSITIVE_INFINITY,
          windowEnd: Number.POSITIVE_INFINITY,
          received: 0,
          delivered: 0,
          unmatched: 0,
          errors: 0,
          hist: new Histogram(0.01, 10_000),
        };
        fanPhase = f;
        if (settings.cpuProfileDir) await server.request('profile-start');
        // The same open-loop driver as ingest; the viewer handlers count deliveries in `fanPhase`.
        const { phase, cpu } = await drive(
          techConns,
          { kind: 'open', rate: rate * techConns.length },
          server.pid,
          {
            start: (at) => {
              f.windowStart = at;
            },
            end: (at) => {
              f.windowEnd = at;
            },
          },
        );
        await sleep(300); // the last deliveries
        if (settings.cpuProfileDir)
          console.log(`    cpu profile: ${await server.request<string>('profile-stop')}`);
        fanPhase = null;
        received += f.received;
        const window = (phase.windowEnd - phase.windowStart) / 1000;
        return {
          server: kind,
          round,
          fixesPerTechnicianPerSecond: rate,
          technicians: techConns.length,
          viewers: viewers.length,
          fixesPerSecond: phase.sent / window,
          deliveriesPerSecond: f.delivered / window,
          expectedPerSecond: phase.expected / window,
          deliveredPercent: (f.delivered / Math.max(1, phase.expected)) * 100,
          deliveriesPerServerCpuSecond: f.delivered / cpu.server,
          serverCpuMicrosPerDelivery: (cpu.server * 1e6) / Math.max(1, f.delivered),
          latencyMs: { p50: f.hist.percentile(50), p99: f.hist.percentile(99), max: f.hist.max },
          generatorLoopMs: phase.generatorLoopMs,
          unmatched: f.unmatched,
          errors: f.errors,
          fixErrors: phase.errors + phase.rejected,
          fixP99Ms: phase.hist.percentile(99),
          heapRetainedPerDeliveryBytes: Number.NaN,
          cpu,
          waitedForQuietSeconds: waited,
          attempts: 1,
        };
      });
      rows.push(row);
      stageRows.push(row);
      receivedTotal += received;
      const { cpu } = row;
      console.log(
        `    ${rate} fix/s/tech: ${row.fixesPerSecond.toFixed(0)} fixes/s → ${row.deliveriesPerSecond.toFixed(0)} deliveries/s ` +
          `(${row.deliveredPercent.toFixed(1)}% of expected${row.deliveredPercent < 95 ? ': INCOMPLETE, viewers lagged or sockets were lost' : ''})  ${row.deliveriesPerServerCpuSecond.toFixed(0)} deliveries/CPU-s` +
          `  p50 ${row.latencyMs.p50.toFixed(2)} p99 ${row.latencyMs.p99.toFixed(2)} ms (generator loop p99 ${row.generatorLoopMs.p99.toFixed(1)} max ${row.generatorLoopMs.max.toFixed(0)} ms)` +
          `  server ${((cpu.server / cpu.seconds) * 100).toFixed(0)}% (kernel ${((cpu.serverSystem / cpu.seconds) * 100).toFixed(0)}%) client ${cpu.clientCorePercent.toFixed(0)}%` +
          noiseText(cpu, row.waitedForQuietSeconds),
      );
    }
    await sleep(500);
    const heapAfter = await server.request<Mem>('mem');
    const retained = (heapAfter.heapUsed - heapBefore.heapUsed) / Math.max(1, receivedTotal);
    for (const r of stageRows) r.heapRetainedPerDeliveryBytes = retained;
    console.log(
      `    JS heap while subscribed: ${(heapBefore.heapUsed / 2 ** 20).toFixed(1)} → ${(heapAfter.heapUsed / 2 ** 20).toFixed(1)} MiB ` +
        `over ${receivedTotal} deliveries = ${retained.toFixed(0)} B retained per delivery`,
    );
    closeAll([...viewers.map((v) => v.ws), ...techConns.map((c) => c.ws)]);
    logs[kind] = [...server.logLines];
    await server.stop();
  }
  return { rows, memory, logs };
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx ? sxy / sxx : Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Report.

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

type Target = { name: string; met: boolean | null; text: string };

/** Issue 15 §7's fan-out target, against the uWS floor measured in the same run. */
const FANOUT_TARGET_FLOOR_RATIO = 0.8;
const FANOUT_TARGET_P99_RATIO = 2;
const FANOUT_TARGET_RATE = 1;

function evaluate(
  ingest: IngestRow[],
  ingestTargetRuns: IngestRow[],
  fanout: FanoutRow[],
  memory: MemoryRow[],
  nearest: NearestReport | null,
): Target[] {
  const targets: Target[] = [];
  if (ingest.length) {
    // Issue 15 §7: ≥ 25k fixes per server CPU-second with p99 < 5 ms in 5 of 5 consecutive runs.
    const runs = ingestTargetRuns;
    const metRuns = runs.filter(ingestRunMet).length;
    const met = runs.length > 0 ? metRuns === runs.length : false;
    const each = runs
      .map(
        (r, i) =>
          `run ${i + 1}: ${f0(r.fixesPerServerCpuSecond)} fixes/CPU-s, p99 ${f2(r.latencyMs.p99)} ms${ingestRunMet(r) ? '' : ' (not met)'}`,
      )
      .join('; ');
    const closed = (k: ServerKind) => ingest.find((r) => r.server === k && r.mode === 'closed');
    const fc = closed('fundi');
    const vs = (k: ServerKind) => {
      const c = closed(k);
      return c && fc ? `${(fc.ackedPerSecond / c.ackedPerSecond).toFixed(1)}× ${k} (closed loop)` : '';
    };
    targets.push({
      name: 'ingest',
      met: runs.length ? met : null,
      text:
        `Ingest "≥ ${INGEST_TARGET_PER_CPU_SECOND / 1000}k fixes per server CPU-second with p99 < ${INGEST_TARGET_P99_MS} ms in ${settings.ingest.targetRuns} of ${settings.ingest.targetRuns} consecutive runs" (issue 15 §7): ` +
        (runs.length
          ? `at ${f0(runs[0]!.offeredPerSecond ?? 0)}/s offered: ${each}; ${metRuns} of ${runs.length} met → ${met ? 'MET' : 'NOT MET'}`
          : 'Fundi not measured') +
        (fc
          ? `. Max (closed loop): Fundi ${f0(fc.ackedPerSecond)} fixes/s${[vs('trpcws'), vs('socketio')].some(Boolean) ? ` = ${[vs('trpcws'), vs('socketio')].filter(Boolean).join(', ')}` : ''}.`
          : ''),
    });
  }
  if (fanout.length) {
    // Issue 15 §7: ≥ 0.8× the uWS floor's deliveries per server CPU-second, and p99 within 2× the floor's,
    // at 1 fix/s per technician (judged there; other rates printed for comparison). The floor is the same
    // minimal validate-and-publish server written directly on uWS (uwsfloor), measured in this run.
    const rates = [...new Set(fanout.map((r) => r.fixesPerTechnicianPerSecond))];
    const parts: string[] = [];
    let judged: boolean | null = null;
    for (const rate of rates) {
      const at = (server: ServerKind) =>
        fanout.filter((r) => r.server === server && r.fixesPerTechnicianPerSecond === rate);
      // Rounds in which both ran, each judged against the floor of its own round.
      const pairs = at('fundi').flatMap((fundi) => {
        const floor = at('uwsfloor').find((r) => r.round === fundi.round);
        return floor ? [{ fundi, floor }] : [];
      });
      if (!pairs.length) continue;
      const rounds = pairs.map(({ fundi, floor }) => ({
        fundi,
        floor,
        ratio: fundi.deliveriesPerServerCpuSecond / floor.deliveriesPerServerCpuSecond,
        p99Ratio: fundi.latencyMs.p99 / floor.latencyMs.p99,
      }));
      const ratio = median(rounds.map((r) => r.ratio));
      const p99Ratio = median(rounds.map((r) => r.p99Ratio));
      // A server that delivered much less than was sent is not measured like for like: said, never judged met.
      const incomplete = pairs.flatMap((p) => [p.fundi, p.floor]).filter((r) => r.deliveredPercent < 95);
      const met =
        incomplete.length === 0 && ratio >= FANOUT_TARGET_FLOOR_RATIO && p99Ratio <= FANOUT_TARGET_P99_RATIO;
      if (rate === FANOUT_TARGET_RATE) judged = met;
      const sio = at('socketio')[0];
      const each = rounds
        .map(
          (r) =>
            `Fundi ${f0(r.fundi.deliveriesPerServerCpuSecond)} vs floor ${f0(r.floor.deliveriesPerServerCpuSecond)} deliveries/CPU-s = ${r.ratio.toFixed(2)}×, p99 ${f2(r.fundi.latencyMs.p99)} vs ${f2(r.floor.latencyMs.p99)} ms = ${r.p99Ratio.toFixed(2)}×`,
        )
        .join(' | ');
      parts.push(
        `${rate} fix/s/tech${rate === FANOUT_TARGET_RATE ? ' (judged)' : ''}: ${rounds.length > 1 ? `median of ${rounds.length} rounds ${ratio.toFixed(2)}×, p99 ${p99Ratio.toFixed(2)}× (${each})` : `${each}`}${incomplete.length ? ` (${incomplete.map((r) => `${r.server} delivered only ${f1(r.deliveredPercent)}% of expected in round ${r.round}`).join(', ')}: not comparable)` : ''}${met ? '' : ' (not met)'}` +
          (sio
            ? ` (Socket.IO ${f0(sio.deliveriesPerServerCpuSecond)} = Fundi ${(pairs[0]!.fundi.deliveriesPerServerCpuSecond / sio.deliveriesPerServerCpuSecond).toFixed(2)}× it)`
            : ''),
      );
    }
    targets.push({
      name: 'fanout',
      met: judged,
      text: `Fan-out "≥ ${FANOUT_TARGET_FLOOR_RATIO}× the uWS floor's deliveries per server CPU-second, p99 within ${FANOUT_TARGET_P99_RATIO}× the floor's, at ${FANOUT_TARGET_RATE} fix/s" (issue 15 §7): ${parts.join('; ') || 'Fundi and the uWS floor (uwsfloor) not both measured'}${judged === null ? (parts.length ? ` → not judged (no ${FANOUT_TARGET_RATE} fix/s run)` : '') : ` → ${judged ? 'MET' : 'NOT MET'}`}.`,
    });
  }
  // RSS moves in heap-space-sized steps; live JS objects need RSS too, so the larger of the two counts.
  const perViewerOf = (m: MemoryRow) => Math.max(m.rssPerViewerBytes, m.heapPerViewerBytes);
  // Judged on the median round (the upper middle one when even): the steps land differently each run.
  const fundiMemory = memory
    .filter((m) => m.server === 'fundi')
    .sort((a, b) => perViewerOf(a) - perViewerOf(b));
  const fm = fundiMemory[fundiMemory.length >> 1];
  if (fm) {
    const perViewer = perViewerOf(fm);
    const met = perViewer <= 8 * 1024;
    targets.push({
      name: 'memory',
      met,
      text: `Memory "≤ 8 KB RSS per connected, subscribed viewer": Fundi ${(fm.rssPerViewerBytes / 1024).toFixed(2)} KiB RSS per viewer (slope; ${(fm.heapPerViewerBytes / 1024).toFixed(2)} KiB of JS heap; plain before/after ${(fm.rssPerViewerFromZeroBytes / 1024).toFixed(2)} KiB) at ${fm.viewers} viewers${fundiMemory.length > 1 ? ` (median of ${fundiMemory.length} rounds: ${fundiMemory.map((m) => (perViewerOf(m) / 1024).toFixed(2)).join(', ')} KiB)` : ''}; judged on the larger of RSS and heap slope, ${(perViewer / 1024).toFixed(2)} KiB → ${met ? 'MET' : 'NOT MET'}`,
    });
  }
  if (nearest) {
    const index = nearest.results.find((r) => r.engine === 'index');
    const pg = nearest.results.find((r) => r.engine === 'postgis');
    if (index && pg) {
      const ratio = index.queriesPerSecond / pg.queriesPerSecond;
      const met = index.latencyUs.p99 < 50 && ratio >= 10;
      const wrong = nearest.verification.filter((v) => v.mismatches > 0);
      targets.push({
        name: 'nearest',
        met,
        text:
          `Nearest "index p99 < 50 µs under updates and ≥ 10× PostGIS": index p99 ${f1(index.latencyUs.p99)} µs at ${f0(index.updatesPerSecond)} updates/s, ` +
          `${f0(index.queriesPerSecond)} vs ${f0(pg.queriesPerSecond)} queries/s = ${ratio.toFixed(1)}× → ${met ? 'MET' : 'NOT MET'}` +
          `${wrong.length ? ` (BUT results differ from brute force: ${wrong.map((v) => `${v.engine} ${v.mismatches}/${v.samples}`).join(', ')})` : ''}. ` +
          `Anchor: PostGIS ≈ 13.7k q/s, p99 0.66 ms at 4 clients elsewhere; against that figure the index is ${(index.queriesPerSecond / 13_700).toFixed(1)}×.`,
      });
    }
  }
  return targets;
}

function printReport(
  ingest: IngestRow[],
  fanout: FanoutRow[],
  memory: MemoryRow[],
  nearest: NearestReport | null,
  targets: Target[],
  notes: string[],
  cluster: ClusterRow[] = [],
) {
  if (ingest.length) {
    console.log('\nIngest: tracking.update, one fix per call, acknowledged');
    console.log(
      table(
        [
          'server',
          'mode',
          'conns',
          'offered/s',
          'acked/s',
          'srv CPU-s',
          'fixes/srv-CPU-s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'rej/err/skip',
          'pg CPU-s',
          'client core',
          'other CPU-s',
        ],
        ingest.map((r) => [
          r.server,
          r.mode,
          String(r.connections),
          r.offeredPerSecond === null ? 'max' : f0(r.offeredPerSecond),
          f0(r.ackedPerSecond),
          f2(r.cpu.server),
          f0(r.fixesPerServerCpuSecond),
          f2(r.latencyMs.p50),
          f2(r.latencyMs.p99),
          f1(r.latencyMs.max),
          `${r.rejected}/${r.errors}/${r.skipped}`,
          f2(r.cpu.postgres),
          `${f0(r.cpu.clientCorePercent)}%`,
          f1(r.cpu.other),
        ]),
        2,
      ),
    );
  }
  if (fanout.length) {
    console.log('\nFan-out: fixes from technicians → tracking.watch viewers (Socket.IO: rooms)');
    console.log(
      table(
        [
          'server',
          'round',
          'fix/s/tech',
          'fixes/s',
          'deliv/s',
          'delivered',
          'srv CPU-s',
          'deliv/srv-CPU-s',
          'srv µs/deliv (all-in)',
          'p50 ms',
          'p99 ms',
          'max ms',
          'heap B/deliv',
          'pg CPU-s',
          'client core',
          'other CPU-s',
        ],
        fanout.map((r) => [
          r.server,
          String(r.round),
          String(r.fixesPerTechnicianPerSecond),
          f0(r.fixesPerSecond),
          f0(r.deliveriesPerSecond),
          `${f1(r.deliveredPercent)}%`,
          f2(r.cpu.server),
          f0(r.deliveriesPerServerCpuSecond),
          f1(r.serverCpuMicrosPerDelivery),
          f2(r.latencyMs.p50),
          f2(r.latencyMs.p99),
          f1(r.latencyMs.max),
          f0(r.heapRetainedPerDeliveryBytes),
          f2(r.cpu.postgres),
          `${f0(r.cpu.clientCorePercent)}%`,
          f1(r.cpu.other),
        ]),
      ),
    );
  }
  if (memory.length) {
    console.log(
      '\nMemory: server RSS per connected viewer with a tracking.watch subscription (after GC; per viewer = slope over the steps)',
    );
    console.log(
      table(
        [
          'server',
          'viewers',
          'RSS 0 MiB',
          'RSS per step MiB',
          'RSS/viewer KiB',
          'before/after KiB',
          'JS heap/viewer KiB',
        ],
        memory.map((m) => [
          m.server,
          String(m.viewers),
          f1(m.rssBase / 2 ** 20),
          m.rssSteps.map((r) => f1(r / 2 ** 20)).join(' '),
          f2(m.rssPerViewerBytes / 1024),
          f2(m.rssPerViewerFromZeroBytes / 1024),
          f2(m.heapPerViewerBytes / 1024),
        ]),
      ),
    );
  }
  if (nearest) {
    console.log(
      `\nNearest available: ${nearest.settings.technicians} technicians, nearest 10 for one of ${nearest.settings.services} services within ${nearest.settings.radiusMeters / 1000} km`,
    );
    console.log(
      table(
        [
          'engine',
          'queries/s',
          'p50 µs',
          'p99 µs',
          'p99.9 µs',
          'max µs',
          'updates/s',
          'CPU-s (self+pg)',
          'q/CPU-s',
          'other CPU-s',
        ],
        nearest.results.map((r) => [
          r.engine,
          f0(r.queriesPerSecond),
          f1(r.latencyUs.p50),
          f1(r.latencyUs.p99),
          f1(r.latencyUs.p999),
          f0(r.latencyUs.max),
          f0(r.updatesPerSecond),
          `${f2(r.cpuSeconds.process)}+${f2(r.cpuSeconds.postgres)}`,
          f0(r.queriesPerCpuSecond),
          f1(r.cpu.other),
        ]),
      ),
    );
    console.log(
      `  vs brute force: ${nearest.verification
        .map(
          (v) => `${v.engine} ${v.mismatches} mismatches / ${v.samples} samples (${v.ties} ties within 1 m)`,
        )
        .join('; ')}`,
    );
    for (const v of nearest.verification) for (const e of v.examples) console.log(`    ${v.engine}: ${e}`);
  }
  printClusterTable(cluster);
  console.log('\nTargets:');
  for (const t of targets)
    console.log(`  ${t.met === null ? '?' : t.met ? 'MET    ' : 'NOT MET'}  ${t.text}`);
  if (notes.length) {
    console.log('\nNotes:');
    for (const n of notes) console.log(`  - ${n}`);
  }
}

function observations(
  ingest: IngestRow[],
  fanout: FanoutRow[],
  nearest: NearestReport | null,
  logs: Record<string, string[]>,
  pinning: Pinning,
): string[] {
  const notes: string[] = [];
  const knn = nearest?.results.find((r) => r.engine === 'postgis');
  const dwithin = nearest?.results.find((r) => r.engine === 'postgis dwithin-unprepared');
  if (knn && dwithin && dwithin.latencyUs.p50 > 5 * knn.latencyUs.p50)
    notes.push(
      `PostGIS: the dispatch.repo-shaped query (ST_DWithin AND ORDER BY <-> LIMIT, unprepared so custom plans) ran at ` +
        `p50 ${f0(dwithin.latencyUs.p50 / 1000)} ms vs ${f2(knn.latencyUs.p50 / 1000)} ms for KNN-then-radius on the same ${nearest!.settings.technicians} rows: ` +
        `the planner picks a bitmap scan of everything within the radius + sort instead of the KNN index scan. ` +
        `Plan: ${dwithin.description.split('Plan: ')[1]?.slice(0, 200) ?? '?'}. This is why dispatch.repo.ts nextCandidate orders by <-> with LIMIT first and applies the radius after.`,
    );
  for (const r of fanout)
    notes.push(
      `${r.server} fan-out ${r.fixesPerTechnicianPerSecond}/s: ${f0((r.cpu.serverSystem / Math.max(r.cpu.server, 1e-9)) * 100)}% of the server's CPU was kernel time ` +
        `(${f1((r.cpu.serverSystem * 1e6) / Math.max(1, r.deliveriesPerSecond * r.cpu.seconds))} µs per delivery: socket reads and writes, one write per viewer per event).`,
    );
  const leaky = [...new Map(fanout.map((r) => [r.server, r])).values()].filter(
    (r) => r.heapRetainedPerDeliveryBytes > 100,
  );
  for (const r of leaky)
    notes.push(
      `${r.server}: the server's JS heap grew by ${f0(r.heapRetainedPerDeliveryBytes)} B per delivered event while viewers stayed subscribed ` +
        '(after GC): memory retained per event for the life of a subscription' +
        (fanout.some((x) => x.server === r.server && x.deliveredPercent < 97)
          ? ' (or a backlog: this server delivered < 97 % of the expected events).'
          : '.') +
        (r.server === 'fundi'
          ? ' Repro: node --import tsx bench/tracking-leak.ts (an earlier cause, Promise.race in server/transport/ws.ts pump(), was fixed in af330bf).'
          : ''),
    );
  const lowDelivery = fanout.filter((r) => r.deliveredPercent < 97);
  if (lowDelivery.length)
    notes.push(
      `Deliveries below 97 % of expected (coalescing under load, or loss): ${lowDelivery
        .map((r) => `${r.server}@${r.fixesPerTechnicianPerSecond}/s ${f1(r.deliveredPercent)}%`)
        .join(', ')}`,
    );
  for (const r of [...ingest, ...fanout]) {
    if (r.cpu.clientCorePercent >= 90)
      notes.push(
        `${r.server} ${'mode' in r ? r.mode : `fan-out ${r.fixesPerTechnicianPerSecond}/s`}: the load generator used ${f0(r.cpu.clientCorePercent)}% of its core: client-bound, the server could do more.`,
      );
  }
  const noisy = [...ingest, ...fanout].filter((r) => r.cpu.other > 0.1 * r.cpu.seconds);
  if (noisy.length)
    notes.push(
      `NOISE: other processes used CPU during ${noisy.length} phase(s) (up to ${f1(Math.max(...noisy.map((r) => r.cpu.other)))} CPU-s in a ${f0(settings.durationSeconds)} s window; shared machine).`,
    );
  for (const [kind, lines] of Object.entries(logs)) {
    const failed = lines.filter((l) => /flush failed/.test(l));
    if (failed.length)
      notes.push(
        `${kind}: ${failed.length} "tracking: flush failed" log line(s), e.g. ${failed[0]!.slice(0, 240)}`,
      );
    const other = lines.filter((l) => !/flush failed/.test(l));
    if (other.length)
      notes.push(`${kind}: ${other.length} other server log line(s), e.g. ${other[0]!.slice(0, 200)}`);
  }
  if (!pinning.enabled) notes.push(`Pinning OFF (${pinning.reason}): server and load generator shared CPUs.`);
  return notes;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date();
  const cpuCount = os.availableParallelism();
  const pinning = pinLoadGeneratorToCpu1();
  console.log(
    `Fundi live-tracking benchmark: scale ${settings.scale}, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per phase, ` +
      `${cpuCount} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );
  console.log(
    pinning.enabled
      ? `Pinning: server children on CPU 0, load generator (this process) on CPU 1; PostgreSQL's bench backends ${process.env.BENCH_PG_CPU ? `on CPU ${process.env.BENCH_PG_CPU}` : 'unpinned'}.`
      : `Pinning: OFF (${pinning.reason}).`,
  );
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  if (settings.idlePostgres) {
    const niced = nicePostgres();
    cleanups.push(async () => niced.restore());
    console.log(
      niced.moved
        ? `PostgreSQL: ${niced.moved} processes at nice 19 until the end (a database on its own host; BENCH_PG_IDLE=0: not)`
        : 'PostgreSQL: priority unchanged (not permitted)',
    );
  }
  const db = await createBenchDatabase();
  databaseName = db.name;
  console.log(`database ${db.name} created, migrated, catalog seeded`);

  const wants = (s: string) => settings.sections.includes(s as never);
  // Seed everything before any server starts: each server's tracking pipeline loads it on start.
  const seedStarted = performance.now();
  const ingestTechs = wants('ingest')
    ? await seedTechnicians(db.sql, {
        count: settings.ingest.connections,
        tag: 'ingest',
        centre: LAGOS,
        radiusMeters: 12_000,
        seed: 1,
      })
    : [];
  let jobs: SeededJob[] = [];
  let hotJobs: SeededJob[] = [];
  if (wants('fanout') || wants('cluster')) {
    const fanTechs = await seedTechnicians(db.sql, {
      count: settings.fanout.technicians + settings.fanout.hotTechnicians,
      tag: 'fanout',
      centre: LAGOS,
      radiusMeters: 12_000,
      seed: 2,
    });
    const all = await seedJobs(db.sql, fanTechs, { tag: 'fanout', seed: 3 });
    jobs = all.slice(0, settings.fanout.technicians);
    hotJobs = all.slice(settings.fanout.technicians);
  }
  console.log(
    `seeded ${ingestTechs.length} ingest technicians, ${jobs.length + hotJobs.length} technicians with an en-route booking ` +
      `(${((performance.now() - seedStarted) / 1000).toFixed(1)} s)`,
  );

  let ingest: IngestRow[] = [];
  let ingestTargetRuns: IngestRow[] = [];
  const fanout: FanoutRow[] = [];
  const memory: MemoryRow[] = [];
  let nearest: NearestReport | null = null;
  let cluster: ClusterRow[] = [];
  const logs: Record<string, string[]> = {};

  if (wants('ingest')) {
    console.log('\n== Ingest ==');
    const r = await ingestSection(db, ingestTechs, pinning);
    ingest = r.rows;
    ingestTargetRuns = r.targetRuns;
    for (const [k, v] of Object.entries(r.logs)) logs[`ingest/${k}`] = v;
  }
  if (wants('fanout')) {
    console.log('\n== Memory + fan-out ==');
    for (let round = 1; round <= settings.fanout.rounds; round++) {
      if (settings.fanout.rounds > 1) console.log(`\n  -- round ${round} of ${settings.fanout.rounds}`);
      const r = await fanoutSection(db, jobs, hotJobs, pinning, round);
      fanout.push(...r.rows);
      memory.push(...r.memory);
      for (const [k, v] of Object.entries(r.logs)) logs[`fanout/${k}`] ??= v;
    }
  }
  if (wants('nearest')) {
    console.log('\n== Nearest available ==');
    const machine0 = machineCpuSeconds();
    nearest = await runNearest(
      settings.nearest,
      db.sql,
      db.name,
      () => postgresCpuByPid(db.name),
      (line) => console.log(line),
      (measure) => leastNoisy(measure),
    );
    const machine1 = machineCpuSeconds();
    const busy = machine1.busy - machine0.busy;
    const ours = nearest.results.reduce((s, r) => s + r.cpuSeconds.process + r.cpuSeconds.postgres, 0);
    console.log(
      `  machine busy ${busy.toFixed(1)} CPU-s during the section, ${ours.toFixed(1)} of them the benchmark's`,
    );
  }

  if (wants('cluster')) {
    console.log('\n== Two nodes (cluster) ==');
    const r = await clusterSection({
      scenarios: settings.cluster.scenarios,
      rates: settings.cluster.ratesPerTechnician,
      jobs,
      hotJobs,
      viewersPerTechnician: settings.fanout.viewersPerTechnician,
      viewersPerHotTechnician: settings.fanout.viewersPerHotTechnician,
      redis: await startBenchRedis(cleanups),
      spawnFundi: (label, env) => spawnServer('fundi', db.url, pinning, env, label),
      openTechnicians: (port, techs, viewers) => openTechnicians('trpc', port, techs, viewers, true),
      openViewers: (port, specs) => openViewers('trpc', port, specs),
      drive: (conns, rate, pid, window) => drive(conns, { kind: 'open', rate }, pid, window),
      setFanPhase: (f) => {
        fanPhase = f;
      },
      closeAll,
      leastNoisy,
      noiseText,
    });
    cluster = r.rows;
    for (const [k, v] of Object.entries(r.logs)) logs[`cluster/${k}`] = v;
  }

  const targets = [
    ...evaluate(ingest, ingestTargetRuns, fanout, memory, nearest),
    ...clusterTargets(cluster),
  ];
  const notes = observations(ingest, fanout, nearest, logs, pinning);
  printReport(ingest, fanout, memory, nearest, targets, notes, cluster);

  const file = path.join(
    root,
    'bench/results',
    `tracking-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpuCount, model: os.cpus()[0]?.model, node: process.version },
    settings,
    pinning,
    loadAverageAtStart: os.loadavg(),
    database: db.name,
    ingest,
    ingestTargetRuns,
    fanout,
    memory,
    nearest,
    cluster,
    targets,
    notes,
    serverLogs: Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, v.slice(0, 50)])),
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(root, file)}`);
}

main()
  .then(
    async () => {
      await cleanup();
      process.exit(0);
    },
    async (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      await cleanup();
      process.exit(1);
    },
  )
  .catch(() => process.exit(1));
