import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { fetchJson, GatewayError, hexEquals, type PaymentProvider, WebhookSignatureError } from './types';

/*
 * Paystack Standard, plain fetch. Checked against Paystack's API reference and webhook guide:
 * - POST /transaction/initialize (Bearer secret key; amount in the subunit, e.g. kobo; our `reference`;
 *   `callback_url`) answers `data.authorization_url`, the hosted checkout page;
 * - GET /transaction/verify/:reference answers `data.status` ('success' when paid; 'abandoned' while the
 *   customer has not finished, so it is not a failure), `data.amount`,
 *   `data.currency`, `data.fees`;
 * - POST /refund { transaction: reference, amount } answers `data.status` (pending/processing/processed/failed);
 * - webhooks carry `x-paystack-signature`: hex HMAC-SHA512 of the raw body keyed with the secret key.
 * Paystack events have no id of their own: `event` plus the transaction's `data.id` names one (a repeat of
 * charge.success for one transaction is the same event).
 */

const envelope = z.object({ status: z.boolean(), message: z.string().optional(), data: z.unknown() });
const initData = z.object({
  authorization_url: z.url(),
  access_code: z.string().optional(),
  reference: z.string(),
});
const txData = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  status: z.string(),
  reference: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  fees: z.number().int().nullish(),
});
const refundData = z.object({ id: z.union([z.number(), z.string()]).optional(), status: z.string() });
const webhookBody = z.object({
  event: z.string(),
  data: z
    .object({ id: z.union([z.number(), z.string()]).optional(), reference: z.string().optional() })
    .passthrough(),
});

export function createPaystack(cfg: { baseUrl: string; secretKey: string }): PaymentProvider {
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${cfg.secretKey}` };
  const call = async <T>(schema: z.ZodType<T>, path: string, method: 'GET' | 'POST', body?: unknown) => {
    const env = envelope.safeParse(
      await fetchJson('paystack', `${base}${path}`, { method, headers: auth, body }),
    );
    if (!env.success || !env.data.status)
      throw new GatewayError(
        'paystack',
        `refused ${path}: ${env.success ? env.data.message : 'bad envelope'}`,
      );
    const data = schema.safeParse(env.data.data);
    if (!data.success) throw new GatewayError('paystack', `unexpected answer to ${path}`);
    return data.data;
  };

  return {
    name: 'paystack',
    async initialize(i) {
      const d = await call(initData, '/transaction/initialize', 'POST', {
        email: i.customer.email,
        amount: i.amount,
        currency: i.currency,
        reference: i.reference,
        callback_url: i.returnUrl,
        metadata: { paymentId: i.paymentId, bookingId: i.bookingId },
      });
      return { redirectUrl: d.authorization_url, providerRef: d.reference };
    },
    async verify({ reference }) {
      const d = await call(txData, `/transaction/verify/${encodeURIComponent(reference)}`, 'GET');
      const status =
        d.status === 'success' ? 'paid' : ['failed', 'reversed'].includes(d.status) ? 'failed' : 'pending';
      return {
        status,
        amount: d.amount,
        currency: d.currency.toUpperCase(),
        fee: d.fees ?? null,
        providerRef: d.id != null ? String(d.id) : null,
      };
    },
    async refund({ reference, amount }) {
      const d = await call(refundData, '/refund', 'POST', { transaction: reference, amount });
      const status = d.status === 'processed' ? 'succeeded' : d.status === 'failed' ? 'failed' : 'pending';
      return { status, providerRef: d.id != null ? String(d.id) : null };
    },
    parseWebhook({ rawBody, headers }) {
      const signature = headers['x-paystack-signature'];
      if (!signature) throw new WebhookSignatureError(400, 'missing x-paystack-signature');
      const expected = createHmac('sha512', cfg.secretKey).update(rawBody).digest('hex');
      if (!hexEquals(expected, signature)) throw new WebhookSignatureError(401, 'bad x-paystack-signature');
      const parsed = webhookBody.safeParse(JSON.parse(rawBody.toString('utf8')));
      if (!parsed.success) throw new WebhookSignatureError(400, 'signed but not a Paystack event');
      const { event, data } = parsed.data;
      return {
        eventId: `${event}:${data.id ?? data.reference ?? ''}`,
        type: event,
        action: event === 'charge.success' ? 'settle' : 'ignore',
        reference: data.reference ?? null,
        providerRef: data.id != null ? String(data.id) : null,
        payload: parsed.data,
      };
    },
  };
}
