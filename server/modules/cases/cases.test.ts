import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import {
  auditLog,
  bookingStatusHistory,
  bookings,
  dispatchOffers,
  disputes,
  notifications,
  payments,
} from '../../../db/schema';
import type { MeEvent } from '../../contracts/me';
import {
  assignedBooking,
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  technician,
  uniqueSpot,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';
import { meChannel } from '../me/me.channel';
import { completedBooking } from '../payments/payments.fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CHAT_RATE_LIMIT: '100000' });
});
afterAll(() => server.close());
const svc = () => server.services;
const db = () => server.services.database.db;

async function admin() {
  const email = uniqueEmail('admin');
  const u = await svc().auth.ensureAdmin(email, 'admin password 1');
  const { token, user } = await httpClient(server).auth.signIn.mutate({
    email,
    password: 'admin password 1',
  });
  return { token, user: { id: user.id, role: 'admin' as const }, u };
}

/** The audit rows about `subject` with `action`, newest first. */
const audits = (action: string, subject: string) =>
  db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.subject, subject)))
    .orderBy(desc(auditLog.id));

/** A booking searching with its offer open to a technician who listens (and one more technician nearby). */
async function searchingBooking() {
  const spot = uniqueSpot();
  const a = await technician(svc(), offset(spot, 500), { name: 'Ada Tech' });
  const c = await customer(svc());
  const b = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...spot,
    address: '3 Broad Street, Lagos Island',
    idempotencyKey: randomUUID(),
  });
  const offer = await openOfferOf(svc(), b.id);
  expect(offer.technicianId).toBe(a.user.id);
  return { booking: b, customer: c, a, spot };
}

const details = 'The tap still leaks after the repair was marked done.';

describe('admin.bookings and admin.disputes refuse non-admins', () => {
  it('FORBIDDEN for a customer and a technician on every procedure; UNAUTHORIZED without a session', async () => {
    const c = await customer(svc());
    const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    const id = randomUUID();
    for (const token of [c.token, t.token, undefined]) {
      const api = httpClient(server, token);
      const calls = [
        () => api.admin.bookings.list.query({}),
        () => api.admin.bookings.get.query({ id }),
        () => api.admin.bookings.cancel.mutate({ id, reason: 'testing the door' }),
        () => api.admin.bookings.redispatch.mutate({ id }),
        () => api.admin.bookings.reassign.mutate({ id, technicianId: id }),
        () => api.admin.disputes.list.query({}),
        () => api.admin.disputes.get.query({ id }),
        () => api.admin.disputes.message.mutate({ id, to: 'customer', body: 'hello' }),
        () => api.admin.disputes.resolve.mutate({ id, outcome: 'no_action', note: 'nothing to do' }),
        () => api.admin.disputes.close.mutate({ id }),
      ];
      for (const call of calls) expect(await codeOf(call())).toBe(token ? 'FORBIDDEN' : 'UNAUTHORIZED');
    }
  });
});

