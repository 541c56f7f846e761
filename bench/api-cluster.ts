// `npm run bench:api`, two-node part (BENCH_API_CLUSTER=0 leaves it out): the API path on one Fundi node
// vs two nodes sharing PostgreSQL and Redis, in the same run, with the same load (same connections in
// total; with two nodes, half go to each node directly, no balancer):
//
//   one        the single-node `fundi` server of the main table (no Redis)
//   one-redis  1 node with REDIS_URL (shared rate limits and the bus on Redis)
//   two        nodes A and B, both on Redis, the load split between them
//
// Workloads:
//   query  GET /trpc/auth.me with a bearer token (session validated each request; no Redis on this path)
//   fix    POST /trpc/tracking.update, one fix per call, from BENCH_API_TECHNICIANS technicians in turn:
//          the rate-limited path (with REDIS_URL the fix limiter counts in Redis: one round-trip per call)
//          and every accepted fix published on Redis for the other nodes
//
// All nodes are bench/servers.ts `fundi` children pinned to CPU 0 (two nodes share the core one node
// gets, so requests per server CPU-second compare directly); Redis (bench/redis.ts) is not pinned and its
// CPU is reported apart.
import autocannon from 'autocannon';
import type postgres from 'postgres';
import { machineCpuSeconds, postgresCpuByPid, processCpuSeconds, sumIncrease } from './cpu';
import type { BenchRedis } from './redis';
import { seedTechnicians } from './tracking-setup';

type Node = { pid: number; url: string };

export type ApiClusterKit = {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  technicians: number;
  databaseName: string;
  sql: postgres.Sql;
  redis: BenchRedis;
  customerToken: string;
  /** The main table's single-node Fundi (no Redis). */
  single: Node;
  spawnFundi(label: string, env: Record<string, string>): Promise<Node>;
  waitForQuietMachine(): Promise<number>;
};

export type ApiClusterRow = {
  scenario: 'one' | 'one-redis' | 'two';
  workload: 'query' | 'fix';
  nodes: number;
  requests: number;
  seconds: number;
  reqPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /** fix: calls whose fix the server accepted (the rest were refused as out of order, still 200). */
  accepted: number | null;
  nodeCpu: number[];
  serverCpu: number;
  redisCpu: number;
  postgresCpu: number;
  clientCpu: number;
  otherCpu: number;
  reqPerServerCpuSecond: number;
  reqPerServerAndRedisCpuSecond: number;
  clientCorePercent: number;
  waitedForQuietSeconds: number;
};

class LatencyHistogram {
  private readonly buckets = new Uint32Array(200_000); // 10 µs × 200k = 2 s
  private count = 0;
  record(ms: number) {
    this.buckets[Math.min(Math.floor(ms * 100), this.buckets.length - 1)]! += 1;
    this.count++;
  }
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank && seen > 0) return (i + 1) / 100;
    }
    return Number.NaN;
  }
}

/** One request builder per workload; `fix` walks each technician ~1 m per call with increasing timestamps. */
function workload(
  kind: 'query' | 'fix',
  customerToken: string,
  techs: Array<{ token: string; lat: number; lng: number; at: number }>,
) {
  if (kind === 'query')
    return {
      method: 'GET' as const,
      path: '/trpc/auth.me',
      headers: { authorization: `Bearer ${customerToken}` },
    };
  let next = 0;
  return {
    method: 'POST' as const,
    path: '/trpc/tracking.update',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req: autocannon.Request) => {
      const t = techs[next++ % techs.length]!;
      t.lat += 0.000009;
      t.at = Math.max(Date.now(), t.at + 1);
      return {
        ...req,
        headers: { ...req.headers, authorization: `Bearer ${t.token}` },
        body: `{"points":[{"lat":${t.lat.toFixed(6)},"lng":${t.lng.toFixed(6)},"accuracy":8,"heading":0,"speed":1.5,"recordedAt":"${new Date(t.at).toISOString()}"}]}`,
      };
    },
  };
}

function load(
  nodes: Node[],
  requests: autocannon.Request[],
  connections: number,
  seconds: number,
  onResponse?: (ms: number) => void,
  onBody?: (body: string) => void,
) {
  // The connections split evenly over the nodes (the first gets the odd one).
  return Promise.all(
    nodes.map(
      (node, n) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const share = Math.floor(connections / nodes.length) + (n < connections % nodes.length ? 1 : 0);
          const instance = autocannon(
            {
              url: node.url,
              connections: share,
              duration: seconds,
              requests: [
                onBody
                  ? { ...requests[n]!, onResponse: (_s: number, body: string) => onBody(body) }
                  : requests[n]!,
              ],
            },
            (err, result) => (err ? reject(err) : resolve(result)),
          );
          if (onResponse) instance.on('response', (_c, _s, _b, ms) => onResponse(ms));
        }),
    ),
  );
}

