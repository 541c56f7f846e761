import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import { ledgerJournals, notifications, paymentEvents, payments } from '../../../db/schema';
import { admin, assignedBooking, codeOf, customer, transactionsOf, until } from '../../test/fixtures';
import { httpClient } from '../../test/harness';
import { accounts } from '../ledger/ledger.service';
import { arriveAndStart, completedBooking, serverWithGateways } from './payments.fixtures';

describe('online payments (Paystack, Stripe) against their stand-ins', () => {
  // Ledger sums to zero, per journal and currency, after everything this file did.
  const rig = serverWithGateways();

  const journalsOf = async (paymentId: string, kind = 'payment') =>
    (
      await rig.server.database.db
        .select()
        .from(ledgerJournals)
        .where(and(eq(ledgerJournals.paymentId, paymentId), eq(ledgerJournals.kind, kind)))
    ).length;

  /** What the customer was told of their money (issue 11 §2): [kind, amount], oldest first. */
  const told = async (customerId: string) =>
    (
      await rig.server.database.db
        .select({ kind: notifications.kind, data: notifications.data })
        .from(notifications)
        .where(eq(notifications.userId, customerId))
        .orderBy(notifications.id)
    )
      .filter((n) => n.kind === 'receipt' || n.kind === 'refund')
      .map((n) => [n.kind, n.data.amount]);

  async function job() {
    const a = await completedBooking(rig.server.services);
    return {
      ...a,
      asCustomer: httpClient(rig.server, a.customer.token),
      asTech: httpClient(rig.server, a.technician.token),
    };
  }

  it('offers cash and the configured gateways of the market', async () => {
    const j = await job();
    const m = await j.asCustomer.payment.methods.query({ bookingId: j.booking.id });
    expect(m).toMatchObject({ market: 'lagos', currency: 'NGN' });
    expect(m.methods.map((x) => x.method)).toEqual(['cash', 'paystack', 'stripe']);
    // Paymob is Cairo's: configured, but not offered in Lagos.
    expect(
      await codeOf(
        j.asCustomer.payment.checkout.mutate({
          bookingId: j.booking.id,
          method: 'paymob',
          idempotencyKey: randomUUID(),
        }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('Paystack: checkout with a tip, the hosted page, the signed webhook, verified, paid once; receipt; ledger', async () => {
    const j = await job();
    const before = await j.asCustomer.payment.get.query({ bookingId: j.booking.id });
    expect(before.status).toBe('unpaid');
    const due = before.due!.amount;
    expect(due).toBe(j.booking.price.total.amount);

    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'paystack',
      tip: 50_000,
      idempotencyKey: randomUUID(),
    });
    expect(c.status).toBe('pending');
    expect(c.redirectUrl).toMatch(new RegExp(`^${rig.gw.paystack.url}/checkout/`));
    // The hosted page is a real page.
    expect((await fetch(c.redirectUrl!)).status).toBe(200);

    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    const pay = await rig.gw.paystack.pay(p!.reference);
    expect(pay.status).toBe(302);

    const after = await j.asCustomer.payment.get.query({ bookingId: j.booking.id });
    expect(after).toMatchObject({
      status: 'paid',
      method: 'paystack',
      paid: { amount: due + 50_000, currency: 'NGN' },
      tip: { amount: 50_000 },
    });
    expect(await journalsOf(c.paymentId)).toBe(1);

    const receipt = await j.asTech.payment.receipt.query({ bookingId: j.booking.id });
    expect(receipt.total).toEqual({ amount: due + 50_000, currency: 'NGN' });
    expect(receipt.items.map((i) => i.kind)).toEqual(['service', 'tip']);
    expect(receipt.reference).toBe(p!.reference);

    // The technician's account: their share of the quote plus the whole tip; the gateway fee is the platform's.
    const db = rig.server.database.db;
    const tech = -(await rig.server.services.ledger.balance(
      db,
      accounts.technician(j.technician.user.id),
      'NGN',
    ));
    expect(tech).toBe(j.booking.price.technicianEarnings.amount + 50_000);
    const fee = rig.gw.paystack.transaction(p!.reference)!.fees;
    expect(fee).toBeGreaterThan(0);
    expect(await rig.server.services.ledger.balance(db, accounts.gatewayFees, 'NGN')).toBeGreaterThanOrEqual(
      fee,
    );
    const summary = await j.asTech.earnings.summary.query();
    expect(summary).toMatchObject({
      currency: 'NGN',
      tips: 50_000,
      earned: j.booking.price.technicianEarnings.amount,
      cashCollected: 0,
    });
    expect(summary.commission).toBe(j.booking.price.commission.amount);

    // Paid: a new checkout is refused.
    expect(
      await codeOf(
        j.asCustomer.payment.checkout.mutate({
          bookingId: j.booking.id,
          method: 'paystack',
          idempotencyKey: randomUUID(),
        }),
      ),
    ).toBe('CONFLICT');
  });

  it('20 concurrent deliveries of one webhook plus the customer verify call: one paid payment, one journal, one event row', async () => {
    const j = await job();
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    rig.gw.paystack.state.sendWebhooks = false;
    try {
      await rig.gw.paystack.pay(p!.reference);
    } finally {
      rig.gw.paystack.state.sendWebhooks = true;
    }
    const w = rig.gw.paystack.webhookFor(p!.reference);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => rig.gw.paystack.deliver(w)),
      j.asCustomer.payment.verify.mutate({ bookingId: j.booking.id }).then(() => 200),
    ]);
    expect(results.every((s) => s === 200)).toBe(true);
    const rows = await rig.server.database.db
      .select()
      .from(payments)
      .where(eq(payments.bookingId, j.booking.id));
    expect(rows.map((r) => r.status)).toEqual(['paid']);
    expect(await journalsOf(c.paymentId)).toBe(1);
    const events = await rig.server.database.db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.paymentId, c.paymentId));
    expect(events).toHaveLength(1);
    expect(events[0]!.processedAt).not.toBeNull();
    // One receipt for the customer, written with the payment.
    expect(await told(j.customer.user.id)).toEqual([['receipt', p!.amount]]);
  });

  it('payment.events: the booking screen sees pending, then paid, live', async () => {
    const j = await job();
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const abort = new AbortController();
    const seen: string[] = [];
    const stream = rig.server.services.payments.events(j.booking.id, j.customer.user, null, abort.signal);
    const reading = (async () => {
      for await (const e of stream) {
        seen.push(e.data.status);
        if (seen.includes('paid')) abort.abort();
      }
    })();
    await until(async () => seen.length > 0);
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    await rig.gw.paystack.pay(p!.reference);
    await until(async () => seen.includes('paid'));
    abort.abort();
    await reading.catch(() => undefined);
    expect(seen).toEqual(['pending', 'paid']);
    // Strangers cannot listen.
    const other = await customer(rig.server.services);
    const denied = rig.server.services.payments.events(j.booking.id, other.user, null, undefined);
    expect(
      await denied.next().then(
        () => 'OK',
        (e: { code?: string }) => e.code,
      ),
    ).toBe('NOT_FOUND');
  });

  it('two checkouts at once make one live payment', async () => {
    const j = await job();
    const initializes = () =>
      rig.gw.paystack.state.requests.filter((r) => r === 'POST /transaction/initialize').length;
    const before = initializes();
    const [a, b] = await Promise.all([
      j.asCustomer.payment.checkout.mutate({
        bookingId: j.booking.id,
        method: 'paystack',
        idempotencyKey: randomUUID(),
      }),
      j.asCustomer.payment.checkout.mutate({
        bookingId: j.booking.id,
        method: 'paystack',
        idempotencyKey: randomUUID(),
      }),
    ]);
    expect(a.paymentId).toBe(b.paymentId);
    expect(a.redirectUrl).toBe(b.redirectUrl);
    // One initialize at the gateway: a second, side by side, is what Paystack refuses as a duplicate.
    expect(initializes() - before).toBe(1);
    // Switching method replaces the pending one: still one live payment.
    const [x, y] = await Promise.all([
      j.asCustomer.payment.checkout.mutate({
        bookingId: j.booking.id,
        method: 'stripe',
        idempotencyKey: randomUUID(),
      }),
      j.asCustomer.payment.checkout.mutate({
        bookingId: j.booking.id,
        method: 'paystack',
        tip: 100,
        idempotencyKey: randomUUID(),
      }),
    ]);
    expect(x.paymentId).not.toBe(y.paymentId);
    const live = await queryRows<{ n: string }>(
      rig.server.database.db,
      sql`select count(*) as n from payments where booking_id = ${j.booking.id} and status not in ('failed','cancelled')`,
    );
    expect(Number(live[0]!.n)).toBe(1);
    // The key of a checkout that made a payment answers with that payment; with another payload it is a conflict.
    const key = randomUUID();
    const k1 = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'stripe',
      tip: 999,
      idempotencyKey: key,
    });
    const k2 = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'stripe',
      tip: 999,
      idempotencyKey: key,
    });
    expect(k2.paymentId).toBe(k1.paymentId);
    expect(
      await codeOf(
        j.asCustomer.payment.checkout.mutate({
          bookingId: j.booking.id,
          method: 'paystack',
          idempotencyKey: key,
        }),
      ),
    ).toBe('CONFLICT');
  });

  it('a webhook with a bad or missing signature changes nothing (401 / 400)', async () => {
    const j = await job();
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    rig.gw.paystack.state.sendWebhooks = false;
    await rig.gw.paystack.pay(p!.reference);
    rig.gw.paystack.state.sendWebhooks = true;
    const w = rig.gw.paystack.webhookFor(p!.reference);
    const count = async () => (await rig.server.database.db.select().from(paymentEvents)).length;
    const n = await count();
    expect(
      await rig.gw.paystack.deliver({ body: w.body, headers: { 'x-paystack-signature': 'ab'.repeat(64) } }),
    ).toBe(401);
    expect(
      await rig.gw.paystack.deliver({ body: w.body.replace('"success"', '"success" '), headers: w.headers }),
    ).toBe(401);
    expect(await rig.gw.paystack.deliver({ body: w.body, headers: {} })).toBe(400);
    // Stripe-signed bytes sent to Paystack's endpoint are no better.
    expect(await rig.gw.paystack.deliver({ body: w.body, headers: { 'x-paystack-signature': 'zz' } })).toBe(
      401,
    );
    expect(await count()).toBe(n);
    expect((await j.asCustomer.payment.get.query({ bookingId: j.booking.id })).status).toBe('pending');
    expect((await fetch(`${rig.server.url}/webhooks/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('an amount that does not match what is due is flagged, never accepted', async () => {
    const j = await job();
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    rig.gw.paystack.state.reportAmount = 100;
    try {
      await rig.gw.paystack.pay(p!.reference);
      await j.asCustomer.payment.verify.mutate({ bookingId: j.booking.id });
    } finally {
      rig.gw.paystack.state.reportAmount = null;
    }
    const [row] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    expect(row!.status).toBe('pending');
    expect(row!.flag).toMatch(/gateway reports 100 NGN/);
    expect(await journalsOf(c.paymentId)).toBe(0);
  });

  it('unknown event types are acknowledged and ignored', async () => {
    const body = JSON.stringify({ event: 'subscription.create', data: { id: 42, reference: 'nothing' } });
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha512', rig.gw.env.PAYSTACK_SECRET_KEY).update(body).digest('hex');
    expect(await rig.gw.paystack.deliver({ body, headers: { 'x-paystack-signature': sig } })).toBe(200);
    const [e] = await rig.server.database.db
      .select()
      .from(paymentEvents)
      .where(eq(paymentEvents.eventId, 'subscription.create:42'));
    expect(e?.outcome).toBe('no such payment');
  });

  it('Stripe: Checkout Session through the SDK, the signed event verified by constructEvent, paid; stale signatures refused', async () => {
    const j = await job();
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'stripe',
      tip: 20_000,
      idempotencyKey: randomUUID(),
    });
    expect(c.redirectUrl).toMatch(new RegExp(`^${rig.gw.stripe.url}/pay/cs_test_`));
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    const session = rig.gw.stripe.session(p!.providerRef!)!;
    expect(session).toMatchObject({
      client_reference_id: p!.reference,
      amount_total: p!.amount,
      currency: 'ngn',
    });

    // A correctly signed event, but older than the 300 s tolerance: refused, nothing changes.
    rig.gw.stripe.state.sendWebhooks = false;
    await rig.gw.stripe.pay(session.id);
    rig.gw.stripe.state.sendWebhooks = true;
    const stale = rig.gw.stripe.eventFor(
      'checkout.session.completed',
      session.id,
      Math.floor(Date.now() / 1000) - 301,
    );
    expect(await rig.gw.stripe.deliver(stale)).toBe(401);
    expect((await j.asCustomer.payment.get.query({ bookingId: j.booking.id })).status).toBe('pending');

    const fresh = rig.gw.stripe.eventFor('checkout.session.completed', session.id);
    expect(await rig.gw.stripe.deliver(fresh)).toBe(200);
    expect(await rig.gw.stripe.deliver(fresh)).toBe(200);
    expect((await j.asCustomer.payment.get.query({ bookingId: j.booking.id })).status).toBe('paid');
    expect(await journalsOf(c.paymentId)).toBe(1);
    // An event type Fundi does not handle.
    expect(await rig.gw.stripe.deliver(rig.gw.stripe.eventFor('customer.created', session.id))).toBe(200);
  });

  it('refunds: partial, then the rest, through the gateway; more than what is left is refused', async () => {
    const j = await job();
    const asAdmin = httpClient(rig.server, (await admin(rig.server.services)).token);
    const c = await j.asCustomer.payment.checkout.mutate({
      bookingId: j.booking.id,
      method: 'stripe',
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    await rig.gw.stripe.pay(p!.providerRef!);
    expect((await j.asCustomer.payment.get.query({ bookingId: j.booking.id })).status).toBe('paid');

    expect(
      await codeOf(
        asAdmin.admin.payments.refund.mutate({ paymentId: p!.id, amount: p!.amount + 1, reason: 'too much' }),
      ),
    ).toBe('CONFLICT');
    // Two refunds racing for more than what was paid together: one of them is refused.
    const half = Math.floor(p!.amount / 2);
    const codes = await Promise.all([
      codeOf(asAdmin.admin.payments.refund.mutate({ paymentId: p!.id, amount: half + 1, reason: 'a' })),
      codeOf(asAdmin.admin.payments.refund.mutate({ paymentId: p!.id, amount: half + 1, reason: 'b' })),
    ]);
    expect(codes.sort()).toEqual(['CONFLICT', 'OK']);
    expect((await j.asCustomer.payment.get.query({ bookingId: j.booking.id })).status).toBe(
      'partially_refunded',
    );
    const rest = p!.amount - (half + 1);
    const r = await asAdmin.admin.payments.refund.mutate({ paymentId: p!.id, amount: rest, reason: 'rest' });
    expect(r).toMatchObject({ status: 'succeeded', paymentStatus: 'refunded' });
    const after = await j.asCustomer.payment.get.query({ bookingId: j.booking.id });
    expect(after).toMatchObject({ status: 'refunded', refunded: { amount: p!.amount } });
    expect(
      await codeOf(asAdmin.admin.payments.refund.mutate({ paymentId: p!.id, amount: 1, reason: 'again' })),
    ).toBe('CONFLICT');
    // Customers and technicians cannot refund.
    expect(
      await codeOf(j.asCustomer.admin.payments.refund.mutate({ paymentId: p!.id, amount: 1, reason: 'x' })),
    ).toBe('FORBIDDEN');
    // The customer heard of the payment and of each refund that went through, once.
    expect(await told(j.customer.user.id)).toEqual([
      ['receipt', p!.amount],
      ['refund', half + 1],
      ['refund', rest],
    ]);
  });

  it("another customer's booking payment is NOT_FOUND; nothing is due before completion", async () => {
    const j = await job();
    const other = await customer(rig.server.services);
    const asOther = httpClient(rig.server, other.token);
    expect(await codeOf(asOther.payment.get.query({ bookingId: j.booking.id }))).toBe('NOT_FOUND');
    expect(
      await codeOf(
        asOther.payment.checkout.mutate({
          bookingId: j.booking.id,
          method: 'paystack',
          idempotencyKey: randomUUID(),
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(await codeOf(asOther.payment.receipt.query({ bookingId: j.booking.id }))).toBe('NOT_FOUND');
    expect(await codeOf(asOther.payment.get.query({ bookingId: randomUUID() }))).toBe('NOT_FOUND');
    expect(await codeOf(j.asCustomer.payment.receipt.query({ bookingId: j.booking.id }))).toBe('CONFLICT');
  });

  it('a completion bills and posts its journal in its own transaction: 4 statements (issue 18)', async () => {
    const svc = rig.server.services;
    const a = await assignedBooking(svc);
    await arriveAndStart(svc, a);
    const extra = await svc.extras.add(a.technician.user, {
      id: a.booking.id,
      label: 'Laces',
      amount: 500_00,
    });
    await svc.extras.respond(a.customer.user, { id: a.booking.id, extraId: extra.id, approve: true });
    const transactions = await transactionsOf(svc, () =>
      svc.bookings.advance(a.booking.id, a.technician.user, 'completed'),
    );
    const completing = transactions.find((sent) => sent.some((q) => /update "bookings"/.test(q)))!;
    // The change (checking itself: no locked read first), the approved extras, the bill, the journal with
    // its entries: nothing read again that the change returned (it was 8: the booking, the bill and the
    // entries apart; then 5 with the locked read).
    expect(completing).toHaveLength(4);
    expect(completing[3]).toMatch(/insert into "ledger_journals"/i);
    expect(completing[3]).toMatch(/INSERT INTO "ledger_entries"/);
    const booking = await svc.bookings.get(a.booking.id, a.customer.user);
    const [invoice] = await queryRows<{ total: number; extras_amount: number }>(
      rig.server.database.db,
      sql`select total, extras_amount from booking_invoices where booking_id = ${a.booking.id}`,
    );
    expect(invoice).toEqual({ total: booking.price.total.amount + 500_00, extras_amount: 500_00 });
    const lines = await queryRows<{ account: string; amount: number; line: string }>(
      rig.server.database.db,
      sql`select e.account, e.amount::int as amount, e.line from ledger_entries e
            join ledger_journals j on j.id = e.journal_id
           where j.key = ${`invoice:${a.booking.id}`} order by e.id`,
    );
    expect(lines.map((l) => [l.account, l.line])).toEqual([
      [accounts.customer(a.customer.user.id), 'charge'],
      [accounts.technician(a.technician.user.id), 'earnings'],
      [accounts.commission, 'commission'],
    ]);
    expect(lines[0]!.amount).toBe(invoice!.total);
    expect(lines.reduce((sum, l) => sum + l.amount, 0)).toBe(0);
  });
});
