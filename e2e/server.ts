/**
 * The e2e server: the real one (server/main.ts, unchanged) with the payment gateways' local stand-ins
 * (server/test/standins: real HTTP, real signatures, a hosted checkout page that pays and sends the signed
 * webhook) started first in this process and configured the way an operator configures the real gateways,
 * through PAYSTACK_* / STRIPE_* / PAYMOB_* variables.
 *
 * One rig setting: a customer's cancellation is free for 5 minutes after assignment (the markets' money
 * rules, columns of their rows). E2E_CANCELLATION_GRACE_MINUTES (0 here unless set) shortens that so a
 * browser test can show and charge a late cancellation's fee without waiting: the seed's rows are
 * changed before the server seeds its fresh database. The grace period itself is covered by the unit
 * and integration tests (pricing.test.ts, cash.test.ts, cancellation-quote.test.ts).
 */
import { marketSeed } from '../db/seed/markets';
import { startStandins } from '../server/test/standins';
import { startPushServiceStandin } from '../server/test/standins/push-service';
import { startSmsStandin } from '../server/test/standins/sms';

const gateways = await startStandins();
Object.assign(process.env, gateways.env);
// SMS (issue 11 §3): technicians verify a phone before going online; e2e/helpers.ts reads the codes from
// this stand-in's inbox, on a port derived from the server's (E2E_SMS_PORT).
const smsPort = Number(process.env.E2E_SMS_PORT ?? Number(process.env.PORT ?? 3000) + 20000);
const sms = await startSmsStandin(
  { termiiApiKey: 'e2e-termii', twilioSid: 'ACe2e', twilioToken: 'e2e' },
  smsPort,
);
Object.assign(process.env, sms.env);
// Web Push (issue 11 §2): a push-service stand-in (checks VAPID, decrypts) on PORT + 20001, the only origin
// the server may push to here; e2e/notifications.spec.ts takes a subscription from it for the technician's
// device and reads what the server pushed (`GET /inbox`) to hand it to the service worker over CDP.
const pushPort = Number(process.env.E2E_PUSH_PORT ?? Number(process.env.PORT ?? 3000) + 20001);
const push = await startPushServiceStandin(pushPort);
process.env.WEB_PUSH_ALLOWED_ORIGINS = push.url;
gateways.webhooksTo(`http://127.0.0.1:${process.env.PORT ?? 3000}`);

const grace = Number(process.env.E2E_CANCELLATION_GRACE_MINUTES ?? 0);
for (const market of marketSeed) market.money.cancellation.graceMinutes = grace;

await import('../server/main');
