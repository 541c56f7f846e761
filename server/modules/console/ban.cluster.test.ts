import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { codeOf } from '../../test/fixtures';
import {
  httpClient,
  isolatedDatabase,
  startTestNode,
  type TestServer,
  uniqueEmail,
} from '../../test/harness';

/**
 * A ban made on one node ends the user's sockets on the others at once: two real nodes in this process
 * on one PostgreSQL database and a real Redis (the session cache of each node is dropped over the bus).
 */
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let nodes: TestServer[];
const env = { REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };

beforeAll(async () => {
  database = await isolatedDatabase();
  nodes = [];
  for (const id of ['ban-a', 'ban-b'])
    nodes.push(await startTestNode(database, `${id}-${randomUUID().slice(0, 6)}`, env));
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.close();
  await database?.dispose();
});
const A = () => nodes[0]!;
const B = () => nodes[1]!;

/** A raw tRPC WebSocket on `node`, authenticated and answered once; `closed` resolves its close code. */
async function openSocket(node: TestServer, token: string) {
  const socket = new WebSocket(node.wsUrl.replace('/trpc', '/trpc?connectionParams=1'));
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    socket.on('close', (code) => resolve({ code, at: Date.now() })),
  );
  await new Promise((r) => socket.on('open', r));
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
  await new Promise((r) => socket.once('message', r));
  // Wrapped: an async function returning the promise itself would wait for the close.
  return { closed };
}

describe('a ban across nodes', () => {
  it('closes the user’s sockets on both nodes within a second; both nodes refuse the token at once', async () => {
    const adminEmail = uniqueEmail('admin');
    await A().services.auth.ensureAdmin(adminEmail, 'cluster admin password 2026');
    const admin = await httpClient(A()).auth.signIn.mutate({
      email: adminEmail,
      password: 'cluster admin password 2026',
    });
    const email = uniqueEmail('cust');
    const user = await httpClient(B()).auth.signUp.mutate({
      email,
      password: 'customer password 1',
      name: 'Banned Across Nodes',
      role: 'customer',
    });
    // Warm both nodes' session caches, and a socket on each.
    expect(await httpClient(A(), user.token).auth.me.query()).toMatchObject({ id: user.user.id });
    expect(await httpClient(B(), user.token).auth.me.query()).toMatchObject({ id: user.user.id });
    const onA = await openSocket(A(), user.token);
    const onB = await openSocket(B(), user.token);

    const started = Date.now();
    await httpClient(A(), admin.token).admin.users.ban.mutate({ id: user.user.id, reason: 'cluster test' });
    // Measured to the moment each socket closed (the ban's answer itself also carries the user's file).
    for (const socket of [onA, onB]) {
      const { code, at } = await socket.closed;
      expect(code).toBe(4401);
      expect(at - started).toBeLessThan(1_000);
      console.log(`ban → socket closed after ${at - started} ms`);
    }
    expect(await httpClient(B(), user.token).auth.me.query()).toBeNull();
    expect(await httpClient(A(), user.token).auth.me.query()).toBeNull();
    expect(await codeOf(httpClient(B()).auth.signIn.mutate({ email, password: 'customer password 1' }))).toBe(
      'FORBIDDEN',
    );
  }, 60_000);
});
