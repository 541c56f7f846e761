import { createHmac } from 'node:crypto';
import { checkoutPage, deliver, json, type Req, type Res, randomId, serveStandin } from './http';

type Tx = {
  id: number;
  reference: string;
  accessCode: string;
  amount: number;
  currency: string;
  email: string;
  callbackUrl: string | null;
  status: 'ongoing' | 'success' | 'failed';
  fees: number;
  paidAt: string | null;
  refunded: number;
};

/**
 * Paystack as Fundi calls it: POST /transaction/initialize, GET /transaction/verify/:reference,
 * POST /refund (Bearer secret key), a hosted page at /checkout/:access_code, and `charge.success` webhooks
 * signed with x-paystack-signature (hex HMAC-SHA512 of the raw body keyed with the secret key).
 */
export async function startPaystackStandin(opts: { secretKey: string; webhookUrl?: string }) {
  const txs = new Map<string, Tx>();
  const byCode = new Map<string, Tx>();
  // Random starts: several stand-ins (one per test file) share one database, and ids must not collide.
  let nextId = 4_000_000_000 + Math.floor(Math.random() * 1e9);
  const state = {
    webhookUrl: opts.webhookUrl ?? '',
    /** Report this amount on verify and in webhooks instead of the real one (a tampered or wrong charge). */
    reportAmount: null as number | null,
    /** Send the webhook when the hosted page is paid. */
    sendWebhooks: true,
    requests: [] as string[],
  };

  const view = (t: Tx) => ({
    id: t.id,
    domain: 'test',
    status: t.status === 'ongoing' ? 'abandoned' : t.status,
    reference: t.reference,
    amount: state.reportAmount ?? t.amount,
    currency: t.currency,
    fees: t.status === 'success' ? t.fees : null,
    paid_at: t.paidAt,
    channel: 'card',
    customer: { email: t.email },
  });

  const webhook = (t: Tx) => {
    const body = JSON.stringify({ event: 'charge.success', data: view(t) });
    const signature = createHmac('sha512', opts.secretKey).update(body).digest('hex');
    return { body, headers: { 'x-paystack-signature': signature } };
  };

  function pay(t: Tx, outcome: 'success' | 'failed') {
    if (t.status === 'ongoing') {
      t.status = outcome;
      t.paidAt = outcome === 'success' ? new Date().toISOString() : null;
      // Paystack's local fee: 1.5 % + ₦100 above ₦2,500, capped at ₦2,000 (in kobo).
      t.fees = Math.min(Math.round(t.amount * 0.015) + (t.amount >= 250_000 ? 10_000 : 0), 200_000);
    }
  }

  const authorized = (req: Req) => req.headers.authorization === `Bearer ${opts.secretKey}`;
  const fail = (status: number, message: string): Res => ({ status, body: { status: false, message } });

  const server = await serveStandin(async (req) => {
    state.requests.push(`${req.method} ${req.path}`);
    const checkout = req.path.match(/^\/checkout\/([a-z0-9]+)$/);
    if (checkout) {
      const t = byCode.get(checkout[1]!);
      if (!t) return { status: 404, body: 'No such checkout' };
      if (req.method === 'GET')
        return { status: 200, body: checkoutPage('Paystack (stand-in)', t.amount, t.currency) };
      const outcome =
        new URLSearchParams(req.body.toString()).get('outcome') === 'failed' ? 'failed' : 'success';
      pay(t, outcome);
      if (outcome === 'success' && state.sendWebhooks && state.webhookUrl) {
        const w = webhook(t);
        await deliver(state.webhookUrl, w.body, w.headers);
      }
      return t.callbackUrl
        ? {
            status: 302,
            body: '',
            headers: {
              location: `${t.callbackUrl}${t.callbackUrl.includes('?') ? '&' : '?'}reference=${t.reference}`,
            },
          }
        : { status: 200, body: '<p>Done</p>' };
    }
    if (!authorized(req)) return fail(401, 'Invalid key');
    if (req.method === 'POST' && req.path === '/transaction/initialize') {
      const b = json(req);
      const reference = String(b.reference ?? randomId());
      if (txs.has(reference)) return fail(400, 'Duplicate Transaction Reference');
      const amount = Number(b.amount);
      if (!Number.isInteger(amount) || amount <= 0) return fail(400, 'Invalid amount');
      const t: Tx = {
        id: nextId++,
        reference,
        accessCode: randomId(),
        amount,
        currency: String(b.currency ?? 'NGN'),
        email: String(b.email ?? ''),
        callbackUrl: typeof b.callback_url === 'string' ? b.callback_url : null,
        status: 'ongoing',
        fees: 0,
        paidAt: null,
        refunded: 0,
      };
      txs.set(reference, t);
      byCode.set(t.accessCode, t);
      return {
        status: 200,
        body: {
          status: true,
          message: 'Authorization URL created',
          data: {
            authorization_url: `${server.url}/checkout/${t.accessCode}`,
            access_code: t.accessCode,
            reference,
          },
        },
      };
    }
    const verify = req.path.match(/^\/transaction\/verify\/(.+)$/);
    if (req.method === 'GET' && verify) {
      const t = txs.get(decodeURIComponent(verify[1]!));
      if (!t) return fail(404, 'Transaction reference not found');
      return { status: 200, body: { status: true, message: 'Verification successful', data: view(t) } };
    }
    if (req.method === 'POST' && req.path === '/refund') {
      const b = json(req);
      const t = txs.get(String(b.transaction));
      if (t?.status !== 'success') return fail(400, 'Transaction not found or not successful');
      const amount = b.amount === undefined ? t.amount - t.refunded : Number(b.amount);
      if (amount > t.amount - t.refunded)
        return fail(400, 'Refund amount cannot be more than the transaction amount');
      t.refunded += amount;
      return {
        status: 200,
        body: {
          status: true,
          message: 'Refund has been queued for processing',
          data: {
            id: nextId++,
            status: 'pending',
            amount,
            currency: t.currency,
            transaction: { id: t.id, reference: t.reference },
          },
        },
      };
    }
    return fail(404, 'Not found');
  });

  return {
    url: server.url,
    state,
    close: server.close,
    transaction: (reference: string) => txs.get(reference),
    /** What the hosted page does when the customer pays, without the browser. */
    async pay(reference: string, outcome: 'success' | 'failed' = 'success') {
      const t = txs.get(reference);
      if (!t) throw new Error(`no transaction ${reference}`);
      return fetch(`${server.url}/checkout/${t.accessCode}`, {
        method: 'POST',
        body: `outcome=${outcome}`,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
    /** The signed charge.success delivery for a transaction (to send again, or many times at once). */
    webhookFor(reference: string) {
      return webhook(txs.get(reference)!);
    },
    deliver: (w: { body: string; headers: Record<string, string> }) =>
      deliver(state.webhookUrl, w.body, w.headers),
  };
}

export type PaystackStandin = Awaited<ReturnType<typeof startPaystackStandin>>;
