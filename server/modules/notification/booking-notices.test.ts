import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingStatusHistory, notifications } from '../../../db/schema';
import {
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  technician,
  transactionsOf,
  uniquePhone,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startSmsStandin } from '../../test/standins/sms';

/*
 * Issue 11 §1-§3 as a booking lives: the other party's phone only while the job is on, a market that asks
 * customers for a verified phone (PHONE_VERIFICATION_MARKETS: the tests' pins count as Lagos), and the
 * notifications a booking's changes queue, rendered in the recipient's language and time zone.
 */
let server: TestServer;
let sms: Awaited<ReturnType<typeof startSmsStandin>>;

beforeAll(async () => {
  sms = await startSmsStandin({ termiiApiKey: 'termii-key', twilioSid: 'AC1', twilioToken: 'tok' });
  server = await startTestServer(
    {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fundi-notices-')),
      PHONE_VERIFICATION_MARKETS: 'lagos',
      NOTIFY_REVIEW_DELAY_MINUTES: '60',
      // Nobody near a fresh spot: unfulfilled at once rather than after two minutes of looking.
      DISPATCH_SEARCH_WINDOW_SECONDS: '0',
      ...sms.env,
    },
    { isolated: true },
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
  await sms?.close();
});
const svc = () => server.services;

/** A customer whose phone is verified (this market asks for one before booking). */
async function verifiedCustomer(name = 'Customer') {
  const c = await customer(svc(), name);
  const phone = uniquePhone();
  await svc().phone.markVerified(c.user.id, phone);
  return { ...c, phone };
}

async function book(c: { user: { id: string }; token: string }, spot: { lat: number; lng: number }) {
  return httpClient(server, c.token).booking.create.mutate({
    serviceId: await serviceId(svc()),
    ...spot,
    address: '4 Broad Street, Lagos Island',
    idempotencyKey: randomUUID(),
  });
}

async function accepted(spot = uniqueSpot(), meters = 1500) {
  const c = await verifiedCustomer();
  const t = await technician(svc(), offset(spot, meters), { name: 'Emeka Obi' });
  const techPhone = (await svc().phone.status(t.user.id)).phone!;
  const b = await book(c, spot);
  await until(async () => {
    try {
      await svc().dispatch.accept(b.id, t.user.id);
      return true;
    } catch {
      return false;
    }
  });
  return { c, t, b, techPhone };
}

/** The recipient's feed entry of this kind, once the worker has rendered it. */
const feedItem = (token: string, kind: string) =>
  until(async () =>
    (await httpClient(server, token).notification.list.query({})).items.find((i) => i.kind === kind),
  );

const rows = (userId: string, kind: string) =>
  svc()
    .database.db.select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind as 'arrived')));

describe('booking.get: the other party’s phone only while the job is on', () => {
  it('null before assignment, both numbers while active, null again once completed', async () => {
    const spot = uniqueSpot();
    const c = await verifiedCustomer();
    const t = await technician(svc(), offset(spot, 1000));
    const techPhone = (await svc().phone.status(t.user.id)).phone!;
    // Offered, not yet accepted: the booking searches, nobody's number is there.
    const b = await book(c, spot);
    await openOfferOf(svc(), b.id);
    const asCustomer = httpClient(server, c.token);
    const searching = await asCustomer.booking.get.query({ id: b.id });
    expect(searching.status).toBe('searching');
    expect(searching.technician).toBeNull();
    expect(searching.customer.phone).toBeNull();
    await until(async () => {
      try {
        await svc().dispatch.accept(b.id, t.user.id);
        return true;
      } catch {
        return false;
      }
    });
    const asTech = httpClient(server, t.token);
    for (const to of [null, 'en_route', 'arrived', 'in_progress'] as const) {
      if (to) await svc().bookings.advance(b.id, t.user, to, { confirmFar: true });
      const seenByCustomer = await asCustomer.booking.get.query({ id: b.id });
      const seenByTech = await asTech.booking.get.query({ id: b.id });
      expect(seenByCustomer.technician?.phone, String(to)).toBe(techPhone);
      expect(seenByTech.customer.phone, String(to)).toBe(c.phone);
    }
    await svc().bookings.advance(b.id, t.user, 'completed');
    const done = await asCustomer.booking.get.query({ id: b.id });
    expect(done.status).toBe('completed');
    expect(done.technician?.phone).toBeNull();
    expect((await asTech.booking.get.query({ id: b.id })).customer.phone).toBeNull();
  });
});

