import Stripe from 'stripe';
import { GatewayError, type PaymentProvider, WebhookSignatureError } from './types';

/*
 * Stripe Checkout through the official SDK (stripe@23). STRIPE_BASE_URL becomes the SDK's host, port and
 * protocol, so the stand-in in tests is spoken to exactly as Stripe would be. Webhooks are verified with
 * `stripe.webhooks.constructEvent` on the raw body (Stripe-Signature t=…,v1=…: HMAC-SHA256 of `t.body`
 * with the endpoint secret), with a 300 s tolerance; events are deduplicated on their `id`.
 * Amounts are the currency's smallest unit, as ours are (NGN, EGP, USD, EUR: two decimals).
 */

const SETTLING = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

export function createStripe(cfg: {
  baseUrl: string;
  secretKey: string;
  webhookSecret: string;
}): PaymentProvider {
  const url = new URL(cfg.baseUrl);
  const stripe = new Stripe(cfg.secretKey, {
    host: url.hostname,
    port: url.port || (url.protocol === 'http:' ? 80 : 443),
    protocol: url.protocol === 'http:' ? 'http' : 'https',
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  });
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const err = e as { statusCode?: number; message?: string };
      throw new GatewayError('stripe', `${what}: ${err.message ?? String(e)}`, err.statusCode ?? null);
    }
  };

  return {
    name: 'stripe',
    async initialize(i) {
      const session = await wrap('checkout.sessions.create', () =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            client_reference_id: i.reference,
            customer_email: i.customer.email,
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: i.currency.toLowerCase(),
                  unit_amount: i.amount,
                  product_data: { name: i.description },
                },
              },
            ],
            metadata: { paymentId: i.paymentId, bookingId: i.bookingId, reference: i.reference },
            payment_intent_data: { metadata: { paymentId: i.paymentId, reference: i.reference } },
            success_url: i.returnUrl,
            cancel_url: i.returnUrl,
          },
          // One session per payment, however often the customer retries.
          { idempotencyKey: `checkout-${i.reference}` },
        ),
      );
      if (!session.url) throw new GatewayError('stripe', 'the Checkout Session has no url');
      return { redirectUrl: session.url, providerRef: session.id };
    },
    async verify({ providerRef }) {
      if (!providerRef)
        return { status: 'pending', amount: null, currency: null, fee: null, providerRef: null };
      const s = await wrap('checkout.sessions.retrieve', () =>
        stripe.checkout.sessions.retrieve(providerRef),
      );
      const status = s.payment_status === 'paid' ? 'paid' : s.status === 'expired' ? 'failed' : 'pending';
      return {
        status,
        amount: s.amount_total ?? null,
        currency: s.currency ? s.currency.toUpperCase() : null,
        fee: null,
        providerRef: s.id,
      };
    },
    async refund({ refundId, providerRef, amount, reason }) {
      if (!providerRef) throw new GatewayError('stripe', 'no Checkout Session to refund');
      const s = await wrap('checkout.sessions.retrieve', () =>
        stripe.checkout.sessions.retrieve(providerRef),
      );
      const intent = typeof s.payment_intent === 'string' ? s.payment_intent : s.payment_intent?.id;
      if (!intent) throw new GatewayError('stripe', 'the Checkout Session has no PaymentIntent');
      const r = await wrap('refunds.create', () =>
        stripe.refunds.create(
          { payment_intent: intent, amount, metadata: { refundId, reason: reason.slice(0, 500) } },
          { idempotencyKey: `refund-${refundId}` },
        ),
      );
      const status =
        r.status === 'succeeded'
          ? 'succeeded'
          : r.status === 'failed' || r.status === 'canceled'
            ? 'failed'
            : 'pending';
      return { status, providerRef: r.id };
    },
    parseWebhook({ rawBody, headers }) {
      const signature = headers['stripe-signature'];
      if (!signature) throw new WebhookSignatureError(400, 'missing Stripe-Signature');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, cfg.webhookSecret, 300);
      } catch {
        throw new WebhookSignatureError(401, 'bad Stripe-Signature');
      }
      const settling = SETTLING.has(event.type);
      const session = settling ? (event.data.object as Stripe.Checkout.Session) : null;
      return {
        eventId: event.id,
        type: event.type,
        action: settling ? 'settle' : 'ignore',
        reference: session?.client_reference_id ?? null,
        providerRef: session?.id ?? null,
        payload: event,
      };
    },
  };
}
