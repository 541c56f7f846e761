import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import {
  dispatchOffers,
  notificationDeliveries,
  notifications,
  phoneCodes,
  pushSubscriptions,
} from '../../../db/schema';
import type { NotificationStreamEvent } from '../../contracts/notification';
import {
  approvedApplication,
  assignedBooking,
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  sleep,
  technician,
  transactionsOf,
  uniquePhone,
  uniqueSpot,
  until,
  userRow,
} from '../../test/fixtures';
import {
  httpClient,
  isolatedDatabase,
  startTestServer,
  type TestServer,
  uniqueEmail,
  wsClient,
} from '../../test/harness';
import { startPushServiceStandin } from '../../test/standins/push-service';
import { startSmsStandin } from '../../test/standins/sms';
import { startSmtpStandin } from '../../test/standins/smtp';

/*
 * Issue 11 §2, §3, §5. A database of this file's own: other files' servers run notification workers too,
 * and would deliver (or, refusing the stand-in's origin, delete) this file's push subscriptions.
 */
let database: Database & { url: string; dispose(): Promise<void> };
let server: TestServer;
let push: Awaited<ReturnType<typeof startPushServiceStandin>>;
let sms: Awaited<ReturnType<typeof startSmsStandin>>;
let smtp: Awaited<ReturnType<typeof startSmtpStandin>>;
let env: Record<string, string>;
const keepOpen = (d: Database) => ({ ...d, dispose: async () => {} });

beforeAll(async () => {
  [database, push, sms, smtp] = await Promise.all([
    isolatedDatabase(),
    startPushServiceStandin(),
    startSmsStandin({ termiiApiKey: 'termii-test-key', twilioSid: 'AC123', twilioToken: 'twilio-token' }),
    startSmtpStandin(),
  ]);
  env = {
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fundi-notify-')),
    WEB_PUSH_ALLOWED_ORIGINS: push.url,
    NOTIFY_BATCH_MS: '20',
    NOTIFY_SWEEP_SECONDS: '0.5',
    NOTIFY_CHAT_DELAY_SECONDS: '2',
    ...sms.env,
    ...smtp.env,
  };
  server = await startTestServer(env, { database: keepOpen(database) });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await Promise.all([push?.close(), sms?.close(), smtp?.close()]);
  await database?.dispose();
});
const svc = () => server.services;

async function subscribed(token: string) {
  const s = push.subscribe();
  await httpClient(server, token).notification.pushSubscribe.mutate({ endpoint: s.endpoint, keys: s.keys });
  return s;
}

