import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../../../db/client';
import type { WebhookEndpointRow } from '../../../db/schema';
import {
  type CreatedWebhook,
  type createWebhookInput,
  WEBHOOK_TEST_EVENT,
  type WebhookBookingData,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookDisabledReason,
  type WebhookEndpoint,
  type WebhookEventType,
  type WebhookPayload,
} from '../../contracts/developer';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import { type Bus, channels } from '../../realtime/bus';
import type { Change } from '../booking/booking.lifecycle';
import { toBooking, toHistoryEntry } from '../booking/booking.output';
import type { WebhookDisabledNotice } from '../notification/notification.hooks';
import type { PaymentChange } from '../payments/payments.service';
import { type ClaimedDelivery, createDeveloperRepo } from './developer.repo';
import {
  checkTarget,
  type PostResult,
  type Resolver,
  safePost,
  systemResolver,
  UnsafeTargetError,
} from './safe-post';
import { signatureHeader } from './signature';

export type WebhookConfig = {
  /** Plain http:// targets (never in production). */
  allowHttp: boolean;
  /** Exact addresses exempt from the private-address check (tests: a local receiver). */
  allowAddresses: string[];
  timeoutMs: number;
  pollMs: number;
  /** First retry after this; each next one waits twice as long (capped at 6 h). */
  retryBaseMs: number;
  /** A delivery is given up this long after its event (3 days). */
  retryForMs: number;
  /** An endpoint failing without a single success for this long is switched off (3 days). */
  disableAfterMs: number;
  leaseMs: number;
  batch: number;
  /** Off: this process writes the outbox but does not deliver (a CLI, or a test's "crashed" node). */
  worker: boolean;
};

const MAX_ENDPOINTS_PER_ORG = 16;
const MAX_RETRY_DELAY_MS = 6 * 3600_000;
const PAGE = 20;

export function toEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEventType[],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledStatus: row.disabledStatus,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The events one committed booking change causes. */
export function bookingEventTypes(change: Pick<Change, 'history'>): WebhookEventType[] {
  const { fromStatus: from, toStatus: to } = change.history;
  if (from === null) return ['booking.created'];
  const types: WebhookEventType[] = ['booking.status_changed'];
  if (to === 'assigned') types.push('booking.assigned');
  if (to === 'completed') types.push('booking.completed');
  if (to === 'cancelled') types.push('booking.cancelled');
  return types;
}

/** The code an endpoint switched off after this (last) failed attempt is stored with. */
export function disabledReasonOf(result: PostResult): WebhookDisabledReason {
  if (result.status !== null) return result.status >= 300 && result.status < 400 ? 'redirect' : 'http_error';
  return result.unsafe ? 'unsafe_target' : 'unreachable';
}

/** Told, inside the transaction that switched an endpoint off, so its notice commits with it. */
export type EndpointDisabledHook = (tx: DbOrTx, notice: WebhookDisabledNotice) => Promise<void>;

