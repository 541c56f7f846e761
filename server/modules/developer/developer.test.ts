import { randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auditLog, notifications, webhookEndpoints } from '../../../db/schema';
import type { ApiKeyScope, WebhookBookingData, WebhookPayload } from '../../contracts/developer';
import { customer, offset, serviceId, sleep, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, isolatedDatabase, startTestServer, type TestServer } from '../../test/harness';
import { startSmtpStandin } from '../../test/standins/smtp';
import { startWebhookReceiver } from '../../test/standins/webhook-receiver';
import { createDeveloperRepo } from './developer.repo';
import { isForbiddenAddress } from './safe-post';
import { SIGNATURE_TOLERANCE_SECONDS, verifySignature } from './signature';

const RATE_LIMIT = 40;
const env = {
  API_KEY_RATE_LIMIT: String(RATE_LIMIT),
  WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2',
  // Idle workers poll rarely: deliveries must start because the change woke the worker, not by polling.
  WEBHOOK_POLL_MS: '60000',
  WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  WEBHOOK_TIMEOUT_MS: '2000',
};

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpStandin>>;
beforeAll(async () => {
  // E-mail goes to a local stand-in (the notice of a switched-off endpoint).
  smtp = await startSmtpStandin();
  // A database of its own: other files' servers run webhook workers too (with other settings).
  server = await startTestServer({ ...env, ...smtp.env }, { isolated: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await smtp?.close();
});

const code = (e: unknown) => (e instanceof TRPCClientError ? (e.data as { code: string }).code : String(e));
async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return code(e);
  }
}

/** An organisation (a new customer as its owner) and one key with `scopes`. */
async function orgWithKey(s: TestServer, scopes: ApiKeyScope[]) {
  const owner = await customer(s.services, 'Owner');
  const person = httpClient(s, owner.token);
  const org = await person.org.create.mutate({ name: `Acme ${randomUUID().slice(0, 6)}` });
  const created = await person.apiKey.create.mutate({ name: 'integration', scopes });
  return {
    owner,
    person,
    org,
    secret: created.secret,
    keyId: created.key.id,
    api: httpClient(s, created.secret),
  };
}

const SITE_CONTACT = { name: 'Chidi (front desk)', phone: '+2348031234567' };

async function book(s: TestServer, api: ReturnType<typeof httpClient>, spot = uniqueSpot()) {
  return api.booking.create.mutate({
    serviceId: await serviceId(s.services),
    ...spot,
    address: '12 Admiralty Way, Lekki Phase 1',
    siteContact: SITE_CONTACT,
    idempotencyKey: randomUUID(),
  });
}

