import type { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LivePosition } from '../../contracts/tracking';
import { assignedBooking, customer, offset, sleep, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, wsClient } from '../../test/harness';

// Positions go stale after one second here, so the "last seen" event can be watched for.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TRACKING_STALE_SECONDS: '1' });
});
afterAll(() => server.close());
const svc = () => server.services;

/** The error a call ends with, as a client sees it: message and data (code, appCode, zodError…). */
async function failure(p: Promise<unknown>) {
  const e = (await p.then(
    () => null,
    (e) => e,
  )) as TRPCClientError<never> | null;
  if (!e) throw new Error('expected the call to fail');
  const { httpStatus: _status, path: _path, ...data } = e.data as unknown as Record<string, unknown>;
  return { message: e.message, data };
}

describe('WebSocket fast paths answer exactly like the procedures', () => {
  it('tracking.update: same result and same errors over WebSocket (fast path) and HTTP (router)', async () => {
    const home = uniqueSpot();
    const tech = await technician(svc(), home);
    const cust = await customer(svc());
    const ws = wsClient(server, tech.token);
    const wsCustomer = wsClient(server, cust.token);
    const wsAnonymous = wsClient(server);
    try {
      const at = Date.now();
      const point = { ...offset(home, 5), accuracy: 5, recordedAt: new Date(at).toISOString() };
      const viaWs = await ws.client.tracking.update.mutate({ points: [point] });
      const viaHttp = await httpClient(server, tech.token).tracking.update.mutate({
        points: [{ ...point, recordedAt: new Date(at + 1000).toISOString() }],
      });
      expect(viaWs).toEqual({ accepted: 1, rejected: 0, reason: null });
      expect(viaHttp).toEqual(viaWs);

      const bad = { points: [{ ...point, lat: 91 }] } as never;
      const badWs = await failure(ws.client.tracking.update.mutate(bad));
      expect(badWs.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION' });
      expect(badWs).toEqual(await failure(httpClient(server, tech.token).tracking.update.mutate(bad)));

      const wrongRole = await failure(wsCustomer.client.tracking.update.mutate({ points: [point] }));
      expect(wrongRole.data).toMatchObject({ code: 'FORBIDDEN', appCode: 'FORBIDDEN_ROLE' });
      expect(wrongRole).toEqual(
        await failure(httpClient(server, cust.token).tracking.update.mutate({ points: [point] })),
      );

      const anonymous = await failure(wsAnonymous.client.tracking.update.mutate({ points: [point] }));
      expect(anonymous.data).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
      expect(anonymous).toEqual(
        await failure(httpClient(server).tracking.update.mutate({ points: [point] })),
      );
    } finally {
      ws.close();
      wsCustomer.close();
      wsAnonymous.close();
    }
  });

  it('tracking.watch: a bad booking id is a validation error, like any procedure', async () => {
    const c = await customer(svc());
    const ws = wsClient(server, c.token);
    try {
      const error = await new Promise<unknown>((resolve) => {
        ws.client.tracking.watch.subscribe({ bookingId: 'not-a-uuid' }, { onError: resolve });
      });
      expect((error as TRPCClientError<never>).data).toMatchObject({
        code: 'BAD_REQUEST',
        appCode: 'VALIDATION',
        zodError: { fieldErrors: { bookingId: expect.any(Array) } },
      });
    } finally {
      ws.close();
    }
  });

  it('viewers of one booking on separate sockets share each event; stopping one leaves the others', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const a = wsClient(server, c.token);
    const b = wsClient(server, c.token);
    const seen = { a: [] as string[], b: [] as string[] };
    try {
      const subA = a.client.tracking.watch.subscribe(
        { bookingId: booking.id },
        { onData: (e) => seen.a.push(e.id) },
      );
      b.client.tracking.watch.subscribe({ bookingId: booking.id }, { onData: (e) => seen.b.push(e.id) });
      await until(async () => seen.a.length >= 1 && seen.b.length >= 1);
      const T = Date.now();
      svc().tracking.ingest(
        t.user.id,
        [{ ...offset(spot, 1995), accuracy: 5, recordedAt: new Date(T).toISOString() }],
        T,
      );
      await until(async () => seen.a.includes(String(T)) && seen.b.includes(String(T)));
      subA.unsubscribe();
      await sleep(100);
      svc().tracking.ingest(
        t.user.id,
        [{ ...offset(spot, 1990), accuracy: 5, recordedAt: new Date(T + 500).toISOString() }],
        T + 500,
      );
      await until(async () => seen.b.includes(String(T + 500)));
      await sleep(100);
      expect(seen.a).not.toContain(String(T + 500));
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('the shared answer written as bytes (server/transport/ws.ts sharedReplyBytes)', () => {
  it('is, for every kind of call id, exactly the text JSON.stringify gives', async () => {
    const home = uniqueSpot();
    const tech = await technician(svc(), home);
    const ws = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const replies: string[] = [];
    ws.on('message', (m) => replies.push(String(m)));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: tech.token } }));
    await sleep(200); // authenticated: the calls below take the fast path
    const calls: Array<{ id: number | string; jsonrpc?: '2.0' }> = [
      { id: 0 },
      { id: 7 },
      { id: 10, jsonrpc: '2.0' },
      { id: 123_456_789_012 },
      { id: Number.MAX_SAFE_INTEGER, jsonrpc: '2.0' },
      { id: 2 ** 60 }, // past the safe integers: written as text
      { id: 1.5 },
      { id: -3 },
      { id: 'a"b' },
      { id: 99 },
    ];
    const at = Date.now() - 60_000;
    for (const [i, call] of calls.entries()) {
      const point = {
        ...offset(home, 5 + 20 * i),
        accuracy: 5,
        recordedAt: new Date(at + i * 1000).toISOString(),
      };
      ws.send(
        JSON.stringify({
          ...call,
          method: 'mutation',
          params: { path: 'tracking.update', input: { points: [point] } },
        }),
      );
    }
    await until(async () => replies.length >= calls.length);
    ws.close();
    // In any order: a call answered from the database (verification not cached yet) may come later.
    expect(replies.sort()).toEqual(
      calls
        .map((c) =>
          JSON.stringify({
            ...c,
            result: { type: 'data', data: { accepted: 1, rejected: 0, reason: null } },
          }),
        )
        .sort(),
    );
  });
});

describe('subscription ids on the fast path', () => {
  it('a watch stopped before it started frees its id for the next one', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    const ws = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const messages: Array<{ id?: number; error?: unknown; result?: { type: string } }> = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    await new Promise((r) => ws.once('open', r));
    const watch = JSON.stringify({
      id: 3,
      method: 'subscription',
      params: { path: 'tracking.watch', input: { bookingId: booking.id } },
    });
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: c.token } }));
    await sleep(200); // the connection is authenticated: the watch below takes the fast path at once
    ws.send(watch);
    ws.send(JSON.stringify({ id: 3, method: 'subscription.stop' })); // before the feed has opened
    await sleep(300);
    const before = messages.length;
    ws.send(watch);
    const answer = await until(async () => messages.slice(before).find((m) => m.error || m.result));
    expect(answer).toMatchObject({ id: 3, result: { type: 'started' } });
    ws.close();
  });
});

