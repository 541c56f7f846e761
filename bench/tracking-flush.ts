// The live-tracking flush in isolation: `node --import tsx bench/tracking-flush.ts`. Not a test: it
// prints numbers. Times the repo calls the tracking service makes once a second —
// `writePositions` (latest position per technician) and `insertBreadcrumbs` (fixes during active
// jobs) — with the previous implementation (5 bind parameters per row, 1,000-row statements; kept
// below as the baseline) and the current one (one JSON text parameter per statement), interleaved
// in the same run against the same throw-away database.
//
// Per batch size and implementation it prints the median over the rounds of
//   ms/batch      wall time of the awaited call (Node + PostgreSQL)
//   CPU µs/row    this process's CPU (process.cpuUsage, user + system) per row: what the flush costs
//                 the event loop that also serves the WebSockets (on PGlite the database runs
//                 in-process too, so there it includes the SQL)
//   loop max ms   the longest event-loop stall during the call: the longest gap between runs of a 1 ms
//                 interval timer (≥ ~1 ms; inflated when other processes compete for the CPU). On
//                 PGlite every statement runs on the event loop, so there it is mostly SQL time
//
// Environment (all optional):
//   BENCH_DRIVER=postgres     or pglite (embedded, in a temp dir; as when there is no DATABASE_URL)
//   BENCH_ROUNDS=7            measured rounds per case, after one warm-up round
//   BENCH_SIZES=2000,10000    writePositions batch sizes (technicians seeded: the largest)
//   BENCH_CRUMBS=10000        insertBreadcrumbs batch size, plus one 100,000-row batch per implementation
//   TEST_DATABASE_URL / DATABASE_URL   PostgreSQL where the throw-away database is created
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { type Database, type DbOrTx, openDatabase, queryRows } from '../db/client';
import { trackingBreadcrumbs } from '../db/schema';
import { seedCatalog } from '../db/seed/catalog';
import {
  type BreadcrumbWrite,
  createTrackingRepo,
  type PositionWrite,
} from '../server/modules/tracking/tracking.repo';
import { createMigratedDatabase } from './database';
import { median } from './tracking-load';
import { prng, randomPoint } from './tracking-setup';

function num(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] && Number.isFinite(n) && n > 0 ? n : fallback;
}
const driver = process.env.BENCH_DRIVER === 'pglite' ? 'pglite' : 'postgres';
const rounds = num('BENCH_ROUNDS', 7);
const sizes = (process.env.BENCH_SIZES ?? '2000,10000').split(',').map(Number).filter(Boolean);
const crumbBatch = num('BENCH_CRUMBS', 10_000);
const BIG_CRUMB_BATCH = 100_000;
const technicianCount = Math.max(...sizes);
const jobCount = Math.min(2_000, technicianCount);
const LAGOS = { lat: 6.5244, lng: 3.3792 };

// ---------------------------------------------------------------------------------------------
// The baseline: the repo's writes as they were (5 bind parameters per row, 1,000-row slices).

const SLICE = 1_000;
const slices = <T>(rows: T[]) =>
  Array.from({ length: Math.ceil(rows.length / SLICE) }, (_, i) => rows.slice(i * SLICE, (i + 1) * SLICE));

