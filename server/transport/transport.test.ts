import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../test/harness';
import { uwsImplementation } from './uws';

let server: TestServer;
let staticDir: string;
const indexHtml =
  '<!doctype html><html><head><title>Fundi</title></head><body><div id="root"></div></body></html>';
const appJs = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(tmpdir(), 'fundi-static-'));
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'index.html'), indexHtml);
  writeFileSync(path.join(staticDir, 'assets', 'index-Bx12abCD.js'), appJs);
  writeFileSync(
    path.join(staticDir, 'sw.js'),
    `self.addEventListener('fetch', () => {}); // ${'y'.repeat(600)}`,
  );
  writeFileSync(path.join(staticDir, 'manifest.webmanifest'), JSON.stringify({ name: 'Fundi' }));
  server = await startTestServer({ STATIC_DIR: staticDir });
});
afterAll(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

async function signUp() {
  return httpClient(server).auth.signUp.mutate({
    email: uniqueEmail('transport'),
    password: 'transport password',
    name: 'Transport',
    role: 'customer',
  });
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
function upgradeStatus(headers: Record<string, string>, url = server.wsUrl): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', reject);
  });
}

describe('uWebSockets.js', () => {
  it('runs on the native binary, not the JavaScript fallback', async () => {
    expect(uwsImplementation).toBe('native');
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', db: 'ok', uws: 'native' });
    const res = await fetch(`${server.url}/healthz`);
    // The native server's banner is patched out at install (scripts/patch-uws.mjs, issue 15 §1).
    expect(res.headers.get('uwebsockets')).toBeNull();
  });
});

describe('cookies and origins', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie on sign-in and accepts it for queries', async () => {
    const { user } = await signUp();
    const res = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin },
      body: JSON.stringify({ email: user.email, password: 'transport password' }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^fundi_session=[a-z2-7]{32}; HttpOnly; SameSite=Lax; Path=\/; Expires=/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP outside production
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect((await me.json()).result.data.id).toBe(user.id);
  });

  it('refuses cookie-authenticated mutations from another origin or without one (403), not bearer ones', async () => {
    const { token } = await signUp();
    const call = (headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/auth.updateMe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'Changed' }),
      });
    const cookie = `fundi_session=${token}`;
    expect((await call({ cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call({ cookie })).status).toBe(403);
    expect((await call({ cookie, origin: server.origin })).status).toBe(200);
    expect((await call({ authorization: `Bearer ${token}`, origin: 'https://evil.example' })).status).toBe(
      200,
    );
  });

  it('refuses WebSocket upgrades from a foreign Origin and authenticates same-origin ones by cookie', async () => {
    const { token, user } = await signUp();
    expect(await upgradeStatus({ origin: 'https://evil.example', cookie: `fundi_session=${token}` })).toBe(
      403,
    );
    expect(await upgradeStatus({ origin: server.origin })).toBe(101);
    expect(await upgradeStatus({})).toBe(101); // API clients without Origin use connectionParams

    const ws = new WebSocket(server.wsUrl, {
      headers: { origin: server.origin, cookie: `fundi_session=${token}` },
    });
    const reply = await new Promise<unknown>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me' } })));
      ws.on('message', (m) => resolve(JSON.parse(String(m))));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toMatchObject({ id: 1, result: { type: 'data', data: { id: user.id } } });
  });
});

describe('robustness', () => {
  it('survives clients that disconnect mid-request and answers the next one', async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const sock = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => {
          // Announce a body, send half of it, and vanish; or vanish right after a slow query.
          sock.write(
            i % 2
              ? 'POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"email":'
              : 'GET /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\n\r\n',
          );
          setTimeout(() => {
            sock.destroy();
            resolve();
          }, 5);
        });
      });
    }
    const res = await fetch(`${server.url}/trpc/auth.me`);
    expect(res.status).toBe(200);
  });

  it('answers malformed JSON and unknown procedures with tRPC errors, not crashes', async () => {
    const bad = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.data.code).toBe('BAD_REQUEST');
    const missing = await fetch(`${server.url}/trpc/nope.nothing`);
    expect(missing.status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/trpc/auth.signOut`);
    expect(wrongMethod.status).toBe(405);
    const big = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    // Every refusal has the same envelope a client's error handling reads.
    expect((await big.json()).error.data.code).toBe('PAYLOAD_TOO_LARGE');
    const subscription = await fetch(`${server.url}/trpc/system.heartbeat`);
    expect((await subscription.json()).error.message).toContain('WebSocket at /trpc');
    expect((await wrongMethod.json()).error.data.code).toBe('METHOD_NOT_SUPPORTED');
  });

  it('batches several calls into one response with per-call results', async () => {
    const { token } = await signUp();
    const res = await fetch(
      `${server.url}/trpc/auth.me,admin.stats,nope?batch=1&input=${encodeURIComponent('{}')}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(res.status).toBe(207);
    const body = await res.json();
    expect(body).toHaveLength(3);
    expect(body[0].result.data.role).toBe('customer');
    expect(body[1].error.data.code).toBe('FORBIDDEN');
    expect(body[2].error.data.code).toBe('NOT_FOUND');
  });
});

describe('static PWA', () => {
  it('serves hashed assets immutable and compressed, the shell and service worker no-cache', async () => {
    const asset = await fetch(`${server.url}/assets/index-Bx12abCD.js`, {
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(await asset.text()).toBe(appJs); // fetch decodes brotli

    const raw = await new Promise<Buffer>((resolve, reject) => {
      const sock = net.connect(Number(new URL(server.url).port), '127.0.0.1', () =>
        sock.write(
          'GET /assets/index-Bx12abCD.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
        ),
      );
      const chunks: Buffer[] = [];
      sock.on('data', (c) => chunks.push(c));
      sock.on('end', () => resolve(Buffer.concat(chunks)));
      sock.on('error', reject);
    });
    const split = raw.indexOf('\r\n\r\n');
    expect(raw.subarray(0, split).toString()).toMatch(/content-encoding: gzip/i);
    expect(gunzipSync(raw.subarray(split + 4)).toString()).toBe(appJs);

    for (const p of ['/', '/sw.js', '/manifest.webmanifest']) {
      expect((await fetch(`${server.url}${p}`)).headers.get('cache-control')).toBe('no-cache');
    }
    expect((await fetch(`${server.url}/manifest.webmanifest`)).headers.get('content-type')).toBe(
      'application/manifest+json',
    );
  });

  it('falls back to the app shell for client routes, 404s missing files, and sends security headers', async () => {
    const route = await fetch(`${server.url}/bookings/123`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(indexHtml);
    expect(route.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(route.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(route.headers.get('x-content-type-options')).toBe('nosniff');
    expect(route.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(route.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);

    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(`${server.url}/trpc/auth.me`, { method: 'HEAD' })).status).toBe(405);

    const etag = route.headers.get('etag')!;
    expect((await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});