describe('API keys', () => {
  it('are shown once, stored as a hash, and look like fk_live_ + 256 bits', async () => {
    const { secret, person, keyId } = await orgWithKey(server, ['bookings:read']);
    expect(secret).toMatch(/^fk_live_[A-Za-z0-9_-]{43}$/);
    const [listed] = await person.apiKey.list.query();
    expect(listed).toMatchObject({ id: keyId, prefix: secret.slice(0, 12), scopes: ['bookings:read'] });
    expect(JSON.stringify(listed)).not.toContain(secret.slice(12));
    const row = await createDeveloperRepo(server.services.database.db).keyById(keyId);
    expect(row!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.hash).not.toContain(secret);
  });

  it('a key with bookings:read reads but cannot create (FORBIDDEN), nor call what no scope covers', async () => {
    const { api } = await orgWithKey(server, ['bookings:read']);
    expect(await api.booking.list.query()).toMatchObject({ items: [] });
    expect(await codeOf(book(server, api))).toBe('FORBIDDEN');
    expect(await codeOf(api.apiKey.list.query())).toBe('FORBIDDEN');
    expect(await codeOf(api.favorite.list.query())).toBe('FORBIDDEN');
    expect(await codeOf(api.webhook.list.query())).toBe('FORBIDDEN');
  });

  it('acts as its organisation: it books, sees all its bookings, and never another organisation’s (NOT_FOUND)', async () => {
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const b = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const mine = await book(server, a.api);
    // A second key of the same organisation sees it too.
    const again = await a.person.apiKey.create.mutate({ name: 'second', scopes: ['bookings:read'] });
    const other = httpClient(server, again.secret);
    expect((await other.booking.get.query({ id: mine.id })).id).toBe(mine.id);
    expect((await other.booking.list.query()).items.map((x) => x.id)).toContain(mine.id);
    expect(await codeOf(b.api.booking.get.query({ id: mine.id }))).toBe('NOT_FOUND');
    expect(await codeOf(b.api.booking.cancel.mutate({ id: mine.id, reason: 'not ours' }))).toBe('NOT_FOUND');
    expect((await b.api.booking.list.query()).items).toEqual([]);
  });

  it('a person outside the organisation cannot list or revoke its keys (NOT_FOUND); a plain member is FORBIDDEN', async () => {
    const a = await orgWithKey(server, ['bookings:read']);
    const stranger = await customer(server.services, 'Stranger');
    const s = httpClient(server, stranger.token);
    expect(await codeOf(s.apiKey.revoke.mutate({ id: a.keyId }))).toBe('NOT_FOUND');
    expect(await codeOf(s.apiKey.list.query({ orgId: a.org.id }))).toBe('NOT_FOUND');
    const member = await customer(server.services, 'Member');
    await a.person.org.addMember.mutate({ orgId: a.org.id, email: member.user.email, role: 'member' });
    const m = httpClient(server, member.token);
    expect(await codeOf(m.apiKey.create.mutate({ name: 'x', scopes: ['bookings:read'] }))).toBe('FORBIDDEN');
    expect(await codeOf(m.apiKey.revoke.mutate({ id: a.keyId }))).toBe('FORBIDDEN');
  });

  it('a revoked key is refused at once over HTTP, and its open WebSocket is closed', async () => {
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const booking = await book(server, a.api);
    // A raw tRPC WebSocket client: connectionParams first, then a subscription to the booking's events.
    const ws = new WebSocket(`${server.wsUrl}?connectionParams=1`);
    const messages: unknown[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token: a.secret } }));
    ws.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: 'booking.events', input: { id: booking.id } },
      }),
    );
    await until(async () =>
      messages.some((m) => (m as { result?: { type?: string } }).result?.type === 'started'),
    );
    expect(messages.some((m) => (m as { error?: unknown }).error)).toBe(false);

    await a.person.apiKey.revoke.mutate({ id: a.keyId });
    expect(await codeOf(a.api.booking.list.query())).toBe('UNAUTHORIZED');
    const closeCode = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))]);
    expect(closeCode).toBe(4401);
    const [listed] = await a.person.apiKey.list.query();
    expect(listed!.revokedAt).not.toBeNull();
  });

  it('an expired key is refused', async () => {
    const a = await orgWithKey(server, ['bookings:read']);
    const soon = await a.person.apiKey.create.mutate({
      name: 'short',
      scopes: ['bookings:read'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    const k = httpClient(server, soon.secret);
    expect(await codeOf(k.booking.list.query())).toBe('OK');
    await new Promise((r) => setTimeout(r, 1600));
    expect(await codeOf(k.booking.list.query())).toBe('UNAUTHORIZED');
  });

  it('per-key rate limits with RateLimit-* headers and Retry-After; usage counted per key', async () => {
    const a = await orgWithKey(server, ['bookings:read']);
    const call = () =>
      fetch(`${server.url}/trpc/booking.list`, { headers: { authorization: `Bearer ${a.secret}` } });
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe(String(RATE_LIMIT));
    expect(first.headers.get('ratelimit-remaining')).toBe(String(RATE_LIMIT - 1));
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    for (let i = 1; i < RATE_LIMIT; i++) expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key of the same organisation has its own budget.
    const other = await a.person.apiKey.create.mutate({ name: 'other', scopes: ['bookings:read'] });
    const res = await fetch(`${server.url}/trpc/booking.list`, {
      headers: { authorization: `Bearer ${other.secret}` },
    });
    expect(res.status).toBe(200);
    const keys = await a.person.apiKey.list.query();
    expect(keys.find((k) => k.id === a.keyId)!.usageCount).toBe(RATE_LIMIT);
    expect(keys.find((k) => k.id === a.keyId)!.lastUsedAt).not.toBeNull();
  });
});

describe('organisation bookings: the on-site contact', () => {
  const fieldOf = (e: unknown) =>
    (e instanceof TRPCClientError ? e.data : null) as {
      details: { field?: string } | null;
      zodError: { fieldErrors: Record<string, string[]> } | null;
    } | null;

  it('is required of an organisation, and validated (name, E.164 phone)', async () => {
    const a = await orgWithKey(server, ['bookings:write']);
    const base = {
      serviceId: await serviceId(server.services),
      ...uniqueSpot(),
      address: '1 Ozumba Mbadiwe Avenue',
    };
    const missing = await a.api.booking.create
      .mutate({ ...base, idempotencyKey: randomUUID() })
      .catch((e: unknown) => e);
    expect(code(missing)).toBe('BAD_REQUEST');
    expect(fieldOf(missing)!.details).toMatchObject({ field: 'siteContact' });
    for (const siteContact of [
      { name: 'Desk', phone: '08031234567' },
      { name: 'Desk', phone: '+234 803 123 4567' },
      { name: '  ', phone: '+2348031234567' },
      { name: 'Desk\u0007', phone: '+2348031234567' },
      { name: 'x'.repeat(101), phone: '+2348031234567' },
    ]) {
      const e = await a.api.booking.create
        .mutate({ ...base, siteContact, idempotencyKey: randomUUID() })
        .catch((x: unknown) => x);
      expect(code(e), JSON.stringify(siteContact)).toBe('BAD_REQUEST');
      expect(Object.keys(fieldOf(e)!.zodError!.fieldErrors)).toEqual(['siteContact']);
    }
    // A person booking for themselves need not give one.
    const person = await customer(server.services);
    const own = await httpClient(server, person.token).booking.create.mutate({
      ...base,
      idempotencyKey: randomUUID(),
    });
    expect(own.siteContact).toBeNull();
  });

  it('the technician gets it while the job is on; the phone goes when it ends; a retry with another contact is CONFLICT', async () => {
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const spot = uniqueSpot();
    const t = await technician(server.services, offset(spot, 1500));
    const key = randomUUID();
    const created = await a.api.booking.create.mutate({
      serviceId: await serviceId(server.services),
      ...spot,
      address: '12 Admiralty Way, Lekki Phase 1',
      siteContact: SITE_CONTACT,
      idempotencyKey: key,
    });
    // Before anyone is assigned: the name, no phone (as with the parties' own phones).
    expect(created.siteContact).toEqual({ name: SITE_CONTACT.name, phone: null });
    expect(
      await codeOf(
        a.api.booking.create.mutate({
          serviceId: await serviceId(server.services),
          ...spot,
          address: '12 Admiralty Way, Lekki Phase 1',
          siteContact: { ...SITE_CONTACT, phone: '+2348039999999' },
          idempotencyKey: key,
        }),
      ),
    ).toBe('CONFLICT');
    await until(async () => {
      try {
        await server.services.dispatch.accept(created.id, t.user.id);
        return true;
      } catch {
        return false;
      }
    });
    const asTech = httpClient(server, t.token);
    expect((await asTech.booking.get.query({ id: created.id })).siteContact).toEqual(SITE_CONTACT);
    expect((await a.api.booking.get.query({ id: created.id })).siteContact).toEqual(SITE_CONTACT);
    for (const to of ['en_route', 'arrived', 'in_progress'] as const) {
      const b = await server.services.bookings.advance(created.id, t.user, to, { confirmFar: true });
      expect(b.siteContact, to).toEqual(SITE_CONTACT);
    }
    const done = await server.services.bookings.advance(created.id, t.user, 'completed');
    expect(done.siteContact).toEqual({ name: SITE_CONTACT.name, phone: null });
    expect((await asTech.booking.get.query({ id: created.id })).siteContact).toEqual({
      name: SITE_CONTACT.name,
      phone: null,
    });
  });
});

describe('webhooks', () => {
  const receivedFor = (bookingId: string, type?: string) =>
    receiver.received.filter((r) => {
      const p = JSON.parse(r.body) as WebhookPayload;
      return (
        (p.data as { booking?: { id: string } }).booking?.id === bookingId &&
        (type === undefined || p.type === type)
      );
    });

  it('delivers booking events signed with Fundi-Signature (t=…,v1=HMAC-SHA256(secret, t.body))', async () => {
    receiver.setResponder(() => ({ status: 200, body: 'ok' }));
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write', 'webhooks:manage']);
    const { endpoint, secret } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created', 'booking.status_changed', 'booking.cancelled'],
    });
    expect(secret).toMatch(/^whsec_/);
    expect((await a.api.webhook.list.query()).map((e) => e.id)).toEqual([endpoint.id]);
    const booking = await book(server, a.api);
    await a.api.booking.cancel.mutate({ id: booking.id, reason: 'changed our mind' });
    await until(async () => receivedFor(booking.id).length >= 3, 15_000); // generous for a busy CI machine
    const types = receivedFor(booking.id).map((r) => (JSON.parse(r.body) as WebhookPayload).type);
    expect(types.sort()).toEqual(['booking.cancelled', 'booking.created', 'booking.status_changed']);
    for (const r of receivedFor(booking.id)) {
      const header = String(r.headers['fundi-signature']);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(secret, r.body, header)).toBe(true);
      // Tampered body, wrong secret, or a timestamp outside the tolerance: refused.
      expect(verifySignature(secret, `${r.body} `, header)).toBe(false);
      expect(verifySignature('whsec_wrong', r.body, header)).toBe(false);
      const t = Number(/t=(\d+)/.exec(header)![1]);
      expect(verifySignature(secret, r.body, header, t + SIGNATURE_TOLERANCE_SECONDS + 1)).toBe(false);
      const payload = JSON.parse(r.body) as WebhookPayload;
      expect(r.headers['fundi-event-id']).toBe(payload.id);
      expect(r.headers['fundi-event-type']).toBe(payload.type);
    }
    // A booking event of an organisation without endpoints writes nothing.
    const b = await orgWithKey(server, ['bookings:write']);
    const before = receiver.received.length;
    await book(server, b.api);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(before);
  });

  it('retries after a 500 with backoff; every attempt and a replay carry the same event id', async () => {
    const a = await orgWithKey(server, ['bookings:write', 'webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created'],
    });
    let failures = 0;
    receiver.setResponder((_n, r) => {
      const p = JSON.parse(r.body) as WebhookPayload;
      if (p.type === 'booking.created' && failures < 2 && r.headers['fundi-delivery-id']) {
        failures++;
        return { status: 500, body: 'boom '.repeat(500) };
      }
      return { status: 200, body: 'ok' };
    });
    const booking = await book(server, a.api);
    await until(async () => receivedFor(booking.id).length >= 3, 10_000);
    const attempts = receivedFor(booking.id);
    const ids = new Set(attempts.map((r) => r.headers['fundi-event-id']));
    expect(ids.size).toBe(1);
    // Backoff: the second retry waited longer than the first.
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThan((attempts[1]!.at - attempts[0]!.at) * 1.2);
    const log = await until(async () => {
      const page = await a.api.webhook.deliveries.query({ id: endpoint.id });
      return page.items[0]?.status === 'succeeded' ? page : null;
    });
    expect(log.items[0]).toMatchObject({ attempts: 3, lastStatusCode: 200, eventType: 'booking.created' });

    const replayed = await a.api.webhook.replay.mutate({ deliveryId: log.items[0]!.id });
    expect(replayed).toMatchObject({
      status: 'succeeded',
      lastStatusCode: 200,
      eventId: log.items[0]!.eventId,
    });
    expect(receivedFor(booking.id).length).toBe(4);
    expect(new Set(receivedFor(booking.id).map((r) => r.headers['fundi-event-id'])).size).toBe(1);
    expect((await a.api.webhook.deliveries.query({ id: endpoint.id })).items).toHaveLength(2);
  });

  it('stores only a small prefix of a failing answer in the log', async () => {
    const a = await orgWithKey(server, ['webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created'],
    });
    receiver.setResponder(() => ({ status: 503, body: 'x'.repeat(100_000) }));
    const d = await a.api.webhook.test.mutate({ id: endpoint.id });
    receiver.setResponder(() => ({ status: 200, body: 'ok' }));
    expect(d.lastStatusCode).toBe(503);
    expect(d.responsePrefix!.length).toBeLessThanOrEqual(512);
    expect(d.status).toBe('pending');
  });

  it('refuses private targets: at creation, and after DNS on every delivery (rebinding)', async () => {
    const a = await orgWithKey(server, ['webhooks:manage']);
    for (const url of [
      `http://localhost:${receiver.port}/hooks`,
      `http://127.0.0.1:${receiver.port}/hooks`,
      'http://10.0.0.5/hooks',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/',
      'http://[fd00::1]/',
      'http://100.64.1.1/',
    ]) {
      expect(await codeOf(a.api.webhook.create.mutate({ url, events: ['booking.created'] })), url).toBe(
        'BAD_REQUEST',
      );
    }
    // A host that resolves to the allowed receiver at creation, and to 127.0.0.1 afterwards.
    let answer = '127.0.0.2';
    server.services.developer.webhooks.setResolver(async (host) =>
      host === 'rebind.test' ? [{ address: answer, family: 4 }] : [],
    );
    try {
      const { endpoint } = await a.api.webhook.create.mutate({
        url: `http://rebind.test:${receiver.port}/hooks`,
        events: ['booking.created'],
      });
      const before = receiver.received.length;
      expect((await a.api.webhook.test.mutate({ id: endpoint.id })).lastStatusCode).toBe(200);
      expect(receiver.received.length).toBe(before + 1);
      answer = '127.0.0.1';
      const refused = await a.api.webhook.test.mutate({ id: endpoint.id });
      expect(refused.lastStatusCode).toBeNull();
      expect(refused.lastError).toMatch(/private|reserved/);
      expect(receiver.received.length).toBe(before + 1);
    } finally {
      server.services.developer.webhooks.setResolver(null);
    }
  });

  it('classifies addresses (IPv4, IPv6, mapped)', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      'not-an-ip',
    ])
      expect(isForbiddenAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isForbiddenAddress(ip), ip).toBe(false);
  });

  it('webhook calls on another organisation’s endpoint are NOT_FOUND', async () => {
    const a = await orgWithKey(server, ['webhooks:manage']);
    const b = await orgWithKey(server, ['webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created'],
    });
    expect(await codeOf(b.api.webhook.test.mutate({ id: endpoint.id }))).toBe('NOT_FOUND');
    expect(await codeOf(b.api.webhook.deliveries.query({ id: endpoint.id }))).toBe('NOT_FOUND');
    expect(await codeOf(b.api.webhook.delete.mutate({ id: endpoint.id }))).toBe('NOT_FOUND');
    await a.api.webhook.delete.mutate({ id: endpoint.id });
    expect(await a.api.webhook.list.query()).toEqual([]);
  });

  it('delivers booking.assigned and booking.completed as a job runs to its end', async () => {
    receiver.setResponder(() => ({ status: 200, body: 'ok' }));
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write', 'webhooks:manage']);
    const { secret } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.assigned', 'booking.completed'],
    });
    const spot = uniqueSpot();
    const t = await technician(server.services, offset(spot, 1500));
    const booking = await book(server, a.api, spot);
    await until(async () => {
      try {
        await server.services.dispatch.accept(booking.id, t.user.id);
        return true;
      } catch {
        return false;
      }
    });
    await until(async () => receivedFor(booking.id, 'booking.assigned').length >= 1);
    for (const to of ['en_route', 'arrived', 'in_progress'] as const)
      await server.services.bookings.advance(booking.id, t.user, to, { confirmFar: true });
    await server.services.bookings.advance(booking.id, t.user, 'completed');
    await until(async () => receivedFor(booking.id, 'booking.completed').length >= 1);
    // Only the events the endpoint asked for: no created, no status_changed (a moment for stragglers).
    await sleep(300);
    const got = receivedFor(booking.id).map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(got.map((p) => p.type)).toEqual(['booking.assigned', 'booking.completed']);
    const data = got.map((p) => p.data as WebhookBookingData);
    expect(data[0]!.booking).toMatchObject({ id: booking.id, status: 'assigned' });
    expect(data[0]!.booking.technician?.id).toBe(t.user.id);
    expect(data[0]!.change).toMatchObject({ from: 'searching', to: 'assigned' });
    expect(data[1]!.booking).toMatchObject({ id: booking.id, status: 'completed' });
    expect(data[1]!.change).toMatchObject({ from: 'in_progress', to: 'completed' });
    expect(new Set(got.map((p) => p.id)).size).toBe(2);
    for (const r of receivedFor(booking.id))
      expect(verifySignature(secret, r.body, String(r.headers['fundi-signature']))).toBe(true);
  });

  it('a 3xx answer is a failure and its Location is not followed', async () => {
    const hooks = await startWebhookReceiver();
    try {
      const a = await orgWithKey(server, ['webhooks:manage']);
      const { endpoint } = await a.api.webhook.create.mutate({ url: hooks.url, events: ['booking.created'] });
      let status = 0;
      // The endpoint "moved" to another path of the same receiver: a followed redirect would land there.
      hooks.setResponder((_n, r) =>
        r.path === '/hooks'
          ? { status, headers: { location: `http://127.0.0.2:${hooks.port}/moved` } }
          : { status: 200, body: 'ok' },
      );
      for (const code of [301, 302, 303, 307, 308]) {
        status = code;
        const d = await a.api.webhook.test.mutate({ id: endpoint.id });
        expect(d, String(code)).toMatchObject({
          status: 'pending',
          lastStatusCode: code,
          lastError: 'Redirects are not followed',
          deliveredAt: null,
        });
      }
      await sleep(300);
      expect(hooks.received.filter((r) => r.path !== '/hooks')).toEqual([]);
      const [ep] = await a.api.webhook.list.query();
      expect(ep!.failingSince).not.toBeNull();
      // Deleting the endpoint ends its retries.
      await a.api.webhook.delete.mutate({ id: endpoint.id });
    } finally {
      await hooks.close();
    }
  });
});

