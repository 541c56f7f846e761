import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { payments, users } from '../../../db/schema';
import type { WebhookPayload, WebhookPaymentData } from '../../contracts/developer';
import {
  admin,
  codeOf,
  customer,
  offset,
  serviceId,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startStandins } from '../../test/standins';
import { startWebhookReceiver } from '../../test/standins/webhook-receiver';
import { createLedger } from '../ledger/ledger.service';
import { arriveAndStart } from '../payments/payments.fixtures';
import { createPaymentsService } from '../payments/payments.service';
import { verifySignature } from './signature';

// Issue 17 §2: payment.succeeded and payment.refunded, written with the payment change (the outbox).
let server: TestServer;
let gw: Awaited<ReturnType<typeof startStandins>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  gw = await startStandins();
  receiver = await startWebhookReceiver();
  server = await startTestServer(
    {
      ...gw.env,
      WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2',
      // Deliveries must start because the payment's commit woke the worker, not by polling.
      WEBHOOK_POLL_MS: '60000',
      WEBHOOK_TIMEOUT_MS: '2000',
    },
    { isolated: true },
  );
  gw.webhooksTo(server.url);
});
afterAll(async () => {
  await server?.close();
  await gw?.close();
  await receiver?.close();
});

type Hook = { payload: WebhookPayload & { data: WebhookPaymentData }; raw: string; signature: string };
const paymentHooks = (bookingId: string, type?: string): Hook[] =>
  receiver.received
    .map((r) => ({
      payload: JSON.parse(r.body) as Hook['payload'],
      raw: r.body,
      signature: String(r.headers['fundi-signature']),
    }))
    .filter(
      (h) =>
        h.payload.data?.payment?.bookingId === bookingId && (type === undefined || h.payload.type === type),
    );

/** Payment events in the outbox for a booking (delivered or not). */
async function eventsFor(bookingId: string) {
  const [row] = await queryRows<{ n: number }>(
    server.database.db,
    sql`select count(*)::int as n from webhook_events where payload->'payment'->>'bookingId' = ${bookingId}`,
  );
  return row!.n;
}

/** An organisation listening to payment events, and one of its bookings done by a technician. */
async function orgJob(events: Array<'payment.succeeded' | 'payment.refunded'>) {
  const owner = await customer(server.services, 'Owner');
  const person = httpClient(server, owner.token);
  const org = await person.org.create.mutate({ name: `Hotel ${randomUUID().slice(0, 6)}` });
  const { secret } = await person.apiKey.create.mutate({
    name: 'concierge',
    scopes: ['bookings:read', 'bookings:write', 'webhooks:manage'],
  });
  const api = httpClient(server, secret);
  const hook = await api.webhook.create.mutate({ url: receiver.url, events });
  const spot = uniqueSpot();
  const t = await technician(server.services, offset(spot, 2000));
  const booking = await api.booking.create.mutate({
    serviceId: await serviceId(server.services),
    ...spot,
    address: '3 Bourdillon Road, Ikoyi',
    siteContact: { name: 'Front desk', phone: '+2348012345678' },
    idempotencyKey: randomUUID(),
  });
  await until(async () => {
    try {
      await server.services.dispatch.accept(booking.id, t.user.id);
      return true;
    } catch {
      return false;
    }
  });
  const a = { booking, technician: t };
  await arriveAndStart(server.services, a as Parameters<typeof arriveAndStart>[1]);
  await server.services.bookings.advance(booking.id, t.user, 'completed');
  const [principal] = await server.database.db.select().from(users).where(eq(users.id, booking.customer.id));
  return { org, api, hook, booking, technician: t, principal: principal! };
}

