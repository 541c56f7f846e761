/**
 * The e2e server: the real one (server/main.ts, unchanged) with the payment gateways' local stand-ins
 * (server/test/standins: real HTTP, real signatures, a hosted checkout page that pays and sends the signed
 * webhook) started first in this process and configured the way an operator configures the real gateways,
 * through PAYSTACK_* / STRIPE_* / PAYMOB_* variables.
 *
 * One rig setting: a customer's cancellation is free for 5 minutes after assignment (the markets' money
 * policy). E2E_CANCELLATION_GRACE_MINUTES (0 here unless set) shortens that so a browser test can show
 * and charge a late cancellation's fee without waiting; the grace period itself is covered by the unit
 * and integration tests (pricing.test.ts, cash.test.ts, cancellation-quote.test.ts).
 */
import { marketPolicies } from '../server/modules/payments/markets';
import { startStandins } from '../server/test/standins';

const gateways = await startStandins();
Object.assign(process.env, gateways.env);
gateways.webhooksTo(`http://127.0.0.1:${process.env.PORT ?? 3000}`);

const grace = Number(process.env.E2E_CANCELLATION_GRACE_MINUTES ?? 0);
for (const policy of Object.values(marketPolicies)) policy.cancellation.graceMinutes = grace;

await import('../server/main');
