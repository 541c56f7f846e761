import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { codeOf, customer, serviceId, uniqueSpot } from '../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../test/harness';

/**
 * Issue 15 §1 (denial of service) at the transport: caps per socket, address and user, the WebSocket
 * batch cap and call rate, booking churn, and the protocol edges. The server trusts one proxy hop so each
 * test can be its own address (X-Forwarded-For), without the per-address cap of one test hitting another.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    TRUST_PROXY: '1',
    WS_MAX_SUBSCRIPTIONS: '5',
    WS_MAX_SOCKETS_PER_IP: '3',
    WS_MAX_SOCKETS_PER_USER: '2',
    WS_CALLS_PER_SECOND: '20',
    BOOKING_CREATE_LIMIT: '3',
    BOOKING_CREATE_WINDOW_SECONDS: '60',
    BOOKING_CANCEL_LIMIT: '3',
    BOOKING_CANCEL_WINDOW_SECONDS: '60',
  });
});
afterAll(() => server.close());

let ipSeq = 0;
const freshIp = () => `198.51.100.${++ipSeq}`;

type Frame = {
  id?: unknown;
  result?: { type: string };
  error?: { data?: { code?: string } };
  method?: string;
};

/** A raw tRPC WebSocket (what any client speaks), from its own address, collecting every frame. */
async function rawSocket(opts: { ip?: string; token?: string } = {}) {
  const ws = new WebSocket(`${server.wsUrl}${opts.token ? '?connectionParams=1' : ''}`, {
    headers: { 'x-forwarded-for': opts.ip ?? freshIp() },
  });
  const frames: Frame[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  if (opts.token) ws.send(JSON.stringify({ method: 'connectionParams', data: { token: opts.token } }));
  return { ws, frames, closed };
}

const until = async (ok: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const heartbeat = (id: number) => ({ id, method: 'subscription', params: { path: 'system.heartbeat' } });

/** Sends raw bytes and resolves with what came back before the server closed (or 2 s passed). */
function rawHttp(request: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    let data = '';
    sock.on('data', (d) => {
      data += d;
    });
    sock.on('error', () => {});
    const timer = setTimeout(() => sock.destroy(), 2_000);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    sock.write(request);
  });
}

/** Like rawHttp, but the request goes out in `chunks` writes `delayMs` apart (several TCP packets). */
function rawHttpChunked(request: string, chunks: number, delayMs = 20): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    sock.setNoDelay(true);
    let data = '';
    sock.on('data', (d) => {
      data += d;
    });
    sock.on('error', () => {});
    const timer = setTimeout(() => sock.destroy(), 5_000);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    const size = Math.ceil(request.length / chunks);
    void (async () => {
      for (let i = 0; i < request.length && !sock.destroyed; i += size) {
        sock.write(request.slice(i, i + size));
        await new Promise((r) => setTimeout(r, delayMs));
      }
    })();
  });
}