describe('the bookings board', () => {
  it('lists with filters, and shows a booking whole with both phone numbers', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await completedBooking(svc());
    const byCustomer = await api.admin.bookings.list.query({ customerId: a.customer.user.id });
    expect(byCustomer.items.map((b) => b.id)).toEqual([a.booking.id]);
    expect(byCustomer.items[0]).toMatchObject({
      status: 'completed',
      technician: { id: a.technician.user.id },
    });
    expect(
      (await api.admin.bookings.list.query({ customerId: a.customer.user.id, status: 'cancelled' })).items,
    ).toEqual([]);
    expect(
      (await api.admin.bookings.list.query({ technicianId: a.technician.user.id, market: 'cairo' })).items,
    ).toEqual([]);
    const later = new Date(Date.now() + 60_000).toISOString();
    expect(
      (await api.admin.bookings.list.query({ customerId: a.customer.user.id, from: later })).items,
    ).toEqual([]);

    const d = await api.admin.bookings.get.query({ id: a.booking.id });
    expect(d.timeline.map((h) => h.to)).toEqual([
      'searching',
      'assigned',
      'en_route',
      'arrived',
      'in_progress',
      'completed',
    ]);
    expect(d.offers.map((o) => [o.technician.id, o.status])).toEqual([[a.technician.user.id, 'accepted']]);
    expect(d.customer.email).toContain('@');
    expect(d.technician?.id).toBe(a.technician.user.id);
    // No case open: the private conversation is not shown, and no read was audited.
    expect(d.chat).toBeNull();
    expect(await audits('chat.read', `booking:${a.booking.id}`)).toHaveLength(0);
  });

  it('cancel: audited in the same transaction, CONFLICT once over', async () => {
    const { token, user } = await admin();
    const api = httpClient(server, token);
    const { booking } = await assignedBooking(svc());
    const cancelled = await api.admin.bookings.cancel.mutate({
      id: booking.id,
      reason: 'Customer called in',
    });
    expect(cancelled.status).toBe('cancelled');
    const [row] = await audits('booking.cancel', `booking:${booking.id}`);
    expect(row).toMatchObject({
      actorId: user.id,
      reason: 'Customer called in',
      before: { status: 'assigned' },
      after: { status: 'cancelled' },
      detail: { from: 'assigned' },
    });
    expect(await codeOf(api.admin.bookings.cancel.mutate({ id: booking.id, reason: 'again' }))).toBe(
      'CONFLICT',
    );
    expect(await audits('booking.cancel', `booking:${booking.id}`)).toHaveLength(1);
    expect(await codeOf(api.admin.bookings.cancel.mutate({ id: randomUUID(), reason: 'nobody' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('redispatch takes an assigned job back to dispatch, which offers it to the next technician', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await assignedBooking(svc());
    const next = await technician(svc(), offset(a.spot, 900), { name: 'Next Tech' });
    const b = await api.admin.bookings.redispatch.mutate({ id: a.booking.id });
    expect(b.status).toBe('searching');
    expect(b.technician).toBeNull();
    expect((await openOfferOf(svc(), a.booking.id)).technicianId).toBe(next.user.id);
    const redispatched = await audits('booking.redispatch', `booking:${a.booking.id}`);
    expect(redispatched).toHaveLength(1);
    expect(redispatched[0]).toMatchObject({
      before: { status: 'assigned', technicianId: a.technician.user.id },
      after: { status: 'searching', technicianId: null },
    });
  });

  it('reassign: to a chosen verified technician, audited; never to one who already has an active job', async () => {
    const { token, user } = await admin();
    const api = httpClient(server, token);
    const a = await assignedBooking(svc());
    const other = await technician(svc(), offset(a.spot, 3000), { name: 'Chosen' });
    const b = await api.admin.bookings.reassign.mutate({ id: a.booking.id, technicianId: other.user.id });
    expect(b).toMatchObject({ status: 'assigned', technician: { id: other.user.id } });
    const history = await db()
      .select()
      .from(bookingStatusHistory)
      .where(eq(bookingStatusHistory.bookingId, a.booking.id))
      .orderBy(asc(bookingStatusHistory.id));
    expect(history.slice(-2).map((h) => [h.fromStatus, h.toStatus, h.actorRole])).toEqual([
      ['assigned', 'searching', 'admin'],
      ['searching', 'assigned', 'admin'],
    ]);
    const [row] = await audits('booking.reassign', `booking:${a.booking.id}`);
    expect(row).toMatchObject({
      actorId: user.id,
      detail: { previousTechnicianId: a.technician.user.id, technicianId: other.user.id },
      before: { status: 'assigned', technicianId: a.technician.user.id },
      after: { status: 'assigned', technicianId: other.user.id },
    });
    // The chosen one is busy now: another booking cannot be given to them too.
    const second = await assignedBooking(svc());
    expect(
      await codeOf(
        api.admin.bookings.reassign.mutate({ id: second.booking.id, technicianId: other.user.id }),
      ),
    ).toBe('CONFLICT');
    // Not a verified technician of the service: NOT_FOUND.
    const unverified = await technician(svc(), uniqueSpot(), { verified: false, online: false });
    expect(
      await codeOf(
        api.admin.bookings.reassign.mutate({ id: second.booking.id, technicianId: unverified.user.id }),
      ),
    ).toBe('NOT_FOUND');
    expect(await audits('booking.reassign', `booking:${second.booking.id}`)).toHaveLength(0);
  });

  it('reassign refuses a suspended, banned or deleted technician (CONFLICT, saying which), and writes nothing', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await assignedBooking(svc());
    const [suspended, banned, deleted] = await Promise.all(
      ['Suspended', 'Banned', 'Deleted'].map((name) =>
        technician(svc(), offset(a.spot, 2500), { name, online: false, listening: false }),
      ),
    );
    await api.admin.users.suspend.mutate({ id: suspended!.user.id, reason: 'Documents under review' });
    await api.admin.users.ban.mutate({ id: banned!.user.id, reason: 'Fraud' });
    await api.admin.users.delete.mutate({ id: deleted!.user.id, reason: 'Asked to be forgotten' });
    for (const [t, standing] of [
      [suspended!, 'suspended'],
      [banned!, 'banned'],
      [deleted!, 'deleted'],
    ] as const) {
      const err = await api.admin.bookings.reassign
        .mutate({ id: a.booking.id, technicianId: t.user.id })
        .then(
          () => null,
          (e: { data?: { code?: string; details?: unknown } }) => e.data,
        );
      expect(err).toMatchObject({ code: 'CONFLICT', details: { standing } });
    }
    const [row] = await db().select().from(bookings).where(eq(bookings.id, a.booking.id));
    expect(row).toMatchObject({ status: 'assigned', technicianId: a.technician.user.id });
    expect(await audits('booking.reassign', `booking:${a.booking.id}`)).toHaveLength(0);
    // Once the suspension is lifted, they can be given the job.
    await api.admin.users.unban.mutate({ id: suspended!.user.id });
    const b = await api.admin.bookings.reassign.mutate({
      id: a.booking.id,
      technicianId: suspended!.user.id,
    });
    expect(b).toMatchObject({ status: 'assigned', technician: { id: suspended!.user.id } });
  });

  it('eligible technicians: verified, offering the service, in good standing, nearest first, by name', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await assignedBooking(svc());
    const tag = randomUUID().slice(0, 8);
    const near = await technician(svc(), offset(a.spot, 500), { name: `Near ${tag}` });
    const far = await technician(svc(), offset(a.spot, 6000), { name: `Far ${tag}` });
    const otherService = await technician(svc(), offset(a.spot, 300), {
      name: `Plumber ${tag}`,
      slugs: ['leak-repair'],
    });
    const unverified = await technician(svc(), offset(a.spot, 300), {
      name: `Unverified ${tag}`,
      verified: false,
      online: false,
    });
    const suspended = await technician(svc(), offset(a.spot, 300), { name: `Suspended ${tag}` });
    await api.admin.users.suspend.mutate({ id: suspended.user.id, reason: 'Checking documents' });

    const found = await api.admin.bookings.eligible.query({ id: a.booking.id, q: tag });
    expect(found.map((x) => x.id)).toEqual([near.user.id, far.user.id]);
    // An on-demand job: nobody is marked unavailable by a calendar.
    expect(found[0]).toMatchObject({ name: `Near ${tag}`, online: true, busy: false, unavailable: null });
    expect(found[0]!.distanceMeters).toBeGreaterThan(400);
    expect(found[0]!.distanceMeters).toBeLessThan(600);
    for (const t of [otherService, unverified, suspended])
      expect(found.some((x) => x.id === t.user.id)).toBe(false);
    // By name; the booking's own technician is never offered to itself.
    expect(
      (await api.admin.bookings.eligible.query({ id: a.booking.id, q: `Far ${tag}` })).map((x) => x.id),
    ).toEqual([far.user.id]);
    const all = await api.admin.bookings.eligible.query({ id: a.booking.id });
    expect(all.some((x) => x.id === a.technician.user.id)).toBe(false);
    expect(await codeOf(api.admin.bookings.eligible.query({ id: randomUUID() }))).toBe('NOT_FOUND');
  });

  it('reassign of a scheduled job reserves the new technician’s time (time off checked); a slot held for another goes', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const spot = uniqueSpot();
    const d = new Date();
    // 10:00 in Lagos two days from now: dispatch leaves it alone except for the chosen technician.
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 2, 9, 0);
    const chosen = await technician(svc(), offset(spot, 1000), { name: 'Chosen' });
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '14 Awolowo Road, Ikoyi',
      scheduledFor: new Date(start).toISOString(),
      technicianId: chosen.user.id,
      fallbackToNearest: false,
      idempotencyKey: randomUUID(),
    });
    const reservation = async () =>
      (
        await queryRows<{
          reserved_for: string | null;
          reserved_from: Date | string | null;
          reserved_to: Date | string | null;
        }>(db(), sql`SELECT reserved_for, reserved_from, reserved_to FROM bookings WHERE id = ${b.id}`)
      )[0]!;
    expect((await reservation()).reserved_for).toBe(chosen.user.id);

    // Off at that time: refused with the schedule's reason, nothing changed.
    const away = await technician(svc(), offset(spot, 1500), { name: 'Away' });
    await svc().schedule.addTimeOff(away.user.id, {
      startsAt: new Date(start - 3600_000).toISOString(),
      endsAt: new Date(start + 3600_000).toISOString(),
    });
    const refused = await api.admin.bookings.reassign.mutate({ id: b.id, technicianId: away.user.id }).then(
      () => null,
      (e: { data?: unknown }) => e.data,
    );
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'SLOT_UNAVAILABLE', why: 'time_off' },
    });
    expect((await reservation()).reserved_for).toBe(chosen.user.id);

    // The picker says so before anyone tries: off then, listed after those free at the job's time (the
    // slot held for the chosen one does not count against them).
    const other = await technician(svc(), offset(spot, 2000), { name: 'Other' });
    const picker = await api.admin.bookings.eligible.query({ id: b.id });
    const at = (id: string) => picker.findIndex((x) => x.id === id);
    expect(picker[at(away.user.id)]).toMatchObject({ unavailable: 'time_off' });
    expect(picker[at(other.user.id)]).toMatchObject({ unavailable: null });
    expect(picker[at(chosen.user.id)]).toMatchObject({ unavailable: null });
    expect(at(away.user.id)).toBeGreaterThan(at(other.user.id));
    expect(at(away.user.id)).toBeGreaterThan(at(chosen.user.id));

    // Free then: assigned, and the time is now reserved for them (the chosen one's hold is gone).
    const done = await api.admin.bookings.reassign.mutate({ id: b.id, technicianId: other.user.id });
    expect(done).toMatchObject({ status: 'assigned', technician: { id: other.user.id } });
    const r = await reservation();
    expect(r.reserved_for).toBe(other.user.id);
    expect(new Date(r.reserved_from!).getTime()).toBeLessThanOrEqual(start);
    expect(new Date(r.reserved_to!).getTime()).toBeGreaterThan(start);
  });

  it('reassign racing the accept of the open offer: one technician ends up with the job, exactly once', async () => {
    const { user } = await admin();
    for (let round = 0; round < 6; round++) {
      const { booking, a } = await searchingBooking();
      const b = await technician(svc(), uniqueSpot(), { name: 'Chosen', online: false, listening: false });
      const [accepted, reassigned] = await Promise.all([
        codeOf(svc().dispatch.accept(booking.id, a.user.id)),
        codeOf(svc().adminBookings.reassign(user, { id: booking.id, technicianId: b.user.id })),
      ]);
      expect(reassigned).toBe('OK');
      expect(['OK', 'CONFLICT']).toContain(accepted);
      const [row] = await db().select().from(bookings).where(eq(bookings.id, booking.id));
      expect(row).toMatchObject({ status: 'assigned', technicianId: b.user.id });
      const history = await db()
        .select()
        .from(bookingStatusHistory)
        .where(eq(bookingStatusHistory.bookingId, booking.id))
        .orderBy(asc(bookingStatusHistory.id));
      const assignedTo = history.filter((h) => h.toStatus === 'assigned').map((h) => h.actorRole);
      // Accepted first: A held it, the admin took it back and gave it to B. Else: only the admin's.
      expect(assignedTo).toEqual(accepted === 'OK' ? ['technician', 'admin'] : ['admin']);
      // No offer stays open on an assigned booking.
      const open = await db()
        .select()
        .from(dispatchOffers)
        .where(and(eq(dispatchOffers.bookingId, booking.id), eq(dispatchOffers.status, 'offered')));
      expect(open).toEqual([]);
    }
  });

  it('two bookings reassigned at once to the same technician: exactly one gets them', async () => {
    const { user } = await admin();
    for (let round = 0; round < 4; round++) {
      const [x, y] = await Promise.all([assignedBooking(svc()), assignedBooking(svc())]);
      const t = await technician(svc(), uniqueSpot(), { online: false, listening: false });
      const codes = await Promise.all(
        [x, y].map((v) =>
          codeOf(svc().adminBookings.reassign(user, { id: v.booking.id, technicianId: t.user.id })),
        ),
      );
      expect(codes.sort()).toEqual(['CONFLICT', 'OK']);
      const held = await db().select().from(bookings).where(eq(bookings.technicianId, t.user.id));
      expect(held).toHaveLength(1);
    }
  });
});

