// "Nearest available technician" for the live-tracking benchmark: the in-memory index
// (server/realtime/location-index.ts, `nearestAvailable`) answering nearest-10 for a service while
// position updates stream in, against PostGIS KNN (`ORDER BY location <-> point LIMIT 10` over a GiST
// index) on the same data, all checked against brute force. For comparison, the same index answers
// through its generic `nearest(filter)`, and the pre-booking map's question (nearest 200 available of
// any service within 5 km).
import { performance } from 'node:perf_hooks';
import type postgres from 'postgres';
import { distanceMeters } from '#shared/geo';
import { createLocationIndex, type LocationIndex } from '../server/realtime/location-index';
import { machineCpuSeconds, sumIncrease } from './cpu';
import { Histogram } from './tracking-load';
import { type Point, prng, randomPoint } from './tracking-setup';

export type NearestSettings = {
  technicians: number;
  services: number;
  updatesPerSecond: number;
  seconds: number;
  pgClients: number;
  verifySamples: number;
  radiusMeters: number;
  centre: Point;
  areaRadiusMeters: number;
};

type Tech = { id: string; n: number; lat: number; lng: number; available: boolean; services: Set<string> };

export type EngineResult = {
  engine: string;
  description: string;
  queries: number;
  seconds: number;
  queriesPerSecond: number;
  latencyUs: { p50: number; p99: number; p999: number; max: number };
  updatesApplied: number;
  updatesPerSecond: number;
  cpuSeconds: { process: number; postgres: number };
  queriesPerCpuSecond: number;
  /** CPU-s other processes on the machine used meanwhile (a shared machine), and the phase's length. */
  cpu: { seconds: number; other: number };
  waitedForQuietSeconds: number;
  attempts: number;
};

/** Runs a phase, again when the machine was noisy (see leastNoisy in bench/tracking.ts). */
export type PhaseGuard = (measure: (waited: number) => Promise<EngineResult>) => Promise<EngineResult>;

/** CPU-s the rest of the machine used between two readings, given what we used ourselves. */
/** A histogram of milliseconds as the report's microseconds. */
const latencyUs = (hist: Histogram) => ({
  p50: hist.percentile(50) * 1000,
  p99: hist.percentile(99) * 1000,
  p999: hist.percentile(99.9) * 1000,
  max: hist.max * 1000,
});

function otherCpu(
  a: ReturnType<typeof machineCpuSeconds>,
  b: ReturnType<typeof machineCpuSeconds>,
  ours: number,
) {
  return Math.max(0, b.busy - a.busy - (b.interrupts - a.interrupts) - (b.steal - a.steal) - ours);
}

export type Verification = {
  engine: string;
  samples: number;
  mismatches: number;
  /** Different ids only where two candidates are within 1 m of each other (a tie, not a wrong answer). */
  ties: number;
  examples: string[];
};

export type NearestReport = {
  settings: NearestSettings;
  results: EngineResult[];
  verification: Verification[];
};

type MemoryEngine = {
  name: string;
  description: string;
  data: Tech[];
  upsert(t: Tech): void;
  /** The timed call; `list` turns its result into ids and distances for checking (untimed). */
  query(at: Point, service: string): unknown;
  list(result: unknown): Array<{ id: string; d: number }>;
  /** The right answer by brute force, when the question is not nearest-10 for the service. */
  expected?(all: Tech[], at: Point, service: string): Array<{ id: string; d: number }>;
};

const SERVICE = (i: number) => `svc-${i}`;

function makeData(s: NearestSettings): Tech[] {
  const rand = prng(4242);
  return Array.from({ length: s.technicians }, (_, n) => {
    const at = randomPoint(s.centre, s.areaRadiusMeters, rand);
    const services = new Set<string>();
    const count = 1 + Math.floor(rand() * 3);
    while (services.size < count) services.add(SERVICE(Math.floor(rand() * s.services)));
    // ~70 % available: the rest are on a job or not verified yet.
    return { id: `t${n}`, n, lat: at.lat, lng: at.lng, available: rand() < 0.7, services };
  });
}

