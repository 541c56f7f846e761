// The morning rush (issue 18 §4): `npm run bench:rush`.
//
// A real server child (server/main.ts, pinned to CPU 0) and, through its public tRPC API only, N verified
// technicians online across a 10 × 10 km square of Lagos, each with a WebSocket and a live
// `technician.offers` subscription, and N customers. Then rising open-loop stages of booking creation;
// every technician accepts each offer at once and runs the job straight through to `completed`
// (en_route, arrived with confirmFar, in_progress, completed). This process (the load generator) runs
// on CPU 1; PostgreSQL is not pinned. In the same run, PostgreSQL's own pgbench rate is the floor.
//
//   BENCH_RUSH_TECHNICIANS=300          technicians (and as many customers)
//   BENCH_RUSH_RATES=5,10,20,30,50,70,100,120,150   bookings per second, one stage each (past 100: the
//                                      target's margin and the knee)
//   BENCH_RUSH_STAGE_SECONDS=20         seconds per stage
//   BENCH_RUSH_WARMUP_SECONDS=8         a warm-up at 10 bookings/s before the stages, run to completion, not
//                                      reported (0: none)
//   BENCH_RUSH_SLOW_SECONDS=1           print each stage's five slowest seconds of creates (diagnostics)
//   BENCH_RUSH_SETTLE_SECONDS=11        pause after each stage's jobs are done, before its closing
//                                      readings (PostgreSQL publishes an idle backend's counters ≤ 10 s late)
//   BENCH_RUSH_PGBENCH=1                0: leave out the pgbench floor
//   BENCH_RUSH_POOL_SIZE=10             the server's DATABASE_POOL_SIZE (the app's default)
//   BENCH_RUSH_DB_SOCKET=<dir>          the server reaches PostgreSQL over the Unix socket in <dir>
//                                      (`?host=<dir>` on its DATABASE_URL). Default: PostgreSQL's own socket
//                                      directory when it runs on this machine, as a deployment on one host
//                                      would connect; `tcp`: over TCP, as the URL says
//   BENCH_QUIET_WAIT=30                 seconds to wait for a quiet machine before the stages (0: never)
//   TEST_DATABASE_URL / DATABASE_URL    PostgreSQL to create the throw-away databases on
//   BENCH_RUSH_PG_IDLE=1                PostgreSQL's backends for the bench database under `chrt --idle`
//                                      (bench/cpu.ts): they no longer preempt the server on CPU 0
//   BENCH_RUSH_STRICT=1                 exit 1 when a target is NOT MET
//   BENCH_RUSH_SERVER_NODE_ARGS         extra node flags for the server child (e.g. --cpu-prof)
//   BENCH_RUSH_STATEMENTS=N             print the N statements with the most execution time over the stages
//                                      (pg_stat_statements, preloaded on the server: reset for this database
//                                      only when the stages start; N per job columns)
//
// Per stage: bookings/s offered, create p50/p99, create → offer p99 (create response to the offer event
// at the technician), accept p99, completed jobs/s, server and PostgreSQL CPU per job (/proc), database
// transactions per job (pg_stat_database.xact_commit), double offers (sampled), stuck bookings
// ('searching' 30 s after creation), shed (TOO_MANY_REQUESTS) and errors. A stage whose backlog explodes
// stops early and is marked saturated; no higher stage runs after it.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { Booking } from '../server/contracts/booking';
import type { OfferEvent } from '../server/contracts/technician';
import { prng } from '../server/lib/prng';
import { createCleanup } from './cleanup';
import {
  deprioritisePostgres,
  machineCpuSeconds,
  pinLoadGeneratorToCpu1,
  postgresCpuByPid,
  processCpuTimes,
  sumIncrease,
} from './cpu';
import { createMigratedDatabase } from './database';
import {
  type Api,
  type Call,
  caller,
  errorLabel,
  httpApi,
  isShed,
  type Point,
  pool,
  readyTechnician,
  signUp,
  type Technician,
} from './rush-clients';
import { type PgbenchResult, runPgbench } from './rush-pgbench';
import { spawnRushServer } from './rush-server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function positiveNumber(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
}

const settings = {
  technicians: Math.round(positiveNumber(process.env.BENCH_RUSH_TECHNICIANS, 300)),
  rates: (process.env.BENCH_RUSH_RATES ?? '5,10,20,30,50,70,100,120,150')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0),
  stageSeconds: positiveNumber(process.env.BENCH_RUSH_STAGE_SECONDS, 20),
  settleSeconds:
    process.env.BENCH_RUSH_SETTLE_SECONDS === '0'
      ? 0
      : positiveNumber(process.env.BENCH_RUSH_SETTLE_SECONDS, 11),
  pgbench: process.env.BENCH_RUSH_PGBENCH !== '0',
  /** PostgreSQL backends of the bench database in the idle scheduling class (as if on another host). */
  postgresIdleClass: process.env.BENCH_RUSH_PG_IDLE === '1',
  poolSize: Math.round(positiveNumber(process.env.BENCH_RUSH_POOL_SIZE, 10)),
  /** The server's connections over this Unix-socket directory ('tcp': TCP; '': found, see localSocket). */
  dbSocket: process.env.BENCH_RUSH_DB_SOCKET ?? '',
  quietWaitSeconds:
    process.env.BENCH_QUIET_WAIT === '0' ? 0 : positiveNumber(process.env.BENCH_QUIET_WAIT, 30),
  /** Stuck: still searching this long after creation. */
  stuckAfterSeconds: 30,
  /** pg_stat_statements' top N over the stages (0: off). */
  statements: Math.round(positiveNumber(process.env.BENCH_RUSH_STATEMENTS, 0)),
  /** Sampling period of the double-offer query. */
  sampleMs: 500,
  /**
   * Warm-up before the stages (not reported): bookings at WARMUP_RATE for this long, run to completion.
   * Without it the first stage's first seconds measured a cold server (V8 compiling the job's code paths,
   * each pool connection preparing its statements): creates of 200–420 ms p50 there, then 5–8 ms.
   */
  warmupSeconds:
    process.env.BENCH_RUSH_WARMUP_SECONDS === '0'
      ? 0
      : positiveNumber(process.env.BENCH_RUSH_WARMUP_SECONDS, 8),
};
const WARMUP_RATE = 10;
const WARMUP_STAGE = -1;