describe('disputes', () => {
  it('strangers get NOT_FOUND; the parties see their own side', async () => {
    const a = await completedBooking(svc());
    const asCustomer = httpClient(server, a.customer.token);
    const opened = await asCustomer.dispute.open.mutate({
      bookingId: a.booking.id,
      reason: 'poor_quality',
      details,
    });
    expect(opened).toMatchObject({ status: 'open', as: 'customer', details });
    expect((await asCustomer.booking.get.query({ id: a.booking.id })).status).toBe('disputed');
    const openRows = await audits('dispute.open', `dispute:${opened.id}`);
    expect(openRows).toHaveLength(1);
    expect(openRows[0]).toMatchObject({
      reason: 'poor_quality',
      before: { bookingStatus: 'completed' },
      after: { status: 'open', bookingStatus: 'disputed' },
    });

    const stranger = await customer(svc());
    const otherTech = await technician(svc(), uniqueSpot(), { online: false, listening: false });
    for (const token of [stranger.token, otherTech.token]) {
      const api = httpClient(server, token);
      expect(await codeOf(api.dispute.get.query({ id: opened.id }))).toBe('NOT_FOUND');
      expect(await codeOf(api.dispute.forBooking.query({ bookingId: a.booking.id }))).toBe('NOT_FOUND');
      expect(await codeOf(api.dispute.message.mutate({ id: opened.id, body: 'let me in' }))).toBe(
        'NOT_FOUND',
      );
    }
    expect(await codeOf(httpClient(server, stranger.token).dispute.get.query({ id: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(
        httpClient(server, otherTech.token).dispute.reportCustomer.mutate({
          bookingId: a.booking.id,
          reason: 'abusive',
          details,
        }),
      ),
    ).toBe('NOT_FOUND');
    // The technician sees the case, not the customer's details.
    const asTech = await httpClient(server, a.technician.token).dispute.forBooking.query({
      bookingId: a.booking.id,
    });
    expect(asTech).toMatchObject({ id: opened.id, as: 'technician', details: null });
  });

  it('one open case per booking: a customer’s dispute racing a technician’s report leaves exactly one', async () => {
    for (let round = 0; round < 6; round++) {
      const a = await completedBooking(svc());
      const codes = await Promise.all([
        codeOf(svc().disputes.open(a.customer.user, { bookingId: a.booking.id, reason: 'damage', details })),
        codeOf(
          svc().disputes.reportCustomer(a.technician.user, {
            bookingId: a.booking.id,
            reason: 'abusive',
            details,
          }),
        ),
        codeOf(
          svc().disputes.reportCustomer(a.technician.user, {
            bookingId: a.booking.id,
            reason: 'other',
            details,
          }),
        ),
      ]);
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c === 'CONFLICT')).toHaveLength(2);
      const rows = await db().select().from(disputes).where(eq(disputes.bookingId, a.booking.id));
      expect(rows).toHaveLength(1);
      // The booking is disputed only if the customer's case is the one that opened.
      const [b] = await db().select().from(bookings).where(eq(bookings.id, a.booking.id));
      expect(b!.status).toBe(rows[0]!.kind === 'customer_dispute' ? 'disputed' : 'completed');
    }
  });

  it('the database refuses a second open case even without the service', async () => {
    const a = await completedBooking(svc());
    await svc().disputes.reportCustomer(a.technician.user, {
      bookingId: a.booking.id,
      reason: 'abusive',
      details,
    });
    await expect(
      db().insert(disputes).values({
        bookingId: a.booking.id,
        kind: 'customer_dispute',
        openedBy: a.customer.user.id,
        reason: 'other',
        details,
      }),
    ).rejects.toThrow();
  });

  it('an admin handles a case: evidence (chat read audited), messages per party, partial refund, close', async () => {
    const { token, user } = await admin();
    const api = httpClient(server, token);
    const a = await completedBooking(svc());
    const total = a.booking.price.total.amount;
    await svc().payments.confirmCash(a.technician.user, { bookingId: a.booking.id, amount: total });
    await svc()
      .chat.send(a.customer.user, { bookingId: a.booking.id, body: 'Are you close?', clientId: randomUUID() })
      .catch(() => undefined);
    const asCustomer = httpClient(server, a.customer.token);
    const asTech = httpClient(server, a.technician.token);
    const opened = await asCustomer.dispute.open.mutate({
      bookingId: a.booking.id,
      reason: 'not_done',
      details,
    });

    const seen: MeEvent[] = [];
    const offC = svc().bus.on<MeEvent>(meChannel(a.customer.user.id), (e) => seen.push(e));
    const queue = await api.admin.disputes.list.query({ status: 'open' });
    expect(queue.items.some((i) => i.id === opened.id)).toBe(true);
    const kase = await api.admin.disputes.get.query({ id: opened.id });
    expect(kase.booking.chat).not.toBeNull();
    expect(kase.refundable).toEqual({ amount: total, currency: a.booking.price.total.currency });
    expect(await audits('chat.read', `booking:${a.booking.id}`)).toHaveLength(1);

    await api.admin.disputes.message.mutate({ id: opened.id, to: 'customer', body: 'Which tap is it?' });
    await api.admin.disputes.message.mutate({ id: opened.id, to: 'technician', body: 'Did you test it?' });
    await asCustomer.dispute.message.mutate({ id: opened.id, body: 'The kitchen one.' });
    await asTech.dispute.message.mutate({ id: opened.id, body: 'It held when I left.' });
    const cv = await asCustomer.dispute.get.query({ id: opened.id });
    expect(cv.messages.map((m) => m.body)).toEqual(['Which tap is it?', 'The kitchen one.']);
    const tv = await asTech.dispute.get.query({ id: opened.id });
    expect(tv.messages.map((m) => m.body)).toEqual(['Did you test it?', 'It held when I left.']);
    expect((await api.admin.disputes.get.query({ id: opened.id })).messages).toHaveLength(4);
    expect(await audits('dispute.message', `dispute:${opened.id}`)).toHaveLength(4);

    // Too much: refused before anything is decided.
    expect(
      await codeOf(
        api.admin.disputes.resolve.mutate({
          id: opened.id,
          outcome: 'partial_refund',
          refundAmount: total + 1,
          note: 'x too much',
        }),
      ),
    ).toBe('CONFLICT');
    const half = Math.floor(total / 2);
    // Two admins at once: one decides, one refund.
    const results = await Promise.all([
      codeOf(
        api.admin.disputes.resolve.mutate({
          id: opened.id,
          outcome: 'partial_refund',
          refundAmount: half,
          note: 'Half back for the leak',
        }),
      ),
      codeOf(
        api.admin.disputes.resolve.mutate({
          id: opened.id,
          outcome: 'partial_refund',
          refundAmount: half,
          note: 'Half back for the leak',
        }),
      ),
    ]);
    expect(results.sort()).toEqual(['CONFLICT', 'OK']);
    const [pay] = await db().select().from(payments).where(eq(payments.bookingId, a.booking.id));
    expect(pay).toMatchObject({ refundedAmount: half, status: 'partially_refunded' });
    const resolveRows = await audits('dispute.resolve', `dispute:${opened.id}`);
    expect(resolveRows).toHaveLength(1);
    expect(resolveRows[0]).toMatchObject({
      reason: 'Half back for the leak',
      before: { status: 'open', outcome: null },
      after: { status: 'resolved', outcome: 'partial_refund', refundAmount: half },
    });
    expect(await audits('dispute.refund', `dispute:${opened.id}`)).toHaveLength(1);
    // Told once the refund was recorded: both parties, with the amount.
    const told = (
      await db().select().from(notifications).where(eq(notifications.kind, 'dispute_outcome'))
    ).filter((n) => (n.data as { disputeId?: string }).disputeId === opened.id);
    expect(told).toHaveLength(2);
    expect(told[0]!.data).toMatchObject({ outcome: 'partial_refund', refundAmount: half });

    const outcome = await asCustomer.dispute.get.query({ id: opened.id });
    expect(outcome).toMatchObject({
      status: 'resolved',
      outcome: 'partial_refund',
      outcomeNote: 'Half back for the leak',
      refund: { amount: half },
    });
    expect(seen.some((e) => e.type === 'dispute' && e.status === 'resolved')).toBe(true);

    const closed = await api.admin.disputes.close.mutate({ id: opened.id });
    expect(closed.status).toBe('closed');
    expect(await codeOf(api.admin.disputes.close.mutate({ id: opened.id }))).toBe('CONFLICT');
    expect(await codeOf(asCustomer.dispute.message.mutate({ id: opened.id, body: 'one more' }))).toBe(
      'CONFLICT',
    );
    const [closing] = await audits('dispute.close', `dispute:${opened.id}`);
    expect(closing).toMatchObject({
      actorId: user.id,
      before: { status: 'resolved', outcome: 'partial_refund' },
      after: { status: 'closed', outcome: 'partial_refund' },
    });
    expect((await asTech.dispute.get.query({ id: opened.id })).status).toBe('closed');
    offC();
    // Closed: the chat is private again.
    expect((await api.admin.bookings.get.query({ id: a.booking.id })).chat).toBeNull();
  });

  it('a technician’s report ends in a customer warning, seen by both', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await completedBooking(svc());
    const report = await httpClient(server, a.technician.token).dispute.reportCustomer.mutate({
      bookingId: a.booking.id,
      reason: 'abusive',
      details: 'Shouted at me and refused to let me leave the flat.',
    });
    expect(
      await codeOf(
        api.admin.disputes.resolve.mutate({ id: report.id, outcome: 'full_refund', note: 'refund please' }),
      ),
    ).toBe('CONFLICT');
    await api.admin.disputes.resolve.mutate({
      id: report.id,
      outcome: 'customer_warning',
      note: 'Warned the customer',
    });
    const c = await httpClient(server, a.customer.token).dispute.forBooking.query({
      bookingId: a.booking.id,
    });
    expect(c).toMatchObject({ outcome: 'customer_warning', as: 'customer', details: null });

    // Both parties are notified of the outcome (committed with the decision), each once.
    const told = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.kind, 'dispute_outcome'))
      .then((rows) => rows.filter((n) => (n.data as { disputeId?: string }).disputeId === report.id));
    expect(told.map((n) => n.userId).sort()).toEqual([a.customer.user.id, a.technician.user.id].sort());
    expect(told[0]!.data).toMatchObject({ outcome: 'customer_warning', note: 'Warned the customer' });

    // Both user pages show the case from their side, and the customer's page counts the warning.
    const ofCustomer = await api.admin.users.get.query({ id: a.customer.user.id });
    expect(ofCustomer.disputes).toEqual([
      expect.objectContaining({
        id: report.id,
        bookingId: a.booking.id,
        kind: 'customer_report',
        as: 'customer',
        reason: 'abusive',
        status: 'resolved',
        outcome: 'customer_warning',
      }),
    ]);
    expect(ofCustomer.outcomes).toEqual({ technicianPenalties: 0, customerWarnings: 1 });
    const ofTechnician = await api.admin.users.get.query({ id: a.technician.user.id });
    expect(ofTechnician.disputes).toEqual([
      expect.objectContaining({ id: report.id, as: 'technician', kind: 'customer_report' }),
    ]);
    // A warning for the customer is not a penalty for the technician.
    expect(ofTechnician.outcomes).toEqual({ technicianPenalties: 0, customerWarnings: 0 });
  });

  it('a customer’s dispute ending in a technician penalty shows on the technician’s page', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await completedBooking(svc());
    const opened = await httpClient(server, a.customer.token).dispute.open.mutate({
      bookingId: a.booking.id,
      reason: 'no_show',
      details,
    });
    await api.admin.disputes.resolve.mutate({
      id: opened.id,
      outcome: 'technician_penalty',
      note: 'Penalised for not coming',
    });
    const ofTechnician = await api.admin.users.get.query({ id: a.technician.user.id });
    expect(ofTechnician.disputes).toEqual([
      expect.objectContaining({
        id: opened.id,
        kind: 'customer_dispute',
        as: 'technician',
        reason: 'no_show',
        outcome: 'technician_penalty',
      }),
    ]);
    expect(ofTechnician.outcomes).toEqual({ technicianPenalties: 1, customerWarnings: 0 });
    const ofCustomer = await api.admin.users.get.query({ id: a.customer.user.id });
    expect(ofCustomer.disputes[0]).toMatchObject({ id: opened.id, as: 'customer' });
    expect(ofCustomer.outcomes).toEqual({ technicianPenalties: 0, customerWarnings: 0 });
  });
});

