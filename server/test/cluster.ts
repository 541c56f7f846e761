import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { isolatedDatabase, startTestNode, type TestServer } from './harness';

/**
 * Two real nodes in this process on one PostgreSQL database of the file's own and a real Redis (under a
 * prefix of their own): started before the file's tests, closed after them. `a()` and `b()` are the nodes.
 */
export function twoNodes(names: [string, string]) {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let nodes: TestServer[];
  const env = { REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
  beforeAll(async () => {
    database = await isolatedDatabase();
    nodes = [];
    for (const id of names)
      nodes.push(await startTestNode(database, `${id}-${randomUUID().slice(0, 6)}`, env));
  });
  afterAll(async () => {
    for (const n of nodes ?? []) await n.close();
    await database?.dispose();
  });
  return { a: () => nodes[0]!, b: () => nodes[1]! };
}

export type SocketAnswer = { id?: unknown; result?: { data?: unknown }; error?: unknown };

/**
 * A raw tRPC WebSocket on `node`, authenticated with `token` (a session token or an API key), whose
 * query `path` (id 1) was answered: `first` is that answer; `closed` resolves with the close code and
 * when it came.
 */
export async function openAuthedSocket(node: TestServer, token: string, path: string, input: unknown) {
  const socket = new WebSocket(node.wsUrl.replace('/trpc', '/trpc?connectionParams=1'));
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    socket.on('close', (code) => resolve({ code, at: Date.now() })),
  );
  await new Promise((r) => socket.on('open', r));
  const answer = new Promise<SocketAnswer>((resolve) =>
    socket.on('message', (m) => {
      const msg = JSON.parse(String(m)) as SocketAnswer;
      if (msg.id === 1) resolve(msg);
    }),
  );
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  socket.send(JSON.stringify({ id: 1, method: 'query', params: { path, input } }));
  const first = await answer;
  // Wrapped: an async function returning the promise itself would wait for the close.
  return { first, closed, socket };
}