describe('Web Push (VAPID, aes128gcm) against a push-service stand-in', () => {
  it('an offer reaches the technician: checked JWT, decrypted payload, high urgency, short TTL, a tap lands on the offer', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 300));
    const s = await subscribed(t.token);
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '1 Push Road',
      idempotencyKey: randomUUID(),
    });
    const offer = await openOfferOf(svc(), b.id);
    // (Their verification's own push may reach the device first.)
    const m = await until(async () =>
      push.received.find((r) => r.subscription === s.id && r.payload.kind === 'offer'),
    );
    expect(push.rejected.filter((r) => r.subscription === s.id)).toEqual([]);
    expect(m.payload).toMatchObject({
      title: 'New job offer',
      kind: 'offer',
      url: `/home?offer=${offer.id}#offers`,
      urgent: true,
    });
    expect(m.urgency).toBe('high');
    expect(m.ttl).toBeGreaterThan(0);
    expect(m.ttl).toBeLessThanOrEqual(60);
    expect(m.jwt.aud).toBe(push.url);
    // Exactly once: nothing more for this subscription after the workers had time to run again.
    await sleep(700);
    expect(push.received.filter((r) => r.subscription === s.id)).toHaveLength(1);
  });

  it('in the recipient language: an Arabic customer hears of the assignment in Arabic', async () => {
    const { booking, customer: c } = await (async () => {
      const spot = uniqueSpot();
      const t = await technician(svc(), offset(spot, 300));
      const cust = await svc().auth.signUp(
        {
          email: uniqueEmail('ar'),
          password: 'customer password',
          name: 'منى',
          role: 'customer',
          locale: 'ar',
        },
        '127.0.0.1',
      );
      const sub = await subscribed(cust.token);
      const b = await svc().bookings.create(cust.user, {
        serviceId: await serviceId(svc()),
        ...spot,
        address: '5 شارع التحرير',
        idempotencyKey: randomUUID(),
      });
      await until(async () => (await codeOf(svc().dispatch.accept(b.id, t.user.id))) === 'OK');
      return { booking: b, customer: { ...cust, sub } };
    })();
    const m = await until(async () => push.received.find((r) => r.subscription === c.sub.id));
    expect(m.payload).toMatchObject({ title: 'تم تعيين فنّي', url: `/bookings/${booking.id}` });
  });

  it('a subscription answered 410 is deleted', async () => {
    const { booking, technician: t, customer: c } = await assignedBooking(svc());
    const s = await subscribed(t.token);
    push.answer(s.id, 410);
    // The customer cancels: the technician is told, and their gone subscription removed.
    await svc().bookings.cancel(booking.id, { id: c.user.id, role: 'customer' }, 'Changed my mind');
    await until(async () => {
      const rows = await database.db
        .select()
        .from(pushSubscriptions)
        .where(eq(pushSubscriptions.endpoint, s.endpoint));
      return rows.length === 0;
    });
  });

  it('signing out deletes the push subscription this session registered; another device keeps its own', async () => {
    const c = await customer(svc());
    const phone = await subscribed(c.token);
    const other = await svc().auth.signIn(
      { email: c.user.email, password: 'customer password' },
      '127.0.0.1',
    );
    const laptop = await subscribed(other.token);
    const endpoints = async () =>
      (
        await database.db
          .select({ endpoint: pushSubscriptions.endpoint })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.userId, c.user.id))
      ).map((r) => r.endpoint);
    expect((await endpoints()).sort()).toEqual([phone.endpoint, laptop.endpoint].sort());

    // Even if the app could not say so itself first (offline at sign-out): the server ends it with the session.
    await httpClient(server, c.token).auth.signOut.mutate();
    expect(await endpoints()).toEqual([laptop.endpoint]);
  });

  it('refuses an endpoint outside WEB_PUSH_ALLOWED_ORIGINS (the server never POSTs to an arbitrary address)', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const keys = push.subscribe().keys;
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data',
      'https://fcm.googleapis.com.evil.example/x',
      `${push.url.replace('127.0.0.1', 'localhost')}/push/x`,
    ])
      expect(await codeOf(api.notification.pushSubscribe.mutate({ endpoint, keys }))).toBe('BAD_REQUEST');
    const rows = await database.db
      .select()
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, c.user.id));
    expect(rows).toEqual([]);
  });
});

