// `npm run bench:tracking`, section `cluster`: the fan-out workload of the `fanout` section (technicians
// × 3 viewers plus a few hot technicians × 100 viewers, `tracking.update` → `tracking.watch`) on one
// Fundi node and on two nodes sharing PostgreSQL and Redis, in the same run, with the same load:
//
//   one        1 node, no Redis (the single-process bus): the baseline
//   one-redis  1 node with REDIS_URL: every fix also published on Redis (and its echo read back and
//              skipped), fix rate limits counted in Redis; no second node
//   a-to-b     technicians on node A, every viewer on node B: each delivery crosses Redis
//   mixed      technicians and viewers each split at random between A and B (as a round-robin balancer
//              would): about half the deliveries cross Redis
//
// The nodes are bench/tracking-servers.ts `fundi` children (the server of server/app.ts with the same
// services and flags as the single-node rows), both pinned to CPU 0 like the single node: two nodes get
// the same core one node gets, so deliveries per server CPU-second compare directly. Redis (bench/redis.ts;
// a private redis-server by default) and PostgreSQL are not pinned; Redis's CPU is reported apart.
// The load generator connects to each node directly (no balancer).
//
//   BENCH_CLUSTER_SCENARIOS=one,one-redis,a-to-b,mixed
//   BENCH_CLUSTER_RATES=1,4      fixes/s per technician
import type WebSocket from 'ws';
import { processCpuTimes } from './cpu';
import type { BenchRedis } from './redis';
import type { CallPhase, CpuUse, FanPhase, ServerProcess, TechConn, Viewer } from './tracking';
import { Histogram, sleep } from './tracking-load';
import { prng, type SeededJob, type SeededTechnician } from './tracking-setup';

export const clusterScenarios = ['one', 'one-redis', 'a-to-b', 'mixed'] as const;
export type ClusterScenario = (typeof clusterScenarios)[number];

type Spec = { job: SeededJob; tech: () => TechConn | undefined };

/** What the cluster section borrows from bench/tracking.ts (its load generator and accounting). */
export type ClusterToolkit = {
  scenarios: ClusterScenario[];
  rates: number[];
  jobs: SeededJob[];
  hotJobs: SeededJob[];
  viewersPerTechnician: number;
  viewersPerHotTechnician: number;
  redis: BenchRedis;
  /** A Fundi child pinned like the others; `env` adds BENCH_CHILD_REDIS_URL / BENCH_CHILD_NODE_ID. */
  spawnFundi(label: string, env: Record<string, string>): Promise<ServerProcess>;
  openTechnicians(
    port: number,
    techs: SeededTechnician[],
    viewers: (i: number) => number,
  ): Promise<TechConn[]>;
  openViewers(port: number, specs: Spec[]): Promise<Viewer[]>;
  drive(
    conns: TechConn[],
    rate: number,
    pid: number,
    window: { start(at: number): void; end(at: number): void },
  ): Promise<{ phase: CallPhase; cpu: CpuUse }>;
  setFanPhase(f: FanPhase | null): void;
  closeAll(sockets: WebSocket[]): void;
  leastNoisy<
    T extends { cpu: { seconds: number; other: number }; waitedForQuietSeconds: number; attempts: number },
  >(measure: (waited: number) => Promise<T>): Promise<T>;
  noiseText(cpu: CpuUse, waited: number): string;
};

export type ClusterRow = {
  scenario: ClusterScenario;
  nodes: number;
  fixesPerTechnicianPerSecond: number;
  technicians: number;
  viewers: number;
  /** Share of the expected deliveries whose viewer is on another node than its technician. */
  crossNodePercent: number;
  fixesPerSecond: number;
  deliveriesPerSecond: number;
  deliveredPercent: number;
  /** CPU-s of each node in the window (A, B), all threads, from /proc. */
  nodeCpu: number[];
  nodeKernel: number[];
  serverCpu: number;
  redisCpu: number;
  deliveriesPerServerCpuSecond: number;
  /** The same with Redis's CPU added to the nodes' (NaN when Redis's CPU is unknown). */
  deliveriesPerServerAndRedisCpuSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  fixP99Ms: number;
  fixErrors: number;
  unmatched: number;
  errors: number;
  generatorLoopMs: { p99: number; max: number };
  /** The phase's machine accounting, with both nodes counted as server and Redis left out of `other`. */
  cpu: CpuUse;
  waitedForQuietSeconds: number;
  attempts: number;
};