describe('payment webhooks', () => {
  it('cash: payment.succeeded, signed, with the payment; an admin refund: payment.refunded', async () => {
    const j = await orgJob(['payment.succeeded', 'payment.refunded']);
    const due = j.booking.price.total.amount;
    await server.services.payments.confirmCash(j.technician.user, {
      bookingId: j.booking.id,
      amount: due + 500,
    });
    const [paid] = await until(async () => {
      const h = paymentHooks(j.booking.id, 'payment.succeeded');
      return h.length > 0 ? h : null;
    });
    expect(verifySignature(j.hook.secret, paid!.raw, paid!.signature)).toBe(true);
    const [row] = await server.database.db
      .select()
      .from(payments)
      .where(eq(payments.bookingId, j.booking.id));
    expect(paid!.payload.data).toEqual({
      payment: {
        id: row!.id,
        bookingId: j.booking.id,
        method: 'cash',
        status: 'paid',
        amount: { amount: due + 500, currency: 'NGN' },
        tip: { amount: 500, currency: 'NGN' },
        refunded: { amount: 0, currency: 'NGN' },
        reference: row!.reference,
        paidAt: row!.paidAt!.toISOString(),
      },
      refund: null,
    });

    const boss = await admin(server.services);
    const r = await httpClient(server, boss.token).admin.payments.refund.mutate({
      paymentId: row!.id,
      amount: 1000,
      reason: 'Arrived late',
    });
    const [refunded] = await until(async () => {
      const h = paymentHooks(j.booking.id, 'payment.refunded');
      return h.length > 0 ? h : null;
    });
    expect(verifySignature(j.hook.secret, refunded!.raw, refunded!.signature)).toBe(true);
    expect(refunded!.payload.data.refund).toEqual({
      id: r.refundId,
      amount: { amount: 1000, currency: 'NGN' },
      status: 'succeeded',
    });
    expect(refunded!.payload.data.payment).toMatchObject({
      id: row!.id,
      status: 'partially_refunded',
      refunded: { amount: 1000, currency: 'NGN' },
    });
    // One event each, and the refund's is a new event (its own id).
    expect(paymentHooks(j.booking.id)).toHaveLength(2);
    expect(refunded!.payload.id).not.toBe(paid!.payload.id);
  });

  it('online (Paystack): one payment.succeeded however many gateway webhooks and verify calls settle it', async () => {
    const j = await orgJob(['payment.succeeded']);
    const c = await server.services.payments.checkout(j.principal, {
      bookingId: j.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const [p] = await server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    gw.paystack.state.sendWebhooks = false;
    try {
      await gw.paystack.pay(p!.reference);
    } finally {
      gw.paystack.state.sendWebhooks = true;
    }
    const w = gw.paystack.webhookFor(p!.reference);
    await Promise.all([
      ...Array.from({ length: 5 }, () => gw.paystack.deliver(w)),
      j.api.payment.get.query({ bookingId: j.booking.id }),
      server.services.payments.settle(p!.id),
    ]);
    await until(async () => paymentHooks(j.booking.id, 'payment.succeeded').length > 0);
    await new Promise((r) => setTimeout(r, 300));
    const hooks = paymentHooks(j.booking.id);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.payload.data.payment).toMatchObject({
      id: p!.id,
      method: 'paystack',
      status: 'paid',
      amount: { amount: j.booking.price.total.amount, currency: 'NGN' },
    });
  });

  it('only subscribed types are written, and a person’s (not an organisation’s) payment writes none', async () => {
    const j = await orgJob(['payment.refunded']);
    await server.services.payments.confirmCash(j.technician.user, {
      bookingId: j.booking.id,
      amount: j.booking.price.total.amount,
    });
    expect(await eventsFor(j.booking.id)).toBe(0);

    const before = receiver.received.length;
    const person = await customer(server.services);
    const spot = uniqueSpot();
    const t = await technician(server.services, offset(spot, 2000));
    const b = await server.services.bookings.create(person.user, {
      serviceId: await serviceId(server.services),
      ...spot,
      address: '7 Adeola Odeku Street, Victoria Island',
      idempotencyKey: randomUUID(),
    });
    await until(async () => {
      try {
        await server.services.dispatch.accept(b.id, t.user.id);
        return true;
      } catch {
        return false;
      }
    });
    await arriveAndStart(server.services, { booking: b, technician: t } as Parameters<
      typeof arriveAndStart
    >[1]);
    await server.services.bookings.advance(b.id, t.user, 'completed');
    await server.services.payments.confirmCash(t.user, { bookingId: b.id, amount: b.price.total.amount });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.length).toBe(before);
  });

  it('is written in the payment’s transaction: an outbox that fails rolls the payment back', async () => {
    const j = await orgJob(['payment.succeeded']);
    const failing = createPaymentsService({
      db: server.database.db,
      ledger: createLedger(),
      providers: {},
      market: 'lagos',
      markets: server.services.markets,
      publicUrl: () => server.url,
      outbox: {
        async paymentChanged(tx, change) {
          // The real hook writes its rows first; then the transaction fails.
          await server.services.developer.webhooks.paymentChanged(tx, change);
          throw new Error('outbox down');
        },
        committed: () => {},
      },
    });
    await expect(
      failing.confirmCash(j.technician.user, {
        bookingId: j.booking.id,
        amount: j.booking.price.total.amount,
      }),
    ).rejects.toThrow('outbox down');
    const rows = await server.database.db.select().from(payments).where(eq(payments.bookingId, j.booking.id));
    expect(rows).toEqual([]);
    expect(await eventsFor(j.booking.id)).toBe(0);
    // The real service then pays it, and the event goes out.
    expect(
      await codeOf(
        server.services.payments.confirmCash(j.technician.user, {
          bookingId: j.booking.id,
          amount: j.booking.price.total.amount,
        }),
      ),
    ).toBe('OK');
    await until(async () => paymentHooks(j.booking.id, 'payment.succeeded').length === 1);
  });
});