/** The square: 10 × 10 km of mainland Lagos (Yaba / Surulere / Ikeja side). */
const centre: Point = { lat: 6.52, lng: 3.36 };
const halfSideMeters = 5_000;
function pointInSquare(rand: () => number): Point {
  const dLat = ((rand() * 2 - 1) * halfSideMeters) / 111_320;
  const dLng = ((rand() * 2 - 1) * halfSideMeters) / (111_320 * Math.cos((centre.lat * Math.PI) / 180));
  return { lat: centre.lat + dLat, lng: centre.lng + dLng };
}

const { cleanups, cleanup } = createCleanup();
const now = () => performance.now();

// ---------------------------------------------------------------------------------------------
// What happens to each booking.

/**
 * Diagnostics (BENCH_RUSH_SLOW_SECONDS=1): the stage's five seconds with the slowest create, each with its
 * creates' p50 and max, so a periodic stall (a sweep, a GC, a minute's job) shows as a pattern of seconds.
 */
function printSlowSeconds(own: Job[], stageStart: number) {
  const bySecond = new Map<number, number[]>();
  for (const j of own) {
    if (j.sentAt === undefined || j.createMs === undefined) continue;
    const s = Math.floor((j.sentAt - stageStart) / 1000);
    bySecond.set(s, [...(bySecond.get(s) ?? []), j.createMs]);
  }
  const worst = [...bySecond]
    .map(([s, ms]) => ({ s, p50: percentile(ms, 50), max: Math.max(...ms) }))
    .sort((x, y) => y.max - x.max)
    .slice(0, 5);
  console.log(
    `\n  slowest seconds: ${worst.map((w) => `${w.s}s (p50 ${w.p50.toFixed(0)}, max ${w.max.toFixed(0)} ms)`).join(', ')}`,
  );
}

type Job = {
  stage: number;
  sentAt?: number;
  createdAt?: number;
  createMs?: number;
  offerAt?: number;
  acceptMs?: number;
  completedAt?: number;
  failed?: string;
};

/** By booking id once created (or once an offer for it arrived first). */
const jobs = new Map<string, Job>();
/** Bookings whose create has not answered yet (by idempotency key). */
let inFlightCreates = 0;

type StageCounters = {
  sent: number;
  created: number;
  shed: number;
  errors: Map<string, number>;
  /** The first message seen of each kind of error (a code alone did not tell two CONFLICTs apart). */
  errorMessages: Map<string, string>;
  offersReceived: number;
  offerBeforeCreateResponse: number;
  doubleOfferSamples: number;
  doubleOfferTechnicians: Set<string>;
  samples: number;
};

const newCounters = (): StageCounters => ({
  sent: 0,
  created: 0,
  shed: 0,
  errors: new Map(),
  errorMessages: new Map(),
  offersReceived: 0,
  offerBeforeCreateResponse: 0,
  doubleOfferSamples: 0,
  doubleOfferTechnicians: new Set(),
  samples: 0,
});

const counters: StageCounters[] = [];
let currentStage = -1;

function countError(stage: number, label: string, error?: unknown) {
  const c = counters[stage] ?? counters[currentStage];
  if (!c) return;
  c.errors.set(label, (c.errors.get(label) ?? 0) + 1);
  if (error !== undefined && !c.errorMessages.has(label))
    c.errorMessages.set(label, (error instanceof Error ? error.message : String(error)).slice(0, 200));
}

function jobFor(bookingId: string): Job {
  let job = jobs.get(bookingId);
  if (!job) {
    job = { stage: currentStage };
    jobs.set(bookingId, job);
  }
  return job;
}

// ---------------------------------------------------------------------------------------------
// Technicians: accept every offer at once and run the job straight through.

const steps = ['en_route', 'arrived', 'in_progress', 'completed'] as const;

function onOffer(t: Technician, e: OfferEvent) {
  if (e.type !== 'offer') return;
  const at = now();
  const bookingId = e.offer.bookingId;
  const job = jobFor(bookingId);
  const c = counters[job.stage] ?? counters[currentStage];
  if (c) c.offersReceived++;
  if (job.offerAt === undefined) {
    job.offerAt = at;
    if (job.createdAt === undefined && c) c.offerBeforeCreateResponse++;
  }
  void runJob(t, bookingId, job);
}

async function runJob(t: Technician, bookingId: string, job: Job) {
  let step = 'accept';
  try {
    const started = now();
    await t.call('booking.accept', { id: bookingId });
    job.acceptMs = now() - started;
    for (const to of steps) {
      step = to;
      await t.call('booking.advance', {
        id: bookingId,
        to,
        ...(to === 'arrived' ? { confirmFar: true } : {}),
      });
    }
    job.completedAt = now();
  } catch (e) {
    job.failed = `${step}:${errorLabel(e)}`;
    countError(job.stage, job.failed, e);
  }
}

// ---------------------------------------------------------------------------------------------
// Customers: open-loop booking creation.

type Customer = { id: string; token: string; api: Api; call: Call };

