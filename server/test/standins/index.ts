import { startPaymobStandin } from './paymob';
import { startPaystackStandin } from './paystack';
import { startStripeStandin } from './stripe';

export { startPaymobStandin, startPaystackStandin, startStripeStandin };

/** Test keys: any strings work against the stand-ins (they check what Fundi sends against these). */
export const standinKeys = {
  paystack: { secretKey: 'sk_test_standin_paystack' },
  stripe: { secretKey: 'sk_test_standin_stripe', webhookSecret: 'whsec_standin_stripe' },
  paymob: {
    secretKey: 'egy_sk_test_standin',
    publicKey: 'egy_pk_test_standin',
    hmacSecret: 'standin_hmac_secret',
    integrationIds: '4565330',
  },
};

/** All three stand-ins and the environment that points a Fundi server at them. */
export async function startStandins() {
  const [paystack, stripe, paymob] = await Promise.all([
    startPaystackStandin(standinKeys.paystack),
    startStripeStandin(standinKeys.stripe),
    startPaymobStandin({ ...standinKeys.paymob }),
  ]);
  return {
    paystack,
    stripe,
    paymob,
    env: {
      PAYSTACK_BASE_URL: paystack.url,
      PAYSTACK_SECRET_KEY: standinKeys.paystack.secretKey,
      STRIPE_BASE_URL: stripe.url,
      STRIPE_SECRET_KEY: standinKeys.stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: standinKeys.stripe.webhookSecret,
      PAYMOB_BASE_URL: paymob.url,
      PAYMOB_SECRET_KEY: standinKeys.paymob.secretKey,
      PAYMOB_PUBLIC_KEY: standinKeys.paymob.publicKey,
      PAYMOB_HMAC_SECRET: standinKeys.paymob.hmacSecret,
      PAYMOB_INTEGRATION_IDS: standinKeys.paymob.integrationIds,
    },
    /** Points every stand-in's webhooks at a running server. */
    webhooksTo(serverUrl: string) {
      paystack.state.webhookUrl = `${serverUrl}/webhooks/paystack`;
      stripe.state.webhookUrl = `${serverUrl}/webhooks/stripe`;
      paymob.state.webhookUrl = `${serverUrl}/webhooks/paymob`;
    },
    close: () => Promise.all([paystack.close(), stripe.close(), paymob.close()]).then(() => undefined),
  };
}