type Layout = {
  nodes: number;
  redis: boolean;
  /** Node (0 = A, 1 = B) of each technician, and of each viewer spec. */
  techNode(i: number): number;
  viewerNode(j: number): number;
};

function layout(scenario: ClusterScenario): Layout {
  const coin = prng(77);
  const viewerCoins: number[] = [];
  const techCoins: number[] = [];
  const flip = (cache: number[], i: number) => {
    while (cache.length <= i) cache.push(coin() < 0.5 ? 0 : 1);
    return cache[i]!;
  };
  switch (scenario) {
    case 'one':
      return { nodes: 1, redis: false, techNode: () => 0, viewerNode: () => 0 };
    case 'one-redis':
      return { nodes: 1, redis: true, techNode: () => 0, viewerNode: () => 0 };
    case 'a-to-b':
      return { nodes: 2, redis: true, techNode: () => 0, viewerNode: () => 1 };
    case 'mixed':
      return {
        nodes: 2,
        redis: true,
        techNode: (i) => flip(techCoins, i),
        viewerNode: (j) => flip(viewerCoins, j),
      };
  }
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

export async function clusterSection(
  kit: ClusterToolkit,
): Promise<{ rows: ClusterRow[]; logs: Record<string, string[]> }> {
  const rows: ClusterRow[] = [];
  const logs: Record<string, string[]> = {};
  const allJobs = [...kit.jobs, ...kit.hotJobs];
  const viewersOf = (i: number) =>
    i < kit.jobs.length ? kit.viewersPerTechnician : kit.viewersPerHotTechnician;
  console.log(`  Redis: ${kit.redis.describe}`);

  for (const scenario of kit.scenarios) {
    const l = layout(scenario);
    const run = `${Date.now().toString(36)}`;
    const servers: ServerProcess[] = [];
    for (let n = 0; n < l.nodes; n++) {
      const id = `bench-${scenario}-${'ab'[n]}-${run}`;
      servers.push(
        await kit.spawnFundi(
          `${scenario}/${'AB'[n]}`,
          l.redis ? { BENCH_CHILD_REDIS_URL: kit.redis.url, BENCH_CHILD_NODE_ID: id } : {},
        ),
      );
    }
    try {
      let techConns: TechConn[] = [];
      const specs: Array<Spec & { node: number; techIndex: number }> = [];
      allJobs.forEach((job, i) => {
        for (let k = 0; k < viewersOf(i); k++) {
          const j = specs.length;
          specs.push({ job, tech: () => techConns[i], node: l.viewerNode(j), techIndex: i });
        }
      });
      const cross = specs.filter((s) => s.node !== l.techNode(s.techIndex)).length;
      const perNode = (n: number) => specs.filter((s) => s.node === n).length;
      const techsOn = (n: number) => allJobs.filter((_, i) => l.techNode(i) === n).length;
      console.log(
        `\n  ${scenario}: ${l.nodes} node${l.nodes > 1 ? 's' : ''}${l.redis ? ' on Redis' : ''}; ` +
          `${servers.map((_s, n) => `${'AB'[n]} ${techsOn(n)} technicians + ${perNode(n)} viewers`).join(', ')}; ` +
          `${f0((cross / specs.length) * 100)}% of deliveries cross nodes…`,
      );
      const viewers: Viewer[] = [];
      for (let n = 0; n < l.nodes; n++)
        viewers.push(
          ...(await kit.openViewers(
            servers[n]!.port,
            specs.filter((s) => s.node === n),
          )),
        );
      techConns = new Array(allJobs.length);
      for (let n = 0; n < l.nodes; n++) {
        const indexes = allJobs.map((_, i) => i).filter((i) => l.techNode(i) === n);
        if (!indexes.length) continue;
        const conns = await kit.openTechnicians(
          servers[n]!.port,
          indexes.map((i) => allJobs[i]!.technician),
          (k) => viewersOf(indexes[k]!),
        );
        indexes.forEach((i, k) => {
          techConns[i] = conns[k]!;
        });
      }
      await sleep(1_000);

      for (const rate of kit.rates) {
        const row = await kit.leastNoisy(async (waited): Promise<ClusterRow> => {
          const f: FanPhase = {
            windowStart: Number.POSITIVE_INFINITY,
            windowEnd: Number.POSITIVE_INFINITY,
            received: 0,
            delivered: 0,
            unmatched: 0,
            errors: 0,
            hist: new Histogram(0.01, 10_000),
          };
          kit.setFanPhase(f);
          const times = () =>
            servers.map((s) => processCpuTimes(s.pid) ?? { user: Number.NaN, system: Number.NaN });
          let before = times();
          let after = before;
          let redisBefore = Number.NaN;
          let redisAfter = Number.NaN;
          const { phase, cpu } = await kit.drive(techConns, rate * techConns.length, servers[0]!.pid, {
            start: (at) => {
              f.windowStart = at;
              before = times();
              redisBefore = kit.redis.cpuSeconds();
            },
            end: (at) => {
              f.windowEnd = at;
              after = times();
              redisAfter = kit.redis.cpuSeconds();
            },
          });
          await sleep(300); // the last deliveries
          kit.setFanPhase(null);
          const window = (phase.windowEnd - phase.windowStart) / 1000;
          const nodeCpu = after.map((a, n) => a.user + a.system - before[n]!.user - before[n]!.system);
          const nodeKernel = after.map((a, n) => a.system - before[n]!.system);
          const serverCpu = nodeCpu.reduce((s, c) => s + c, 0);
          const redisCpu = redisAfter - redisBefore;
          // drive() counted node A as the server: node B and Redis are ours too, not "other".
          const ours = serverCpu - nodeCpu[0]! + (Number.isFinite(redisCpu) ? redisCpu : 0);
          const phaseCpu: CpuUse = { ...cpu, server: serverCpu, other: Math.max(0, cpu.other - ours) };
          phaseCpu.serverSystem = nodeKernel.reduce((s, c) => s + c, 0);
          return {
            scenario,
            nodes: l.nodes,
            fixesPerTechnicianPerSecond: rate,
            technicians: techConns.length,
            viewers: viewers.length,
            crossNodePercent: (cross / specs.length) * 100,
            fixesPerSecond: phase.sent / window,
            deliveriesPerSecond: f.delivered / window,
            deliveredPercent: (f.delivered / Math.max(1, phase.expected)) * 100,
            nodeCpu,
            nodeKernel,
            serverCpu,
            redisCpu,
            deliveriesPerServerCpuSecond: f.delivered / serverCpu,
            deliveriesPerServerAndRedisCpuSecond: Number.isFinite(redisCpu)
              ? f.delivered / (serverCpu + redisCpu)
              : Number.NaN,
            latencyMs: { p50: f.hist.percentile(50), p99: f.hist.percentile(99), max: f.hist.max },
            fixP99Ms: phase.hist.percentile(99),
            fixErrors: phase.errors + phase.rejected,
            unmatched: f.unmatched,
            errors: f.errors,
            generatorLoopMs: phase.generatorLoopMs,
            cpu: phaseCpu,
            waitedForQuietSeconds: waited,
            attempts: 1,
          };
        });
        rows.push(row);
        const c = row.cpu;
        console.log(
          `    ${rate} fix/s/tech: ${f0(row.fixesPerSecond)} fixes/s → ${f0(row.deliveriesPerSecond)} deliveries/s ` +
            `(${f1(row.deliveredPercent)}% of expected)  ${f0(row.deliveriesPerServerCpuSecond)} deliveries/node-CPU-s` +
            `  p50 ${f2(row.latencyMs.p50)} p99 ${f2(row.latencyMs.p99)} ms (generator loop p99 ${f1(row.generatorLoopMs.p99)} max ${f0(row.generatorLoopMs.max)} ms)` +
            `  nodes ${row.nodeCpu.map((x) => `${f0((x / c.seconds) * 100)}%`).join('+')} redis ${f0((row.redisCpu / c.seconds) * 100)}% client ${f0(c.clientCorePercent)}%` +
            `${row.fixErrors + row.errors ? `  fix rejected/errors ${row.fixErrors}, viewer errors ${row.errors}` : ''}` +
            kit.noiseText(c, row.waitedForQuietSeconds),
        );
      }
      kit.closeAll([...viewers.map((v) => v.ws), ...techConns.filter(Boolean).map((c) => c.ws)]);
    } finally {
      for (const [n, s] of servers.entries()) {
        logs[`${scenario}/${'AB'[n]}`] = [...s.logLines];
        await s.stop();
      }
    }
  }
  return { rows, logs };
}

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function printClusterTable(rows: ClusterRow[]) {
  if (!rows.length) return;
  console.log(
    '\nTwo nodes: the fan-out workload on 1 node vs 2 nodes sharing Redis (nodes on CPU 0 together; Redis unpinned)',
  );
  console.log(
    table(
      [
        'scenario',
        'nodes',
        'fix/s/tech',
        'cross',
        'deliv/s',
        'delivered',
        'node CPU-s (A+B)',
        'deliv/node-CPU-s',
        'redis CPU-s',
        'deliv/(node+redis)-CPU-s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'fix ack p99',
        'gen loop p99',
        'client core',
        'other CPU-s',
      ],
      rows.map((r) => [
        r.scenario,
        String(r.nodes),
        String(r.fixesPerTechnicianPerSecond),
        `${f0(r.crossNodePercent)}%`,
        f0(r.deliveriesPerSecond),
        `${f1(r.deliveredPercent)}%`,
        r.nodeCpu.map(f2).join('+'),
        f0(r.deliveriesPerServerCpuSecond),
        f2(r.redisCpu),
        f0(r.deliveriesPerServerAndRedisCpuSecond),
        f2(r.latencyMs.p50),
        f2(r.latencyMs.p99),
        f1(r.latencyMs.max),
        f2(r.fixP99Ms),
        f1(r.generatorLoopMs.p99),
        `${f0(r.cpu.clientCorePercent)}%`,
        `${f1(r.cpu.other)}${r.cpu.other > 0.1 * r.cpu.seconds ? ' NOISY' : ''}`,
      ]),
    ),
  );
}

/** The issue's budget: Redis adds < 50 ms to the fan-out p99 on loopback; and what two nodes cost per delivery. */
export function clusterTargets(
  rows: ClusterRow[],
): Array<{ name: string; met: boolean | null; text: string }> {
  const rates = [...new Set(rows.map((r) => r.fixesPerTechnicianPerSecond))];
  const parts: string[] = [];
  const efficiency: string[] = [];
  let any = false;
  let allMet = true;
  for (const rate of rates) {
    const find = (s: ClusterScenario) =>
      rows.find((r) => r.scenario === s && r.fixesPerTechnicianPerSecond === rate);
    const one = find('one');
    if (!one) continue;
    for (const s of ['a-to-b', 'mixed', 'one-redis'] as const) {
      const other = find(s);
      if (!other) continue;
      // A phase during which other processes took > 10 % of a core says little about latency: not judged.
      const noisy = [one, other].some((r) => r.cpu.other > 0.1 * r.cpu.seconds);
      const addP50 = other.latencyMs.p50 - one.latencyMs.p50;
      const addP99 = other.latencyMs.p99 - one.latencyMs.p99;
      const delivered = other.deliveredPercent >= 97;
      const met = addP99 < 50 && delivered;
      if (s !== 'one-redis' && !noisy) {
        any = true;
        allMet &&= met;
      }
      parts.push(
        `${rate} fix/s/tech ${s}: +${f2(addP50)} ms p50, +${f2(addP99)} ms p99 (${f2(other.latencyMs.p99)} vs ${f2(one.latencyMs.p99)})` +
          `${delivered ? '' : `, only ${f1(other.deliveredPercent)}% delivered`}` +
          `${noisy ? ' (NOISY machine: not judged)' : s === 'one-redis' || met ? '' : ' (not met)'}`,
      );
      efficiency.push(
        `${rate}/s ${s}: ${f0(other.deliveriesPerServerCpuSecond)} vs ${f0(one.deliveriesPerServerCpuSecond)} deliveries per node-CPU-s = ` +
          `${f2(other.deliveriesPerServerCpuSecond / one.deliveriesPerServerCpuSecond)}×${noisy ? ' (NOISY)' : ''}` +
          (Number.isFinite(other.deliveriesPerServerAndRedisCpuSecond)
            ? ` (${f2(other.deliveriesPerServerAndRedisCpuSecond / one.deliveriesPerServerCpuSecond)}× with Redis's CPU)`
            : ''),
      );
    }
  }
  if (!rows.length) return [];
  return [
    {
      name: 'cluster-latency',
      met: any ? allMet : null,
      text: `Two nodes "Redis adds < 50 ms to the fan-out p99 on loopback" (vs 1 node, same load, same run): ${parts.join('; ') || 'scenario one not measured'}${any ? ` → ${allMet ? 'MET' : 'NOT MET'}` : ''}`,
    },
    {
      name: 'cluster-efficiency',
      met: null,
      text: `Two nodes, deliveries per server CPU-second summed over the nodes vs 1 node: ${efficiency.join('; ') || '–'}`,
    },
  ];
}