describe('keyset cursors', () => {
  /** Every page of a list, following `nextCursor` (at most 50 pages). */
  async function allPages<T extends { id: string }>(
    page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  ) {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const p = await page(cursor);
      ids.push(...p.items.map((x) => x.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    return ids;
  }

  it('rows created within one millisecond page without skips or repeats (board and disputes queue)', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const a = await completedBooking(svc());
    // Five copies of the booking, created 1 µs apart inside one millisecond (a JS Date cannot tell them
    // apart), in the future so that they head the disputes queue too.
    const copies = await queryRows<{ id: string }>(
      db(),
      sql`INSERT INTO bookings
          SELECT (jsonb_populate_record(NULL::bookings, to_jsonb(b) || jsonb_build_object(
            'id', gen_random_uuid(), 'idempotency_key', gen_random_uuid()::text,
            'created_at', '2031-03-04T05:06:07.123Z'::timestamptz + make_interval(secs => n / 1000000.0)))).*
          FROM bookings b, generate_series(1, 5) n WHERE b.id = ${a.booking.id}
          RETURNING id`,
    );
    expect(copies).toHaveLength(5);
    const expected = await db()
      .select({ id: bookings.id })
      .from(bookings)
      .where(eq(bookings.customerId, a.customer.user.id))
      .orderBy(desc(bookings.createdAt), desc(bookings.id));
    expect(expected).toHaveLength(6);
    for (const limit of [1, 2, 4]) {
      const ids = await allPages((cursor) =>
        api.admin.bookings.list.query({ customerId: a.customer.user.id, limit, cursor }),
      );
      expect(ids).toEqual(expected.map((b) => b.id));
    }

    // A closed case on each copy, again within one millisecond.
    await queryRows(
      db(),
      sql`INSERT INTO disputes (booking_id, kind, opened_by, reason, details, status, outcome, created_at)
          SELECT b.id, 'customer_dispute', b.customer_id, 'other', 'cursor test case', 'closed', 'no_action',
                 b.created_at + interval '1 year'
          FROM bookings b WHERE b.id IN (${sql.join(
            copies.map((c) => sql`${c.id}::uuid`),
            sql`, `,
          )})`,
    );
    const cases = await db()
      .select({ id: disputes.id })
      .from(disputes)
      .where(eq(disputes.status, 'closed'))
      .orderBy(desc(disputes.createdAt), desc(disputes.id));
    for (const limit of [1, 2, 3]) {
      const ids = await allPages((cursor) =>
        api.admin.disputes.list.query({ status: 'closed', limit, cursor }),
      );
      expect(ids).toEqual(cases.map((c) => c.id));
    }
  });

  it('a cursor is checked: microseconds or milliseconds, nothing else', async () => {
    const { token } = await admin();
    const api = httpClient(server, token);
    const id = randomUUID();
    const cursor = (s: string) => Buffer.from(s).toString('base64url');
    for (const ok of [`2031-03-04T05:06:07.123Z|${id}`, `2031-03-04T05:06:07.123456Z|${id}`])
      expect(await codeOf(api.admin.bookings.list.query({ cursor: cursor(ok) }))).toBe('OK');
    for (const bad of [
      `2031-03-04T05:06:07.1234Z|${id}`,
      `2031-02-30T05:06:07.123456Z|${id}`,
      `2031-03-04T05:06:07Z|${id}`,
      `2031-03-04T05:06:07.123456Z|not-a-uuid`,
    ])
      expect(await codeOf(api.admin.bookings.list.query({ cursor: cursor(bad) }))).toBe('BAD_REQUEST');
  });
});