async function phase(
  kit: ApiClusterKit,
  scenario: ApiClusterRow['scenario'],
  kind: 'query' | 'fix',
  nodes: Node[],
  /** One per node. */
  requests: autocannon.Request[],
): Promise<ApiClusterRow> {
  process.stdout.write(`  ${scenario.padEnd(10)} ${kind.padEnd(6)}`);
  const waited = await kit.waitForQuietMachine();
  if (waited >= 2) process.stdout.write(` (waited ${waited.toFixed(0)} s for a quiet machine)`);
  process.stdout.write(' warm-up…');
  await load(nodes, requests, kit.connections, kit.warmupSeconds);
  process.stdout.write(' measuring…');
  const histogram = new LatencyHistogram();
  let accepted = 0;
  const cpu = () => ({
    nodes: nodes.map((n) => processCpuSeconds(n.pid) ?? Number.NaN),
    redis: kit.redis.cpuSeconds(),
    pg: postgresCpuByPid(kit.databaseName),
    client: process.cpuUsage(),
    machine: machineCpuSeconds(),
    at: performance.now(),
  });
  const before = cpu();
  const results = await load(
    nodes,
    requests,
    kit.connections,
    kit.durationSeconds,
    (ms) => histogram.record(ms),
    kind === 'fix'
      ? (body) => {
          if (body.includes('"accepted":1')) accepted++;
        }
      : undefined,
  );
  const after = cpu();
  const seconds = (after.at - before.at) / 1000;
  const nodeCpu = after.nodes.map((c, i) => c - before.nodes[i]!);
  const serverCpu = nodeCpu.reduce((s, c) => s + c, 0);
  const redisCpu = after.redis - before.redis;
  const postgresCpu = sumIncrease(before.pg, after.pg);
  const c = process.cpuUsage(before.client);
  const clientCpu = (c.user + c.system) / 1e6;
  const busy = after.machine.busy - before.machine.busy;
  const otherCpu = Math.max(
    0,
    busy -
      (after.machine.interrupts - before.machine.interrupts) -
      (after.machine.steal - before.machine.steal) -
      serverCpu -
      (Number.isFinite(redisCpu) ? redisCpu : 0) -
      postgresCpu -
      clientCpu,
  );
  const total = results.reduce((s, r) => s + r.requests.total, 0);
  const duration = Math.max(...results.map((r) => r.duration));
  const row: ApiClusterRow = {
    scenario,
    workload: kind,
    nodes: nodes.length,
    requests: total,
    seconds,
    reqPerSec: total / duration,
    latencyMs: {
      p50: histogram.percentile(50),
      p99: histogram.percentile(99),
      max: Math.max(...results.map((r) => r.latency.max)),
    },
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors + r.timeouts, 0),
    accepted: kind === 'fix' ? accepted : null,
    nodeCpu,
    serverCpu,
    redisCpu,
    postgresCpu,
    clientCpu,
    otherCpu,
    reqPerServerCpuSecond: total / serverCpu,
    reqPerServerAndRedisCpuSecond: Number.isFinite(redisCpu) ? total / (serverCpu + redisCpu) : Number.NaN,
    clientCorePercent: (clientCpu / seconds) * 100,
    waitedForQuietSeconds: waited,
  };
  console.log(` ${row.reqPerSec.toFixed(0)} req/s`);
  return row;
}

