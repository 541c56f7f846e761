// Admin analytics at Lagos scale (issue 14 §6): a throw-away database seeded with a year of data
// (500k bookings, 5k technicians, their history, offers, ledger, reviews, a presence sample a minute),
// then every admin.analytics card through the real service, several times each, for the last 30 days
// and for the whole year:
//   1. from the raw rows without the analytics indexes (migrations 0020/0025, dropped for this baseline);
//   2. from the raw rows with them;
//   3. with the daily rollups (migration 0026): the worker's first roll-up of the year is timed, then the
//      cards combine rolled-up days with raw rows for the partial first day and today;
//   4./5. 2 and 3 again with serial plans on one connection, with the database's CPU per call.
// Prints p50/p95 per query and writes bench/results/analytics-<time>.json.
//
//   npm run bench:analytics            (BENCH_BOOKINGS=500000 BENCH_TECHNICIANS=5000 BENCH_RUNS=7)
//   BENCH_ROLLUPS_ONLY=1               skips 1, 2 and 4 (the raw phases: the slow part)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openDatabase } from '../db/client';
import { seedCatalog } from '../db/seed/catalog';
import type { AnalyticsInput } from '../server/contracts/analytics';
import { createAnalyticsService } from '../server/modules/analytics/analytics.service';
import { createCleanup } from './cleanup';
import { createMigratedDatabase } from './database';

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 500_000);
const TECHNICIANS = Number(process.env.BENCH_TECHNICIANS ?? 5_000);
const CUSTOMERS = Math.max(1000, Math.round(BOOKINGS / 5));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BUDGET_MS = 200;
const ROLLUPS_ONLY = Boolean(process.env.BENCH_ROLLUPS_ONLY);

/** The analytics indexes (migrations 0020 and 0025), dropped for the baseline and while seeding. */
const INDEXES: Record<string, string> = {
  bookings_created_analytics_idx:
    'CREATE INDEX bookings_created_analytics_idx ON bookings USING btree (created_at) INCLUDE (id, service_id, status, assigned_at, scheduled_for, cancel_reason, location, sandbox)',
  dispatch_offers_created_analytics_idx:
    'CREATE INDEX dispatch_offers_created_analytics_idx ON dispatch_offers USING btree (created_at) INCLUDE (booking_id, status)',
  ledger_entries_analytics_idx:
    "CREATE INDEX ledger_entries_analytics_idx ON ledger_entries USING btree (currency, created_at) INCLUDE (line, amount, account) WHERE line IN ('charge', 'commission', 'tip', 'refund', 'credit')",
  reviews_created_analytics_idx:
    'CREATE INDEX reviews_created_analytics_idx ON reviews USING btree (created_at) INCLUDE (booking_id, rating, hidden_at)',
};

const CARDS = [
  'bookingsPerHour',
  'fulfilment',
  'timeToAssignment',
  'offers',
  'cancellations',
  'money',
  'supplyDemand',
  'ratings',
  'heatmap',
  'dashboard',
] as const;
type Card = (typeof CARDS)[number];

type Timing = {
  card: Card;
  range: string;
  p50: number;
  p95: number;
  min: number;
  max: number;
  /** PostgreSQL CPU per call (median), when measured: see backendCpuMs. */
  cpuP50?: number;
};

/**
 * CPU time (ms) the database's client backends have used so far, from /proc (PostgreSQL on this machine).
 * On a shared machine wall time mostly measures the neighbours; CPU time is what the query itself costs,
 * which is its wall time on an idle core when the plan is serial (the CPU pass turns parallel plans off,
 * since parallel workers are processes that exit before they can be read). Clock ticks are 10 ms: medians
 * over several runs.
 */
