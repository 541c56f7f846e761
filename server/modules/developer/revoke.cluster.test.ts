import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openAuthedSocket, type SocketAnswer, twoNodes } from '../../test/cluster';
import { codeOf, customer } from '../../test/fixtures';
import { httpClient, type TestServer } from '../../test/harness';

/**
 * Issue 17 §4 across a cluster: a key revoked on node A is refused on node B at once (B had it cached)
 * and the key's open WebSocket on node B is closed. Two real nodes in this process on one PostgreSQL
 * database and a real Redis (the revocation drops each node's key cache over the bus, as a sign-out does).
 */
const { a: A, b: B } = twoNodes(['key-a', 'key-b']);

/** The key's socket on `node`, its `booking.list` answered (not an error: the key works on that socket). */
const openSocket = async (node: TestServer, key: string) => {
  const socket = await openAuthedSocket(node, key, 'booking.list', {});
  return { ...socket, first: socket.first as SocketAnswer & { result?: { data?: { items?: unknown[] } } } };
};

describe('a key revoked on one node', () => {
  it('is refused over HTTP on the other node at once, and its socket there is closed (4401)', async () => {
    const owner = await customer(A().services, 'Cluster Owner');
    const person = httpClient(A(), owner.token);
    await person.org.create.mutate({ name: `Cluster Org ${randomUUID().slice(0, 6)}` });
    const created = await person.apiKey.create.mutate({ name: 'cluster', scopes: ['bookings:read'] });
    // A second key of the same organisation, not revoked: it must keep working on both nodes.
    const kept = await person.apiKey.create.mutate({ name: 'kept', scopes: ['bookings:read'] });

    // Both nodes have the key cached (30 s): B refusing it afterwards is the bus's doing, not a cache miss.
    expect(await httpClient(A(), created.secret).booking.list.query()).toMatchObject({ items: [] });
    expect(await httpClient(B(), created.secret).booking.list.query()).toMatchObject({ items: [] });
    const onB = await openSocket(B(), created.secret);
    expect(onB.first.error).toBeUndefined();
    expect(onB.first.result?.data?.items).toEqual([]);
    const keptOnB = await openSocket(B(), kept.secret);
    expect(keptOnB.first.error).toBeUndefined();

    const started = Date.now();
    await person.apiKey.revoke.mutate({ id: created.key.id });
    // "At once": the first call on B after the revocation's answer is refused.
    expect(await codeOf(httpClient(B(), created.secret).booking.list.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(httpClient(A(), created.secret).booking.list.query())).toBe('UNAUTHORIZED');
    const { code, at } = await Promise.race([
      onB.closed,
      new Promise<{ code: number; at: number }>((r) =>
        setTimeout(() => r({ code: -1, at: Date.now() }), 3000),
      ),
    ]);
    expect(code).toBe(4401);
    expect(at - started).toBeLessThan(1_000);
    console.log(`key revoked on A → its socket on B closed after ${at - started} ms`);

    // The organisation's other key is untouched, on either node and on its open socket.
    expect(await codeOf(httpClient(B(), kept.secret).booking.list.query())).toBe('OK');
    const keptClosed = await Promise.race([
      keptOnB.closed.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
    ]);
    expect(keptClosed).toBe(false);
    keptOnB.socket.close();
  }, 60_000);
});