function createBooking(customer: Customer, serviceId: string, at: Point, stage: number) {
  const c = counters[stage]!;
  c.sent++;
  inFlightCreates++;
  const sentAt = now();
  customer
    .call<Booking>('booking.create', {
      serviceId,
      ...at,
      address: '12 Rush Hour Street, Yaba, Lagos',
      idempotencyKey: randomUUID(),
    })
    .then(
      (booking) => {
        const at2 = now();
        const job = jobFor(booking.id);
        job.stage = stage;
        job.sentAt = sentAt;
        job.createdAt = at2;
        job.createMs = at2 - sentAt;
        c.created++;
      },
      (e) => {
        if (isShed(e)) c.shed++;
        else countError(stage, `create:${errorLabel(e)}`, e);
      },
    )
    .finally(() => inFlightCreates--);
}

// ---------------------------------------------------------------------------------------------
// Measurements.

function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

type Readings = {
  at: number;
  server: number;
  /** Of which in the kernel (socket reads and writes). */
  serverSystem: number;
  postgres: Map<number, number>;
  machine: ReturnType<typeof machineCpuSeconds>;
  client: NodeJS.CpuUsage;
  xactCommit: number;
  xactRollback: number;
  /** Transactions this process ran in the bench database by then (sampling), to take off. */
  ownXacts: number;
};

let ownXacts = 0;

type StageResult = {
  stage: number;
  targetRate: number;
  seconds: number;
  offeredRate: number;
  sent: number;
  created: number;
  shed: number;
  createP50Ms: number;
  createP99Ms: number;
  createToOfferP50Ms: number;
  createToOfferP99Ms: number;
  offered: number;
  offerBeforeCreateResponse: number;
  acceptP50Ms: number;
  acceptP99Ms: number;
  completed: number;
  jobsPerSecond: number;
  createToCompleteP50Ms: number;
  createToCompleteP99Ms: number;
  serverCpuMsPerJob: number;
  postgresCpuMsPerJob: number;
  /** Commits in the stage's window, less this process's sampling and the idle background, per completed job. */
  xactsPerJob: number;
  /** The same without taking off the idle background. */
  xactsPerJobRaw: number;
  xactCommits: number;
  xactBackground: number;
  xactRollbacks: number;
  doubleOfferTechnicians: number;
  doubleOfferSamples: number;
  samples: number;
  stuck: number;
  errors: number;
  errorsByKind: Record<string, number>;
  errorMessages: Record<string, string>;
  saturated: boolean;
  saturatedReason: string | null;
  cpuSeconds: {
    server: number;
    serverSystem: number;
    postgres: number;
    client: number;
    other: number;
    machineBusy: number;
  };
  window: { stageSeconds: number; drainSeconds: number; settleSeconds: number };
  sustained: boolean;
};