async function backendCpuMs(sql: postgres.Sql, database: string): Promise<number> {
  const pids = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = ${database} and backend_type = 'client backend' and pid <> pg_backend_pid()`;
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not on this machine (a remote server) or just exited: CPU is not measured.
      return Number.NaN;
    }
  }
  return ticks * 10;
}

const { cleanups, cleanup } = createCleanup();

function pct(sorted: number[], p: number) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function seed(sql: postgres.Sql) {
  const step = async (label: string, q: string) => {
    const t = performance.now();
    await sql.unsafe(q);
    console.log(`  ${label.padEnd(34)} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  // Triggers and foreign keys off while seeding (the ledger's balance trigger would check each of
  // ~2M lines at commit); the data is made consistent by construction instead.
  await sql.unsafe(`set session_replication_role = replica`);
  await step(
    `${CUSTOMERS} customers, ${TECHNICIANS} technicians`,
    `insert into users (email, password_hash, name, role)
       select 'c' || g || '@bench.fundi.app', 'x', 'Customer ' || g, 'customer' from generate_series(1, ${CUSTOMERS}) g;
     insert into users (email, password_hash, name, role)
       select 't' || g || '@bench.fundi.app', 'x', 'Technician ' || g, 'technician' from generate_series(1, ${TECHNICIANS}) g;
     insert into technician_profiles (user_id, verification, online, location, seen_at)
       select u.id, 'verified', random() < 0.3,
         st_setsrid(st_makepoint(3.2 + random() * 0.5, 6.43 + random() * 0.2), 4326)::geography, now()
       from users u where u.role = 'technician';`,
  );
  // A year of requests with a morning and an evening rush (hours drawn around 8:00 and 18:00 Lagos time).
  await step(
    `${BOOKINGS} bookings (a year)`,
    `with c as (select array_agg(id) a from users where role = 'customer'),
          t as (select array_agg(user_id) a from technician_profiles),
          s as (select array_agg(id) a, array_agg(currency) cur from services where market = 'lagos'),
          g as (
            select g, random() as r, random() as r2, random() as r3,
              date_trunc('day', (now() - random() * interval '365 days') at time zone 'Africa/Lagos') as day
            from generate_series(1, ${BOOKINGS}) g),
          p as (
            select g.*, (g.day + make_interval(secs => greatest(0, least(86399,
                ((case when g.r2 < 0.45 then 8 when g.r2 < 0.8 then 18 else 6 + 16 * g.r3 end)
                 + (random() + random() + random() - 1.5) * 2) * 3600))))
              at time zone 'Africa/Lagos' as created,
              case when g.r < 0.7 then 'completed' when g.r < 0.8 then 'cancelled'
                   when g.r < 0.9 then 'unfulfilled' when g.r < 0.92 then 'disputed' else 'completed' end as st
            from g)
     insert into bookings (customer_id, service_id, technician_id, status, location, address, scheduled_for,
       scheduled_end, currency, price_base, price_surcharge, price_total, commission, technician_earnings,
       idempotency_key, request_hash, cancel_reason, created_at, assigned_at, completed_at, cancelled_at, updated_at)
     select c.a[1 + p.g % array_length(c.a, 1)], s.a[1 + p.g % array_length(s.a, 1)],
       case when p.st in ('completed', 'disputed') or (p.st = 'cancelled' and p.r3 < 0.4)
            then t.a[1 + (p.g * 7) % array_length(t.a, 1)] end,
       p.st::booking_status,
       st_setsrid(st_makepoint(3.2 + random() * 0.5 * random(), 6.43 + random() * 0.2), 4326)::geography,
       'Bench street', case when p.g % 10 = 0 then p.created + interval '1 day' end,
       case when p.g % 10 = 0 then p.created + interval '1 day 2 hours' end,
       s.cur[1 + p.g % array_length(s.a, 1)], 10000, 0, 10000, 1500, 8500, p.g::text, 'x',
       case when p.st = 'cancelled' then (array['Changed my mind', 'Found someone else', 'Too slow', 'Price too high', 'Technician late'])[1 + p.g % 5] end,
       p.created,
       case when p.st in ('completed', 'disputed') or (p.st = 'cancelled' and p.r3 < 0.4)
            then p.created + make_interval(secs => 5 + 600 * random() * random()) end,
       case when p.st = 'completed' then p.created + interval '2 hours' end,
       case when p.st = 'cancelled' then p.created + interval '10 minutes' end,
       p.created
     from p, c, t, s
     order by p.created`,
  );
  await step(
    'status history',
    `insert into booking_status_history (booking_id, to_status, actor_role, created_at)
       select id, 'searching', 'customer', created_at from bookings;
     insert into booking_status_history (booking_id, from_status, to_status, actor_role, reason, created_at)
       select id, 'searching', status, case when status = 'unfulfilled' then 'system'
         else (array['customer', 'customer', 'technician', 'admin'])[1 + abs(hashtext(id::text)) % 4] end::actor_role,
         case when status = 'unfulfilled' then (array['No technician accepted in time', 'The technician you chose could not take this job'])[1 + abs(hashtext(id::text)) % 2]
           else cancel_reason end,
         created_at + interval '10 minutes'
       from bookings where status in ('unfulfilled', 'cancelled');`,
  );
  await step(
    'dispatch offers (1–3 per booking)',
    `with t as (select array_agg(user_id) a from technician_profiles)
     insert into dispatch_offers (booking_id, technician_id, status, distance_meters, created_at, expires_at, responded_at)
     select b.id, t.a[1 + (abs(hashtext(b.id::text)) + k * 97) % array_length(t.a, 1)],
       (case when b.technician_id is not null and k = 1 then 'accepted'
             else (array['declined', 'expired', 'expired', 'withdrawn'])[1 + (abs(hashtext(b.id::text)) + k) % 4] end)::offer_status,
       1000 + k * 500, b.created_at + k * interval '30 seconds', b.created_at + (k + 1) * interval '30 seconds',
       b.created_at + k * interval '30 seconds' + interval '10 seconds'
     from bookings b, t, generate_series(1, 1 + abs(hashtext(b.id::text)) % 3) k
     order by b.created_at, k`,
  );
  await step(
    'ledger (invoice, payment, tips, refunds)',
    `insert into ledger_journals (key, kind, booking_id, created_at)
       select 'invoice:' || id, 'job', id, completed_at from bookings where status = 'completed';
     insert into ledger_journals (key, kind, booking_id, created_at)
       select 'payment:' || id, 'payment', id, completed_at + interval '5 minutes' from bookings where status = 'completed';
     insert into ledger_journals (key, kind, booking_id, created_at)
       select 'refund:' || id, 'refund', id, completed_at + interval '1 day' from bookings
       where status = 'completed' and abs(hashtext(id::text)) % 50 = 0;
     insert into ledger_entries (journal_id, account, currency, amount, line, created_at)
       select j.id, a.account, b.currency, a.amount, a.line, j.created_at
       from ledger_journals j join bookings b on b.id = j.booking_id,
       lateral (values
         ('customer:' || b.customer_id, 10000, 'charge'),
         ('technician:' || b.technician_id, -8500, 'earnings'),
         ('platform:commission', -1500, 'commission')) a(account, amount, line)
       where j.kind = 'job';
     insert into ledger_entries (journal_id, account, currency, amount, line, created_at)
       select j.id, a.account, b.currency, a.amount, a.line, j.created_at
       from ledger_journals j join bookings b on b.id = j.booking_id,
       lateral (select case when abs(hashtext(b.id::text)) % 3 = 0 then 1000 else 0 end as tip) tp,
       lateral (values
         ('gateway:paystack', 10000 + tp.tip, 'payment'),
         ('customer:' || b.customer_id, -10000, 'payment'),
         ('technician:' || b.technician_id, -tp.tip, 'tip')) a(account, amount, line)
       where j.kind = 'payment' and a.amount <> 0;
     insert into ledger_entries (journal_id, account, currency, amount, line, created_at)
       select j.id, a.account, b.currency, a.amount, a.line, j.created_at
       from ledger_journals j join bookings b on b.id = j.booking_id,
       lateral (values
         ('gateway:paystack', -2000, 'refund'),
         ('technician:' || b.technician_id, 1700, 'earnings'),
         ('platform:commission', 300, 'commission')) a(account, amount, line)
       where j.kind = 'refund';`,
  );
  await step(
    'reviews (8 in 10 finished jobs)',
    `insert into reviews (booking_id, customer_id, technician_id, rating, created_at, publish_due_at, published_at)
     select id, customer_id, technician_id,
       (array[1, 2, 3, 4, 4, 5, 5, 5, 5, 5])[1 + abs(hashtext(id::text)) % 10],
       coalesce(completed_at, created_at + interval '2 hours') + interval '1 hour',
       coalesce(completed_at, created_at + interval '2 hours') + interval '7 days',
       coalesce(completed_at, created_at + interval '2 hours') + interval '2 hours'
     from bookings where status in ('completed', 'disputed') and abs(hashtext(id::text)) % 5 <> 0`,
  );
  await step(
    'presence samples (a year of minutes)',
    `insert into analytics_presence_samples (market, sampled_at, online, available, busy)
     select 'lagos', m,
       (${Math.round(TECHNICIANS * 0.25)} + ${Math.round(TECHNICIANS * 0.15)} * sin(extract(hour from m) / 24.0 * 2 * pi()))::int,
       (${Math.round(TECHNICIANS * 0.12)} + ${Math.round(TECHNICIANS * 0.08)} * sin(extract(hour from m) / 24.0 * 2 * pi()))::int,
       (${Math.round(TECHNICIANS * 0.1)})::int
     from generate_series(date_trunc('minute', now() - interval '365 days'), now(), interval '1 minute') m`,
  );
  await sql.unsafe(`set session_replication_role = origin`);
  await step('vacuum analyze', 'vacuum analyze');
}

