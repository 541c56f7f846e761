import type { z } from 'zod';
import { type Db, type DbOrTx, detached } from '../../../db/client';
import type { NotificationRow } from '../../../db/schema';
import {
  type ExternalChannel,
  externalChannels,
  type Notification,
  type NotificationData,
  type NotificationKind,
  type NotificationPage,
  type NotificationPreferences,
  type NotificationStreamEvent,
  notificationKinds,
  type pushSubscribeInput,
  type setPreferencesInput,
} from '../../contracts/notification';
import { pageOf } from '../../lib/cursor';
import { DomainError } from '../../lib/errors';
import { log } from '../../lib/log';
import type { Bus } from '../../realtime/bus';
import { streamEvent } from '../../realtime/feed';
import { inbox } from '../../realtime/inbox';
import type { Mailer } from './channels/email';
import { endpointAllowed, type PushTarget, sendPush, type VapidKeys } from './channels/push';
import type { SmsSender } from './channels/sms';
import { defaultChannels, pushOptions, urlOf } from './notification.events';
import { createNotificationRepo, type NewNotification } from './notification.repo';
import { type Locale, type Recipient, render, renderEmail } from './notification.templates';

export type NotificationsConfig = {
  /** A change's notifications are dispatched this long after it (changes close together share one run). */
  batchMs: number;
  /** The worker also looks for due work this often (other nodes' rows, crashes, delayed notifications). */
  sweepMs: number;
  /** A claimed delivery is taken again after this if its worker died mid-send. */
  leaseMs: number;
  maxAttempts: number;
  /** First retry after this; doubles per attempt (with jitter), capped at an hour. */
  backoffMs: number;
  /** A chat message is notified this late, and not at all if the recipient read it meanwhile. */
  chatDelayMs: number;
  reviewRequestDelayMs: number;
  allowedPushOrigins: string[];
  publicUrl: () => string;
};

export type Notify = (tx: DbOrTx, items: NewNotification | NewNotification[]) => Promise<void>;

const channelOf = (userId: string) => `notifications:${userId}`;
type BusMessage = { seq: number } | { unread: true };
const PAGE = 30;

const isKind = (k: string): k is NotificationKind => (notificationKinds as readonly string[]).includes(k);

function toLocale(l: string): Locale {
  return l === 'ar' ? 'ar' : 'en';
}

/** Service names come in both languages: the recipient's is the template's `service`. */
function localized(data: NotificationData, locale: Locale): NotificationData {
  const service = locale === 'ar' ? (data.serviceAr ?? data.serviceEn) : data.serviceEn;
  return service ? { ...data, service } : data;
}

