import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedCatalog } from '../../../db/seed/catalog';
import { sleep, until } from '../../test/fixtures';
import {
  httpClient,
  isolatedDatabase,
  startTestNode,
  type TestServer,
  uniqueEmail,
} from '../../test/harness';

/** Redis of this file's own (a real redis-server on a free port), so it can be killed and restarted. */
let port = 0;
let redis: ChildProcess | undefined;
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let nodes: TestServer[] = [];

async function freePort() {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const p = (srv.address() as net.AddressInfo).port;
  srv.close();
  return p;
}

async function startRedis() {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    10_000,
  );
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  database = await isolatedDatabase();
  await seedCatalog(database.db);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
  nodes = [await startTestNode(database, 'redis-a', env), await startTestNode(database, 'redis-b', env)];
});
afterAll(async () => {
  for (const n of nodes) await n.close();
  redis?.kill('SIGKILL');
  await database?.dispose();
});

/** A WebSocket on `node` authenticated as `token`, and a promise of its close code. */
async function socketOn(node: TestServer, token: string) {
  const socket = new WebSocket(`${node.wsUrl}?connectionParams=1`);
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await once(socket, 'open');
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
  await once(socket, 'message');
  return { closed };
}

async function user(node: TestServer) {
  return httpClient(node).auth.signUp.mutate({
    email: uniqueEmail('redis'),
    password: 'customer password',
    name: 'Redis',
    role: 'customer',
  });
}

describe('Redis restarting', () => {
  it('nodes keep serving while it is down and reconnect (and re-subscribe) by themselves', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    const first = await user(a);
    const { closed: closedFirst } = await socketOn(b, first.token);
    await httpClient(a, first.token).auth.signOut.mutate();
    expect(await closedFirst).toBe(4401); // cross-node works before
    redis!.kill('SIGKILL');
    await once(redis!, 'exit');
    await until(async () => !a.services.bus.healthy() && !b.services.bus.healthy());
    // Down: the API still answers (sign-up and sign-in fall back to each node's own rate-limit window).
    const second = await user(a);
    expect((await httpClient(b, second.token).auth.me.query())?.email).toBe(second.user.email);
    await sleep(500);
    await startRedis();
    await until(async () => a.services.bus.healthy() && b.services.bus.healthy(), 15_000);
    await sleep(300); // re-subscription follows the reconnect
    const { closed: closedSecond } = await socketOn(b, second.token);
    await httpClient(a, second.token).auth.signOut.mutate();
    expect(await closedSecond).toBe(4401); // and works again after
  }, 60_000);
});