async function measure(
  service: ReturnType<typeof createAnalyticsService>,
  label: string,
  ranges: Record<string, AnalyticsInput>,
  cpu?: () => Promise<number>,
): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const [range, input] of Object.entries(ranges)) {
    for (const card of CARDS) {
      const times: number[] = [];
      const cpus: number[] = [];
      // One warm-up run (plans, caches), then RUNS timed runs.
      for (let i = 0; i <= RUNS; i++) {
        const c0 = cpu ? await cpu() : 0;
        const t = performance.now();
        await service[card](input);
        const wall = performance.now() - t;
        const c1 = cpu ? await cpu() : 0;
        if (i > 0) {
          times.push(wall);
          cpus.push(c1 - c0);
        }
      }
      times.sort((a, b) => a - b);
      cpus.sort((a, b) => a - b);
      out.push({
        card,
        range,
        p50: pct(times, 50),
        p95: pct(times, 95),
        min: times[0]!,
        max: times.at(-1)!,
        ...(cpu ? { cpuP50: pct(cpus, 50) } : {}),
      });
    }
  }
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`\n${label} (load average ${load} on ${os.cpus().length} cores)`);
  console.log(
    `  ${'query'.padEnd(18)} ${'range'.padEnd(8)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}${cpu ? ' db CPU ms'.padStart(11) : ''}`,
  );
  for (const r of out)
    console.log(
      `  ${r.card.padEnd(18)} ${r.range.padEnd(8)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(9)}${r.cpuP50 !== undefined ? r.cpuP50.toFixed(0).padStart(11) : ''}${r.p95 > BUDGET_MS ? '  over 200 ms' : ''}`,
    );
  return out;
}