describe('a locked phone still gets offers by push (PUSH_REACHABLE_MS)', () => {
  /**
   * The technician's app was open (a socket with `technician.offers`), then the phone locked: both gone,
   * no live offers subscription any more (what dispatch's socket rule needs).
   */
  async function appOpenedThenLocked(t: { token: string; user: { id: string } }) {
    const app = wsClient(server, t.token);
    const sub = app.client.technician.offers.subscribe(undefined, {});
    await until(async () => (await userRow(svc(), t.user.id))?.listeningAt);
    sub.unsubscribe();
    app.close();
    await until(async () => {
      const row = await userRow(svc(), t.user.id);
      return row && row.listeningAt === null && row.heardAt;
    });
  }

  const book = async (spot: { lat: number; lng: number }) =>
    svc().bookings.create((await customer(svc())).user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '2 Locked Phone Close',
      idempotencyKey: randomUUID(),
    });
  const offersOf = (bookingId: string) =>
    database.db.select().from(dispatchOffers).where(eq(dispatchOffers.bookingId, bookingId));

  it('socket closed + a push subscription: offered, pushed, kept open past the grace, accepted over HTTP', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 300), { listening: false });
    const s = await subscribed(t.token);
    await appOpenedThenLocked(t);

    const b = await book(spot);
    const offer = await openOfferOf(svc(), b.id);
    expect(offer.technicianId).toBe(t.user.id);
    // (Their verification's own push may reach the device first.)
    const m = await until(async () =>
      push.received.find((r) => r.subscription === s.id && r.payload.kind === 'offer'),
    );
    expect(m.payload).toMatchObject({ kind: 'offer', url: `/home?offer=${offer.id}#offers`, urgent: true });
    expect(m.urgency).toBe('high');

    // No socket comes back: the offer is not expired as "not reachable" (the push may wake them).
    await sleep(3_500);
    expect((await offersOf(b.id)).map((o) => [o.technicianId, o.status])).toEqual([[t.user.id, 'offered']]);

    // The tap opens the app, which accepts over HTTP.
    const accepted = await httpClient(server, t.token).booking.accept.mutate({ id: b.id });
    expect(accepted.status).toBe('assigned');
    expect(accepted.technician?.id).toBe(t.user.id);
  });

  it('an offer made while the app was open survives the phone locking (its own window still applies)', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 300), { listening: false });
    await subscribed(t.token);
    const app = wsClient(server, t.token);
    const sub = app.client.technician.offers.subscribe(undefined, {});
    await until(async () => (await userRow(svc(), t.user.id))?.listeningAt);
    const b = await book(spot);
    const offer = await openOfferOf(svc(), b.id);
    expect(offer.technicianId).toBe(t.user.id);
    sub.unsubscribe();
    app.close();
    await sleep(4_000); // past the 3 s listen grace
    const [row] = await offersOf(b.id);
    expect(row).toMatchObject({ technicianId: t.user.id, status: 'offered', reason: null });
    expect(row!.expiresAt.getTime()).toBe(offer.expiresAt.getTime());
  });

  it('an offer and its notification are one statement: the offer’s id, distance and expiry in it (issue 18 §2)', async () => {
    expect(svc().database.driver).toBe('postgres');
    const spot = uniqueSpot();
    const t = await technician(svc(), offset(spot, 300));
    let bookingId = '';
    const transactions = await transactionsOf(svc(), async () => {
      bookingId = (await book(spot)).id;
      await openOfferOf(svc(), bookingId);
    });
    const offer = await openOfferOf(svc(), bookingId);
    const round = transactions.find((sent) => sent.some((q) => /insert into "dispatch_offers"/.test(q)));
    expect(round!.filter((q) => /insert into "notifications"/i.test(q))).toHaveLength(1);
    const insert = round!.find((q) => /insert into "dispatch_offers"/.test(q));
    expect(insert).toMatch(/INSERT INTO "notifications"/);
    const [row] = await svc()
      .database.db.select()
      .from(notifications)
      .where(and(eq(notifications.userId, t.user.id), eq(notifications.kind, 'offer')));
    expect(row!.dedupeKey).toBe(`offer:${offer.id}`);
    expect(row!.data).toMatchObject({
      bookingId,
      offerId: String(offer.id),
      distanceMeters: offer.distanceMeters,
      expiresAt: offer.expiresAt.toISOString(),
      serviceEn: 'Shoe shine',
      currency: 'NGN',
    });
    expect(row!.data.price).toEqual(expect.any(Number));
  });

  it('no push subscription: a closed app is not offered jobs (no ghost offers)', async () => {
    const spot = uniqueSpot();
    const noPush = await technician(svc(), offset(spot, 200), { listening: false });
    await appOpenedThenLocked(noPush);
    const b = await book(spot);
    await sleep(1_500);
    expect(await offersOf(b.id)).toEqual([]);
    expect((await svc().bookings.get(b.id, { id: noPush.user.id, role: 'admin' })).status).toBe('searching');
  });
});