/** The statements with the most execution time since the stages started, per booking created. */
async function printStatements(sql: postgres.Sql, top: number, bookings: number) {
  const rows = await sql<
    Array<{ calls: string; total_ms: number; mean_ms: number; query: string }>
  >`SELECT calls::text, total_exec_time AS total_ms, mean_exec_time AS mean_ms, query
      FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_exec_time DESC LIMIT ${top}`.catch(() => []);
  const per = Math.max(1, bookings);
  console.log(
    `\npg_stat_statements over the stages (${bookings} bookings): calls/booking, exec ms/booking, mean ms`,
  );
  for (const r of rows)
    console.log(
      `${(Number(r.calls) / per).toFixed(2).padStart(7)} ${(r.total_ms / per).toFixed(3).padStart(8)} ${r.mean_ms.toFixed(3).padStart(7)}  ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
    );
}

/**
 * The directory of PostgreSQL's Unix socket when PostgreSQL runs on this machine ('' when it does not, or
 * when BENCH_RUSH_DB_SOCKET=tcp): the server then connects there, as any deployment with the database on
 * the same host would (db/client.ts postgresTarget).
 */
async function localSocket(adminUrl: string): Promise<string> {
  if (settings.dbSocket === 'tcp') return '';
  if (settings.dbSocket) return settings.dbSocket;
  const url = new URL(adminUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return '';
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ dirs: string }[]>`select current_setting('unix_socket_directories') as dirs`;
    const dir = row?.dirs.split(',')[0]?.trim() ?? '';
    return dir && existsSync(`${dir}/.s.PGSQL.${url.port || '5432'}`) ? dir : '';
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `url` reached over the Unix socket in `dir` (db/client.ts postgresTarget). */
function withSocket(url: string, dir: string) {
  const u = new URL(url);
  u.searchParams.set('host', dir);
  return u.toString();
}

async function main() {
  const startedAt = new Date();
  const cpuCount = os.availableParallelism();
  const adminUrl =
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  console.log(
    `Fundi morning rush: ${settings.technicians} technicians + ${settings.technicians} customers, stages ${settings.rates.join(', ')} bookings/s × ${settings.stageSeconds} s, ` +
      `${cpuCount} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );
  console.log(
    `load average before start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  // The floor first, before this process pins itself to CPU 1 (pgbench would inherit that).
  let floor: PgbenchResult | null = null;
  if (settings.pgbench) {
    await waitForQuietMachine('pgbench');
    process.stdout.write('pgbench (scale 10, 8 clients, 2 threads, 15 s)… ');
    floor = await runPgbench(adminUrl, { scale: 10, clients: 8, threads: 2, seconds: 15 });
    console.log(`${floor.tps.toFixed(0)} tx/s`);
  }

  const pinning = pinLoadGeneratorToCpu1();
  console.log(
    pinning.enabled
      ? 'Pinning: server on CPU 0, load generator (this process) on CPU 1; PostgreSQL not pinned.'
      : `Pinning: OFF (${pinning.reason}).`,
  );

  const database = await createMigratedDatabase('fundi_rush', cleanups);
  const socket = await localSocket(adminUrl);
  console.log(
    `database ${database.name} created and migrated; the server reaches it over ${socket ? `the Unix socket in ${socket}` : 'TCP'}`,
  );
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 5 }));
  const statsSql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  cleanups.push(() => statsSql.end({ timeout: 5 }));

  const adminAccount = { email: 'rush-admin@bench.fundi.app', password: `rush-${randomUUID()}` };
  const serverLines: string[] = [];
  const server = await spawnRushServer({
    root,
    databaseUrl: socket ? withSocket(database.url, socket) : database.url,
    pinning,
    cleanups,
    env: {
      DATABASE_POOL_SIZE: String(settings.poolSize),
      ADMIN_EMAIL: adminAccount.email,
      ADMIN_PASSWORD: adminAccount.password,
      // Every sign-up comes from 127.0.0.1.
      AUTH_RATE_LIMIT: '1000000',
      TRACKING_RATE_LIMIT: '1000000',
      // Every technician's WebSocket comes from 127.0.0.1 too (the default allows 256 per address).
      WS_MAX_SOCKETS_PER_IP: '100000',
      // Each customer books every N / rate seconds; a backlog must not turn into CONFLICTs.
      MAX_OPEN_BOOKINGS: '100',
      // The design documents' 3 bookings a minute per customer: a rush of N customers booking once each
      // is what it models, but these N customers book again every stage.
      BOOKING_CREATE_LIMIT: '1000000',
    },
    onLine: (line) => {
      serverLines.push(line);
      if (serverLines.length <= 200) console.error(`[server] ${line}`);
    },
  });
  console.log(`server pid ${server.pid} at ${server.url}`);

  // ------------------------------------------------------------------ set-up through the API
  const setupStarted = now();
  const tag = `${Date.now().toString(36)}`;
  const admin = httpApi(
    server,
    (await httpApi(server).auth.signIn.mutate({ email: adminAccount.email, password: adminAccount.password }))
      .token,
  );
  const services = await httpApi(server).catalog.services.query();
  const service = services[0];
  if (!service) throw new Error('the catalog has no services');
  const n = settings.technicians;
  process.stdout.write(`signing up ${n} technicians and ${n} customers… `);
  const techAccounts = await pool(
    Array.from({ length: n }, (_, i) => i),
    8,
    (i) => signUp(server, 'technician', tag, i),
  );
  const customerAccounts = await pool(
    Array.from({ length: n }, (_, i) => i),
    8,
    (i) => signUp(server, 'customer', tag, i),
  );
  console.log(`${((now() - setupStarted) / 1000).toFixed(0)} s`);

  const rand = prng(18);
  const technicianErrors: string[] = [];
  process.stdout.write('verifying, setting services, opening offers subscriptions, going online… ');
  const technicians = await pool(techAccounts, 16, (account, i) =>
    readyTechnician(server, admin, account, i, pointInSquare(rand), service.id, onOffer, (_t, e) =>
      technicianErrors.push(errorLabel(e)),
    ),
  );
  cleanups.push(async () => {
    for (const t of technicians) {
      t.unsubscribe();
      t.ws.close();
    }
  });
  const customers: Customer[] = customerAccounts.map((a) => ({
    ...a,
    api: httpApi(server, a.token),
    call: caller(server, a.token),
  }));
  // Presence is judged on the server: every technician must be `available` (socket open, heard from).
  const presence = await pool(technicians, 16, (t) => t.api.technician.me.query().then((m) => m.presence));
  const available = presence.filter((p) => p === 'available').length;
  console.log(
    `${((now() - setupStarted) / 1000).toFixed(0)} s in all; ${available}/${n} technicians available`,
  );
  if (available < n) console.log(`WARNING: ${n - available} technicians are not 'available' to dispatch`);

  // ------------------------------------------------------------------ readings
  const readings = async (): Promise<Readings> => {
    const [row] = await statsSql<Array<{ xact_commit: string; xact_rollback: string }>>`
      SELECT xact_commit::text, xact_rollback::text FROM pg_stat_database WHERE datname = ${database.name}`;
    const times = processCpuTimes(server.pid);
    return {
      at: now(),
      server: times ? times.user + times.system : Number.NaN,
      serverSystem: times?.system ?? Number.NaN,
      postgres: postgresCpuByPid(database.name),
      machine: machineCpuSeconds(),
      client: process.cpuUsage(),
      xactCommit: Number(row?.xact_commit ?? Number.NaN),
      xactRollback: Number(row?.xact_rollback ?? Number.NaN),
      ownXacts,
    };
  };
  const benchQuery = async <T extends readonly object[]>(q: () => Promise<T>): Promise<T> => {
    ownXacts++;
    return q();
  };

  // Idle background (sweeps, presence beats): measured once set-up's counters are published, and taken
  // off each stage's transactions so that "per job" means per job.
  await sleep(Math.max(settings.settleSeconds, 11) * 1000);
  const idleBefore = await readings();
  await sleep(Math.max(settings.settleSeconds, 5) * 1000);
  const idleAfter = await readings();
  const idleSeconds = (idleAfter.at - idleBefore.at) / 1000;
  const idle = {
    seconds: idleSeconds,
    xactsPerSecond:
      (idleAfter.xactCommit - idleBefore.xactCommit - (idleAfter.ownXacts - idleBefore.ownXacts)) /
      idleSeconds,
    serverCpuPercent: ((idleAfter.server - idleBefore.server) / idleSeconds) * 100,
  };
  console.log(
    `idle background: ${idle.xactsPerSecond.toFixed(1)} DB transactions/s, server ${idle.serverCpuPercent.toFixed(1)} % of a core`,
  );

  await waitForQuietMachine('stages', true);

  const bookingRand = prng(4);
  let customerCursor = 0;
  if (settings.warmupSeconds) {
    // Open loop like a stage, its jobs tagged WARMUP_STAGE: no stage's figures count them.
    currentStage = WARMUP_STAGE;
    counters[WARMUP_STAGE] = newCounters();
    process.stdout.write(
      `warm-up: ${WARMUP_RATE} bookings/s for ${settings.warmupSeconds} s (not reported)… `,
    );
    const start = now();
    let sent = 0;
    while (now() - start < settings.warmupSeconds * 1000) {
      for (const due = Math.floor(((now() - start) / 1000) * WARMUP_RATE) + 1; sent < due; sent++)
        createBooking(
          customers[customerCursor++ % customers.length]!,
          service.id,
          pointInSquare(bookingRand),
          WARMUP_STAGE,
        );
      await sleep(20);
    }
    const warm = () => [...jobs.values()].filter((j) => j.stage === WARMUP_STAGE);
    const unfinished = () =>
      inFlightCreates + warm().filter((j) => j.completedAt === undefined && !j.failed).length;
    while (unfinished() > 0 && now() - start < (settings.warmupSeconds + settings.stuckAfterSeconds) * 1000)
      await sleep(100);
    // As after a stage: the warm-up's transaction counters are published before stage 1's first reading.
    await sleep(Math.max(settings.settleSeconds, 2) * 1000);
    console.log(`${warm().filter((j) => j.completedAt !== undefined).length} of ${sent} jobs completed`);
  }
  // ------------------------------------------------------------------ stages
  // Statement statistics of this database only (others' entries are left alone).
  if (settings.statements)
    await benchQuery(async () => {
      await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
      ownXacts++;
      return sql`SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`;
    }).catch((e) => console.log(`pg_stat_statements unavailable: ${errorLabel(e)}`));
  const results: StageResult[] = [];
  const stageIds: string[][] = [];
  for (const [stageIndex, rate] of settings.rates.entries()) {
    currentStage = stageIndex;
    const c = newCounters();
    counters[stageIndex] = c;
    const before = await readings();
    const stageStart = now();
    const stageEndPlanned = stageStart + settings.stageSeconds * 1000;
    let saturatedReason: string | null = null;

    // Double offers: sampled from the database during the stage.
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const rows = await benchQuery(
            () => sql<Array<{ technician_id: string }>>`
              SELECT technician_id FROM dispatch_offers WHERE status = 'offered'
              GROUP BY 1 HAVING count(*) > 1`,
          );
          c.samples++;
          if (rows.length) c.doubleOfferSamples++;
          for (const r of rows) c.doubleOfferTechnicians.add(r.technician_id);
        } catch (e) {
          countError(stageIndex, `sample:${errorLabel(e)}`, e);
        }
        await sleep(settings.sampleMs);
      }
    })();

    process.stdout.write(`stage ${stageIndex + 1}: ${rate} bookings/s for ${settings.stageSeconds} s… `);
    // Open loop: however slow the answers, bookings go out on schedule.
    let sent = 0;
    let lastCheck = stageStart;
    let lastDeprioritised = 0;
    while (now() < stageEndPlanned) {
      // The first booking at once, then one every 1/rate s: a stage of T s sends T × rate.
      const due = Math.floor(((now() - stageStart) / 1000) * rate) + 1;
      while (sent < due) {
        const customer = customers[customerCursor++ % customers.length]!;
        createBooking(customer, service.id, pointInSquare(bookingRand), stageIndex);
        sent++;
      }
      if (settings.postgresIdleClass && now() - lastDeprioritised >= 1000) {
        lastDeprioritised = now();
        deprioritisePostgres(database.name);
      }
      if (now() - lastCheck >= 250) {
        lastCheck = now();
        const backlog = outstanding(stageIndex);
        const limit = Math.max(100, rate * 8);
        if (backlog > limit) {
          saturatedReason = `backlog ${backlog} bookings not yet completed (> ${limit}) after ${((now() - stageStart) / 1000).toFixed(1)} s`;
          break;
        }
      }
      await sleep(Math.max(1, Math.min(10, 1000 / rate / 2)));
    }
    const stageEnd = now();
    const stageSeconds = (stageEnd - stageStart) / 1000;
    sampling = false;
    await sampler;

    // Drain: every booking of this stage completed or failed, or the stuck limit reached.
    const drainLimitMs = saturatedReason ? 10_000 : (settings.stuckAfterSeconds + 5) * 1000;
    while ((outstanding(stageIndex) > 0 || inFlightCreates > 0) && now() - stageEnd < drainLimitMs)
      await sleep(100);
    const drainSeconds = (now() - stageEnd) / 1000;
    if (settings.settleSeconds) await sleep(settings.settleSeconds * 1000);
    const after = await readings();

    const ids = [...jobs.entries()].filter(([, j]) => j.stage === stageIndex).map(([id]) => id);
    stageIds[stageIndex] = ids;
    const result = stageResult({
      idleXactsPerSecond: idle.xactsPerSecond,
      stageIndex,
      rate,
      c,
      before,
      after,
      stageStart,
      stageEnd,
      stageSeconds,
      drainSeconds,
      saturatedReason,
    });
    results.push(result);
    console.log(
      `${result.jobsPerSecond.toFixed(1)} jobs/s, create→offer p99 ${fmtMs(result.createToOfferP99Ms)}, ` +
        `${result.xactsPerJob.toFixed(1)} DB tx/job, server ${result.serverCpuMsPerJob.toFixed(1)} ms/job ` +
        `(${((result.cpuSeconds.serverSystem / result.cpuSeconds.server) * 100).toFixed(0)} % in the kernel)${saturatedReason ? ` — SATURATED: ${saturatedReason}` : ''}`,
    );
    if (saturatedReason) break;
  }
  currentStage = results.length - 1;

  // Stuck: still 'searching' 30 s after creation, at the end.
  const newestCreate = Math.max(0, ...[...jobs.values()].map((j) => j.createdAt ?? 0));
  const waitStuck = newestCreate + settings.stuckAfterSeconds * 1000 - now();
  // Nothing left in flight: nothing can be stuck, no need to wait.
  if (waitStuck > 0 && outstanding(results.length - 1) > 0) {
    console.log(
      `waiting ${(waitStuck / 1000).toFixed(0)} s until the newest booking is ${settings.stuckAfterSeconds} s old…`,
    );
    await sleep(waitStuck);
  }
  for (const r of results) {
    const ids = stageIds[r.stage] ?? [];
    const [row] = await benchQuery(
      () => sql<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM bookings
        WHERE id = ANY(${ids}::uuid[]) AND status = 'searching'
          AND created_at < now() - make_interval(secs => ${settings.stuckAfterSeconds})`,
    );
    r.stuck = row?.n ?? 0;
  }
  const statuses = await benchQuery(
    () =>
      sql<
        Array<{ status: string; n: number }>
      >`SELECT status::text, count(*)::int AS n FROM bookings GROUP BY 1 ORDER BY 1`,
  );

  if (settings.statements)
    await printStatements(
      sql,
      settings.statements,
      [...jobs.values()].filter((j) => j.stage !== WARMUP_STAGE).length,
    );

  // ------------------------------------------------------------------ report
  for (const r of results) r.sustained = isSustained(r);
  printTable(results);
  console.log(
    `DB tx/job: xact_commit over each stage's window (stage, drain, ${settings.settleSeconds} s settle) per completed job, ` +
      `less the idle background (${idle.xactsPerSecond.toFixed(1)} tx/s); in brackets without that. CPU per job: the same window.`,
  );
  const targets = evaluateTargets(results);
  console.log('');
  if (floor) {
    const best = Math.max(0, ...results.filter((r) => r.sustained).map((r) => r.jobsPerSecond));
    const best_ = results.find((r) => r.sustained && r.jobsPerSecond === best);
    console.log(
      `PostgreSQL floor (pgbench TPC-B-like, scale 10, -c 8 -j 2, 15 s): ${floor.tps.toFixed(0)} tx/s` +
        (best_
          ? `; at the best sustained stage Fundi used ${((best_.jobsPerSecond * best_.xactsPerJob) / floor.tps).toFixed(2)} of it (${(best_.jobsPerSecond * best_.xactsPerJob).toFixed(0)} tx/s)`
          : ''),
    );
  }
  console.log('Targets (issue 18, this 2-core machine, load generator included):');
  for (const t of targets)
    console.log(`  ${t.met === null ? 'N/A    ' : t.met ? 'MET    ' : 'NOT MET'}  ${t.text}`);
  console.log(`bookings by status at the end: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);
  const unfinished = await unfinishedBookings(sql);
  if (unfinished.length) {
    console.log(
      `not completed at the end (${unfinished.length}; first 12, times in ms from the create's answer):`,
    );
    for (const u of unfinished.slice(0, 12)) console.log(`  ${u}`);
  }
  if (technicianErrors.length) console.log(`offers subscription errors: ${technicianErrors.length}`);
  if (serverLines.length) console.log(`server wrote ${serverLines.length} log lines (warn/error)`);

  const file = path.join(root, 'bench/results', `rush-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine: { cpus: cpuCount, model: os.cpus()[0]?.model, node: process.version },
        settings,
        pinning,
        database: database.name,
        databaseSocket: socket || null,
        setup: { technicians: n, available, seconds: (now() - setupStarted) / 1000, service: service.slug },
        idle,
        pgbench: floor,
        stages: results,
        targets,
        statusesAtEnd: statuses,
        unfinished,
        subscriptionErrors: technicianErrors,
        serverLog: serverLines.slice(0, 500),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nresults: ${path.relative(root, file)}`);
  // A benchmark reports; BENCH_RUSH_STRICT=1 makes a target NOT MET fail the command (CI).
  return process.env.BENCH_RUSH_STRICT !== '1' || targets.every((t) => t.met !== false);
}

