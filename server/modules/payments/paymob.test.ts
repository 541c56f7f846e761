import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentEvents, payments } from '../../../db/schema';
import { admin } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startStandins } from '../../test/standins';
import { deliver } from '../../test/standins/http';
import { createLedgerRepo } from '../ledger/ledger.repo';
import { completedBooking } from './payments.fixtures';
import { PAYMOB_HMAC_FIELDS, paymobHmacString } from './providers/paymob';

type Standins = Awaited<ReturnType<typeof startStandins>>;

describe('Paymob (Cairo) against its stand-in', () => {
  let server: TestServer;
  let gw: Standins;

  beforeAll(async () => {
    gw = await startStandins();
    server = await startTestServer({ ...gw.env, MARKET: 'cairo', MARKET_FALLBACK: 'cairo' });
    gw.webhooksTo(server.url);
  });
  afterAll(async () => {
    if (server) expect(await createLedgerRepo(server.database.db).unbalanced()).toEqual([]);
    await server?.close();
    await gw?.close();
  });

  it('signs the 20 documented fields in order (the sample from Paymob’s HMAC guide)', () => {
    expect(PAYMOB_HMAC_FIELDS).toHaveLength(20);
    const obj = {
      amount_cents: 100000,
      created_at: '2024-06-13T11:33:44.592345',
      currency: 'EGP',
      error_occured: false,
      has_parent_transaction: false,
      id: 192036465,
      integration_id: 4097558,
      is_3d_secure: true,
      is_auth: false,
      is_capture: false,
      is_refunded: false,
      is_standalone_payment: true,
      is_voided: false,
      order: { id: 217503754 },
      owner: 302852,
      pending: false,
      source_data: { pan: '2346', sub_type: 'MasterCard', type: 'card' },
      success: true,
    };
    expect(paymobHmacString(obj)).toBe(
      '1000002024-06-13T11:33:44.592345EGPfalsefalse1920364654097558truefalsefalsefalsetruefalse217503754302852false2346MasterCardcardtrue',
    );
  });

  it('Intention + Unified Checkout, the HMAC-signed callback, verified by inquiry, paid once; tampering refused; refund', async () => {
    const a = await completedBooking(server.services);
    const asCustomer = httpClient(server, a.customer.token);
    const m = await asCustomer.payment.methods.query({ bookingId: a.booking.id });
    expect(m).toMatchObject({ market: 'cairo', currency: 'EGP' });
    expect(m.methods.map((x) => x.method)).toEqual(['cash', 'paymob', 'stripe']);

    const c = await asCustomer.payment.checkout.mutate({
      bookingId: a.booking.id,
      method: 'paymob',
      tip: 1_000,
      idempotencyKey: randomUUID(),
    });
    expect(c.redirectUrl).toMatch(
      new RegExp(`^${gw.paymob.url}/unifiedcheckout/\\?publicKey=egy_pk_test_standin&clientSecret=`),
    );
    expect((await fetch(c.redirectUrl!)).status).toBe(200);
    const [p] = await server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));

    gw.paymob.state.sendWebhooks = false;
    await gw.paymob.pay(p!.providerRef!);
    gw.paymob.state.sendWebhooks = true;
    const cb = gw.paymob.callbackFor(p!.providerRef!);
    const events = async () =>
      (await server.database.db.select().from(paymentEvents).where(eq(paymentEvents.provider, 'paymob')))
        .length;
    const n = await events();
    // A changed amount, a wrong or missing hmac: refused before anything is stored.
    expect(await deliver(cb.url, cb.body.replace(/"amount_cents":\d+/, '"amount_cents":1'), {})).toBe(401);
    expect(await deliver(cb.url.replace(/hmac=[0-9a-f]+/, `hmac=${'0'.repeat(128)}`), cb.body, {})).toBe(401);
    expect(await deliver(cb.url.replace(/\?hmac=[0-9a-f]+/, ''), cb.body, {})).toBe(400);
    expect(await events()).toBe(n);
    expect((await asCustomer.payment.get.query({ bookingId: a.booking.id })).status).toBe('pending');

    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(cb.url, cb.body, {})));
    expect(results).toEqual([200, 200, 200, 200, 200]);
    expect(await asCustomer.payment.get.query({ bookingId: a.booking.id })).toMatchObject({
      status: 'paid',
      method: 'paymob',
      paid: { amount: p!.amount, currency: 'EGP' },
    });

    const r = await httpClient(server, (await admin(server.services)).token).admin.payments.refund.mutate({
      paymentId: p!.id,
      amount: 500,
      reason: 'late',
    });
    expect(r).toMatchObject({
      status: 'succeeded',
      paymentStatus: 'partially_refunded',
      amount: { amount: 500, currency: 'EGP' },
    });
  });
});
