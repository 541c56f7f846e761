import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from '../../../scripts/cluster-lib';
import { until } from '../../test/fixtures';
import { isolatedDatabase, testRedisUrl } from '../../test/harness';

/** Issue 15 §2: `npm run cluster` supervises its nodes: one that crashes (kill -9) is started again. */
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let cluster: RunningCluster;

beforeAll(async () => {
  database = await isolatedDatabase();
  cluster = await startCluster({
    nodes: 1,
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    redisUrl: testRedisUrl(),
    staticDir: path.join(tmpdir(), 'fundi-no-static'),
    drainSeconds: 0,
    supervise: true,
    env: { REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'warn', SEED_DEMO: 'false' },
    log: () => {},
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await database?.dispose();
});

describe('cluster supervision', () => {
  it.skipIf(!existsSync('/proc/self/cmdline'))(
    'runs its nodes on the built JavaScript (build/server/main.js), not TypeScript through tsx',
    () => {
      const cmdline = readFileSync(`/proc/${cluster.nodes[0]!.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline.some((a) => a.endsWith(path.join('build', 'server', 'main.js')))).toBe(true);
      expect(cmdline.join(' ')).not.toMatch(/tsx|\.ts\b/);
    },
  );

  it('starts a crashed node again, healthy behind the balancer', async () => {
    const node = cluster.nodes[0]!;
    const before = node.pid;
    node.kill('SIGKILL');
    await until(async () => !node.alive || node.pid !== before, 10_000);
    await until(async () => {
      if (!node.alive || node.pid === before) return false;
      const res = await fetch(`${cluster.url}/healthz`).catch(() => null);
      return res?.status === 200;
    }, 60_000);
    expect(node.pid).not.toBe(before);
  }, 90_000);
});