export function createWebhookService(deps: {
  db: Db;
  bus: Bus;
  config: WebhookConfig;
  endpointDisabled?: EndpointDisabledHook;
}) {
  const { config } = deps;
  const repo = createDeveloperRepo(deps.db);

  /** The organisation's owners and developers hear of it (in the transaction that switched it off). */
  async function switchedOff(tx: DbOrTx, ep: WebhookEndpointRow) {
    if (!deps.endpointDisabled) return;
    const r = createDeveloperRepo(tx);
    const org = await r.org(ep.orgId);
    const managers = await r.managers(ep.orgId);
    await deps.endpointDisabled(tx, {
      userIds: managers,
      orgId: ep.orgId,
      orgName: org?.name ?? '',
      endpointId: ep.id,
      url: ep.url,
      reason: ep.disabledReason ?? 'unreachable',
      status: ep.disabledStatus,
      disabledAt: ep.disabledAt ?? new Date(),
    });
  }
  const allowAddresses = new Set(config.allowAddresses);
  let resolve: Resolver = systemResolver;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | null = null;
  /** A wake that came while the worker was busy (not waiting): it looks again before it sleeps. */
  let woken = false;
  const poke = () => {
    if (wake) wake();
    else woken = true;
  };
  let running: Promise<void> | null = null;
  let stopped = true;
  /** When retries this node scheduled fall due (so it sleeps until then, not a whole poll period). */
  let retriesDue: number[] = [];
  /**
   * Bookings whose change wrote outbox rows on this node: once the change is published (after its commit)
   * the worker wakes at once. Without it the worker polls only every `pollMs` (30 s by default): an idle
   * worker costs the database almost nothing (roundtrips.test.ts counts every transaction).
   */
  const enqueued = new Set<string>();
  deps.bus.on<{ bookingId: string }>(channels.bookingChanges, (m) => {
    if (enqueued.delete(m.bookingId)) poke();
  });

  /**
   * Customers known not to be an organisation's principal, whose changes have no webhooks to write. A
   * principal is an account created with its organisation (developer.repo `createOrg`), so an account
   * that is not one never becomes one: the answer is kept. Saves every consumer booking's change a
   * statement (the events of a whole job: six; issue 18).
   */
  const notPrincipal = new Set<string>();
  async function mayHaveWebhooks(tx: DbOrTx, customerId: string) {
    if (notPrincipal.has(customerId)) return false;
    if (await createDeveloperRepo(tx).isPrincipal(customerId)) return true;
    if (notPrincipal.size >= 100_000) notPrincipal.clear();
    notPrincipal.add(customerId);
    return false;
  }

  const body = (
    d: Pick<ClaimedDelivery, 'eventId' | 'eventType' | 'payload' | 'livemode' | 'eventCreatedAt'>,
  ) =>
    JSON.stringify({
      id: d.eventId,
      type: d.eventType,
      created: d.eventCreatedAt.toISOString(),
      livemode: d.livemode,
      data: d.payload,
    } satisfies WebhookPayload);

  function retryDelay(attempts: number) {
    const d = Math.min(MAX_RETRY_DELAY_MS, config.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    // ±10 % so that a receiver's outage does not bring every retry back in the same instant.
    return Math.round(d * (0.9 + Math.random() * 0.2));
  }

  /** One attempt at one claimed delivery, and its outcome recorded (the log, retry or give-up). */
  async function attempt(d: ClaimedDelivery): Promise<void> {
    const text = body(d);
    const t = Math.floor(Date.now() / 1000);
    const result = await safePost(
      d.url,
      text,
      {
        'content-type': 'application/json',
        'user-agent': 'Fundi-Webhooks/1',
        'fundi-event-id': d.eventId,
        'fundi-event-type': d.eventType,
        'fundi-delivery-id': d.id,
        'fundi-signature': signatureHeader(d.secret, text, t),
      },
      { allowHttp: config.allowHttp, allowAddresses, timeoutMs: config.timeoutMs, resolve },
    );
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const now = Date.now();
    const error =
      result.error ??
      (ok ? null : result.status && result.status < 400 ? 'Redirects are not followed' : null);
    const retryAt = now + retryDelay(d.attempts);
    const giveUp = !ok && retryAt - d.eventCreatedAt.getTime() > config.retryForMs;
    if (!ok && !giveUp) retriesDue.push(retryAt);
    const { disabled } = await repo.recordAttempt(
      d.id,
      {
        status: ok ? 'succeeded' : giveUp ? 'failed' : 'pending',
        lastStatusCode: result.status,
        lastError: error,
        responsePrefix: result.bodyPrefix,
        deliveredAt: ok ? new Date(now) : null,
        nextAttemptAt: new Date(ok || giveUp ? now : retryAt),
      },
      {
        id: d.endpointId,
        ok,
        disableAfterMs: config.disableAfterMs,
        reason: disabledReasonOf(result),
        status: result.status,
      },
      switchedOff,
    );
    if (disabled) log.warn('webhook endpoint disabled after repeated failures', { endpointId: d.endpointId });
  }

  async function tick() {
    const claimed = await repo.claim(config.batch, config.leaseMs);
    await Promise.all(
      claimed.map((d) =>
        attempt(d).catch((e) => log.error('webhook delivery failed', { id: d.id, error: String(e) })),
      ),
    );
    return claimed.length;
  }

  async function loop() {
    while (!stopped) {
      let n = 0;
      try {
        n = await tick();
      } catch (e) {
        log.warn('webhook worker tick failed', { error: (e as Error).message });
      }
      // A full batch: more may be due at once.
      if (stopped || n >= config.batch) continue;
      if (woken) {
        woken = false;
        continue;
      }
      const now = Date.now();
      retriesDue = retriesDue.filter((t) => t > now);
      const wait = Math.min(config.pollMs, ...retriesDue.map((t) => t - now + 5));
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, wait);
      });
      wake = null;
      clearTimeout(timer);
    }
  }

  async function ownEndpoint(orgId: string, id: string) {
    const ep = await repo.endpoint(id);
    if (!ep || ep.orgId !== orgId) throw new DomainError('NOT_FOUND', 'No such webhook endpoint.');
    return ep;
  }

  function toDelivery(d: {
    d: typeof import('../../../db/schema').webhookDeliveries.$inferSelect;
    type: string;
  }): WebhookDelivery {
    const r = d.d;
    return {
      id: r.id,
      eventId: r.eventId,
      eventType: d.type,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.lastStatusCode,
      lastError: r.lastError,
      responsePrefix: r.responsePrefix,
      nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    };
  }

  /** Sends a fresh (already claimed) delivery now and answers with its log entry. */
  async function sendNow(deliveryId: string): Promise<WebhookDelivery> {
    const [d] = await repo.deliveriesToSend([deliveryId]);
    await attempt({ ...d!, attempts: 1 });
    return toDelivery((await repo.delivery(deliveryId))!);
  }

  return {
    /** Tests: a resolver standing in for DNS (e.g. one that rebinds). */
    setResolver(r: Resolver | null) {
      resolve = r ?? systemResolver;
    },
    tick,

    start() {
      if (!config.worker || !stopped) return;
      stopped = false;
      running = loop();
    },
    async stop() {
      stopped = true;
      poke();
      await running;
    },

    /**
     * The outbox hook, inside the transaction that commits a booking change: events for the organisation
     * whose principal owns the booking, one statement, nothing written for anyone else's booking.
     */
    async bookingChanged(tx: DbOrTx, change: Pick<Change, 'withParties' | 'history'>) {
      const { booking } = change.withParties;
      if (!(await mayHaveWebhooks(tx, booking.customerId))) return;
      const written = await createDeveloperRepo(tx).enqueueForPrincipal(
        booking.customerId,
        bookingEventTypes(change),
        {
          booking: toBooking(change.withParties),
          change: toHistoryEntry(change.history),
        } satisfies WebhookBookingData,
        { livemode: !booking.sandbox },
      );
      if (written === 0) return;
      // Bounded: a change that rolled back never publishes, so its id would stay.
      if (enqueued.size > 10_000) enqueued.clear();
      enqueued.add(booking.id);
    },

    /** The outbox hook of a payment change (payment.succeeded, payment.refunded), inside its transaction. */
    async paymentChanged(tx: DbOrTx, change: PaymentChange) {
      if (!(await mayHaveWebhooks(tx, change.customerId))) return;
      const written = await createDeveloperRepo(tx).enqueueForPrincipal(
        change.customerId,
        [change.type],
        change.data,
        { bookingId: change.bookingId },
      );
      if (written === 0) return;
      if (enqueued.size > 10_000) enqueued.clear();
      enqueued.add(change.bookingId);
    },
    /** After a payment change committed: wake the worker if that change wrote deliveries. */
    paymentCommitted(bookingId: string) {
      if (enqueued.delete(bookingId)) poke();
    },

    async create(orgId: string, input: z.output<typeof createWebhookInput>): Promise<CreatedWebhook> {
      const url = new URL(input.url);
      if (url.protocol !== 'https:' && !config.allowHttp)
        throw new DomainError('VALIDATION', 'The URL must use https://.');
      if (url.username || url.password)
        throw new DomainError('VALIDATION', 'The URL may not carry credentials.');
      try {
        // Early feedback only: the check that counts runs again on every delivery.
        await checkTarget(url, { allowHttp: config.allowHttp, allowAddresses, resolve });
      } catch (e) {
        if (e instanceof UnsafeTargetError) throw new DomainError('VALIDATION', e.message);
        throw new DomainError('VALIDATION', 'The host does not resolve.');
      }
      if ((await repo.countEndpoints(orgId)) >= MAX_ENDPOINTS_PER_ORG)
        throw new DomainError(
          'CONFLICT',
          `At most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints per organisation.`,
        );
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const row = await repo.insertEndpoint({
        orgId,
        url: url.toString(),
        events: [...new Set(input.events)],
        secret,
      });
      return { endpoint: toEndpoint(row), secret };
    },

    /** The organisation an endpoint belongs to (NOT_FOUND when there is no such endpoint). */
    async orgOfEndpoint(id: string) {
      const ep = await repo.endpoint(id);
      if (!ep) throw new DomainError('NOT_FOUND', 'No such webhook endpoint.');
      return ep.orgId;
    },
    async orgOfDelivery(id: string) {
      const d = await repo.delivery(id);
      if (!d) throw new DomainError('NOT_FOUND', 'No such delivery.');
      return d.orgId;
    },

    async list(orgId: string) {
      return (await repo.endpoints(orgId)).map(toEndpoint);
    },

    async delete(orgId: string, id: string) {
      await ownEndpoint(orgId, id);
      await repo.deleteEndpoint(id);
      return { id };
    },

    /** Sends a `webhook.test` event to the endpoint now; the answer is its log entry. */
    async test(orgId: string, id: string): Promise<WebhookDelivery> {
      const ep = await ownEndpoint(orgId, id);
      const ev = await repo.insertEvent(orgId, WEBHOOK_TEST_EVENT, { endpointId: ep.id, test: true });
      return sendNow(await repo.insertClaimedDelivery(ep.id, ev.id, config.leaseMs));
    },

    async deliveries(orgId: string, id: string, cursor: string | undefined): Promise<WebhookDeliveryPage> {
      await ownEndpoint(orgId, id);
      const rows = await repo.deliveries(id, decodeCursor(cursor), PAGE + 1);
      const items = rows.slice(0, PAGE).map(toDelivery);
      const last = rows.length > PAGE ? rows[PAGE - 1]! : null;
      return { items, nextCursor: last ? encodeCursor(last.d.createdAt, last.d.id) : null };
    },

    /** The same event (same id: receivers de-duplicate) sent again now, as a new log entry. */
    async replay(orgId: string, deliveryId: string): Promise<WebhookDelivery> {
      const d = await repo.delivery(deliveryId);
      if (!d || d.orgId !== orgId) throw new DomainError('NOT_FOUND', 'No such delivery.');
      return sendNow(await repo.insertClaimedDelivery(d.d.endpointId, d.d.eventId, config.leaseMs));
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