/** `service` undefined: any service. */
function bruteForce(all: Tech[], at: Point, service: string | undefined, n: number, radius: number) {
  const found: Array<{ id: string; d: number }> = [];
  for (const t of all) {
    if (!t.available || (service !== undefined && !t.services.has(service))) continue;
    const d = distanceMeters(at, t);
    if (d <= radius) found.push({ id: t.id, d });
  }
  found.sort((a, b) => a.d - b.d);
  return found.slice(0, n);
}

/** Same ids in the same order, or differing only between candidates within 1 m of each other. */
function compare(
  expected: Array<{ id: string; d: number }>,
  got: Array<{ id: string; d: number }>,
): 'same' | 'tie' | 'different' {
  if (expected.length !== got.length) return 'different';
  if (expected.every((e, i) => e.id === got[i]!.id)) return 'same';
  const tolerance = 1; // metres: haversine (index, brute force) vs PostGIS's spheroid distance
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(expected[i]!.d - got[i]!.d) > tolerance + expected[i]!.d * 0.004) return 'different';
  }
  return 'tie';
}

function queryPoint(rand: () => number, s: NearestSettings) {
  return {
    at: randomPoint(s.centre, s.areaRadiusMeters * 0.9, rand),
    service: SERVICE(Math.floor(rand() * s.services)),
  };
}