describe('PHONE_VERIFICATION_MARKETS: a customer verifies a phone before the first booking', () => {
  it('refused with the phone-needed error, then books once the number is verified', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    const spot = uniqueSpot();
    const refused = await book(c, spot).catch((e) => e);
    expect(refused.data.code).toBe('FORBIDDEN');
    expect(refused.data.details?.reason ?? refused.data.reason).toBe('phone_unverified');
    expect((await api.booking.list.query({})).items).toHaveLength(0);

    const phone = uniquePhone();
    await api.auth.requestPhoneCode.mutate({ phone });
    const code = await until(
      async () => /\b(\d{6})\b/.exec(sms.messages.filter((m) => m.to === phone).at(-1)?.text ?? '')?.[1],
    );
    await api.auth.verifyPhone.mutate({ phone, code });
    const b = await book(c, spot);
    expect(b.status).toBe('searching');
  });

  it('a market not in the list asks for nothing', async () => {
    const other = await startTestServer({ PHONE_VERIFICATION_MARKETS: 'cairo' }, { dispatch: false });
    try {
      const c = await customer(other.services);
      expect(
        await codeOf(
          other.services.bookings.create(c.user, {
            serviceId: await serviceId(other.services),
            ...uniqueSpot(),
            address: '4 Broad Street, Lagos Island',
            idempotencyKey: randomUUID(),
          }),
        ),
      ).toBe('OK');
    } finally {
      await other.close();
    }
  });
});