describe('webhook limits (short settings)', () => {
  const RETRY_FOR_MS = 1_200;
  const DISABLE_AFTER_MS = 4_000;
  const TIMEOUT_MS = 300;
  let tight: TestServer;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    // A server of its own (and a database, so no other worker delivers its events) with hours made seconds.
    tight = await startTestServer(
      {
        ...env,
        // These tests poll the delivery log with the key: no rate limit in the way.
        API_KEY_RATE_LIMIT: '1000000',
        WEBHOOK_RETRY_BASE_SECONDS: '0.1',
        WEBHOOK_RETRY_HOURS: String(RETRY_FOR_MS / 3_600_000),
        WEBHOOK_DISABLE_AFTER_HOURS: String(DISABLE_AFTER_MS / 3_600_000),
        WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      },
      { isolated: true },
    );
    hooks = await startWebhookReceiver();
  }, 120_000); // It creates and migrates a database of its own.
  afterAll(async () => {
    await tight?.close();
    await hooks?.close();
  });
  const forBooking = (bookingId: string) =>
    hooks.received.filter(
      (r) =>
        ((JSON.parse(r.body) as WebhookPayload).data as { booking?: { id: string } }).booking?.id ===
        bookingId,
    );

  it('the settings are the ones the server runs with', () => {
    expect(tight.config.developer.webhooks).toMatchObject({
      retryForMs: RETRY_FOR_MS,
      disableAfterMs: DISABLE_AFTER_MS,
      timeoutMs: TIMEOUT_MS,
    });
  });

  it('retries stop after WEBHOOK_RETRY_HOURS: the delivery is failed and no attempt follows', async () => {
    hooks.setResponder(() => ({ status: 500, body: 'down' }));
    const a = await orgWithKey(tight, ['bookings:write', 'webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({ url: hooks.url, events: ['booking.created'] });
    const booking = await book(tight, a.api);
    const failed = await until(async () => {
      const [d] = (await a.api.webhook.deliveries.query({ id: endpoint.id })).items;
      return d?.status === 'failed' ? d : null;
    }, 15_000);
    // Retried with backoff (0.1 s, 0.2 s, 0.4 s …) until the next retry would fall outside the window.
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    expect(failed).toMatchObject({ lastStatusCode: 500, nextAttemptAt: null, deliveredAt: null });
    const attempts = forBooking(booking.id);
    expect(attempts).toHaveLength(failed.attempts);
    const created = Date.parse((JSON.parse(attempts[0]!.body) as WebhookPayload).created);
    // No attempt was scheduled past the window (a little slack for the worker's own latency).
    expect(attempts.at(-1)!.at - created).toBeLessThan(RETRY_FOR_MS + 1_000);
    await sleep(1_500);
    expect(forBooking(booking.id)).toHaveLength(failed.attempts);
    // Giving up on one event does not switch the endpoint off (that takes DISABLE_AFTER of failures).
    const [ep] = await a.api.webhook.list.query();
    expect(ep).toMatchObject({ enabled: true, disabledAt: null });
    expect(ep!.failingSince).not.toBeNull();
  }, 30_000);

  it('an endpoint failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled: queued deliveries fail, new events skip it', async () => {
    hooks.setResponder(() => ({ status: 503, body: 'still down' }));
    const a = await orgWithKey(tight, ['bookings:write', 'webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({ url: hooks.url, events: ['booking.created'] });
    const first = await a.api.webhook.test.mutate({ id: endpoint.id });
    expect(first.lastStatusCode).toBe(503);
    // Keep failing (a test event every 0.4 s) until the endpoint is switched off.
    const disabled = await until(async () => {
      const [ep] = await a.api.webhook.list.query();
      if (!ep!.enabled) return ep!;
      await a.api.webhook.test.mutate({ id: endpoint.id });
      await sleep(400);
      return null;
    }, 15_000);
    expect(disabled).toMatchObject({ disabledReason: 'http_error', disabledStatus: 503 });
    const failingFor = Date.parse(disabled.disabledAt!) - Date.parse(disabled.failingSince!);
    expect(failingFor).toBeGreaterThanOrEqual(DISABLE_AFTER_MS);
    expect(failingFor).toBeLessThan(DISABLE_AFTER_MS + 5_000);
    // Nothing of it is left pending (an attempt in flight when it was switched off ends failed too).
    const log = await until(async () => {
      const { items } = await a.api.webhook.deliveries.query({ id: endpoint.id });
      return items.every((d) => d.status !== 'pending') ? items : null;
    });
    expect(log.length).toBeGreaterThan(1);
    expect(log.some((d) => d.lastError === 'Endpoint disabled')).toBe(true);
    // A new booking event writes no delivery for a disabled endpoint.
    const booking = await book(tight, a.api);
    await sleep(500);
    expect(forBooking(booking.id)).toEqual([]);
    expect(
      (await a.api.webhook.deliveries.query({ id: endpoint.id })).items.map((d) => d.eventType),
    ).not.toContain('booking.created');
    // A success (the receiver fixed, a test sent) switches it back on.
    hooks.setResponder(() => ({ status: 200, body: 'ok' }));
    expect((await a.api.webhook.test.mutate({ id: endpoint.id })).status).toBe('succeeded');
    expect((await a.api.webhook.list.query())[0]).toMatchObject({
      enabled: true,
      disabledAt: null,
      failingSince: null,
    });
  }, 30_000);

  it('a hanging endpoint times out after WEBHOOK_TIMEOUT_MS and the delivery is retried', async () => {
    hooks.setResponder(() => null);
    const a = await orgWithKey(tight, ['webhooks:manage']);
    const { endpoint } = await a.api.webhook.create.mutate({ url: hooks.url, events: ['booking.created'] });
    const before = hooks.received.length;
    const started = Date.now();
    const d = await a.api.webhook.test.mutate({ id: endpoint.id });
    const took = Date.now() - started;
    expect(hooks.received.length).toBeGreaterThan(before); // it arrived, and was never answered
    expect(d).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: 'Timed out' });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(TIMEOUT_MS + 2_500);
    await a.api.webhook.delete.mutate({ id: endpoint.id });
    hooks.setResponder(() => ({ status: 200, body: 'ok' }));
  }, 30_000);
});