async function main() {
  const started = performance.now();
  console.log(`analytics bench: ${BOOKINGS} bookings, ${TECHNICIANS} technicians, ${RUNS} runs per query`);
  const { url, name } = await createMigratedDatabase('fundi_bench_analytics', cleanups, (d) =>
    seedCatalog(d.db),
  );
  // BENCH_KEEP=1: leave the seeded database behind (for EXPLAIN); the caller drops it.
  if (process.env.BENCH_KEEP) cleanups.shift();
  console.log(`database ${name}; seeding…`);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 5 }));
  // Rows arrive in time order, as in production (the seed inserts sorted); the analytics indexes are
  // dropped first (faster inserts; the baseline runs without them) and built after the baseline.
  for (const name of Object.keys(INDEXES)) await sql.unsafe(`drop index if exists ${name}`);
  await seed(sql);
  const [counts] = await sql<{ bookings: number; offers: number; entries: number; reviews: number }[]>`
    select (select count(*) from bookings)::int as bookings, (select count(*) from dispatch_offers)::int as offers,
      (select count(*) from ledger_entries)::int as entries, (select count(*) from reviews)::int as reviews`;
  console.log(`  rows: ${JSON.stringify(counts)}`);

  const database = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 10 });
  cleanups.push(() => database.close());
  const deps = { presenceTimeoutMs: 30_000, reviewWindowMs: 14 * 86_400_000 };
  const raw = createAnalyticsService({ db: database.db, ...deps, rollups: false });
  const rolled = createAnalyticsService({ db: database.db, ...deps, rollups: true });
  const to = new Date();
  const ranges: Record<string, AnalyticsInput> = {
    '30 days': {
      market: 'lagos',
      from: new Date(to.getTime() - 30 * 86_400_000).toISOString(),
      to: to.toISOString(),
    },
    '365 days': {
      market: 'lagos',
      from: new Date(to.getTime() - 365 * 86_400_000).toISOString(),
      to: to.toISOString(),
    },
  };

  const baseline = ROLLUPS_ONLY ? [] : await measure(raw, 'raw rows, without the analytics indexes', ranges);

  let t = performance.now();
  for (const ddl of Object.values(INDEXES)) await sql.unsafe(ddl);
  await sql.unsafe('vacuum analyze');
  console.log(`\nindexes built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const indexed = ROLLUPS_ONLY ? [] : await measure(raw, 'raw rows, with the analytics indexes', ranges);

  // The worker's first roll-up: every closed day of every market (a year of Lagos; Cairo has none).
  t = performance.now();
  const first = await rolled.rollUp();
  const backfillSeconds = (performance.now() - t) / 1000;
  await sql.unsafe('vacuum analyze');
  // One day rolled up again: what the worker does after midnight, or for a day changed later.
  await sql.unsafe(`delete from analytics_days where market = 'lagos'
    and day = (now() at time zone 'Africa/Lagos')::date - 1`);
  t = performance.now();
  await rolled.rollUp();
  const oneDayMs = performance.now() - t;
  const [rollupRows] = await sql<{ days: number; counts: number; waits: number; cells: number }[]>`
    select (select count(*) from analytics_days)::int as days, (select count(*) from analytics_day_counts)::int as counts,
      (select count(*) from analytics_day_waits)::int as waits, (select count(*) from analytics_day_cells)::int as cells`;
  console.log(
    `\nfirst roll-up: ${first.days} days in ${backfillSeconds.toFixed(1)} s; one day again: ${oneDayMs.toFixed(0)} ms; rows ${JSON.stringify(rollupRows)}`,
  );
  const withRollups = await measure(rolled, 'with the daily rollups (and the indexes)', ranges);

  // The same with serial plans on one connection, with the database's CPU per call (see backendCpuMs).
  await sql.unsafe(`alter database "${name}" set max_parallel_workers_per_gather = 0`);
  const serialDb = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 1 });
  cleanups.push(() => serialDb.close());
  const cpuOf = () => backendCpuMs(sql, name);
  const cpu = ROLLUPS_ONLY
    ? []
    : await measure(
        createAnalyticsService({ db: serialDb.db, ...deps, rollups: false }),
        'raw rows with the indexes, serial plans, one connection',
        ranges,
        cpuOf,
      );
  const rollupCpu = await measure(
    createAnalyticsService({ db: serialDb.db, ...deps, rollups: true }),
    'rollups, serial plans, one connection',
    ranges,
    cpuOf,
  );

  const sizes = await sql<{ name: string; size: string }[]>`
    select c.relname as name, pg_size_pretty(pg_total_relation_size(c.oid)) as size from pg_class c
    where c.relname in ${sql([...Object.keys(INDEXES), 'analytics_day_counts', 'analytics_day_waits', 'analytics_day_cells'])}`;
  console.log(`\nsizes: ${sizes.map((s) => `${s.name} ${s.size}`).join(', ')}`);
  const slowest = (rows: Timing[], range: string) =>
    Math.max(...rows.filter((r) => r.card !== 'dashboard' && r.range === range).map((r) => r.p95));
  const dash = (rows: Timing[], range: string, k: 'p50' | 'cpuP50') =>
    rows.find((r) => r.card === 'dashboard' && r.range === range)?.[k];
  for (const range of Object.keys(ranges)) {
    console.log(
      `${range}: slowest card p95 ${slowest(withRollups, range).toFixed(1)} ms with rollups` +
        `${indexed.length ? ` (raw ${slowest(indexed, range).toFixed(1)} ms)` : ''}; dashboard p50 ` +
        `${dash(withRollups, range, 'p50')?.toFixed(1)} ms, db CPU ${dash(rollupCpu, range, 'cpuP50')} ms` +
        `${cpu.length ? ` (raw ${dash(cpu, range, 'cpuP50')} ms)` : ''} (budget ${BUDGET_MS} ms)`,
    );
  }
  const worst = slowest(withRollups, '365 days');

  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `analytics-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          model: os.cpus()[0]?.model,
          memGb: Math.round(os.totalmem() / 2 ** 30),
          // A shared machine: the 1-minute load average when the run ended (2 cores: above 2 is contention).
          loadAverage: os.loadavg()[0],
        },
        settings: { bookings: BOOKINGS, technicians: TECHNICIANS, customers: CUSTOMERS, runs: RUNS },
        rows: counts,
        sizes,
        baseline,
        indexed,
        rollups: { backfillDays: first.days, backfillSeconds, oneDayMs, rows: rollupRows },
        withRollups,
        serialWithCpu: cpu,
        rollupsSerialWithCpu: rollupCpu,
        slowestRollupYearP95Ms: worst,
        seconds: (performance.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `wrote ${path.relative(process.cwd(), file)} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    // Kept database: its admin connection (bench/database.ts) is still open.
    if (process.env.BENCH_KEEP) process.exit();
  });
