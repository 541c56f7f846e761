import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingInvoices,
  bookings,
  dispatchOffers,
  ledgerJournals,
  services,
  users,
} from '../../../db/schema';
import type { WebhookPayload } from '../../contracts/developer';
import { codeOf, customer, openOfferOf, serviceId, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, wsClient } from '../../test/harness';
import { startWebhookReceiver } from '../../test/standins/webhook-receiver';
import { createAnalyticsRepo } from '../analytics/analytics.repo';
import { DRIVE_FIXES } from './sandbox';
import { SANDBOX_TECH_DOMAIN } from './sandbox.repo';

const env = {
  WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2',
  WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  // An accelerated sandbox: accept after 0.3 s, a step every 0.1 s.
  SANDBOX_ACCEPT_MS: '300',
  SANDBOX_STEP_MS: '100',
};

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  server = await startTestServer(env, { isolated: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const SITE_CONTACT = { name: 'Front desk', phone: '+2348031234567' };

async function org(mode: 'live' | 'test') {
  const owner = await customer(server.services, 'Owner');
  const person = httpClient(server, owner.token);
  await person.org.create.mutate({ name: `Sandbox ${randomUUID().slice(0, 6)}` });
  const { secret } = await person.apiKey.create.mutate({
    name: mode,
    mode,
    scopes: ['bookings:read', 'bookings:write', 'tracking:read', 'webhooks:manage'],
  });
  const api = httpClient(server, secret);
  await api.webhook.create.mutate({
    url: receiver.url,
    events: ['booking.created', 'booking.status_changed'],
  });
  return { secret, api };
}

const hooksFor = (bookingId: string) =>
  receiver.received
    .map((r) => JSON.parse(r.body) as WebhookPayload & { data: { booking: { id: string; status: string } } })
    .filter((p) => p.data.booking?.id === bookingId);

describe('test mode (fk_test_ keys)', () => {
  it('a test booking is never offered to a real technician next to it, completes by itself with a simulated one, is followed live, and its webhooks say livemode false', async () => {
    const spot = uniqueSpot();
    const real = await technician(server.services, spot);
    const { api, secret } = await org('test');
    const booking = await api.booking.create.mutate({
      serviceId: await serviceId(server.services),
      ...spot,
      address: '1 Sandbox Street',
      siteContact: SITE_CONTACT,
      idempotencyKey: randomUUID(),
    });
    const db = server.services.database.db;
    const [row] = await db.select().from(bookings).where(eq(bookings.id, booking.id));
    expect(row!.sandbox).toBe(true);

    // Follow the simulated technician over the WebSocket as soon as it is assigned.
    const ws = wsClient(server, secret);
    const fixes: Array<{ lat: number; lng: number }> = [];
    await until(async () => {
      const b = await api.booking.get.query({ id: booking.id });
      return b.status !== 'searching' && b;
    });
    const sub = ws.client.tracking.watch.subscribe(
      { bookingId: booking.id },
      { onData: (e) => fixes.push(e.data as unknown as { lat: number; lng: number }) },
    );

    const done = await until(async () => {
      const b = await api.booking.get.query({ id: booking.id });
      return b.status === 'completed' && b;
    }, 15_000);
    sub.unsubscribe();
    ws.close();

    // Served by a simulated technician, never by the real one next to it.
    expect(done.technician?.id).toBeDefined();
    expect(done.technician?.id).not.toBe(real.user.id);
    const [tech] = await db.select().from(users).where(eq(users.id, done.technician!.id));
    expect(tech!.email.endsWith(SANDBOX_TECH_DOMAIN)).toBe(true);
    const offers = await db.select().from(dispatchOffers).where(eq(dispatchOffers.bookingId, booking.id));
    expect(offers).toEqual([]);
    const realOffers = await db
      .select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.technicianId, real.user.id)));
    expect(realOffers).toEqual([]);

    // The drive arrived over the socket, ending at the pin.
    expect(fixes.length).toBeGreaterThanOrEqual(DRIVE_FIXES / 2);
    const last = fixes.at(-1)!;
    expect(Math.abs(last.lat - spot.lat)).toBeLessThan(1e-5);
    expect(Math.abs(last.lng - spot.lng)).toBeLessThan(1e-5);

    // Webhooks through completion, every one marked livemode false.
    const hooks = await until(async () => {
      const h = hooksFor(booking.id);
      return h.some((p) => p.data.booking.status === 'completed') && h;
    }, 10_000);
    expect(hooks.map((h) => h.livemode)).toEqual(hooks.map(() => false));
    // Deliveries may arrive out of order (concurrent, at least once): in the order of the events.
    const changes = hooks
      .filter((h) => h.type === 'booking.status_changed')
      .sort((x, y) => x.created.localeCompare(y.created))
      .map((h) => h.data.booking.status);
    expect([...new Set(changes)]).toEqual(['assigned', 'en_route', 'arrived', 'in_progress', 'completed']);
  });

  it('a live key’s booking next to a real technician is offered to them, and its webhooks say livemode true', async () => {
    const spot = uniqueSpot();
    const real = await technician(server.services, spot);
    const { api } = await org('live');
    const booking = await api.booking.create.mutate({
      serviceId: await serviceId(server.services),
      ...spot,
      address: '1 Live Street',
      siteContact: SITE_CONTACT,
      idempotencyKey: randomUUID(),
    });
    const offer = await openOfferOf(server.services, booking.id);
    expect(offer.technicianId).toBe(real.user.id);
    const [row] = await server.services.database.db
      .select()
      .from(bookings)
      .where(eq(bookings.id, booking.id));
    expect(row!.sandbox).toBe(false);
    const [created] = await until(async () => {
      const h = hooksFor(booking.id);
      return h.length > 0 && h;
    });
    expect(created).toMatchObject({ type: 'booking.created', livemode: true });
    // Nobody simulated takes it.
    expect(server.services.sandbox.active()).toBe(0);
    expect((await api.booking.get.query({ id: booking.id })).status).toBe('searching');
  });

  it('booking.list: a test key lists only sandbox bookings, a live key of the same organisation only live ones', async () => {
    const owner = await customer(server.services, 'Both modes');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: `Both ${randomUUID().slice(0, 6)}` });
    const scopes = ['bookings:read' as const, 'bookings:write' as const];
    const live = httpClient(server, (await person.apiKey.create.mutate({ name: 'l', scopes })).secret);
    const test = httpClient(
      server,
      (await person.apiKey.create.mutate({ name: 't', mode: 'test', scopes })).secret,
    );
    const create = async (api: typeof live) =>
      api.booking.create.mutate({
        serviceId: await serviceId(server.services),
        ...uniqueSpot(),
        address: '1 Mode Street',
        siteContact: SITE_CONTACT,
        idempotencyKey: randomUUID(),
      });
    const l = await create(live);
    const t = await create(test);
    expect((await live.booking.list.query()).items.map((b) => b.id)).toEqual([l.id]);
    expect((await test.booking.list.query()).items.map((b) => b.id)).toEqual([t.id]);
  });

  it('a reused simulated technician drives to a far pin without its fixes being refused as a jump', async () => {
    const { api } = await org('test');
    // Earlier tests' simulated jobs finished: the oldest simulated technician is idle, and takes both.
    await until(async () => server.services.sandbox.active() === 0, 15_000);
    const drive = async () => {
      const b = await api.booking.create.mutate({
        serviceId: await serviceId(server.services),
        ...uniqueSpot(),
        address: '1 Far Away Road',
        siteContact: SITE_CONTACT,
        idempotencyKey: randomUUID(),
      });
      return until(async () => {
        const now = await api.booking.get.query({ id: b.id });
        return now.status === 'completed' && now;
      }, 15_000);
    };
    const first = await drive();
    const jumps = () => server.services.tracking.stats().rejected.implausible_speed ?? 0;
    const before = jumps();
    const second = await drive();
    // The same simulated technician (idle again), thousands of kilometres away: every fix accepted.
    expect(second.technician?.id).toBe(first.technician?.id);
    expect(jumps()).toBe(before);
  });

  it('test mode charges no gateway: an online payment method is refused', async () => {
    const { api } = await org('test');
    const code = await codeOf(
      api.booking.create.mutate({
        serviceId: await serviceId(server.services),
        ...uniqueSpot(),
        address: '1 Card Street',
        siteContact: SITE_CONTACT,
        paymentMethod: 'stripe',
        idempotencyKey: randomUUID(),
      }),
    );
    expect(code).toBe('BAD_REQUEST');
  });

  it('test mode holds no real technician’s time: choosing a technician is refused', async () => {
    const spot = uniqueSpot();
    const real = await technician(server.services, spot);
    const { api } = await org('test');
    const code = await codeOf(
      api.booking.create.mutate({
        serviceId: await serviceId(server.services),
        ...spot,
        address: '1 Chosen Street',
        siteContact: SITE_CONTACT,
        technicianId: real.user.id,
        scheduledFor: new Date(Date.now() + 86_400_000).toISOString(),
        idempotencyKey: randomUUID(),
      }),
    );
    expect(code).toBe('BAD_REQUEST');
  });

  it('analytics count live bookings, never sandbox ones; a sandbox job writes nothing to the ledger', async () => {
    const db = server.services.database.db;
    const sid = await serviceId(server.services);
    const [svc] = await db.select().from(services).where(eq(services.id, sid));
    const to = new Date(Date.now() + 3600_000);
    const from = new Date(Date.now() - 3 * 3600_000);
    const scope = { market: svc!.market, timeZone: 'UTC', currency: svc!.currency, from, to };
    const requested = async () =>
      (await createAnalyticsRepo(db).bookingsPerHour(scope, from)).reduce((n, p) => n + p.count, 0);
    const before = await requested();
    const create = (api: Awaited<ReturnType<typeof org>>['api']) =>
      api.booking.create.mutate({
        serviceId: sid,
        ...uniqueSpot(),
        address: '1 Count Street',
        siteContact: SITE_CONTACT,
        idempotencyKey: randomUUID(),
      });
    const test = await create((await org('test')).api);
    await create((await org('live')).api);
    expect(await requested()).toBe(before + 1);
    // Nor on the operations console's bookings board.
    const board = await server.services.adminBookings.list({ customerId: test.customer.id });
    expect(board.items).toEqual([]);
    await until(async () => {
      const [b] = await db.select().from(bookings).where(eq(bookings.id, test.id));
      return b!.status === 'completed';
    }, 15_000);
    expect(await db.select().from(ledgerJournals).where(eq(ledgerJournals.bookingId, test.id))).toEqual([]);
    expect(await db.select().from(bookingInvoices).where(eq(bookingInvoices.bookingId, test.id))).toEqual([]);
  });
});
