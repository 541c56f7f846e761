// "Nearest available technician" for the live-tracking benchmark: the in-memory grid index
// (server/realtime/location-index.ts) answering nearest-10 for a service while position updates
// stream in, against PostGIS KNN (`ORDER BY location <-> point LIMIT 10` over a GiST index) on the
// same data, both checked against brute force.
import { performance } from 'node:perf_hooks';
import type postgres from 'postgres';
import { distanceMeters } from '../server/lib/geo';
import { createLocationIndex } from '../server/realtime/location-index';
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

function bruteForce(all: Tech[], at: Point, service: string, n: number, radius: number) {
  const found: Array<{ id: string; d: number }> = [];
  for (const t of all) {
    if (!t.available || !t.services.has(service)) continue;
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
  const index = createLocationIndex();
  for (const t of data) index.upsert(t.id, t);
  const filterFor = (service: string) => (t: { available: boolean; services: ReadonlySet<string> }) =>
    t.available && t.services.has(service);
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

  const pgQuery = (at: Point, service: string) => sql<Array<{ id: string; d: number }>>`
    SELECT id, ST_Distance(location, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)::geography) AS d
    FROM bench_nearest
    WHERE available AND ${service} = ANY(services)
      AND ST_DWithin(location, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)::geography, ${s.radiusMeters})
    ORDER BY location <-> ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326)::geography
    LIMIT 10`;
  const plan = await sql.unsafe(
    `EXPLAIN SELECT id FROM bench_nearest WHERE available AND 'svc-1' = ANY(services)
       AND ST_DWithin(location, ST_SetSRID(ST_MakePoint(${s.centre.lng}, ${s.centre.lat}), 4326)::geography, ${s.radiusMeters})
     ORDER BY location <-> ST_SetSRID(ST_MakePoint(${s.centre.lng}, ${s.centre.lat}), 4326)::geography LIMIT 10`,
  );
  const planText = plan.map((r) => String(Object.values(r)[0])).join(' | ');
  if (!/bench_nearest_gist/.test(planText))
    log(`  WARNING: PostGIS plan does not use the GiST index: ${planText}`);

  // --- Correctness on the frozen data: index and PostGIS vs brute force. ---
  const vrand = prng(99);
  const vIndex: Verification = { engine: 'index', samples: 0, mismatches: 0, ties: 0, examples: [] };
  const vPg: Verification = { engine: 'postgis', samples: 0, mismatches: 0, ties: 0, examples: [] };
  for (let i = 0; i < s.verifySamples; i++) {
    const q = queryPoint(vrand, s);
    const expected = bruteForce(data, q.at, q.service, 10, s.radiusMeters);
    const fromIndex = index
      .nearest(q.at, 10, s.radiusMeters, filterFor(q.service))
      .map((r) => ({ id: r.technician.id, d: r.distanceMeters }));
    const fromPg = (await pgQuery(q.at, q.service)).map((r) => ({ id: r.id, d: Number(r.d) }));
    for (const [v, got] of [
      [vIndex, fromIndex],
      [vPg, fromPg],
    ] as const) {
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
  verification.push(vIndex, vPg);

  // --- In-memory index: queries back to back, updates interleaved at the target rate. ---
  const underUpdates: Verification = {
    engine: 'index under updates',
    samples: 0,
    mismatches: 0,
    ties: 0,
    examples: [],
  };
  log('  in-memory index under updates…');
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
        index.upsert(t.id, { lat: t.lat, lng: t.lng, available: t.available });
        updates++;
      }
      const q = queryPoint(rand, s);
      const filter = filterFor(q.service);
      const started = performance.now();
      const found = index.nearest(q.at, 10, s.radiusMeters, filter);
      now = performance.now();
      hist.record(now - started);
      queries++;
      // Now and then check the live index against brute force on the data as it is at this moment.
      if (queries % 500 === 0 && underUpdates.samples < s.verifySamples) {
        underUpdates.samples++;
        const verdict = compare(
          bruteForce(data, q.at, q.service, 10, s.radiusMeters),
          found.map((r) => ({ id: r.technician.id, d: r.distanceMeters })),
        );
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
      engine: 'index',
      description: `createLocationIndex(): nearest(at, 10, ${s.radiusMeters} m, available && service) in one thread, ${s.updatesPerSecond} upserts/s interleaved`,
      queries,
      seconds,
      queriesPerSecond: queries / seconds,
      latencyUs: {
        p50: hist.percentile(50) * 1000,
        p99: hist.percentile(99) * 1000,
        p999: hist.percentile(99.9) * 1000,
        max: hist.max * 1000,
      },
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

  // --- PostGIS: `pgClients` connections querying back to back (optionally with batched updates). ---
  const pgPhase = async (withUpdates: boolean, waited: number): Promise<EngineResult> => {
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
        await pgQuery(q.at, q.service);
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
      engine: withUpdates ? 'postgis+updates' : 'postgis',
      description: `PostGIS KNN (GiST, <-> LIMIT 10, ST_DWithin ${s.radiusMeters} m, available AND service = ANY(services)), ${s.pgClients} clients${withUpdates ? `, + ${s.updatesPerSecond} position updates/s in 100 ms batches` : ', no writes'}`,
      queries,
      seconds,
      queriesPerSecond: queries / seconds,
      latencyUs: {
        p50: hist.percentile(50) * 1000,
        p99: hist.percentile(99) * 1000,
        p999: hist.percentile(99.9) * 1000,
        max: hist.max * 1000,
      },
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
  results.push(await guard((waited) => pgPhase(false, waited)));
  log('  PostGIS with batched position updates…');
  results.push(await guard((waited) => pgPhase(true, waited)));
  await sql`DROP TABLE IF EXISTS bench_nearest`;
  return { settings: s, results, verification };
}