describe('WebSocket caps (unauthenticated memory exhaustion)', () => {
  it('holds one heartbeat per socket and refuses the rest of a 10,000-subscription flood', async () => {
    const { ws, frames, closed } = await rawSocket();
    let id = 0;
    for (let frame = 0; frame < 200 && ws.readyState === WebSocket.OPEN; frame++) {
      ws.send(JSON.stringify(Array.from({ length: 50 }, () => heartbeat(++id))));
    }
    // Generous: on a loaded 2-core machine the server gets to the third frame late (it closes at once when it does).
    const code = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    const started = frames.filter((f) => f.result?.type === 'started');
    expect(started).toHaveLength(1);
    expect(frames.some((f) => f.error?.data?.code === 'TOO_MANY_REQUESTS')).toBe(true);
    // A client that keeps sending after being refused is closed (policy violation), not served forever.
    expect(code).toBe(1008);
  });

  it('caps subscriptions per socket and answers the ones over the cap with TOO_MANY_REQUESTS', async () => {
    const c = await customer(server.services);
    const booking = await httpClient(server, c.token).booking.create.mutate({
      serviceId: await serviceId(server.services),
      ...uniqueSpot(),
      address: '12 Broad Street',
      idempotencyKey: randomUUID(),
    });
    const { ws, frames } = await rawSocket({ token: c.token });
    ws.send(
      JSON.stringify(
        Array.from({ length: 8 }, (_, i) => ({
          id: i + 1,
          method: 'subscription',
          params: { path: 'booking.events', input: { id: booking.id } },
        })),
      ),
    );
    await until(() => frames.filter((f) => f.id !== undefined && f.id !== null).length >= 8);
    const started = new Set(frames.filter((f) => f.result?.type === 'started').map((f) => f.id));
    const refused = frames.filter((f) => f.error?.data?.code === 'TOO_MANY_REQUESTS');
    expect(started.size).toBe(5);
    expect(refused).toHaveLength(3);
    // Stopping one frees its slot.
    ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await until(() => frames.some((f) => f.id === 1 && f.result?.type === 'stopped'));
    ws.send(
      JSON.stringify({
        id: 9,
        method: 'subscription',
        params: { path: 'booking.events', input: { id: booking.id } },
      }),
    );
    await until(() => frames.some((f) => f.id === 9));
    expect(frames.find((f) => f.id === 9)?.result?.type).toBe('started');
    ws.close();
  });

  it('refuses sockets beyond the cap per address with 429 before upgrading', async () => {
    const ip = freshIp();
    const open = [await rawSocket({ ip }), await rawSocket({ ip }), await rawSocket({ ip })];
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(server.wsUrl, { headers: { 'x-forwarded-for': ip } });
      ws.on('open', () => resolve(101));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', reject);
    });
    expect(status).toBe(429);
    // One closes: the address may open another.
    open[0]!.ws.close();
    await open[0]!.closed;
    const again = await rawSocket({ ip });
    again.ws.close();
    for (const s of open.slice(1)) s.ws.close();
  });

  it('closes sockets beyond the cap per user with 4429 and an explanation', async () => {
    const c = await customer(server.services);
    const a = await rawSocket({ token: c.token });
    const b = await rawSocket({ token: c.token });
    // Each authenticates (its context resolves) before the next one counts.
    for (const s of [a, b]) {
      s.ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me' } }));
      await until(() => s.frames.some((f) => f.id === 1));
    }
    const third = await rawSocket({ token: c.token });
    expect(await third.closed).toBe(4429);
    expect(third.frames.some((f) => f.error?.data?.code === 'TOO_MANY_REQUESTS')).toBe(true);
    a.ws.close();
    b.ws.close();
  });
});

describe('WebSocket batches and call rate', () => {
  it('refuses a frame of more than 50 calls as a whole, like an HTTP batch', async () => {
    const { ws, frames } = await rawSocket();
    const calls = Array.from({ length: 51 }, (_, i) => ({
      id: i + 1,
      method: 'query',
      params: { path: 'auth.me' },
    }));
    ws.send(JSON.stringify(calls));
    await until(() => frames.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ id: null, error: { data: { code: 'BAD_REQUEST' } } });
    // 50 are fine.
    ws.send(JSON.stringify(calls.slice(0, 50)));
    await until(() => frames.filter((f) => typeof f.id === 'number').length === 50);
    ws.close();
  });

  it('limits calls per second per socket: over the budget TOO_MANY_REQUESTS, then closed', async () => {
    const { ws, frames, closed } = await rawSocket();
    let id = 0;
    const query = () => ({ id: ++id, method: 'query', params: { path: 'auth.me' } });
    // The burst (50) goes through; the next frame is refused call by call.
    ws.send(JSON.stringify(Array.from({ length: 50 }, query)));
    ws.send(JSON.stringify(Array.from({ length: 30 }, query)));
    await until(() => frames.filter((f) => typeof f.id === 'number').length === 80);
    const limited = frames.filter((f) => f.error?.data?.code === 'TOO_MANY_REQUESTS');
    expect(limited.length).toBeGreaterThanOrEqual(25);
    // Refill: after a second, calls go through again.
    await new Promise((r) => setTimeout(r, 1_100));
    const before = frames.length;
    ws.send(JSON.stringify(query()));
    await until(() => frames.length > before);
    expect(frames.at(-1)?.result?.type).toBe('data');
    // A client that ignores the refusals is closed.
    for (let i = 0; i < 5 && ws.readyState === WebSocket.OPEN; i++)
      ws.send(JSON.stringify(Array.from({ length: 50 }, query)));
    expect(await closed).toBe(1008);
  });
});

