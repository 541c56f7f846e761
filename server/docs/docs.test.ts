import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { customer, serviceId, uniqueSpot, until } from '../test/fixtures';
import { httpClient, startTestServer, type TestServer, wsClient } from '../test/harness';
import { startWebhookReceiver } from '../test/standins/webhook-receiver';
import { appRouter } from '../trpc/root';
import type { JsonSchema, Reference } from './reference';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  // A database of its own: its webhook worker must not meet other files' (they run with other settings).
  server = await startTestServer({ WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2' }, { isolated: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

async function reference(): Promise<Reference> {
  return (await (await get('/docs/reference.json')).json()) as Reference;
}

describe('GET /docs', () => {
  it('serves the reference page (lang, dir, every public procedure), cacheable by ETag and compressed', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
    expect(html).toContain('booking.create');
    expect(html).toContain('Fundi-Signature');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/docs', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // The trailing slash is the same page.
    expect((await get('/docs/')).headers.get('etag')).toBe(etag);
    // Compressed when asked (node's fetch would decode it itself: read the raw bytes with a plain request).
    const { request } = await import('node:http');
    const gz = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${server.url}/docs`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(html);
  });

  it('serves reference.json (every procedure of the router) and openapi.json; anything else under /docs is 404', async () => {
    const res = await get('/docs/reference.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('etag')).toBeTruthy();
    const ref = (await res.json()) as Reference;
    expect(ref.procedures.map((p) => p.path).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    const openapi = await (await get('/docs/openapi.json')).json();
    expect(openapi).toMatchObject({ openapi: '3.1.0' });
    expect(Object.keys(openapi.paths)).toContain('/trpc/booking.create');
    expect((await get('/docs/nope.json')).status).toBe(404);
    expect((await fetch(`${server.url}/docs`, { method: 'POST' })).status).toBe(405);
  });
});

describe('real answers match the published output schemas', () => {
  it('a key’s calls, and the webhooks it receives, validate against /docs/reference.json', async () => {
    const ref = await reference();
    const schemaOf = (path: string) => {
      const s = ref.procedures.find((p) => p.path === path)?.output;
      if (!s) throw new Error(`${path}: no output schema`);
      return z.fromJSONSchema(s as JsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
    };

    // The check has teeth: an answer missing what the schema requires fails it.
    expect(schemaOf('booking.get').safeParse({ id: 'x' }).success).toBe(false);

    const owner = await customer(server.services, 'Docs owner');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: `Docs ${randomUUID().slice(0, 6)}` });
    const { secret } = await person.apiKey.create.mutate({
      name: 'docs',
      scopes: ['bookings:read', 'bookings:write', 'tracking:read', 'webhooks:manage'],
    });

    /** One raw HTTP call, as curl would make it; answers `result.data` after checking it against the reference. */
    const checked = new Set<string>();
    async function call(path: string, input?: unknown) {
      const type = ref.procedures.find((p) => p.path === path)!.type;
      const res =
        type === 'query'
          ? await get(
              `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
              { authorization: `Bearer ${secret}` },
            )
          : await fetch(`${server.url}/trpc/${path}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
              body: JSON.stringify(input),
            });
      const body = (await res.json()) as { result?: { data: unknown }; error?: unknown };
      expect(res.status, `${path}: ${JSON.stringify(body.error)}`).toBe(200);
      const parsed = schemaOf(path).safeParse(body.result!.data);
      expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
      checked.add(path);
      return body.result!.data as never;
    }

    const endpoint: { endpoint: { id: string } } = await call('webhook.create', {
      url: receiver.url,
      events: ['booking.created', 'booking.status_changed', 'booking.cancelled'],
    });
    const categories: unknown[] = await call('catalog.categories');
    expect(categories.length).toBeGreaterThan(0);
    await call('catalog.services', {});
    const markets: Array<{ slug: string }> = await call('market.list');
    await call('market.zones', { market: markets[0]!.slug });
    const spot = uniqueSpot();
    await call('market.locate', spot);
    const sid = await serviceId(server.services);
    await call('booking.quote', { serviceId: sid, ...spot });
    const booking: { id: string } = await call('booking.create', {
      serviceId: sid,
      ...spot,
      address: '12 Admiralty Way, Lekki Phase 1',
      siteContact: { name: 'Front desk', phone: '+2348031234567' },
      idempotencyKey: randomUUID(),
    });
    await call('booking.get', { id: booking.id });
    // A subscription's events (over the WebSocket, with the key) match its published event schema.
    const socket = wsClient(server, secret);
    const events: unknown[] = [];
    const sub = socket.client.booking.events.subscribe(
      { id: booking.id },
      { onData: (e) => events.push(e.data) },
    );
    await until(async () => events.length > 0);
    sub.unsubscribe();
    socket.close();
    const event = schemaOf('booking.events').safeParse(events[0]);
    expect(event.success, `booking.events: ${event.error?.message}`).toBe(true);
    await call('booking.list', {});
    await call('payment.get', { bookingId: booking.id });
    await call('payment.methods', { bookingId: booking.id });
    await call('payment.cancellationQuote', { bookingId: booking.id });
    await call('booking.cancel', { id: booking.id, reason: 'Checking the reference.' });
    const history: unknown[] = await call('booking.history', { id: booking.id });
    expect(history.length).toBeGreaterThanOrEqual(2);
    await call('webhook.list');
    await call('webhook.test', { id: endpoint.endpoint.id });
    await call('webhook.deliveries', { id: endpoint.endpoint.id });
    expect(checked.size).toBe(18);

    // The webhooks this produced: the envelope and each event's data as published.
    const envelope = z.fromJSONSchema(ref.webhooks.envelope as Parameters<typeof z.fromJSONSchema>[0]);
    const received = await until(async () => {
      const types = receiver.received.map((r) => JSON.parse(r.body).type);
      return ['booking.created', 'booking.cancelled', 'webhook.test'].every((t) => types.includes(t))
        ? receiver.received
        : null;
    }, 15_000);
    for (const r of received) {
      const body = JSON.parse(r.body) as { type: string; data: unknown };
      expect(envelope.safeParse(body).success).toBe(true);
      const data = ref.webhooks.events.find((e) => e.type === body.type)!.data;
      const parsed = z.fromJSONSchema(data as Parameters<typeof z.fromJSONSchema>[0]).safeParse(body.data);
      expect(parsed.success, `${body.type}: ${parsed.error?.message}`).toBe(true);
    }
  });
});

describe('Getting started', () => {
  it('the plain @trpc/client snippet runs as printed: a key lists its bookings and follows one to its end', async () => {
    const ref = await reference();
    const owner = await customer(server.services, 'Snippet owner');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: `Snippet ${randomUUID().slice(0, 6)}` });
    const { secret } = await person.apiKey.create.mutate({
      name: 'snippet',
      scopes: ['bookings:read', 'bookings:write'],
    });
    const api = httpClient(server, secret);
    const booking = await api.booking.create.mutate({
      serviceId: await serviceId(server.services),
      ...uniqueSpot(),
      address: '12 Admiralty Way, Lekki Phase 1',
      siteContact: { name: 'Front desk', phone: '+2348031234567' },
      idempotencyKey: randomUUID(),
    });

    // The snippet as the page prints it, its types stripped (esbuild), pointed at this server, run by a
    // plain Node in a folder of the repository (so `@trpc/client` resolves as in an integrator's project).
    const { transform } = await import('esbuild');
    const source = ref.client.plainTrpc.replace("'https://fundi.example'", JSON.stringify(server.url));
    expect(source).not.toBe(ref.client.plainTrpc);
    const { code: js } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
    expect(js).not.toContain('@fundi/client'); // a type-only import: gone, the package is not needed
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    mkdirSync(path.join(root, 'build'), { recursive: true });
    const dir = mkdtempSync(path.join(root, 'build', 'docs-snippet-'));
    try {
      const file = path.join(dir, 'snippet.mjs');
      // Node 20 has no global WebSocket (the snippet says so): the ws package stands in.
      writeFileSync(file, `import WebSocket from 'ws';\nglobalThis.WebSocket ??= WebSocket;\n${js}`);
      const child = spawn(process.execPath, [file], {
        env: { ...process.env, FUNDI_KEY: secret },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      try {
        // It found the booking with booking.list (HTTP, bearer key) and follows it over the WebSocket.
        await until(async () => out.includes(booking.status), 15_000).catch(() => {
          throw new Error(`no event from the snippet; stdout: ${out}; stderr: ${err}`);
        });
        await api.booking.cancel.mutate({ id: booking.id, reason: 'Checking the snippet.' });
        // On the end it unsubscribes; the lazy socket closes and Node exits on its own.
        const code = await Promise.race([
          exited,
          new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000)),
        ]);
        expect(code, `stdout: ${out}; stderr: ${err}`).toBe(0);
        expect(out.trim().split('\n').at(-1)).toMatch(/ cancelled$/);
        expect(err).toBe('');
      } finally {
        child.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