export function createNotificationService(deps: {
  db: Db;
  bus: Bus;
  config: NotificationsConfig;
  vapid: () => VapidKeys;
  sms: SmsSender;
  mailer: Mailer;
}) {
  const { db, bus, config } = deps;
  const repo = createNotificationRepo(db);
  let running = false;
  let kickTimer: ReturnType<typeof setTimeout> | undefined;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let busy: Promise<void> | null = null;
  let again = false;
  /** Deliveries may be due: only then is a claim attempted (an empty claim is a transaction too). */
  let deliveriesDue = true;

  function toNotification(row: NotificationRow, r: Recipient): Notification {
    const kind = isKind(row.kind) ? row.kind : 'completed';
    const { title, body } = render(kind, localized(row.data, r.locale), r);
    return {
      id: String(row.feedSeq),
      kind,
      title,
      body,
      url: urlOf(kind, row.data),
      data: row.data,
      createdAt: row.createdAt.toISOString(),
      read: row.readAt !== null,
    };
  }

  async function recipientOf(userId: string): Promise<Recipient> {
    const [u] = await repo.recipients([userId]);
    return { locale: toLocale(u?.locale ?? 'en'), timeZone: u?.timeZone ?? 'UTC', name: u?.name ?? '' };
  }

  /** Schedules a worker run `batchMs` from the first kick (a burst of changes shares it). */
  function kick(delayMs = config.batchMs) {
    if (!running || kickTimer) return;
    // Often kicked from inside a transaction's callback; the worker's run is not part of it.
    kickTimer = detached(() =>
      setTimeout(() => {
        kickTimer = undefined;
        void run();
      }, delayMs),
    );
    kickTimer.unref?.();
  }

  /** One pass: dispatch due notifications, then send due deliveries. Never two at once in a process. */
  async function run(sweep = false): Promise<void> {
    if (sweep) deliveriesDue = true;
    if (busy) {
      again = true;
      return busy;
    }
    busy = (async () => {
      try {
        do {
          again = false;
          while ((await dispatchBatch()) === 100) {}
          if (deliveriesDue) {
            deliveriesDue = false;
            while ((await deliverBatch()) === 20) {}
          }
        } while (again);
      } catch (e) {
        log.warn('notification worker', { error: (e as Error).message });
      } finally {
        busy = null;
      }
    })();
    return busy;
  }

  /**
   * The dispatching transaction: claims due notifications, gives them feed positions, and creates the
   * delivery rows (one per notification × channel, the idempotency key) the recipient's preferences ask for.
   */
  async function dispatchBatch(): Promise<number> {
    const published: Array<{ userId: string; seq: number }> = [];
    let createdDeliveries = 0;
    const n = await db.transaction(async (tx) => {
      const r = createNotificationRepo(tx);
      const rows = await r.dispatchDue(100);
      if (rows.length === 0) return 0;
      const userIds = [...new Set(rows.map((x) => x.userId))];
      const [people, prefs, withPush] = await Promise.all([
        r.recipients(userIds),
        r.preferences(userIds),
        r.usersWithPush(userIds),
      ]);
      const byId = new Map(people.map((p) => [p.id, p]));
      const pref = new Map(prefs.map((p) => [`${p.userId}|${p.kind}|${p.channel}`, p.enabled]));
      const deliveries: Array<{ notificationId: number; channel: ExternalChannel }> = [];
      const alreadyRead: number[] = [];
      for (const row of rows) {
        if (!isKind(row.kind)) continue;
        // A chat message the recipient has read by now (they were looking at it) needs no notification.
        if (row.kind === 'chat' && typeof row.data.bookingId === 'string') {
          const readUpTo = await r.chatReadUpTo(row.data.bookingId, row.userId);
          if (readUpTo >= Number(row.data.messageId)) {
            alreadyRead.push(row.id);
            continue;
          }
        }
        published.push({ userId: row.userId, seq: row.feedSeq! });
        const who = byId.get(row.userId);
        for (const channel of externalChannels) {
          const on = pref.get(`${row.userId}|${row.kind}|${channel}`) ?? defaultChannels[row.kind][channel];
          if (!on) continue;
          if (channel === 'push' && !withPush.has(row.userId)) continue;
          if (channel === 'sms' && !who?.phone) continue;
          if (channel === 'email' && !who?.email) continue;
          deliveries.push({ notificationId: row.id, channel });
        }
      }
      await r.markReadById(alreadyRead);
      await r.insertDeliveries(deliveries);
      createdDeliveries = deliveries.length;
      return rows.length;
    });
    for (const p of published) bus.publish<BusMessage>(channelOf(p.userId), { seq: p.seq });
    if (createdDeliveries) deliveriesDue = true;
    return n;
  }

  async function deliverBatch(): Promise<number> {
    const claimed = await repo.claimDeliveries(20, config.leaseMs);
    await Promise.all(claimed.map((d) => deliverOne(d)));
    return claimed.length;
  }

  async function deliverOne(d: {
    id: number;
    notificationId: number;
    channel: ExternalChannel;
    attempts: number;
  }) {
    try {
      const row = await repo.notification(d.notificationId);
      if (!row || !isKind(row.kind)) {
        await repo.finishDelivery(d.id, { status: 'failed', lastError: 'notification gone' });
        return;
      }
      const [u] = await repo.recipients([row.userId]);
      if (!u) {
        await repo.finishDelivery(d.id, { status: 'failed', lastError: 'recipient gone' });
        return;
      }
      const r: Recipient = { locale: toLocale(u.locale), timeZone: u.timeZone, name: u.name };
      const data = localized(row.data, r.locale);
      const { title, body } = render(row.kind, data, r);
      const url = urlOf(row.kind, row.data);
      const key = `fundi-${row.id}-${d.channel}`;
      if (d.channel === 'push') {
        const outcome = await sendToPushSubscriptions(row, { title, body, url, key });
        if (outcome === 'retry') throw new Error('push service refused for now');
      } else if (d.channel === 'sms') {
        if (!u.phone) throw new Error('no verified phone');
        await deps.sms.send(u.phone, `Fundi: ${title}. ${body}`);
      } else {
        const link = new URL(url, deps.config.publicUrl()).toString();
        const mail = renderEmail(row.kind, data, r, link);
        await deps.mailer.send({ to: u.email, ...mail, messageId: `<${key}@fundi.app>` });
      }
      await repo.finishDelivery(d.id, { status: 'sent', sentAt: new Date(), lastError: null });
    } catch (e) {
      const message = (e as Error).message.slice(0, 500);
      if (d.attempts >= config.maxAttempts) {
        await repo.finishDelivery(d.id, { status: 'failed', lastError: message });
        log.warn('notification: delivery failed for good', { channel: d.channel, error: message });
        return;
      }
      const wait = Math.min(config.backoffMs * 2 ** (d.attempts - 1), 3_600_000) * (0.75 + Math.random() / 2);
      await repo.finishDelivery(d.id, { nextAttemptAt: new Date(Date.now() + wait), lastError: message });
      if (running) setTimeout(() => void run(true), wait + 10).unref?.();
    }
  }

  /**
   * Every subscription of the recipient: 404/410 deletes it. `retry` only when none took it and one may
   * later (a retry could otherwise show it twice on a device that did get it).
   */
  async function sendToPushSubscriptions(
    row: NotificationRow,
    m: { title: string; body: string; url: string; key: string },
  ): Promise<'sent' | 'retry' | 'none'> {
    const subs = await repo.pushOf(row.userId);
    if (subs.length === 0) return 'none';
    const kind = row.kind as NotificationKind;
    const { ttl, urgency } = pushOptions(kind, row.data);
    const payload = JSON.stringify({
      title: m.title,
      body: m.body,
      url: m.url,
      tag: kind === 'offer' ? `offer-${row.data.offerId}` : `${kind}-${row.data.bookingId ?? row.id}`,
      kind,
      id: m.key,
      urgent: urgency === 'high',
    });
    let sent = 0;
    let transient = 0;
    for (const s of subs) {
      if (!endpointAllowed(s.endpoint, config.allowedPushOrigins)) {
        await repo.deletePushById(s.id);
        continue;
      }
      const target: PushTarget = { endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth };
      try {
        const r = await sendPush(deps.vapid(), target, payload, { ttl, urgency, topic: m.key.slice(-32) });
        if (r.result === 'sent') sent++;
        else if (r.result === 'gone') await repo.deletePushById(s.id);
        else transient++;
      } catch {
        transient++;
      }
    }
    return sent === 0 && transient > 0 ? 'retry' : sent > 0 ? 'sent' : 'none';
  }

  const notify: Notify = async (tx, items) => {
    await createNotificationRepo(tx).insert(Array.isArray(items) ? items : [items]);
    kick();
  };

  return {
    /** The one entry point: writes the notification(s) in the caller's transaction (the outbox). */
    notify,

    async list(userId: string, cursor: string | null | undefined, limit = PAGE): Promise<NotificationPage> {
      const rows = await repo.page(userId, cursor ? Number(cursor) : undefined, limit + 1);
      const r = await recipientOf(userId);
      const { page, nextCursor } = pageOf(rows, limit, (last) => String(last.feedSeq));
      return {
        items: page.map((row) => toNotification(row, r)),
        unread: await repo.unread(userId),
        nextCursor,
      };
    },

    async markRead(userId: string, ids: string[]) {
      await repo.markRead(userId, ids.map(Number));
      bus.publish<BusMessage>(channelOf(userId), { unread: true });
      return { unread: await repo.unread(userId) };
    },

    /**
     * The feed, live. Subscribes before reading the backlog; every event is tracked by the newest feed
     * position delivered, so a client resuming with `lastEventId` gets each later notification once.
     */
    async *stream(userId: string, lastEventId: string | null | undefined, signal: AbortSignal | undefined) {
      const queue = inbox<BusMessage>(signal);
      const off = bus.on<BusMessage>(channelOf(userId), queue.push);
      try {
        await off.ready;
        const r = await recipientOf(userId);
        let cursor = lastEventId ? Number(lastEventId) : 0;
        if (!lastEventId) {
          const [newest] = await repo.page(userId, undefined, 1);
          cursor = newest?.feedSeq ?? 0;
          yield streamEvent(String(cursor), {
            type: 'unread',
            unread: await repo.unread(userId),
          } as NotificationStreamEvent);
        }
        let catchUp = Boolean(lastEventId);
        for (;;) {
          if (catchUp) {
            catchUp = false;
            for (;;) {
              const rows = await repo.after(userId, cursor, 100);
              for (const row of rows) {
                cursor = row.feedSeq!;
                const event: NotificationStreamEvent = {
                  type: 'notification',
                  notification: toNotification(row, r),
                  unread: await repo.unread(userId),
                };
                yield streamEvent(String(cursor), event);
              }
              if (rows.length < 100) break;
            }
          }
          if (!(await queue.wait())) return;
          const batch = queue.items.splice(0);
          if (batch.some((m) => 'seq' in m && m.seq > cursor)) catchUp = true;
          else if (batch.some((m) => 'unread' in m))
            yield streamEvent(String(cursor), {
              type: 'unread',
              unread: await repo.unread(userId),
            } as NotificationStreamEvent);
        }
      } finally {
        queue.close();
        off();
      }
    },

    vapidPublicKey: () => deps.vapid().publicKey,

    /** `sessionId`: the session registering this device; its end (sign-out …) deletes the subscription. */
    async pushSubscribe(
      userId: string,
      input: z.output<typeof pushSubscribeInput>,
      sessionId: string | null = null,
    ) {
      // The endpoint is an address the server will POST to: only the push services' origins.
      if (!endpointAllowed(input.endpoint, config.allowedPushOrigins))
        throw new DomainError('VALIDATION', 'This push service is not allowed.');
      await repo.upsertPush(userId, { endpoint: input.endpoint, ...input.keys }, sessionId);
      return { ok: true as const };
    },

    async pushUnsubscribe(userId: string, endpoint: string) {
      await repo.deletePush(userId, endpoint);
      return { ok: true as const };
    },

    async preferences(userId: string): Promise<NotificationPreferences> {
      const rows = await repo.preferences([userId]);
      const chosen = new Map(rows.map((p) => [`${p.kind}|${p.channel}`, p.enabled]));
      return {
        items: notificationKinds.map((kind) => ({
          kind,
          channels: Object.fromEntries(
            externalChannels.map((c) => [c, chosen.get(`${kind}|${c}`) ?? defaultChannels[kind][c]]),
          ) as Record<ExternalChannel, boolean>,
        })),
      };
    },

    async setPreferences(userId: string, input: z.output<typeof setPreferencesInput>) {
      await repo.setPreferences(userId, input.items);
      return this.preferences(userId);
    },

    /** Runs the worker once now (tests, and a kick after start). */
    runOnce: () => run(true),

    start() {
      if (running) return;
      running = true;
      sweepTimer = setInterval(() => void run(true), config.sweepMs);
      sweepTimer.unref?.();
      kick(0);
    },

    async stop() {
      running = false;
      clearTimeout(kickTimer);
      kickTimer = undefined;
      clearInterval(sweepTimer);
      await busy;
      deps.mailer.close();
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