describe('organisation members', () => {
  it('owners add, re-role and remove members (each audited); others cannot; the last owner always stays', async () => {
    const a = await orgWithKey(server, ['bookings:read']);
    const orgId = a.org.id;
    const dev = await customer(server.services, 'Dev');
    const plain = await customer(server.services, 'Plain');
    // By e-mail, any case.
    await a.person.org.addMember.mutate({ orgId, email: dev.user.email.toUpperCase(), role: 'developer' });
    let list = await a.person.org.addMember.mutate({ orgId, email: plain.user.email, role: 'member' });
    expect(list.map((m) => [m.userId, m.role])).toEqual([
      [a.owner.user.id, 'owner'],
      [dev.user.id, 'developer'],
      [plain.user.id, 'member'],
    ]);
    // Every member reads the list; only owners change it (FORBIDDEN), strangers see nothing (NOT_FOUND).
    const asDev = httpClient(server, dev.token);
    expect(await asDev.org.members.query({ orgId })).toHaveLength(3);
    expect(await codeOf(asDev.org.setRole.mutate({ orgId, userId: plain.user.id, role: 'owner' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(asDev.org.removeMember.mutate({ orgId, userId: plain.user.id }))).toBe('FORBIDDEN');
    const stranger = httpClient(server, (await customer(server.services, 'Stranger')).token);
    expect(await codeOf(stranger.org.members.query({ orgId }))).toBe('NOT_FOUND');
    expect(await codeOf(stranger.org.removeMember.mutate({ orgId, userId: plain.user.id }))).toBe(
      'NOT_FOUND',
    );
    // API keys manage no members.
    expect(await codeOf(a.api.org.members.query({ orgId }))).toBe('FORBIDDEN');

    // The only owner cannot step down, be removed, or be demoted through addMember.
    const owner = a.owner.user.id;
    expect(await codeOf(a.person.org.setRole.mutate({ orgId, userId: owner, role: 'developer' }))).toBe(
      'CONFLICT',
    );
    expect(await codeOf(a.person.org.removeMember.mutate({ orgId, userId: owner }))).toBe('CONFLICT');
    expect(
      await codeOf(a.person.org.addMember.mutate({ orgId, email: a.owner.user.email, role: 'member' })),
    ).toBe('CONFLICT');
    // With a second owner, the first may step down; removing someone who is not a member is NOT_FOUND.
    await a.person.org.setRole.mutate({ orgId, userId: dev.user.id, role: 'owner' });
    list = await a.person.org.setRole.mutate({ orgId, userId: owner, role: 'developer' });
    expect(list.find((m) => m.userId === owner)!.role).toBe('developer');
    list = await asDev.org.removeMember.mutate({ orgId, userId: plain.user.id });
    expect(list.map((m) => m.userId)).toEqual([owner, dev.user.id]);
    expect(await codeOf(asDev.org.removeMember.mutate({ orgId, userId: plain.user.id }))).toBe('NOT_FOUND');
    // The removed member no longer sees the organisation.
    expect(await httpClient(server, plain.token).org.mine.query()).toEqual([]);

    const audit = await server.services.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.subject, `org:${orgId}`))
      .orderBy(auditLog.id);
    expect(
      audit.map((r) => [
        r.action,
        r.actorId,
        r.detail?.userId,
        r.before?.role ?? null,
        r.after?.role ?? null,
      ]),
    ).toEqual([
      ['org.member.add', owner, dev.user.id, null, 'developer'],
      ['org.member.add', owner, plain.user.id, null, 'member'],
      ['org.member.role', owner, dev.user.id, 'developer', 'owner'],
      ['org.member.role', owner, owner, 'owner', 'developer'],
      ['org.member.remove', dev.user.id, plain.user.id, 'member', null],
    ]);
  });
});

describe('organisation bookings', () => {
  it('every member sees them (live or test, a page at a time); strangers get NOT_FOUND, keys FORBIDDEN', async () => {
    const a = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const b = await orgWithKey(server, ['bookings:read', 'bookings:write']);
    const first = await book(server, a.api);
    const second = await book(server, a.api);
    await book(server, b.api);
    const plain = await customer(server.services, 'Reception');
    await a.person.org.addMember.mutate({ orgId: a.org.id, email: plain.user.email, role: 'member' });
    const asPlain = httpClient(server, plain.token);
    const page = await asPlain.org.bookings.query({ orgId: a.org.id });
    expect(page.items.map((x) => x.id)).toEqual([second.id, first.id]);
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]!.siteContact).toMatchObject({ name: SITE_CONTACT.name });
    // The sandbox's are apart (none here).
    expect((await asPlain.org.bookings.query({ orgId: a.org.id, mode: 'test' })).items).toEqual([]);
    // Another organisation's member, or a key, never reads them.
    expect(await codeOf(b.person.org.bookings.query({ orgId: a.org.id }))).toBe('NOT_FOUND');
    expect(await codeOf(a.api.org.bookings.query({ orgId: a.org.id }))).toBe('FORBIDDEN');
  });
});