export async function runNearest(
  s: NearestSettings,
  sql: postgres.Sql,
  databaseName: string,
  postgresCpu: () => Map<number, number>,
  log: (line: string) => void,
  guard: PhaseGuard,
): Promise<NearestReport> {
  const data = makeData(s);
  // Each in-memory engine gets its own copy of the data (the update phase moves technicians).
  const indexEngine = (
    name: string,
    description: string,
    query: (index: LocationIndex, at: Point, service: string) => ReturnType<LocationIndex['nearest']>,
    expected?: MemoryEngine['expected'],
  ): MemoryEngine => {
    const own = makeData(s);
    const index = createLocationIndex();
    for (const t of own) index.upsert(t.id, t);
    return {
      name,
      description,
      data: own,
      // A fix (and now and then a job starting or ending), as tracking.service.ts applies it.
      upsert: (t: Tech) => index.upsert(t.id, { lat: t.lat, lng: t.lng, available: t.available }),
      query: (at: Point, service: string) => query(index, at, service),
      list: (r: unknown) =>
        (r as ReturnType<LocationIndex['nearest']>).map((x) => ({
          id: x.technician.id,
          d: x.distanceMeters,
        })),
      expected,
    };
  };
  const engines: MemoryEngine[] = [
    indexEngine(
      'index',
      `server/realtime/location-index.ts: nearestAvailable(at, 10, ${s.radiusMeters} m, service)`,
      (index, at, service) => index.nearestAvailable(at, 10, s.radiusMeters, service),
    ),
    indexEngine(
      'index nearest(filter)',
      `the same index's generic nearest(at, 10, ${s.radiusMeters} m, t => t.available && t.services.has(service)) over all technicians`,
      (index, at, service) =>
        index.nearest(at, 10, s.radiusMeters, (t) => t.available && t.services.has(service)),
    ),
    indexEngine(
      'index any 200/5km',
      'the same index, the pre-booking map: nearestAvailable(at, 200, 5 km), any service',
      (index, at) => index.nearestAvailable(at, 200, 5_000),
      (all, at) => bruteForce(all, at, undefined, 200, 5_000),
    ),
  ];
  const verification: Verification[] = [];
  const results: EngineResult[] = [];

  // --- Load the same data into PostGIS. ---
  log(`  loading ${s.technicians} technicians into PostGIS (${databaseName})…`);
  await sql`DROP TABLE IF EXISTS bench_nearest`;
  await sql`CREATE TABLE bench_nearest (
              id text PRIMARY KEY, location geography(Point, 4326) NOT NULL,
              available boolean NOT NULL, services text[] NOT NULL)`;
  for (let i = 0; i < data.length; i += 10_000) {
    const chunk = data.slice(i, i + 10_000).map((t) => ({
      id: t.id,
      lat: t.lat,
      lng: t.lng,
      available: t.available,
      services: [...t.services],
    }));
    await sql`
      INSERT INTO bench_nearest (id, location, available, services)
      SELECT x.id, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, x.available,
             ARRAY(SELECT jsonb_array_elements_text(x.services))
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::text::jsonb)
        AS x(id text, lat float8, lng float8, available boolean, services jsonb)`;
  }
  // Like the app's technician_profiles_location_gist: partial on the always-true-for-dispatch predicate.
  await sql`CREATE INDEX bench_nearest_gist ON bench_nearest USING gist (location) WHERE available`;
  await sql`ANALYZE bench_nearest`;

  // KNN first (the GiST index walks nearest-first and stops after 10 matches), then the radius: the
  // same rows as "within the radius, nearest 10", without tempting the planner into a bitmap scan.
  const pgQuery = (at: Point, service: string) => sql<Array<{ id: string; d: number }>>`
    SELECT id, d FROM (
      SELECT id, ST_Distance(location, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)::geography) AS d
      FROM bench_nearest
      WHERE available AND ${service} = ANY(services)
      ORDER BY location <-> ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)::geography
      LIMIT 10) k
    WHERE d <= ${s.radiusMeters}`;
  // Shaped like dispatch.repo.ts nextCandidate (ST_DWithin AND ORDER BY <->), sent unprepared as
  // drizzle's db.execute does, so every execution gets a custom plan.
  const dwithinSql = `
    SELECT id, ST_Distance(location, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS d
    FROM bench_nearest
    WHERE available AND $3 = ANY(services)
      AND ST_DWithin(location, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $4)
    ORDER BY location <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography
    LIMIT 10`;
  const pgDwithinUnprepared = (at: Point, service: string) =>
    sql.unsafe<Array<{ id: string; d: number }>>(dwithinSql, [at.lng, at.lat, service, s.radiusMeters], {
      prepare: false,
    });
  const dwithinPlan = (
    await sql.unsafe(
      `EXPLAIN ${dwithinSql
        .replaceAll('$1', String(s.centre.lng))
        .replaceAll('$2', String(s.centre.lat))
        .replaceAll('$3', "'svc-1'")
        .replaceAll('$4', String(s.radiusMeters))}`,
    )
  )
    .map((r) => String(Object.values(r)[0]))
    .join(' | ');
  const plan = await sql.unsafe(
    `EXPLAIN SELECT id FROM bench_nearest WHERE available AND 'svc-1' = ANY(services)
       AND ST_DWithin(location, ST_SetSRID(ST_MakePoint(${s.centre.lng}, ${s.centre.lat}), 4326)::geography, ${s.radiusMeters})
     ORDER BY location <-> ST_SetSRID(ST_MakePoint(${s.centre.lng}, ${s.centre.lat}), 4326)::geography LIMIT 10`,
  );
  const planText = plan.map((r) => String(Object.values(r)[0])).join(' | ');
  if (!/bench_nearest_gist/.test(planText))
    log(`  WARNING: PostGIS plan does not use the GiST index: ${planText}`);

  // --- Correctness on the frozen data: each engine and PostGIS vs brute force. ---
  const vrand = prng(99);
  const checks = [
    ...engines.map((e) => ({
      v: { engine: e.name, samples: 0, mismatches: 0, ties: 0, examples: [] } as Verification,
      get: async (at: Point, service: string) => e.list(e.query(at, service)),
      expected: e.expected,
    })),
    {
      v: { engine: 'postgis', samples: 0, mismatches: 0, ties: 0, examples: [] } as Verification,
      get: async (at: Point, service: string) =>
        (await pgQuery(at, service)).map((r) => ({ id: r.id, d: Number(r.d) })),
    },
    {
      v: { engine: 'postgis dwithin', samples: 0, mismatches: 0, ties: 0, examples: [] } as Verification,
      get: async (at: Point, service: string) =>
        (await pgDwithinUnprepared(at, service)).map((r) => ({ id: r.id, d: Number(r.d) })),
      every: 10,
    },
  ];
  for (let i = 0; i < s.verifySamples; i++) {
    const q = queryPoint(vrand, s);
    const nearest10 = bruteForce(data, q.at, q.service, 10, s.radiusMeters);
    for (const { v, get, every, expected: own } of checks as Array<
      (typeof checks)[number] & { every?: number; expected?: MemoryEngine['expected'] }
    >) {
      if (every && i % every) continue;
      const expected = own ? own(data, q.at, q.service) : nearest10;
      const got = await get(q.at, q.service);
      v.samples++;
      const verdict = compare(expected, got);
      if (verdict === 'tie') v.ties++;
      if (verdict === 'different') {
        v.mismatches++;
        if (v.examples.length < 3)
          v.examples.push(
            `at ${q.at.lat.toFixed(5)},${q.at.lng.toFixed(5)} ${q.service}: expected ${expected.map((e) => `${e.id}@${e.d.toFixed(0)}`).join(' ')} got ${got.map((e) => `${e.id}@${e.d.toFixed(0)}`).join(' ')}`,
          );
      }
    }
  }
  verification.push(...checks.map((c) => c.v));

  // --- In-memory engines: queries back to back, updates interleaved at the target rate. ---
  for (const engine of engines) {
    const { data } = engine;
    const underUpdates: Verification = {
      engine: `${engine.name} under updates`,
      samples: 0,
      mismatches: 0,
      ties: 0,
      examples: [],
    };
    log(`  ${engine.name} under updates…`);
    const indexResult = await guard(async (waited) => {
      const rand = prng(7);
      const hist = new Histogram(0.0005, 50); // 0.5 µs buckets
      const machine0 = machineCpuSeconds();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      /** Time spent checking against brute force: left out of the schedule, the rate and the CPU. */
      let paused = 0;
      let updates = 0;
      let queries = 0;
      let now = t0;
      while (now - paused - t0 < s.seconds * 1000) {
        // Catch up on the updates due by now (at 25k/s and ~100k queries/s: one every few queries).
        const due = Math.floor(((now - paused - t0) / 1000) * s.updatesPerSecond);
        while (updates < due) {
          const t = data[Math.floor(rand() * data.length)]!;
          // A fix: up to ~30 m in a random direction; now and then a job starts or ends.
          t.lat += (rand() - 0.5) * 0.00054;
          t.lng += (rand() - 0.5) * 0.00054;
          if (rand() < 0.02) t.available = !t.available;
          engine.upsert(t);
          updates++;
        }
        const q = queryPoint(rand, s);
        const started = performance.now();
        const found = engine.query(q.at, q.service);
        now = performance.now();
        hist.record(now - started);
        queries++;
        // Now and then check the live index against brute force on the data as it is at this moment.
        if (queries % 500 === 0 && underUpdates.samples < s.verifySamples) {
          underUpdates.samples++;
          const expected = engine.expected
            ? engine.expected(data, q.at, q.service)
            : bruteForce(data, q.at, q.service, 10, s.radiusMeters);
          const verdict = compare(expected, engine.list(found));
          if (verdict === 'tie') underUpdates.ties++;
          if (verdict === 'different') {
            underUpdates.mismatches++;
            if (underUpdates.examples.length < 3) underUpdates.examples.push(`query ${queries} ${q.service}`);
          }
          const after = performance.now();
          paused += after - now;
          now = after;
        }
      }
      const seconds = (performance.now() - t0 - paused) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = Math.max(1e-6, (cpu.user + cpu.system) / 1e6 - paused / 1000);
      const machine1 = machineCpuSeconds();
      return {
        engine: engine.name,
        description: `${engine.description}; one thread, ${s.updatesPerSecond} upserts/s interleaved`,
        queries,
        seconds,
        queriesPerSecond: queries / seconds,
        latencyUs: latencyUs(hist),
        updatesApplied: updates,
        updatesPerSecond: updates / seconds,
        cpuSeconds: { process: cpuSeconds, postgres: 0 },
        queriesPerCpuSecond: queries / cpuSeconds,
        cpu: { seconds, other: otherCpu(machine0, machine1, (cpu.user + cpu.system) / 1e6) },
        waitedForQuietSeconds: waited,
        attempts: 1,
      };
    });
    verification.push(underUpdates);
    results.push(indexResult);
  }

  // --- PostGIS: `pgClients` connections querying back to back (optionally with batched updates). ---
  const pgPhase = async (
    variant: 'knn' | 'knn+updates' | 'dwithin-unprepared',
    waited: number,
  ): Promise<EngineResult> => {
    const withUpdates = variant === 'knn+updates';
    const query = variant === 'dwithin-unprepared' ? pgDwithinUnprepared : pgQuery;
    const rand = prng(withUpdates ? 11 : 13);
    const machine0 = machineCpuSeconds();
    const hist = new Histogram(0.005, 1_000);
    const pg0 = postgresCpu();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const end = t0 + s.seconds * 1000;
    let queries = 0;
    let updates = 0;
    const clients = Array.from({ length: s.pgClients }, async () => {
      while (performance.now() < end) {
        const q = queryPoint(rand, s);
        const started = performance.now();
        await query(q.at, q.service);
        hist.record(performance.now() - started);
        queries++;
      }
    });
    // The app persists positions in batches (tracking flush, once a second); here every 100 ms.
    const writer = withUpdates
      ? (async () => {
          while (performance.now() < end) {
            const tick = performance.now();
            const due = Math.floor(((tick - t0) / 1000) * s.updatesPerSecond) - updates;
            if (due > 0) {
              const rows = Array.from({ length: due }, () => {
                const t = data[Math.floor(rand() * data.length)]!;
                t.lat += (rand() - 0.5) * 0.00054;
                t.lng += (rand() - 0.5) * 0.00054;
                return { id: t.id, lat: t.lat, lng: t.lng };
              });
              await sql`
                UPDATE bench_nearest b SET location = ST_SetSRID(ST_MakePoint(v.lng, v.lat), 4326)::geography
                FROM jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) AS v(id text, lat float8, lng float8)
                WHERE b.id = v.id`;
              updates += due;
            }
            const wait = 100 - (performance.now() - tick);
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
        })()
      : Promise.resolve();
    await Promise.all([...clients, writer]);
    const seconds = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const pgCpu = sumIncrease(pg0, postgresCpu());
    const selfCpu = (self.user + self.system) / 1e6;
    const machine1 = machineCpuSeconds();
    return {
      engine: variant === 'knn' ? 'postgis' : `postgis ${variant}`,
      description:
        variant === 'dwithin-unprepared'
          ? `PostGIS, dispatch.repo-shaped: ST_DWithin ${s.radiusMeters} m AND service, ORDER BY <-> LIMIT 10, unprepared (custom plans), ${s.pgClients} clients. Plan: ${dwithinPlan.slice(0, 300)}`
          : `PostGIS KNN (GiST, ORDER BY <-> LIMIT 10 where available AND service = ANY(services), then d <= ${s.radiusMeters} m), prepared, ${s.pgClients} clients${withUpdates ? `, + ${s.updatesPerSecond} position updates/s in 100 ms batches` : ', no writes'}`,
      queries,
      seconds,
      queriesPerSecond: queries / seconds,
      latencyUs: latencyUs(hist),
      updatesApplied: updates,
      updatesPerSecond: updates / seconds,
      cpuSeconds: { process: selfCpu, postgres: pgCpu },
      queriesPerCpuSecond: queries / (pgCpu + selfCpu),
      cpu: { seconds, other: otherCpu(machine0, machine1, selfCpu + pgCpu) },
      waitedForQuietSeconds: waited,
      attempts: 1,
    };
  };
  log('  PostGIS, read-only…');
  results.push(await guard((waited) => pgPhase('knn', waited)));
  log('  PostGIS with batched position updates…');
  results.push(await guard((waited) => pgPhase('knn+updates', waited)));
  log('  PostGIS, dispatch-shaped query, unprepared…');
  results.push(await guard((waited) => pgPhase('dwithin-unprepared', waited)));
  await sql`DROP TABLE IF EXISTS bench_nearest`;
  return { settings: s, results, verification };
}