/**
 * Bookings not completed at the end, each with what the generator saw (create answered, offer received,
 * accept answered, failure) and what the database holds (status, offers, last history row): a booking
 * stuck here is either a lost event or a call that never answered.
 */
async function unfinishedBookings(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<
    Array<{ id: string; status: string; offers: string | null; last: string | null; age: number }>
  >`SELECT b.id, b.status::text,
      (SELECT string_agg(o.status::text || '@' || round(extract(epoch FROM o.created_at - b.created_at) * 1000)::text
                         || coalesce('/' || o.reason, ''), ' ' ORDER BY o.id)
         FROM dispatch_offers o WHERE o.booking_id = b.id) AS offers,
      (SELECT h.to_status::text || '@' || round(extract(epoch FROM h.created_at - b.created_at) * 1000)::text
         FROM booking_status_history h WHERE h.booking_id = b.id ORDER BY h.id DESC LIMIT 1) AS last,
      round(extract(epoch FROM now() - b.created_at))::int AS age
    FROM bookings b WHERE b.status <> 'completed' ORDER BY b.created_at`;
  return rows.map((r) => {
    const j = jobs.get(r.id);
    const rel = (t?: number) =>
      t === undefined || j?.createdAt === undefined ? '–' : String(Math.round(t - j.createdAt));
    const seen = j
      ? `stage ${j.stage}, offer ${rel(j.offerAt)}, accept ${j.acceptMs === undefined ? '–' : Math.round(j.acceptMs)} ms, ${j.failed ?? 'no error'}`
      : 'the generator never heard of it';
    return `${r.id.slice(0, 8)} ${r.status} (${r.age} s old; last change ${r.last ?? '–'}; offers ${r.offers ?? 'none'}) · ${seen}`;
  });
}

// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmtMs = (ms: number) => (Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms` : '–');

/** Bookings of stage `stage` (or earlier) sent but neither completed nor failed yet. */
function outstanding(stage: number): number {
  let done = 0;
  let sent = 0;
  for (let s = 0; s <= stage; s++) {
    const c = counters[s];
    if (!c) continue;
    sent += c.sent;
    // Creates that were refused never become jobs.
    done +=
      c.shed +
      [...c.errors.entries()].filter(([k]) => k.startsWith('create:')).reduce((a, [, v]) => a + v, 0);
  }
  for (const j of jobs.values()) if (j.stage <= stage && (j.completedAt !== undefined || j.failed)) done++;
  return sent - done;
}

function stageResult(a: {
  idleXactsPerSecond: number;
  stageIndex: number;
  rate: number;
  c: StageCounters;
  before: Readings;
  after: Readings;
  stageStart: number;
  stageEnd: number;
  stageSeconds: number;
  drainSeconds: number;
  saturatedReason: string | null;
}): StageResult {
  const { c, before, after } = a;
  const own = [...jobs.values()].filter((j) => j.stage === a.stageIndex);
  const createMs = own.flatMap((j) => (j.createMs === undefined ? [] : [j.createMs]));
  if (process.env.BENCH_RUSH_SLOW_SECONDS) printSlowSeconds(own, a.stageStart);
  const toOffer = own.flatMap((j) =>
    j.offerAt !== undefined && j.createdAt !== undefined ? [Math.max(0, j.offerAt - j.createdAt)] : [],
  );
  const acceptMs = own.flatMap((j) => (j.acceptMs === undefined ? [] : [j.acceptMs]));
  const toComplete = own.flatMap((j) =>
    j.completedAt !== undefined && j.createdAt !== undefined ? [j.completedAt - j.createdAt] : [],
  );
  const completed = own.filter((j) => j.completedAt !== undefined).length;
  // Throughput: completions (of any booking; the stage before has drained) while bookings go out, after
  // a short ramp (a job completes a moment after it is booked). Bookings still completing after the
  // stage are not counted: past the knee those are the backlog.
  const ramp = Math.min(2_000, (a.stageEnd - a.stageStart) * 0.1);
  const from = a.stageStart + ramp;
  let inWindow = 0;
  for (const j of jobs.values())
    if (j.completedAt !== undefined && j.completedAt >= from && j.completedAt < a.stageEnd) inWindow++;
  const jobsPerSecond = inWindow / ((a.stageEnd - from) / 1000);

  const seconds = (after.at - before.at) / 1000;
  const clientDelta = process.cpuUsage(before.client);
  const cpu = {
    server: after.server - before.server,
    serverSystem: after.serverSystem - before.serverSystem,
    postgres: sumIncrease(before.postgres, after.postgres),
    client: (clientDelta.user + clientDelta.system) / 1e6,
    machineBusy: after.machine.busy - before.machine.busy,
    other: 0,
  };
  cpu.other = Math.max(
    0,
    cpu.machineBusy -
      (after.machine.interrupts - before.machine.interrupts) -
      (after.machine.steal - before.machine.steal) -
      cpu.server -
      cpu.postgres -
      cpu.client,
  );
  const xactCommits = after.xactCommit - before.xactCommit - (after.ownXacts - before.ownXacts);
  const xactBackground = Math.max(0, a.idleXactsPerSecond) * seconds;
  const errorsByKind = Object.fromEntries(c.errors);
  const errorMessages = Object.fromEntries(c.errorMessages);
  return {
    stage: a.stageIndex,
    targetRate: a.rate,
    seconds: a.stageSeconds,
    offeredRate: c.sent / a.stageSeconds,
    sent: c.sent,
    created: c.created,
    shed: c.shed,
    createP50Ms: percentile(createMs, 50),
    createP99Ms: percentile(createMs, 99),
    createToOfferP50Ms: percentile(toOffer, 50),
    createToOfferP99Ms: percentile(toOffer, 99),
    offered: toOffer.length,
    offerBeforeCreateResponse: c.offerBeforeCreateResponse,
    acceptP50Ms: percentile(acceptMs, 50),
    acceptP99Ms: percentile(acceptMs, 99),
    completed,
    jobsPerSecond,
    createToCompleteP50Ms: percentile(toComplete, 50),
    createToCompleteP99Ms: percentile(toComplete, 99),
    serverCpuMsPerJob: completed ? (cpu.server * 1000) / completed : Number.NaN,
    postgresCpuMsPerJob: completed ? (cpu.postgres * 1000) / completed : Number.NaN,
    xactsPerJob: completed ? (xactCommits - xactBackground) / completed : Number.NaN,
    xactsPerJobRaw: completed ? xactCommits / completed : Number.NaN,
    xactCommits,
    xactBackground,
    xactRollbacks: after.xactRollback - before.xactRollback,
    doubleOfferTechnicians: c.doubleOfferTechnicians.size,
    doubleOfferSamples: c.doubleOfferSamples,
    samples: c.samples,
    stuck: 0,
    errors: [...c.errors.values()].reduce((x, y) => x + y, 0),
    errorsByKind,
    errorMessages,
    saturated: a.saturatedReason !== null,
    saturatedReason: a.saturatedReason,
    cpuSeconds: { ...cpu, machineBusy: cpu.machineBusy },
    window: {
      stageSeconds: a.stageSeconds,
      drainSeconds: a.drainSeconds,
      settleSeconds: seconds - a.stageSeconds - a.drainSeconds,
    },
    sustained: false,
  };
}