describe('an endpoint switched off after failing too long', () => {
  it('keeps a reason code and the last status, and tells owners and developers (in-app and e-mail), not plain members', async () => {
    const a = await orgWithKey(server, ['webhooks:manage']);
    const dev = await customer(server.services, 'Integrator');
    const plain = await customer(server.services, 'Front desk');
    await a.person.org.addMember.mutate({ orgId: a.org.id, email: dev.user.email, role: 'developer' });
    await a.person.org.addMember.mutate({ orgId: a.org.id, email: plain.user.email, role: 'member' });
    const { endpoint } = await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created'],
    });
    // Failing until the end (the worker's retries of the first attempt must not succeed meanwhile).
    receiver.setResponder(() => ({ status: 503, body: 'down' }));
    try {
      await a.api.webhook.test.mutate({ id: endpoint.id });
      // Failing since four days (the disable window is three).
      const { db } = server.services.database;
      await db
        .update(webhookEndpoints)
        .set({ failingSince: sql`now() - interval '4 days'` })
        .where(eq(webhookEndpoints.id, endpoint.id));
      await a.api.webhook.test.mutate({ id: endpoint.id });
      const [off] = await a.api.webhook.list.query();
      expect(off).toMatchObject({ enabled: false, disabledReason: 'http_error', disabledStatus: 503 });
    } finally {
      receiver.setResponder(() => ({ status: 200, body: 'ok' }));
    }

    const told = await until(async () => {
      const rows = await server.services.database.db
        .select({ userId: notifications.userId, data: notifications.data })
        .from(notifications)
        .where(
          and(
            eq(notifications.kind, 'webhook_disabled'),
            inArray(notifications.userId, [a.owner.user.id, dev.user.id, plain.user.id]),
          ),
        );
      return rows.length >= 2 ? rows : null;
    });
    expect(told.map((r) => r.userId).sort()).toEqual([a.owner.user.id, dev.user.id].sort());
    expect(told[0]!.data).toMatchObject({ endpointId: endpoint.id, reason: 'http_error', status: 503 });
    // In the feed, in the reader's words, leading to the developer page; and by e-mail.
    const feed = await until(async () => {
      const f = await a.person.notification.list.query();
      return f.items.find((n) => n.kind === 'webhook_disabled');
    });
    expect(feed).toMatchObject({ title: 'Webhook endpoint switched off', url: '/developer' });
    expect(feed.body).toContain('HTTP 503');
    const mail = await until(async () => smtp.mails.find((m) => m.to.includes(dev.user.email)));
    expect(mail.subject).toContain('Webhook endpoint switched off');
    expect(mail.text).toContain(receiver.url);

    // A successful test switches it back on, and clears the code.
    const ok = await a.api.webhook.test.mutate({ id: endpoint.id });
    expect(ok.status).toBe('succeeded');
    expect((await a.api.webhook.list.query())[0]).toMatchObject({
      enabled: true,
      disabledReason: null,
      disabledStatus: null,
    });
  });
});