function createLegacyRepo(db: DbOrTx) {
  return {
    async writePositions(all: PositionWrite[]) {
      for (const rows of slices(all)) await this.writePositionSlice(rows);
    },
    async writePositionSlice(rows: PositionWrite[]) {
      if (!rows.length) return;
      const values = sql.join(
        rows.map(
          (r) =>
            sql`(${r.technicianId}::uuid, ${r.lng}::float8, ${r.lat}::float8, ${r.accuracy}::real, ${r.at.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      );
      await db.execute(sql`
        UPDATE technician_profiles tp
        SET location = ST_SetSRID(ST_MakePoint(v.lng, v.lat), 4326)::geography,
            location_accuracy = v.accuracy, location_at = v.at
        FROM (VALUES ${values}) AS v(id, lng, lat, accuracy, at)
        WHERE tp.user_id = v.id AND (tp.location_at IS NULL OR tp.location_at < v.at)`);
    },
    async insertBreadcrumbs(all: BreadcrumbWrite[]) {
      for (const rows of slices(all)) {
        await db.insert(trackingBreadcrumbs).values(
          rows.map((r) => ({
            bookingId: r.bookingId,
            technicianId: r.technicianId,
            location: { lat: r.lat, lng: r.lng },
            accuracy: r.accuracy,
            recordedAt: r.at,
          })),
        );
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Database: throw-away, migrated, seeded with online technicians and one en-route job each for some.

const cleanups: Array<() => Promise<void>> = [];
async function cleanup() {
  for (const undo of cleanups.reverse()) await undo().catch((e) => console.error('cleanup failed:', e));
  cleanups.length = 0;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

/** Plain SQL both drivers run: technicians around Lagos, customers, and `en_route` bookings. */
async function seed(database: Database) {
  const db = database.db;
  await seedCatalog(db);
  await db.execute(sql`
    INSERT INTO users (id, email, password_hash, name, role)
    SELECT gen_random_uuid(), 'flush-tech-' || g || '@bench.fundi.app', 'x', 'Flush tech ' || g, 'technician'
    FROM generate_series(1, ${technicianCount}::int) g`);
  await db.execute(sql`
    INSERT INTO technician_profiles (user_id, verification, online, location, location_accuracy, location_at)
    SELECT id, 'verified', true,
           ST_SetSRID(ST_MakePoint(${LAGOS.lng}::float8 + random() / 20, ${LAGOS.lat}::float8 + random() / 20), 4326)::geography,
           10, now() - interval '1 day'
    FROM users WHERE role = 'technician'`);
  await db.execute(sql`
    INSERT INTO users (id, email, password_hash, name, role)
    SELECT gen_random_uuid(), 'flush-customer-' || g || '@bench.fundi.app', 'x', 'Flush customer ' || g, 'customer'
    FROM generate_series(1, ${jobCount}::int) g`);
  await db.execute(sql`
    WITH t AS (SELECT id, row_number() OVER (ORDER BY id) n FROM users WHERE role = 'technician'),
         c AS (SELECT id, row_number() OVER (ORDER BY id) n FROM users WHERE role = 'customer'),
         s AS (SELECT id, base_price, currency FROM services WHERE market = 'lagos' ORDER BY sort_order LIMIT 1)
    INSERT INTO bookings (customer_id, service_id, technician_id, status, location, address, currency,
                          price_base, price_surcharge, price_total, commission, technician_earnings,
                          idempotency_key, request_hash)
    SELECT c.id, s.id, t.id, 'en_route', ST_SetSRID(ST_MakePoint(${LAGOS.lng}::float8, ${LAGOS.lat}::float8), 4326)::geography,
           'Flush street 1', s.currency, s.base_price, 0, s.base_price, 0, s.base_price, c.id::text, 'bench'
    FROM t JOIN c USING (n), s`);
}

async function openBenchDatabase(): Promise<Database> {
  if (driver === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'fundi-bench-flush-'));
    const database = await openDatabase({ dataDir: dir });
    cleanups.push(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await database.migrate();
    await seed(database);
    return database;
  }
  const { url } = await createMigratedDatabase('fundi_benchflush', cleanups, seed);
  const database = await openDatabase({ databaseUrl: url, dataDir: '.data-bench-unused', poolSize: 2 });
  cleanups.push(() => database.close());
  return database;
}

// ---------------------------------------------------------------------------------------------
// Measurement.

type Sample = { ms: number; cpuUsPerRow: number; loopMaxMs: number };

async function measure(rows: number, call: () => Promise<void>): Promise<Sample> {
  // The longest time the event loop did not get round to a 1 ms interval timer. (perf_hooks'
  // monitorEventLoopDelay under-reports stalls that span many of its intervals.)
  let last = performance.now();
  let loopMaxMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    loopMaxMs = Math.max(loopMaxMs, now - last);
    last = now;
  }, 1);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await call();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  // A stall lasting to the end of the call shows once the ticker runs again.
  await new Promise((resolve) => setTimeout(resolve, 2));
  clearInterval(ticker);
  return { ms, cpuUsPerRow: (used.user + used.system) / rows, loopMaxMs };
}

function report(label: string, rows: number, impl: string, samples: Sample[]) {
  const f = (x: number, d: number) => x.toFixed(d).padStart(7);
  console.log(
    `${label.padEnd(17)} ${String(rows).padStart(6)} rows  ${impl.padEnd(4)}` +
      `${f(median(samples.map((s) => s.ms)), 1)} ms/batch` +
      `${f(median(samples.map((s) => s.cpuUsPerRow)), 2)} CPU µs/row` +
      `${f(median(samples.map((s) => s.loopMaxMs)), 1)} loop max ms`,
  );
}

async function main() {
  const database = await openBenchDatabase();
  const db = database.db;
  const impls = { old: createLegacyRepo(db), new: createTrackingRepo(db) } as const;
  type Impl = keyof typeof impls;

  const technicians = (
    await queryRows<{ id: string }>(db, sql`SELECT user_id AS id FROM technician_profiles ORDER BY user_id`)
  ).map((r) => r.id);
  const jobs = await queryRows<{ bookingId: string; technicianId: string }>(
    db,
    sql`SELECT id AS "bookingId", technician_id AS "technicianId" FROM bookings ORDER BY id`,
  );
  console.log(
    `driver ${driver}, node ${process.version}; ${technicians.length} technicians, ${jobs.length} jobs; ` +
      `median of ${rounds} rounds (after 1 warm-up), old and new interleaved`,
  );

  const rand = prng(42);
  // Every round's fixes are newer than the last, so every position row is really written.
  let clock = Date.now() - 3_600_000;
  const positions = (n: number): PositionWrite[] => {
    clock += 1_000;
    return technicians.slice(0, n).map((technicianId, i) => {
      const p = randomPoint(LAGOS, 15_000, rand);
      return {
        technicianId,
        lat: p.lat,
        lng: p.lng,
        accuracy: 3 + (i % 20),
        at: new Date(clock + (i % 997)),
      };
    });
  };
  const crumbs = (n: number): BreadcrumbWrite[] => {
    clock += 1_000;
    return Array.from({ length: n }, (_, i) => {
      const job = jobs[i % jobs.length]!;
      const p = randomPoint(LAGOS, 15_000, rand);
      return {
        ...job,
        lat: p.lat,
        lng: p.lng,
        accuracy: i % 9 ? 4 + (i % 30) : null,
        at: new Date(clock + i),
      };
    });
  };
  const clearCrumbs = () => db.execute(sql`TRUNCATE tracking_breadcrumbs`);

  async function compare(
    label: string,
    n: number,
    run: (impl: Impl) => Promise<Sample>,
    warmup = 1,
    times = rounds,
  ) {
    const samples: Record<Impl, Sample[]> = { old: [], new: [] };
    for (let r = 0; r < warmup + times; r++) {
      const order: Impl[] = r % 2 ? ['new', 'old'] : ['old', 'new'];
      for (const impl of order) {
        const s = await run(impl);
        if (r >= warmup) samples[impl].push(s);
      }
    }
    for (const impl of ['old', 'new'] as const) report(label, n, impl, samples[impl]);
  }

  for (const n of sizes) {
    await compare('writePositions', n, (impl) => {
      const batch = positions(n);
      return measure(n, async () => void (await impls[impl].writePositions(batch)));
    });
  }
  await compare('insertBreadcrumbs', crumbBatch, async (impl) => {
    const batch = crumbs(crumbBatch);
    const s = await measure(crumbBatch, () => impls[impl].insertBreadcrumbs(batch));
    await clearCrumbs();
    return s;
  });
  // One very large batch (what the service holds at most): checks it goes through, then counts.
  await compare(
    'insertBreadcrumbs',
    BIG_CRUMB_BATCH,
    async (impl) => {
      const batch = crumbs(BIG_CRUMB_BATCH);
      const s = await measure(BIG_CRUMB_BATCH, () => impls[impl].insertBreadcrumbs(batch));
      const [row] = await queryRows<{ n: number | string }>(
        db,
        sql`SELECT count(*) AS n FROM tracking_breadcrumbs`,
      );
      if (Number(row!.n) !== BIG_CRUMB_BATCH)
        throw new Error(`${impl}: ${row!.n} of ${BIG_CRUMB_BATCH} rows`);
      await clearCrumbs();
      return s;
    },
    0,
    1,
  );
}

try {
  await main();
} finally {
  await cleanup();
}