describe('stale positions', () => {
  it('tells viewers once when the technician falls silent ("last seen …"), then resumes live', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const ws = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const events: Array<{ id: string; data: LivePosition }> = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m));
      if (msg.result?.type === 'data') events.push({ id: msg.result.id, data: msg.result.data.data });
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: c.token } }));
    ws.send(
      JSON.stringify({
        id: 7,
        method: 'subscription',
        params: { path: 'tracking.watch', input: { bookingId: booking.id } },
      }),
    );
    const T = Date.now();
    svc().tracking.ingest(
      t.user.id,
      [{ ...offset(spot, 1995), accuracy: 5, recordedAt: new Date(T).toISOString() }],
      T,
    );
    await until(async () => events.some((e) => e.id === String(T) && !e.data.stale));
    await until(async () => events.some((e) => e.id === String(T) && e.data.stale), 5_000);
    const staleEvents = () => events.filter((e) => e.data.stale).length;
    const count = staleEvents();
    await sleep(1_500); // further sweeps do not repeat it
    expect(staleEvents()).toBe(count);
    const T2 = Date.now();
    svc().tracking.ingest(
      t.user.id,
      [{ ...offset(spot, 1990), accuracy: 5, recordedAt: new Date(T2).toISOString() }],
      T2,
    );
    await until(async () => events.at(-1)?.id === String(T2));
    expect(events.at(-1)!.data.stale).toBe(false);
    ws.close();
  });
});