describe('the outbox survives a crash', () => {
  it('events written with the change on a node that dies before delivering are delivered by the next one', async () => {
    receiver.setResponder(() => ({ status: 200, body: 'ok' }));
    // A node whose worker never runs: the change commits with its outbox rows, then the node is gone.
    const database = await isolatedDatabase();
    const dying = await startTestServer(
      { ...env, WEBHOOK_WORKER: 'false' },
      { database: { ...database, dispose: async () => {} } },
    );
    const a = await orgWithKey(dying, ['bookings:write', 'webhooks:manage']);
    await a.api.webhook.create.mutate({
      url: receiver.url,
      events: ['booking.created', 'booking.cancelled'],
    });
    const first = await book(dying, a.api);
    // And a worker that claimed a delivery and died mid-send (its lease, 1 s here, runs out).
    const second = await book(dying, a.api);
    const claimed = await createDeveloperRepo(dying.services.database.db).claim(100, 1000);
    expect(claimed.length).toBeGreaterThanOrEqual(2);
    await dying.close();
    expect(receivedFor(first.id)).toHaveLength(0);

    const next = await startTestServer(
      { ...env, WEBHOOK_LEASE_SECONDS: '1', WEBHOOK_POLL_MS: '200' },
      { database },
    );
    try {
      await until(
        async () => receivedFor(first.id).length >= 1 && receivedFor(second.id).length >= 1,
        10_000,
      );
      expect(JSON.parse(receivedFor(first.id)[0]!.body)).toMatchObject({ type: 'booking.created' });
    } finally {
      await next.close();
    }
  }, 120_000); // It creates and migrates a database of its own: 20 s and more on a busy machine.

  function receivedFor(bookingId: string) {
    return receiver.received.filter(
      (r) =>
        ((JSON.parse(r.body) as WebhookPayload).data as { booking?: { id: string } }).booking?.id ===
        bookingId,
    );
  }
});