export async function apiClusterSection(kit: ApiClusterKit): Promise<ApiClusterRow[]> {
  console.log(`  Redis: ${kit.redis.describe}`);
  const seeded = await seedTechnicians(kit.sql, {
    count: kit.technicians,
    tag: 'api-fix',
    centre: { lat: 6.5244, lng: 3.3792 },
    radiusMeters: 12_000,
    seed: 9,
  });
  const techs = seeded.map((t) => ({ token: t.token, lat: t.at.lat, lng: t.at.lng, at: 0 }));
  const run = Date.now().toString(36);
  const onRedis = await kit.spawnFundi('one-redis', {
    BENCH_CHILD_REDIS_URL: kit.redis.url,
    BENCH_CHILD_NODE_ID: `bench-api-one-${run}`,
  });
  const a = await kit.spawnFundi('two/A', {
    BENCH_CHILD_REDIS_URL: kit.redis.url,
    BENCH_CHILD_NODE_ID: `bench-api-a-${run}`,
  });
  const b = await kit.spawnFundi('two/B', {
    BENCH_CHILD_REDIS_URL: kit.redis.url,
    BENCH_CHILD_NODE_ID: `bench-api-b-${run}`,
  });
  const rows: ApiClusterRow[] = [];
  const scenarios: Array<[ApiClusterRow['scenario'], Node[]]> = [
    ['one', [kit.single]],
    ['one-redis', [onRedis]],
    ['two', [a, b]],
  ];
  for (const kind of ['query', 'fix'] as const) {
    for (const [scenario, nodes] of scenarios) {
      // A technician's fixes all go to one node (as over the phone's one WebSocket): technicians split by node.
      const requests = nodes.map((_, n) =>
        workload(
          kind,
          kit.customerToken,
          techs.filter((_t, i) => i % nodes.length === n),
        ),
      );
      rows.push(await phase(kit, scenario, kind, nodes, requests));
    }
  }
  return rows;
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const signed = (n: number) => `${n >= 0 ? '+' : ''}${f2(n)}`;

export function printApiCluster(rows: ApiClusterRow[]): string[] {
  if (!rows.length) return [];
  const header = [
    'scenario',
    'workload',
    'nodes',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non2xx/err',
    'accepted',
    'node CPU-s (A+B)',
    'req/node-CPU-s',
    'redis CPU-s',
    'req/(node+redis)-CPU-s',
    'pg CPU-s',
    'client core',
    'other CPU-s',
  ];
  const cells = rows.map((r) => [
    r.scenario,
    r.workload,
    String(r.nodes),
    f0(r.reqPerSec),
    f2(r.latencyMs.p50),
    f2(r.latencyMs.p99),
    `${r.non2xx}/${r.errors}`,
    r.accepted === null ? '' : `${f0((r.accepted / Math.max(1, r.requests)) * 100)}%`,
    r.nodeCpu.map(f2).join('+'),
    f0(r.reqPerServerCpuSecond),
    f2(r.redisCpu),
    f0(r.reqPerServerAndRedisCpuSecond),
    f2(r.postgresCpu),
    `${f0(r.clientCorePercent)}%`,
    f2(r.otherCpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(
    '\nTwo nodes: the API path on 1 node vs 2 nodes sharing Redis (nodes on CPU 0 together, load split evenly)',
  );
  console.log(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));

  const notes: string[] = [];
  for (const kind of ['query', 'fix'] as const) {
    const find = (s: ApiClusterRow['scenario']) => rows.find((r) => r.scenario === s && r.workload === kind);
    const one = find('one');
    if (!one) continue;
    for (const s of ['one-redis', 'two'] as const) {
      const o = find(s);
      if (!o) continue;
      notes.push(
        `${kind} ${s} vs one: req/s ${f2(o.reqPerSec / one.reqPerSec)}×, per server CPU-s ${f2(o.reqPerServerCpuSecond / one.reqPerServerCpuSecond)}×` +
          `${Number.isFinite(o.reqPerServerAndRedisCpuSecond) ? ` (${f2(o.reqPerServerAndRedisCpuSecond / one.reqPerServerCpuSecond)}× counting Redis)` : ''}` +
          `, p50 ${signed(o.latencyMs.p50 - one.latencyMs.p50)} ms, p99 ${signed(o.latencyMs.p99 - one.latencyMs.p99)} ms` +
          (kind === 'fix' && s === 'one-redis'
            ? ` — the shared Redis rate limiter (and the publish): ${f2((1 / o.reqPerServerCpuSecond - 1 / one.reqPerServerCpuSecond) * 1e6)} µs of node CPU per call${Number.isFinite(o.redisCpu) ? ` + ${f2((o.redisCpu / o.requests) * 1e6)} µs of Redis` : ''}`
            : ''),
      );
    }
  }
  const noisy = rows.filter((r) => r.otherCpu > 0.1 * r.seconds);
  if (noisy.length)
    notes.push(
      `NOISE: other processes used CPU during ${noisy.map((r) => `${r.scenario}/${r.workload} ${f2(r.otherCpu)}`).join(', ')} CPU-s (shared machine)`,
    );
  for (const n of notes) console.log(`  - ${n}`);
  return notes;
}