/** Kept up: ≥ 95 % of the offered bookings completed per second, create→offer p99 < 250 ms, no errors. */
function isSustained(r: StageResult): boolean {
  return (
    !r.saturated &&
    r.jobsPerSecond >= 0.95 * r.offeredRate &&
    r.createToOfferP99Ms < 250 &&
    r.errors === 0 &&
    r.shed === 0 &&
    r.stuck === 0
  );
}

type Target = { name: string; met: boolean | null; text: string };

function evaluateTargets(results: StageResult[]): Target[] {
  const sustained = results.filter((r) => r.sustained);
  const best = sustained.reduce<StageResult | null>(
    (b, r) => (!b || r.jobsPerSecond > b.jobsPerSecond ? r : b),
    null,
  );
  const bestJobs = best?.jobsPerSecond ?? 0;
  const lastSustainedIndex = best ? results.indexOf(best) : -1;
  const pastKnee = results.slice(lastSustainedIndex + 1);
  const measured = results.filter((r) => r.completed > 0);
  const maxXacts = Math.max(...measured.map((r) => r.xactsPerJob));
  const doubles = results.reduce((a, r) => a + r.doubleOfferTechnicians, 0);
  const worstPast = pastKnee.reduce<StageResult | null>(
    (w, r) => (!w || r.jobsPerSecond < w.jobsPerSecond ? r : w),
    null,
  );
  return [
    {
      name: 'sustained',
      met: bestJobs >= 100,
      text: `sustained ≥ 100 completed jobs/s with create→offer p99 < 250 ms and no errors: best sustained ${best ? `${bestJobs.toFixed(1)} jobs/s at ${best.targetRate} bookings/s (create→offer p99 ${fmtMs(best.createToOfferP99Ms)})` : 'none'}`,
    },
    {
      name: 'transactions',
      met: measured.length ? maxXacts <= 12 : null,
      text: `≤ 12 DB transactions per job: ${measured.map((r) => r.xactsPerJob.toFixed(1)).join(' / ')} (per stage)`,
    },
    {
      name: 'doubleOffers',
      met: doubles === 0,
      text: `zero double offers: ${doubles} technicians seen holding 2+ open offers (${results.reduce((a, r) => a + r.samples, 0)} samples)`,
    },
    {
      name: 'pastKnee',
      met: worstPast && best ? worstPast.jobsPerSecond >= 0.9 * bestJobs : null,
      text: !best
        ? 'past the knee ≥ 90 % of the sustained rate: no sustained stage to compare with'
        : worstPast
          ? `past the knee ≥ 90 % of the sustained rate: ${worstPast.jobsPerSecond.toFixed(1)} jobs/s at ${worstPast.targetRate} bookings/s = ${bestJobs ? ((worstPast.jobsPerSecond / bestJobs) * 100).toFixed(0) : '–'} % of ${bestJobs.toFixed(1)}`
          : 'past the knee ≥ 90 % of the sustained rate: no stage past the knee in this run (raise BENCH_RUSH_RATES)',
    },
  ];
}