describe('in-app feed', () => {
  it('list, markRead and a resumable stream (no gap, no duplicate)', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const api = httpClient(server, c.token);
    const first = await until(async () => {
      const page = await api.notification.list.query();
      return page.items.find((n) => n.kind === 'assigned' && n.data.bookingId === booking.id) ? page : null;
    });
    expect(first.unread).toBeGreaterThanOrEqual(1);

    const ws = wsClient(server, c.token);
    const events: Array<{ id: string; data: NotificationStreamEvent }> = [];
    const start = (lastEventId?: string) =>
      ws.client.notification.stream.subscribe(lastEventId ? { lastEventId } : undefined, {
        onData: (e) => events.push(e as unknown as { id: string; data: NotificationStreamEvent }),
      });
    let sub = start();
    try {
      await until(async () => events.length > 0);
      const techApi = httpClient(server, t.token);
      await techApi.booking.advance.mutate({ id: booking.id, to: 'en_route' });
      await until(async () =>
        events.some((e) => e.data.type === 'notification' && e.data.notification.kind === 'en_route'),
      );
      const resumeFrom = events.at(-1)!.id;
      sub.unsubscribe();
      // While away: two changes.
      await techApi.booking.advance.mutate({ id: booking.id, to: 'arrived', confirmFar: true });
      await techApi.booking.advance.mutate({ id: booking.id, to: 'in_progress' });
      await techApi.booking.advance.mutate({ id: booking.id, to: 'completed' });
      await until(async () =>
        (await api.notification.list.query()).items.some((n) => n.kind === 'completed'),
      );
      events.length = 0;
      sub = start(resumeFrom);
      await until(async () =>
        events.some((e) => e.data.type === 'notification' && e.data.notification.kind === 'completed'),
      );
      await sleep(200);
      const kinds = events.flatMap((e) => (e.data.type === 'notification' ? [e.data.notification.kind] : []));
      expect(kinds).toEqual(['arrived', 'completed']);

      const page = await api.notification.list.query();
      const { unread } = await api.notification.markRead.mutate({ ids: page.items.map((n) => n.id) });
      expect(unread).toBe(0);
      await until(async () => events.some((e) => e.data.type === 'unread' && e.data.unread === 0));
    } finally {
      sub.unsubscribe();
      ws.close();
    }
  });

  it('a stranger cannot mark someone else’s notifications read', async () => {
    const { customer: c } = await assignedBooking(svc());
    const page = await until(async () => {
      const p = await httpClient(server, c.token).notification.list.query();
      return p.items.length ? p : null;
    });
    const stranger = await customer(svc());
    await httpClient(server, stranger.token).notification.markRead.mutate({
      ids: page.items.map((n) => n.id),
    });
    expect((await httpClient(server, c.token).notification.list.query()).unread).toBe(page.unread);
  });

  it('a chat message is notified only if the recipient has not read it meanwhile', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const techApi = httpClient(server, t.token);
    const unseen = await httpClient(server, c.token).chat.send.mutate({
      bookingId: booking.id,
      body: 'Hello?',
      clientId: randomUUID(),
    });
    await until(
      async () =>
        (await techApi.notification.list.query()).items.some(
          (n) => n.kind === 'chat' && n.data.messageId === unseen.id,
        ),
      15_000,
    );
    const seen = await httpClient(server, c.token).chat.send.mutate({
      bookingId: booking.id,
      body: 'Are you there?',
      clientId: randomUUID(),
    });
    await techApi.chat.markRead.mutate({ bookingId: booking.id, upTo: seen.id });
    await sleep(3_000);
    const items = (await techApi.notification.list.query()).items;
    expect(items.some((n) => n.kind === 'chat' && n.data.messageId === seen.id)).toBe(false);
  });
});

describe('arriving (ETA under 2 minutes, from tracking)', () => {
  it('the customer is told once: only while the technician is on the way, and not again after a restart', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const told = () =>
      database.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, c.user.id), eq(notifications.kind, 'arriving')));
    // Fixes ahead of the clock (and ingest's clock with them), so they are newer than going online.
    const T = Date.now() + 3_600_000;
    const at = async (on: TestServer, meters: number, minute: number) => {
      const when = T + minute * 60_000;
      const fix = { ...offset(spot, meters), accuracy: 5, recordedAt: new Date(when).toISOString() };
      expect(on.services.tracking.ingest(t.user.id, [fix], when).accepted).toBe(1);
      await on.services.tracking.flush();
    };

    // Next door, but only assigned (not on the way yet): nothing.
    await at(server, 150, 1);
    expect(await told()).toEqual([]);
    await httpClient(server, t.token).booking.advance.mutate({ id: booking.id, to: 'en_route' });
    // On the way and 1.5 km out: nothing yet; 250 m out (about a minute): told.
    await at(server, 1500, 6);
    expect(await told()).toEqual([]);
    await at(server, 250, 11);
    expect((await told()).map((n) => n.data)).toEqual([
      expect.objectContaining({ bookingId: booking.id, technicianName: 'Tech' }),
    ]);
    const api = httpClient(server, c.token);
    const shown = await until(async () =>
      (await api.notification.list.query()).items.find((n) => n.kind === 'arriving'),
    );
    expect(shown).toMatchObject({ title: 'Almost there', url: `/bookings/${booking.id}` });

    // Closer still, here and on a freshly started node (as after a restart): still once.
    await at(server, 100, 12);
    const restarted = await startTestServer(env, { database: keepOpen(database) });
    try {
      await at(restarted, 50, 13);
    } finally {
      await restarted.close();
    }
    expect(await told()).toHaveLength(1);
  });
});

