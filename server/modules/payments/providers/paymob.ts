import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { fetchJson, GatewayError, hexEquals, type PaymentProvider, WebhookSignatureError } from './types';

/*
 * Paymob: Intention API + Unified Checkout. Checked against Paymob's developer docs:
 * - POST /v1/intention/ with `Authorization: Token <secret key>`; body amount (cents), currency,
 *   payment_methods (integration ids), items, billing_data, special_reference, notification_url,
 *   redirection_url; answers `client_secret` and `intention_order_id` (the Paymob order id that transaction
 *   callbacks carry as obj.order.id);
 * - the customer goes to <base>/unifiedcheckout/?publicKey=<public key>&clientSecret=<client secret>;
 * - the transaction processed callback (POST JSON { type: 'TRANSACTION', obj }) carries `?hmac=`: hex
 *   HMAC-SHA512, keyed with the HMAC secret, of the values of 20 fields concatenated in this order:
 *   amount_cents, created_at, currency, error_occured, has_parent_transaction, obj.id, integration_id,
 *   is_3d_secure, is_auth, is_capture, is_refunded, is_standalone_payment, is_voided, order.id, owner,
 *   pending, source_data.pan, source_data.sub_type, source_data.type, success.
 *   Paymob signs those fields, not the raw body, so the body must be parsed to check it; nothing is
 *   stored or acted on before the check.
 * Not confirmed by the docs we could read, and only checked against our stand-in: that the transaction
 * inquiry (POST /api/ecommerce/orders/transaction_inquiry { order_id }) and the refund
 * (POST /api/acceptance/void_refund/refund { transaction_id, amount_cents }) accept the secret key as
 * `Authorization: Token …` (the legacy docs show an auth_token from /api/auth/tokens instead).
 */

export const PAYMOB_HMAC_FIELDS = [
  'amount_cents',
  'created_at',
  'currency',
  'error_occured',
  'has_parent_transaction',
  'id',
  'integration_id',
  'is_3d_secure',
  'is_auth',
  'is_capture',
  'is_refunded',
  'is_standalone_payment',
  'is_voided',
  'order.id',
  'owner',
  'pending',
  'source_data.pan',
  'source_data.sub_type',
  'source_data.type',
  'success',
] as const;

/** The string Paymob signs for a transaction object (booleans as true/false, missing values as ''). */
export function paymobHmacString(obj: Record<string, unknown>): string {
  return PAYMOB_HMAC_FIELDS.map((path) => {
    let v: unknown = obj;
    for (const k of path.split('.'))
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return v === undefined || v === null ? '' : String(v);
  }).join('');
}

export const paymobHmac = (secret: string, obj: Record<string, unknown>) =>
  createHmac('sha512', secret).update(paymobHmacString(obj)).digest('hex');

const intention = z.object({
  client_secret: z.string(),
  intention_order_id: z.union([z.number(), z.string()]),
});
const transaction = z.object({
  id: z.union([z.number(), z.string()]),
  success: z.boolean(),
  pending: z.boolean(),
  amount_cents: z.number().int(),
  currency: z.string(),
  is_refunded: z.boolean().optional(),
  is_voided: z.boolean().optional(),
  order: z
    .object({ id: z.union([z.number(), z.string()]), merchant_order_id: z.string().nullish() })
    .passthrough(),
});
const callback = z.object({ type: z.string(), obj: z.record(z.string(), z.unknown()) });

export function createPaymob(cfg: {
  baseUrl: string;
  secretKey: string;
  publicKey: string;
  hmacSecret: string;
  integrationIds: number[];
}): PaymentProvider {
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Token ${cfg.secretKey}` };
  const parse = <T>(schema: z.ZodType<T>, what: string, json: unknown) => {
    const r = schema.safeParse(json);
    if (!r.success) throw new GatewayError('paymob', `unexpected answer to ${what}`);
    return r.data;
  };
  const inquire = async (orderId: string) =>
    parse(
      transaction,
      'transaction_inquiry',
      await fetchJson('paymob', `${base}/api/ecommerce/orders/transaction_inquiry`, {
        method: 'POST',
        headers: auth,
        body: { order_id: orderId },
      }),
    );

  return {
    name: 'paymob',
    async initialize(i) {
      const [first, ...rest] = i.customer.name.trim().split(/\s+/);
      const res = parse(
        intention,
        'intention',
        await fetchJson('paymob', `${base}/v1/intention/`, {
          method: 'POST',
          headers: auth,
          body: {
            amount: i.amount,
            currency: i.currency,
            payment_methods: cfg.integrationIds,
            items: [
              { name: i.description.slice(0, 50), amount: i.amount, description: i.description, quantity: 1 },
            ],
            billing_data: {
              first_name: first || 'Fundi',
              last_name: rest.join(' ') || 'Customer',
              email: i.customer.email,
              phone_number: i.customer.phone ?? 'NA',
            },
            special_reference: i.reference,
            notification_url: i.notifyUrl,
            redirection_url: i.returnUrl,
            extras: { paymentId: i.paymentId, bookingId: i.bookingId },
          },
        }),
      );
      const q = new URLSearchParams({ publicKey: cfg.publicKey, clientSecret: res.client_secret });
      return { redirectUrl: `${base}/unifiedcheckout/?${q}`, providerRef: String(res.intention_order_id) };
    },
    async verify({ providerRef }) {
      if (!providerRef)
        return { status: 'pending', amount: null, currency: null, fee: null, providerRef: null };
      let t: z.infer<typeof transaction>;
      try {
        t = await inquire(providerRef);
      } catch (e) {
        // No transaction on the order yet: the customer has not paid (or not finished).
        if (e instanceof GatewayError && e.status === 404)
          return { status: 'pending', amount: null, currency: null, fee: null, providerRef };
        throw e;
      }
      const status = t.success && !t.pending && !t.is_voided ? 'paid' : t.pending ? 'pending' : 'failed';
      return { status, amount: t.amount_cents, currency: t.currency.toUpperCase(), fee: null, providerRef };
    },
    async refund({ providerRef, amount }) {
      if (!providerRef) throw new GatewayError('paymob', 'no order to refund');
      const t = await inquire(providerRef);
      const r = parse(
        transaction,
        'refund',
        await fetchJson('paymob', `${base}/api/acceptance/void_refund/refund`, {
          method: 'POST',
          headers: auth,
          body: { transaction_id: t.id, amount_cents: amount },
        }),
      );
      return {
        status: r.success ? 'succeeded' : r.pending ? 'pending' : 'failed',
        providerRef: String(r.id),
      };
    },
    parseWebhook({ rawBody, query }) {
      const given = new URLSearchParams(query).get('hmac');
      if (!given) throw new WebhookSignatureError(400, 'missing hmac');
      let body: z.infer<typeof callback>;
      try {
        body = callback.parse(JSON.parse(rawBody.toString('utf8')));
      } catch {
        throw new WebhookSignatureError(400, 'not a Paymob callback');
      }
      if (!hexEquals(paymobHmac(cfg.hmacSecret, body.obj), given))
        throw new WebhookSignatureError(401, 'bad hmac');
      const obj = body.obj as { id?: unknown; order?: { id?: unknown; merchant_order_id?: unknown } };
      const isTx = body.type === 'TRANSACTION';
      return {
        eventId: `${body.type}:${String(obj.id ?? '')}`,
        type: body.type,
        action: isTx ? 'settle' : 'ignore',
        reference: typeof obj.order?.merchant_order_id === 'string' ? obj.order.merchant_order_id : null,
        providerRef: obj.order?.id != null ? String(obj.order.id) : null,
        payload: body,
      };
    },
  };
}