function printTable(results: StageResult[]) {
  const header = [
    'bookings/s',
    'create p50',
    'create p99',
    'create→offer p99',
    'accept p99',
    'jobs/s',
    'srv CPU/job',
    'pg CPU/job',
    'DB tx/job (raw)',
    'double',
    'stuck',
    'shed',
    'errors',
    'state',
  ];
  const rows = results.map((r) => [
    `${r.offeredRate.toFixed(1)}`,
    fmtMs(r.createP50Ms),
    fmtMs(r.createP99Ms),
    fmtMs(r.createToOfferP99Ms),
    fmtMs(r.acceptP99Ms),
    r.jobsPerSecond.toFixed(1),
    `${r.serverCpuMsPerJob.toFixed(1)} ms`,
    `${r.postgresCpuMsPerJob.toFixed(1)} ms`,
    `${r.xactsPerJob.toFixed(1)} (${r.xactsPerJobRaw.toFixed(1)})`,
    String(r.doubleOfferTechnicians),
    String(r.stuck),
    String(r.shed),
    String(r.errors),
    r.saturated ? 'saturated' : r.sustained ? 'sustained' : 'behind',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    if (r.errors)
      console.log(
        `  stage ${r.stage + 1} errors: ${JSON.stringify(r.errorsByKind)} ${JSON.stringify(r.errorMessages)}`,
      );
    if (r.cpuSeconds.other > 0.1 * (r.window.stageSeconds + r.window.drainSeconds + r.window.settleSeconds))
      console.log(
        `  stage ${r.stage + 1}: NOISE — ${r.cpuSeconds.other.toFixed(1)} CPU-s used by other processes`,
      );
  }
}

/**
 * Another workload on the machine would share the CPUs: wait (at most BENCH_QUIET_WAIT seconds) for a
 * second with the machine under 15 % busy, or, with our idle server and its sockets running, 25 %.
 */
async function waitForQuietMachine(what: string, ours = false): Promise<void> {
  if (!settings.quietWaitSeconds) return;
  const started = now();
  while ((now() - started) / 1000 < settings.quietWaitSeconds) {
    const before = machineCpuSeconds();
    await sleep(1000);
    const after = machineCpuSeconds();
    if ((after.busy - before.busy) / (after.total - before.total) < (ours ? 0.25 : 0.15)) break;
  }
  const waited = (now() - started) / 1000;
  if (waited >= 2) console.log(`(waited ${waited.toFixed(0)} s for a quiet machine before ${what})`);
}

main()
  .then(
    async (ok) => {
      await cleanup();
      process.exit(ok ? 0 : 1);
    },
    async (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      await cleanup();
      process.exit(1);
    },
  )
  .catch(() => process.exit(1));