describe('preferences', () => {
  it('defaults, then a switched-off channel is not used', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const prefs = await api.notification.preferences.query();
    expect(prefs.items.find((i) => i.kind === 'offer')!.channels).toEqual({
      push: true,
      sms: false,
      email: false,
    });
    expect(prefs.items.find((i) => i.kind === 'receipt')!.channels.email).toBe(true);
    const after = await api.notification.setPreferences.mutate({
      items: [{ kind: 'assigned', channel: 'push', enabled: false }],
    });
    expect(after.items.find((i) => i.kind === 'assigned')!.channels.push).toBe(false);
  });
});

describe('outbox: a crash between the change and the delivery', () => {
  it('on restart the notification is delivered exactly once', async () => {
    // A server whose worker never runs (as if the process died right after the change committed).
    const dead = await startTestServer(env, { database: keepOpen(database), dispatch: false });
    const c = await customer(dead.services);
    const s = push.subscribe();
    await httpClient(dead, c.token).notification.pushSubscribe.mutate({ endpoint: s.endpoint, keys: s.keys });
    await dead.database.db.transaction((tx) =>
      dead.services.notifications.notify(tx, {
        userId: c.user.id,
        kind: 'refund',
        data: { bookingId: randomUUID(), amount: 1500_00, currency: 'NGN', serviceEn: 'Shoe shine' },
      }),
    );
    await dead.close();

    // The next process (and the running one) take it over; several workers, one delivery.
    const restarted = await startTestServer(env, { database: keepOpen(database) });
    try {
      await until(async () => push.received.some((r) => r.subscription === s.id));
      await Promise.all([restarted.services.notifications.runOnce(), svc().notifications.runOnce()]);
      await sleep(700);
      expect(push.received.filter((r) => r.subscription === s.id)).toHaveLength(1);
      expect(push.received.find((r) => r.subscription === s.id)!.payload.title).toBe('Refund issued');
    } finally {
      await restarted.close();
    }
  });

  it('a delivery claimed by a worker that died mid-send is sent once its lease ends', async () => {
    const c = await customer(svc());
    const s = await subscribed(c.token);
    await database.db.transaction((tx) =>
      svc().notifications.notify(tx, {
        userId: c.user.id,
        kind: 'review_request',
        data: { bookingId: randomUUID() },
      }),
    );
    await until(async () => push.received.some((r) => r.subscription === s.id));
    const [n] = await database.db.select().from(notifications).where(eq(notifications.userId, c.user.id));
    // Marked sent once the push service answered (just after it recorded the message).
    const d = await until(async () => {
      const [row] = await database.db
        .select()
        .from(notificationDeliveries)
        .where(eq(notificationDeliveries.notificationId, n!.id));
      return row?.status === 'sent' ? row : null;
    });
    expect(d).toMatchObject({ channel: 'push', status: 'sent', attempts: 1 });

    // As a worker that claimed it and died before sending leaves it: pending, leased 1 s ahead.
    const before = push.received.filter((r) => r.subscription === s.id).length;
    await database.db
      .update(notificationDeliveries)
      .set({ status: 'pending', sentAt: null, nextAttemptAt: sql`now() + interval '1 second'` })
      .where(eq(notificationDeliveries.id, d!.id));
    await svc().notifications.runOnce();
    expect(push.received.filter((r) => r.subscription === s.id)).toHaveLength(before);
    await until(async () => push.received.filter((r) => r.subscription === s.id).length > before);
    await sleep(700);
    expect(push.received.filter((r) => r.subscription === s.id)).toHaveLength(before + 1);
    const [again] = await database.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.id, d!.id));
    expect(again).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('SMS and e-mail stand-ins', () => {
  it('a verification decision reaches the technician by SMS (Termii for +234) and by e-mail (HTML + text), in Arabic for an Arabic technician', async () => {
    const t = await technician(svc(), uniqueSpot(), { verified: false, online: false, listening: false });
    await approvedApplication(svc(), t.user.id);
    const phone = (await svc().phone.status(t.user.id)).phone!;
    await svc().auth.updateMe(t.user.id, { locale: 'ar' });
    await svc().technicians.setVerification(t.user.id, 'verified', null);
    const text = await until(async () => sms.messages.find((m) => m.to === phone)?.text);
    expect(sms.messages.find((m) => m.to === phone)!.provider).toBe('termii');
    expect(text).toContain('تم توثيق حسابك');
    const mail = await until(async () => smtp.mails.find((m) => m.to.includes(t.user.email)));
    expect(mail.subject).toContain('تم توثيق حسابك');
    expect(mail.text).toContain('/home');
    expect(mail.html).toContain('dir="rtl"');
    expect(mail.messageId).toMatch(/^<fundi-\d+-email@fundi\.app>$/);
  });

  it('a verification decision and its notification commit together, or neither does', async () => {
    const t = await technician(svc(), uniqueSpot(), { verified: false, online: false, listening: false });
    await approvedApplication(svc(), t.user.id);
    // The outbox write fails for this technician: the decision must not stay behind without it.
    const fn = `fail_notify_${t.user.id.replaceAll('-', '')}`;
    await database.db.execute(
      sql.raw(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.user_id = '${t.user.id}' THEN RAISE EXCEPTION 'outbox unavailable'; END IF; RETURN NEW; END $$`),
    );
    await database.db.execute(
      sql.raw(`CREATE TRIGGER ${fn} BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION ${fn}()`),
    );
    try {
      await expect(svc().technicians.setVerification(t.user.id, 'verified', null)).rejects.toThrow();
      expect((await svc().technicians.me(t.user.id)).verification).toBe('pending');
    } finally {
      await database.db.execute(sql.raw(`DROP TRIGGER ${fn} ON notifications`));
      await database.db.execute(sql.raw(`DROP FUNCTION ${fn}()`));
    }
    await svc().technicians.setVerification(t.user.id, 'verified', null);
    expect((await svc().technicians.me(t.user.id)).verification).toBe('verified');
    const told = await database.db.select().from(notifications).where(eq(notifications.userId, t.user.id));
    expect(told.map((n) => [n.kind, n.data.status])).toEqual([['verification', 'verified']]);
  });

  it('a failing SMS provider is retried with backoff, and the message arrives once', async () => {
    const t = await technician(svc(), uniqueSpot(), { verified: false, online: false, listening: false });
    await approvedApplication(svc(), t.user.id);
    const phone = (await svc().phone.status(t.user.id)).phone!;
    sms.failNext(1);
    await svc().technicians.setVerification(t.user.id, 'rejected', 'Blurry photo');
    await until(async () => sms.messages.some((m) => m.to === phone), 10_000);
    await sleep(500);
    expect(sms.messages.filter((m) => m.to === phone)).toHaveLength(1);
  });
});

describe('phone verification (auth.requestPhoneCode / auth.verifyPhone)', () => {
  const codeFor = (phone: string) =>
    until(async () => /\b(\d{6})\b/.exec(sms.messages.filter((m) => m.to === phone).at(-1)?.text ?? '')?.[1]);

  it('a technician cannot go online without a verified phone; a code by SMS verifies it', async () => {
    const t = await technician(svc(), uniqueSpot(), { phone: false, online: false, listening: false });
    const api = httpClient(server, t.token);
    expect(await codeOf(api.technician.setOnline.mutate({ online: true, ...uniqueSpot() }))).toBe(
      'FORBIDDEN',
    );
    const phone = `+20100${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await api.auth.requestPhoneCode.mutate({ phone: phone.replace(/^(\+20)(\d{3})/, '$1 $2 ') });
    const msg = await until(async () => sms.messages.find((m) => m.to === phone));
    expect(msg.provider).toBe('twilio');
    const code = await codeFor(phone);
    expect(
      await codeOf(api.auth.verifyPhone.mutate({ phone, code: code === '000000' ? '000001' : '000000' })),
    ).toBe('BAD_REQUEST');
    expect(await api.auth.verifyPhone.mutate({ phone, code })).toEqual({ verified: true, phone });
    expect((await api.auth.me.query())!.phone).toBe(phone);
    expect((await api.technician.setOnline.mutate({ online: true, ...uniqueSpot() })).online).toBe(true);
    // The code is stored hashed, never as sent.
    const rows = await database.db.select().from(phoneCodes).where(eq(phoneCodes.phone, phone));
    expect(rows.every((r) => !r.codeHash.includes(code))).toBe(true);
  });

  it('5 tries, then the code is dead even when right', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const phone = uniquePhone();
    await api.auth.requestPhoneCode.mutate({ phone });
    const code = await codeFor(phone);
    const wrong = code === '123456' ? '654321' : '123456';
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await codeOf(api.auth.verifyPhone.mutate({ phone, code: wrong })));
    expect(codes).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'TOO_MANY_REQUESTS']);
    expect(await codeOf(api.auth.verifyPhone.mutate({ phone, code }))).toBe('TOO_MANY_REQUESTS');
  });

  it('a code expires after 10 minutes', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const phone = uniquePhone();
    await api.auth.requestPhoneCode.mutate({ phone });
    const code = await codeFor(phone);
    const [row] = await database.db.select().from(phoneCodes).where(eq(phoneCodes.phone, phone));
    expect(Math.abs(row!.expiresAt.getTime() - row!.createdAt.getTime() - 10 * 60_000)).toBeLessThan(2_000);
    await database.db
      .update(phoneCodes)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(phoneCodes.phone, phone));
    expect(await codeOf(api.auth.verifyPhone.mutate({ phone, code }))).toBe('BAD_REQUEST');
  });

  it('rate-limited per number (3 an hour) and per account (5 an hour)', async () => {
    const phone = uniquePhone();
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await customer(svc());
      results.push(await codeOf(httpClient(server, c.token).auth.requestPhoneCode.mutate({ phone })));
    }
    expect(results).toEqual(['OK', 'OK', 'OK', 'TOO_MANY_REQUESTS']);

    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const perAccount: string[] = [];
    for (let i = 0; i < 6; i++)
      perAccount.push(await codeOf(api.auth.requestPhoneCode.mutate({ phone: uniquePhone() })));
    expect(perAccount).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'TOO_MANY_REQUESTS']);
  });

  it('concurrent requests cannot pass the limits (3 per number, 5 per account, whatever the race)', async () => {
    const phone = uniquePhone();
    const callers = await Promise.all(Array.from({ length: 10 }, () => customer(svc())));
    const results = await Promise.all(
      callers.map((c) => codeOf(httpClient(server, c.token).auth.requestPhoneCode.mutate({ phone }))),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(3);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(7);
    expect(await database.db.select().from(phoneCodes).where(eq(phoneCodes.phone, phone))).toHaveLength(3);

    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const perAccount = await Promise.all(
      Array.from({ length: 9 }, () => codeOf(api.auth.requestPhoneCode.mutate({ phone: uniquePhone() }))),
    );
    expect(perAccount.filter((r) => r === 'OK')).toHaveLength(5);
    expect(await database.db.select().from(phoneCodes).where(eq(phoneCodes.userId, c.user.id))).toHaveLength(
      5,
    );
  });

  it('refuses what is not an E.164 number', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    for (const phone of ['08012345678', '+0123456789', '+1', 'call me'])
      expect(await codeOf(api.auth.requestPhoneCode.mutate({ phone }))).toBe('BAD_REQUEST');
  });
});
