import { createHmac } from 'node:crypto';
import { checkoutPage, deliver, type Req, type Res, randomId, serveStandin } from './http';

type Session = {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  url: string;
  amount_total: number;
  amount_subtotal: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  payment_status: 'unpaid' | 'paid';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  cancel_url: string;
  livemode: false;
  created: number;
};

/**
 * Stripe's API as the official SDK calls it (form-encoded POSTs, Bearer secret key, Idempotency-Key):
 * POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id, POST /v1/refunds; a hosted page at
 * /pay/:session; webhooks signed as Stripe documents (Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
 * `${t}.${body}` keyed with the endpoint secret>).
 */
export async function startStripeStandin(opts: {
  secretKey: string;
  webhookSecret: string;
  webhookUrl?: string;
}) {
  const sessions = new Map<string, Session>();
  const idempotent = new Map<string, Res>();
  const refunded = new Map<string, number>();
  const state = {
    webhookUrl: opts.webhookUrl ?? '',
    sendWebhooks: true,
    /** Report this amount instead of the real one. */
    reportAmount: null as number | null,
    requests: [] as string[],
  };

  const view = (s: Session): Session => ({ ...s, amount_total: state.reportAmount ?? s.amount_total });

  /** A signed event delivery; `at` lets a test sign with an old timestamp. */
  function event(type: string, s: Session, at = Math.floor(Date.now() / 1000)) {
    const body = JSON.stringify({
      id: `evt_${randomId(24)}`,
      object: 'event',
      api_version: '2025-01-01',
      created: at,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: view(s) },
    });
    const v1 = createHmac('sha256', opts.webhookSecret).update(`${at}.${body}`).digest('hex');
    return { body, headers: { 'stripe-signature': `t=${at},v1=${v1}` } };
  }

  const err = (status: number, message: string): Res => ({
    status,
    body: { error: { type: status === 401 ? 'invalid_request_error' : 'invalid_request_error', message } },
  });

  const server = await serveStandin(async (req: Req) => {
    state.requests.push(`${req.method} ${req.path}`);
    const pay = req.path.match(/^\/pay\/(cs_test_[a-z0-9]+)$/);
    if (pay) {
      const s = sessions.get(pay[1]!);
      if (!s) return { status: 404, body: 'No such session' };
      if (req.method === 'GET')
        return {
          status: 200,
          body: checkoutPage('Stripe Checkout (stand-in)', s.amount_total, s.currency.toUpperCase()),
        };
      const ok = new URLSearchParams(req.body.toString()).get('outcome') !== 'failed';
      if (s.status === 'open' && ok) {
        s.status = 'complete';
        s.payment_status = 'paid';
        s.payment_intent = `pi_${randomId(24)}`;
        if (state.sendWebhooks && state.webhookUrl) {
          const e = event('checkout.session.completed', s);
          await deliver(state.webhookUrl, e.body, e.headers);
        }
      }
      return { status: 303, body: '', headers: { location: s.success_url } };
    }
    if (req.headers.authorization !== `Bearer ${opts.secretKey}`) return err(401, 'Invalid API Key provided');
    const key = req.headers['idempotency-key'];
    const idemKey = typeof key === 'string' && req.method === 'POST' ? `${req.path}|${key}` : null;
    if (idemKey && idempotent.has(idemKey)) return idempotent.get(idemKey)!;
    const form = new URLSearchParams(req.body.toString());
    let res: Res;
    if (req.method === 'POST' && req.path === '/v1/checkout/sessions') {
      const amount = Number(form.get('line_items[0][price_data][unit_amount]'));
      const currency = form.get('line_items[0][price_data][currency]') ?? 'usd';
      if (!Number.isInteger(amount) || amount <= 0) return err(400, 'Invalid unit_amount');
      const id = `cs_test_${randomId(24)}`;
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = k.match(/^metadata\[(.+)\]$/);
        if (m) metadata[m[1]!] = v;
      }
      const s: Session = {
        id,
        object: 'checkout.session',
        mode: 'payment',
        url: `${server.url}/pay/${id}`,
        amount_total: amount,
        amount_subtotal: amount,
        currency,
        client_reference_id: form.get('client_reference_id'),
        customer_email: form.get('customer_email'),
        metadata,
        payment_intent: null,
        payment_status: 'unpaid',
        status: 'open',
        success_url: form.get('success_url') ?? '',
        cancel_url: form.get('cancel_url') ?? '',
        livemode: false,
        created: Math.floor(Date.now() / 1000),
      };
      sessions.set(id, s);
      res = { status: 200, body: view(s) };
    } else if (req.method === 'GET' && req.path.startsWith('/v1/checkout/sessions/')) {
      const s = sessions.get(req.path.slice('/v1/checkout/sessions/'.length));
      res = s ? { status: 200, body: view(s) } : err(404, 'No such checkout.session');
    } else if (req.method === 'POST' && req.path === '/v1/refunds') {
      const intent = form.get('payment_intent');
      const s = [...sessions.values()].find((x) => x.payment_intent && x.payment_intent === intent);
      if (!s) return err(404, `No such payment_intent: '${intent}'`);
      const amount = Number(form.get('amount') ?? s.amount_total);
      const done = refunded.get(s.id) ?? 0;
      if (amount > s.amount_total - done)
        return err(400, `Refund amount (${amount}) is greater than unrefunded amount on charge`);
      refunded.set(s.id, done + amount);
      res = {
        status: 200,
        body: {
          id: `re_${randomId(24)}`,
          object: 'refund',
          amount,
          currency: s.currency,
          payment_intent: intent,
          status: 'succeeded',
        },
      };
    } else res = err(404, `Unrecognized request URL (${req.method}: ${req.path})`);
    if (idemKey) idempotent.set(idemKey, res);
    return res;
  });

  return {
    url: server.url,
    state,
    close: server.close,
    session: (id: string) => sessions.get(id),
    async pay(sessionId: string, outcome: 'success' | 'failed' = 'success') {
      return fetch(`${server.url}/pay/${sessionId}`, {
        method: 'POST',
        body: `outcome=${outcome}`,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
    eventFor: (type: string, sessionId: string, at?: number) => event(type, sessions.get(sessionId)!, at),
    deliver: (w: { body: string; headers: Record<string, string> }) =>
      deliver(state.webhookUrl, w.body, w.headers),
  };
}

export type StripeStandin = Awaited<ReturnType<typeof startStripeStandin>>;
