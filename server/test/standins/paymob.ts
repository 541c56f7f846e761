import { paymobHmac } from '../../modules/payments/providers/paymob';
import { checkoutPage, deliver, json, type Req, type Res, randomId, serveStandin } from './http';

type Intention = {
  id: string;
  clientSecret: string;
  orderId: number;
  amount: number;
  currency: string;
  specialReference: string;
  notificationUrl: string | null;
  redirectionUrl: string | null;
  integrationId: number;
  transaction: Record<string, unknown> | null;
  refunded: number;
};

/**
 * Paymob as Fundi calls it (`Authorization: Token <secret key>`): POST /v1/intention/, the Unified
 * Checkout page at /unifiedcheckout/?publicKey&clientSecret, POST /api/ecommerce/orders/transaction_inquiry,
 * POST /api/acceptance/void_refund/refund; transaction processed callbacks POSTed as { type: 'TRANSACTION',
 * obj } with `?hmac=` computed as Paymob documents (HMAC-SHA512 over the 20 ordered fields).
 */
export async function startPaymobStandin(opts: {
  secretKey: string;
  publicKey: string;
  hmacSecret: string;
  /** Overrides each intention's notification_url (as the dashboard's callback setting would). */
  webhookUrl?: string;
}) {
  const intentions = new Map<string, Intention>();
  // Random starts: several stand-ins (one per test file) share one database, and ids must not collide.
  let nextOrder = 217_000_000 + Math.floor(Math.random() * 1e8);
  let nextTx = 192_000_000 + Math.floor(Math.random() * 1e8);
  const state = {
    webhookUrl: opts.webhookUrl ?? '',
    sendWebhooks: true,
    reportAmount: null as number | null,
    requests: [] as string[],
  };

  const tx = (i: Intention, success: boolean): Record<string, unknown> => ({
    id: nextTx++,
    pending: false,
    amount_cents: i.amount,
    success,
    is_auth: false,
    is_capture: false,
    is_standalone_payment: true,
    is_voided: false,
    is_refunded: false,
    is_3d_secure: true,
    integration_id: i.integrationId,
    has_parent_transaction: false,
    order: {
      id: i.orderId,
      merchant_order_id: i.specialReference,
      amount_cents: i.amount,
      currency: i.currency,
    },
    created_at: new Date().toISOString().replace('Z', ''),
    currency: i.currency,
    error_occured: !success,
    owner: 302852,
    source_data: { pan: '2346', type: 'card', sub_type: 'MasterCard' },
  });
  const reported = (t: Record<string, unknown>) =>
    state.reportAmount === null ? t : { ...t, amount_cents: state.reportAmount };

  function callback(i: Intention) {
    const obj = reported(i.transaction!);
    const body = JSON.stringify({ type: 'TRANSACTION', obj });
    return { body, hmac: paymobHmac(opts.hmacSecret, obj) };
  }
  const target = (i: Intention, hmac: string) => {
    const base = state.webhookUrl || i.notificationUrl || '';
    return `${base}${base.includes('?') ? '&' : '?'}hmac=${hmac}`;
  };

  const fail = (status: number, detail: string): Res => ({ status, body: { detail } });
  const authorized = (req: Req) => req.headers.authorization === `Token ${opts.secretKey}`;

  const server = await serveStandin(async (req) => {
    state.requests.push(`${req.method} ${req.path}`);
    if (req.path === '/unifiedcheckout/') {
      const i = [...intentions.values()].find((x) => x.clientSecret === req.query.get('clientSecret'));
      if (!i || req.query.get('publicKey') !== opts.publicKey)
        return { status: 404, body: 'No such intention' };
      if (req.method === 'GET')
        return { status: 200, body: checkoutPage('Paymob (stand-in)', i.amount, i.currency) };
      const ok = new URLSearchParams(req.body.toString()).get('outcome') !== 'failed';
      if (!i.transaction) {
        i.transaction = tx(i, ok);
        if (state.sendWebhooks) {
          const c = callback(i);
          await deliver(target(i, c.hmac), c.body, {});
        }
      }
      return i.redirectionUrl
        ? { status: 302, body: '', headers: { location: i.redirectionUrl } }
        : { status: 200, body: '<p>Done</p>' };
    }
    if (!authorized(req)) return fail(401, 'Authentication credentials were not provided.');
    if (req.method === 'POST' && req.path === '/v1/intention/') {
      const b = json(req);
      const ids = Array.isArray(b.payment_methods) ? b.payment_methods.map(Number) : [];
      if (!ids.length || ids.some((n: number) => !Number.isInteger(n)))
        return fail(404, 'Integration ID/Name does not exist in our system');
      const amount = Number(b.amount);
      if (!Number.isInteger(amount) || amount <= 0)
        return fail(400, 'amount must be a positive integer (cents)');
      const i: Intention = {
        id: `pi_test_${randomId(24)}`,
        clientSecret: `egy_csk_test_${randomId(32)}`,
        orderId: nextOrder++,
        amount,
        currency: String(b.currency ?? 'EGP'),
        specialReference: String(b.special_reference ?? ''),
        notificationUrl: typeof b.notification_url === 'string' ? b.notification_url : null,
        redirectionUrl: typeof b.redirection_url === 'string' ? b.redirection_url : null,
        integrationId: ids[0]!,
        transaction: null,
        refunded: 0,
      };
      if (
        [...intentions.values()].some((x) => x.specialReference && x.specialReference === i.specialReference)
      )
        return fail(400, 'special_reference must be unique');
      intentions.set(i.id, i);
      return {
        status: 201,
        body: {
          id: i.id,
          client_secret: i.clientSecret,
          intention_order_id: i.orderId,
          special_reference: i.specialReference,
          amount: i.amount,
          currency: i.currency,
          status: 'intended',
        },
      };
    }
    if (req.method === 'POST' && req.path === '/api/ecommerce/orders/transaction_inquiry') {
      const b = json(req);
      const i = [...intentions.values()].find(
        (x) =>
          String(x.orderId) === String(b.order_id) ||
          (b.merchant_order_id && x.specialReference === b.merchant_order_id),
      );
      if (!i?.transaction) return fail(404, 'Transaction not found');
      return { status: 200, body: reported(i.transaction) };
    }
    if (req.method === 'POST' && req.path === '/api/acceptance/void_refund/refund') {
      const b = json(req);
      const i = [...intentions.values()].find(
        (x) => x.transaction && x.transaction.id === Number(b.transaction_id),
      );
      if (!i?.transaction?.success) return fail(404, 'Transaction not found');
      const amount = Number(b.amount_cents);
      if (amount > i.amount - i.refunded) return fail(400, 'Refund amount exceeds the captured amount');
      i.refunded += amount;
      return {
        status: 200,
        body: { ...tx(i, true), amount_cents: amount, is_refund: true, has_parent_transaction: true },
      };
    }
    return fail(404, 'Not found.');
  });

  return {
    url: server.url,
    state,
    close: server.close,
    intentionByOrder: (orderId: string) =>
      [...intentions.values()].find((i) => String(i.orderId) === orderId),
    async pay(orderId: string, outcome: 'success' | 'failed' = 'success') {
      const i = [...intentions.values()].find((x) => String(x.orderId) === orderId);
      if (!i) throw new Error(`no intention for order ${orderId}`);
      const q = new URLSearchParams({ publicKey: opts.publicKey, clientSecret: i.clientSecret });
      return fetch(`${server.url}/unifiedcheckout/?${q}`, {
        method: 'POST',
        body: `outcome=${outcome}`,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
    /** The signed callback for an intention's transaction: its URL (with ?hmac=) and body. */
    callbackFor(orderId: string) {
      const i = [...intentions.values()].find((x) => String(x.orderId) === orderId)!;
      const c = callback(i);
      return { url: target(i, c.hmac), body: c.body };
    },
  };
}

export type PaymobStandin = Awaited<ReturnType<typeof startPaymobStandin>>;