describe('booking churn', () => {
  it('lets a customer start 3 bookings a minute; a retried key is not a new attempt', async () => {
    const c = await customer(server.services);
    const api = httpClient(server, c.token);
    const sid = await serviceId(server.services);
    const inputs = [1, 2, 3, 4].map(() => ({
      serviceId: sid,
      ...uniqueSpot(),
      address: '3 Marina Road',
      idempotencyKey: randomUUID(),
    }));
    const made = [];
    for (const input of inputs.slice(0, 3)) {
      const b = await api.booking.create.mutate(input);
      made.push(b);
      await api.booking.cancel.mutate({ id: b.id, reason: 'changed my mind' });
    }
    expect(await codeOf(api.booking.create.mutate(inputs[3]!))).toBe('TOO_MANY_REQUESTS');
    // The PWA's outbox retrying a booking it already made gets it back.
    expect((await api.booking.create.mutate(inputs[0]!)).id).toBe(made[0]!.id);
  });

  it('lets a customer cancel 3 times a minute, then answers TOO_MANY_REQUESTS with a retry hint', async () => {
    const c = await customer(server.services);
    const api = httpClient(server, c.token);
    const sid = await serviceId(server.services);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await api.booking.create.mutate({
        serviceId: sid,
        ...uniqueSpot(),
        address: '5 Marina Road',
        idempotencyKey: randomUUID(),
      });
      ids.push(b.id);
    }
    // Every cancellation attempt counts (one repeated on a cancelled booking too): churn, not outcome.
    await api.booking.cancel.mutate({ id: ids[0]!, reason: 'changed my mind' });
    await api.booking.cancel.mutate({ id: ids[1]!, reason: 'changed my mind' });
    expect(await codeOf(api.booking.cancel.mutate({ id: ids[0]!, reason: 'again' }))).toBe('CONFLICT');
    const res = await fetch(`${server.url}/trpc/booking.cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
      body: JSON.stringify({ id: ids[2]!, reason: 'changed my mind' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    const body = (await res.json()) as {
      error: { data: { code: string; details?: { retryAfterSeconds?: number } } };
    };
    expect(body.error.data.code).toBe('TOO_MANY_REQUESTS');
    expect(body.error.data.details?.retryAfterSeconds).toBe(60);
    // The booking was left alone.
    expect((await api.booking.get.query({ id: ids[2]! })).status).not.toBe('cancelled');
  });
});

describe('protocol edges', () => {
  it('sends no uWebSockets banner, and API responses carry nosniff', async () => {
    for (const path of ['/trpc/auth.me', '/healthz', '/']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('uwebsockets')).toBeNull();
      if (path !== '/') expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const refused = await fetch(`${server.url}/trpc/nope.nothing`);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a long URL 414, large headers 431 and an unimplemented method 501 (no dropped connection)', async () => {
    const longUrl = await rawHttp(
      `GET /trpc/auth.me?input=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(longUrl).toMatch(/^HTTP\/1.1 414 /);
    const bigHeader = await rawHttp(
      `GET /trpc/auth.me HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`,
    );
    expect(bigHeader).toMatch(/^HTTP\/1.1 431 /);
    for (const method of ['TRACE', 'CONNECT']) {
      expect(await rawHttp(`${method} /trpc/auth.me HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1.1 501 /);
    }
    // Still serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("request heads in several TCP packets: served up to uWS 20.30's 4 KB buffer, beyond it closed at once (README)", async () => {
    // Under our limits and uWS's buffer, in 8 packets: served as usual.
    const small = await rawHttpChunked(
      `GET /healthz?pad=${'a'.repeat(3_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      8,
    );
    expect(small).toMatch(/^HTTP\/1.1 200 /);
    // A 64 KB URL in 16 packets never reaches JavaScript: this uWS build's parser keeps at most 4 KB of a
    // request head that spans packets and closes the socket past that, without a status (a 414 needs a
    // newer uWS, see README "Hardening"). What we can hold: it is closed promptly, not left hanging, and the
    // server goes on serving. Should a uWS upgrade start answering, this fails: assert the 414/431 then.
    const started = Date.now();
    const longUrl = await rawHttpChunked(
      `GET /trpc/auth.me?input=${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      16,
    );
    expect(longUrl).toBe('');
    expect(Date.now() - started).toBeLessThan(4_000);
    const bigHeader = await rawHttpChunked(
      `GET /trpc/auth.me HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`,
      10,
    );
    expect(bigHeader).toBe('');
    // Methods uWS's parser does not know (FOO, PROPFIND, a lower-case get) are dropped by it the same way:
    // `app.any` never sees them. The ones it parses and we do not serve (TRACE, CONNECT) are 501 (above).
    for (const method of ['FOO', 'PROPFIND', 'get']) {
      expect(await rawHttp(`${method} /trpc/auth.me HTTP/1.1\r\nHost: x\r\n\r\n`)).toBe('');
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