describe('what a booking’s changes tell the customer', () => {
  it('arrived: the technician’s name and the address, in English and in Arabic', async () => {
    const { c, t, b } = await accepted();
    await svc().bookings.advance(b.id, t.user, 'en_route');
    await svc().bookings.advance(b.id, t.user, 'arrived', { confirmFar: true });
    const [row] = await until(async () => {
      const r = await rows(c.user.id, 'arrived');
      return r.length ? r : null;
    });
    expect(row!.data).toMatchObject({ bookingId: b.id, technicianName: 'Emeka Obi' });
    const n = await feedItem(c.token, 'arrived');
    expect(n.title).toBe('Your technician has arrived');
    expect(n.body).toBe('Emeka Obi is at 4 Broad Street, Lagos Island.');
    expect(n.url).toContain(b.id);

    await svc().auth.updateMe(c.user.id, { locale: 'ar' });
    const ar = await feedItem(c.token, 'arrived');
    expect(ar.title).toBe('وصل الفنّي');
    expect(ar.body).toBe('Emeka Obi عند 4 Broad Street, Lagos Island.');
  });

  it('unfulfilled: nobody could take it, try again', async () => {
    const c = await verifiedCustomer();
    // Nobody is near this fresh spot, and the search window is 0 here.
    const b = await book(c, uniqueSpot());
    await until(async () => (await svc().bookings.get(b.id, c.user)).status === 'unfulfilled');
    const n = await feedItem(c.token, 'unfulfilled');
    expect(n.title).toBe('No technician available');
    expect(n.body).toBe('Nobody could take your Shoe shine this time. Please try again.');
  });

  it('completion queues a review request for later (NOTIFY_REVIEW_DELAY_MINUTES)', async () => {
    const { c, t, b } = await accepted();
    for (const to of ['en_route', 'arrived', 'in_progress'] as const)
      await svc().bookings.advance(b.id, t.user, to, { confirmFar: true });
    expect(await rows(c.user.id, 'review_request')).toHaveLength(0);
    const before = Date.now();
    await svc().bookings.advance(b.id, t.user, 'completed');
    const [review] = await rows(c.user.id, 'review_request');
    expect(review!.data).toMatchObject({ bookingId: b.id, technicianName: 'Emeka Obi' });
    const due = review!.availableAt.getTime() - before;
    expect(due).toBeGreaterThan(59 * 60_000);
    expect(due).toBeLessThan(61 * 60_000);
    expect(await rows(c.user.id, 'completed')).toHaveLength(1);
  });

  it('a status change writes its notifications in its own statement (issue 18 §2)', async () => {
    const database = svc().database;
    expect(database.driver).toBe('postgres');
    const { c, t, b } = await accepted();
    const transactions = await transactionsOf(svc(), () => svc().bookings.advance(b.id, t.user, 'en_route'));
    const change = transactions.find((sent) => sent.some((q) => /update "bookings"/.test(q)));
    // The technician's own step is one statement that checks itself (no locked read first): the change,
    // its history row and its notification inside it.
    expect(change).toHaveLength(1);
    expect(change![0]).toMatch(/INSERT INTO "notifications"/);
    const [history] = await svc()
      .database.db.select()
      .from(bookingStatusHistory)
      .where(and(eq(bookingStatusHistory.bookingId, b.id), eq(bookingStatusHistory.toStatus, 'en_route')));
    const [row] = await rows(c.user.id, 'en_route');
    expect(row!.dedupeKey).toBe(`booking:${history!.id}:en_route:${c.user.id}`);
    expect(row!.data).toEqual({
      bookingId: b.id,
      serviceEn: 'Shoe shine',
      serviceAr: expect.any(String),
      technicianName: 'Emeka Obi',
    });
    // A change that moved nothing (the same step again) writes nothing.
    expect(await codeOf(svc().bookings.advance(b.id, t.user, 'en_route'))).toBe('CONFLICT');
    expect(await rows(c.user.id, 'en_route')).toHaveLength(1);
  });

  it('a step in one statement tells the same as the general path (arrived with its address, completed with its review request)', async () => {
    // Both arrive with a fresh fix (going online was one). 30 m off: one statement. 1.5 km off: the
    // general path (a locked read, then the change, with the distance in its history); it is refused
    // (ARRIVAL_FAR) and then confirmed, each costing no more than the general path did.
    const judged = await accepted(uniqueSpot(), 1500);
    const step = await accepted(uniqueSpot(), 30);
    for (const [{ b, t }, far] of [
      [judged, true],
      [step, false],
    ] as const) {
      await svc().bookings.advance(b.id, t.user, 'en_route');
      const refused = await transactionsOf(svc(), async () =>
        expect(await codeOf(svc().bookings.advance(b.id, t.user, 'arrived'))).toBe(
          far ? 'ARRIVAL_FAR' : 'OK',
        ),
      );
      // Refused: the step that moved nothing, then the locked read that says why.
      expect(refused[0], far ? 'refused' : 'near: one statement').toHaveLength(far ? 2 : 1);
      if (far) {
        const sent = await transactionsOf(svc(), () =>
          svc().bookings.advance(b.id, t.user, 'arrived', { confirmFar: true }),
        );
        expect(sent[0], 'confirmed').toHaveLength(2);
      }
      const [history] = await svc()
        .database.db.select()
        .from(bookingStatusHistory)
        .where(and(eq(bookingStatusHistory.bookingId, b.id), eq(bookingStatusHistory.toStatus, 'arrived')));
      expect(history!.reason, far ? 'far' : 'near').toEqual(
        far ? expect.stringMatching(/^Arrived 1\.5 km/) : null,
      );
      await svc().bookings.advance(b.id, t.user, 'in_progress');
      await svc().bookings.advance(b.id, t.user, 'completed');
    }
    const told = async ({ c, b }: typeof step) => {
      const mine = await svc()
        .database.db.select()
        .from(notifications)
        .where(eq(notifications.userId, c.user.id));
      return mine
        .map((n) => ({
          kind: n.kind,
          data: { ...(n.data as object), bookingId: (n.data as { bookingId?: string }).bookingId === b.id },
          later: n.availableAt.getTime() - n.createdAt.getTime() > 59 * 60_000,
        }))
        .sort((x, y) => x.kind.localeCompare(y.kind));
    };
    const general = await told(judged);
    expect(general.map((n) => n.kind)).toEqual([
      'arrived',
      'assigned',
      'completed',
      'en_route',
      'review_request',
    ]);
    expect(general.find((n) => n.kind === 'arrived')!.data).toMatchObject({
      address: '4 Broad Street, Lagos Island',
    });
    expect(general.find((n) => n.kind === 'review_request')!.later).toBe(true);
    expect(await told(step)).toEqual(general);
  });

  it('times are written in the recipient’s own time zone', async () => {
    const at = '2026-03-10T12:05:00.000Z';
    const notifyReceipt = async (userId: string) =>
      svc().database.db.transaction((tx) =>
        svc().notifications.notify(tx, {
          userId,
          kind: 'receipt',
          data: { bookingId: randomUUID(), amount: 5000_00, currency: 'NGN', at, serviceEn: 'Shoe shine' },
        }),
      );
    const lagos = await customer(svc());
    const cairo = await customer(svc());
    await svc().auth.updateMe(lagos.user.id, { timeZone: 'Africa/Lagos' });
    await svc().auth.updateMe(cairo.user.id, { timeZone: 'Africa/Cairo' });
    await notifyReceipt(lagos.user.id);
    await notifyReceipt(cairo.user.id);
    const bodyOf = async (token: string) => (await feedItem(token, 'receipt')).body;
    expect(await bodyOf(lagos.token)).toContain('at 13:05'); // UTC+1
    expect(await bodyOf(cairo.token)).toContain('at 14:05'); // UTC+2 (no DST in March)
  });
});
