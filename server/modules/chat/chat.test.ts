import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, bookings, chatMessages } from '../../../db/schema';
import { CHAT_MASK, type ChatEvent, type ChatMessage } from '../../contracts/chat';
import { createRateLimiter } from '../../lib/rate-limit';
import {
  assignedBooking,
  codeOf,
  customer,
  offset,
  serviceId,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail, wsClient } from '../../test/harness';
import { maskContacts } from './chat.mask';
import { createChatService } from './chat.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CHAT_RATE_LIMIT: '100000' });
});
afterAll(() => server.close());
const svc = () => server.services;

type Ws = ReturnType<typeof wsClient>;
type Tracked = { id: string; data: ChatEvent };

/** A `chat.stream` over the WebSocket, recording every event; resolves once the server is listening. */
async function watch(ws: Ws, bookingId: string, lastEventId?: string) {
  const events: Tracked[] = [];
  const errors: string[] = [];
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const sub = ws.client.chat.stream.subscribe(
    { bookingId, lastEventId },
    {
      onData: (e) => {
        events.push(e as Tracked);
        // The first event, `state`, is sent once the server listens and before the backlog.
        if ((e as Tracked).data.type === 'state') started();
      },
      onError: (e) => {
        errors.push((e.data as { code: string } | undefined)?.code ?? e.message);
        started();
      },
    },
  );
  await ready;
  const messages = () =>
    events.flatMap((e) => (e.data.type === 'message' ? [{ ...e.data.message, eventId: e.id }] : []));
  return { events, errors, messages, stop: () => sub.unsubscribe() };
}

const send = (token: string, bookingId: string, body: string, clientId: string = randomUUID()) =>
  httpClient(server, token).chat.send.mutate({ bookingId, body, clientId });

async function admin() {
  const email = uniqueEmail('admin');
  await svc().auth.ensureAdmin(email, 'admin password 1');
  return (await httpClient(server).auth.signIn.mutate({ email, password: 'admin password 1' })).token;
}

async function complete(bookingId: string, technicianId: string) {
  const tech = { id: technicianId, role: 'technician' as const };
  for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
    await svc().bookings.advance(bookingId, tech, to, { confirmFar: true });
}

describe('chat between the two sides of a booking', () => {
  it('delivers both ways over the WebSocket, with delivered and read receipts', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const cws = wsClient(server, c.token);
    const tws = wsClient(server, t.token);
    try {
      const cs = await watch(cws, booking.id);
      const ts = await watch(tws, booking.id);
      expect(cs.events[0]!.data).toMatchObject({
        type: 'state',
        state: { as: 'customer', canSend: true, contactsVisible: true, closesAt: null },
      });
      expect(ts.events[0]!.data).toMatchObject({ type: 'state', state: { as: 'technician', canSend: true } });

      const hello = await send(c.token, booking.id, '  Hello, the gate is blue  ');
      expect(hello).toMatchObject({
        body: 'Hello, the gate is blue',
        sender: { id: c.user.id, role: 'customer' },
        masked: false,
      });
      const reply = await tws.client.chat.send.mutate({
        bookingId: booking.id,
        body: "I'm outside",
        clientId: randomUUID(),
      });
      expect(reply.sender).toEqual({ id: t.user.id, role: 'technician' });

      for (const s of [cs, ts]) {
        await until(async () => s.messages().length === 2);
        expect(s.messages().map((m) => m.body)).toEqual(['Hello, the gate is blue', "I'm outside"]);
        // Each event is tracked by its message id.
        expect(s.messages().map((m) => m.eventId)).toEqual([hello.id, reply.id]);
      }

      // The technician's stream handed the customer's message over: the customer sees "delivered".
      await until(async () =>
        cs.events.some(
          (e) =>
            e.data.type === 'receipt' &&
            e.data.receipt.userId === t.user.id &&
            e.data.receipt.deliveredUpTo !== null &&
            BigInt(e.data.receipt.deliveredUpTo) >= BigInt(hello.id),
        ),
      );
      // Then "read".
      const receipt = await httpClient(server, t.token).chat.markRead.mutate({
        bookingId: booking.id,
        upTo: reply.id,
      });
      expect(receipt).toMatchObject({ userId: t.user.id, readUpTo: reply.id });
      await until(async () =>
        cs.events.some(
          (e) =>
            e.data.type === 'receipt' &&
            e.data.receipt.userId === t.user.id &&
            e.data.receipt.readUpTo === reply.id,
        ),
      );
      // Markers never move back.
      const again = await httpClient(server, t.token).chat.markRead.mutate({
        bookingId: booking.id,
        upTo: hello.id,
      });
      expect(again.readUpTo).toBe(reply.id);

      // chat.list: newest first, unread counts the other side's messages after the read marker.
      const asCustomer = await httpClient(server, c.token).chat.list.query({ bookingId: booking.id });
      expect(asCustomer.items.map((m) => m.body)).toEqual(["I'm outside", 'Hello, the gate is blue']);
      expect(asCustomer.unread).toBe(1);
      expect(asCustomer.state.receipts.find((r) => r.userId === t.user.id)?.readUpTo).toBe(reply.id);
      const asTech = await httpClient(server, t.token).chat.list.query({ bookingId: booking.id });
      expect(asTech.unread).toBe(0);
      expect(cs.errors).toEqual([]);
      expect(ts.errors).toEqual([]);
      cs.stop();
      ts.stop();
    } finally {
      cws.close();
      tws.close();
    }
  });

  it('pages back through older messages with the cursor', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    for (let i = 1; i <= 7; i++) await send(c.token, booking.id, `m${i}`);
    const api = httpClient(server, c.token).chat.list;
    const first = await api.query({ bookingId: booking.id, limit: 3 });
    expect(first.items.map((m) => m.body)).toEqual(['m7', 'm6', 'm5']);
    const second = await api.query({ bookingId: booking.id, limit: 3, cursor: first.nextCursor });
    expect(second.items.map((m) => m.body)).toEqual(['m4', 'm3', 'm2']);
    const third = await api.query({ bookingId: booking.id, limit: 3, cursor: second.nextCursor });
    expect(third.items.map((m) => m.body)).toEqual(['m1']);
    expect(third.nextCursor).toBeNull();
  });
});

describe('who may see a conversation', () => {
  it('gives strangers NOT_FOUND on every procedure, over HTTP and the WebSocket', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    await send(c.token, booking.id, 'private');
    const strangers = [
      (await customer(svc(), 'Stranger')).token,
      (await technician(svc(), uniqueSpot())).token,
    ];
    const missing = randomUUID();
    for (const token of strangers) {
      const api = httpClient(server, token);
      for (const bookingId of [booking.id, missing]) {
        const codes = await Promise.all([
          codeOf(api.chat.send.mutate({ bookingId, body: 'hi', clientId: randomUUID() })),
          codeOf(api.chat.list.query({ bookingId })),
          codeOf(api.chat.markRead.mutate({ bookingId, upTo: '1' })),
        ]);
        expect(codes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
        const ws = wsClient(server, token);
        try {
          const s = await watch(ws, bookingId);
          expect(s.errors).toEqual(['NOT_FOUND']);
          expect(s.events).toEqual([]);
        } finally {
          ws.close();
        }
      }
    }
    expect(await codeOf(httpClient(server).chat.list.query({ bookingId: booking.id }))).toBe('UNAUTHORIZED');
  });

  it('lets an admin read only a disputed booking, read-only, and writes each read to the audit log', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    await send(c.token, booking.id, 'Call me on 0803 123 4567');
    const token = await admin();
    const api = httpClient(server, token);
    expect(await codeOf(api.chat.list.query({ bookingId: booking.id }))).toBe('FORBIDDEN');

    await complete(booking.id, t.user.id);
    await svc().bookings.dispute(booking.id, c.user, 'The shoes are still dirty');
    const page = await api.chat.list.query({ bookingId: booking.id });
    expect(page.state).toMatchObject({ as: 'admin', canSend: false, contactsVisible: false });
    expect(page.items[0]).toMatchObject({ body: `Call me on ${CHAT_MASK}`, masked: true });
    expect(
      await codeOf(api.chat.send.mutate({ bookingId: booking.id, body: 'hi', clientId: randomUUID() })),
    ).toBe('FORBIDDEN');
    expect(await codeOf(api.chat.markRead.mutate({ bookingId: booking.id, upTo: page.items[0]!.id }))).toBe(
      'FORBIDDEN',
    );
    const ws = wsClient(server, token);
    try {
      const s = await watch(ws, booking.id);
      await until(async () => s.messages().length === 1);
      expect(s.messages()[0]!.masked).toBe(true);
      s.stop();
    } finally {
      ws.close();
    }
    const me = await api.auth.me.query();
    const rows = await svc()
      .database.db.select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, `booking:${booking.id}`), eq(auditLog.action, 'chat.read')))
      .orderBy(asc(auditLog.id));
    expect(rows.map((r) => [r.actorId, r.detail?.via])).toEqual([
      [me!.id, 'chat.list'],
      [me!.id, 'chat.stream'],
    ]);
  });
});

describe('resuming a stream', () => {
  it('resumes from lastEventId with no gap and no duplicate, while messages keep coming', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(c.token, booking.id, `before ${i}`));
    const ws = wsClient(server, t.token);
    try {
      const first = await watch(ws, booking.id);
      await until(async () => first.messages().length === 5);
      const last = first.events.at(-1)!.id;
      first.stop();

      // Offline for a while: both sides write.
      for (let i = 0; i < 12; i++)
        sent.push(await send(i % 2 ? t.token : c.token, booking.id, `while away ${i}`));
      // Reconnect from the last event id, with more messages racing the backlog read.
      const racing = Promise.all(
        Array.from({ length: 10 }, (_, i) => send(c.token, booking.id, `racing ${i}`)),
      );
      const second = await watch(ws, booking.id, last);
      sent.push(...(await racing).sort((a, b) => Number(a.id) - Number(b.id)));
      await until(async () => second.messages().length >= 22);
      await new Promise((r) => setTimeout(r, 200));

      const got = [...first.messages(), ...second.messages()].map((m) => m.id);
      expect(got).toEqual(sent.map((m) => m.id));
      expect(new Set(got).size).toBe(got.length);
      // Every event carries the newest message id delivered before it: a resume point.
      for (const e of second.events.filter((x) => x.data.type !== 'message'))
        expect(BigInt(e.id)).toBeGreaterThanOrEqual(BigInt(last));
      second.stop();
    } finally {
      ws.close();
    }
  });

  it('resumes in process too, reading a hole in the sequence back from the database', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    const a = await svc().chat.send(c.user, { bookingId: booking.id, body: 'one', clientId: randomUUID() });
    const ac = new AbortController();
    const it = svc().chat.stream(booking.id, c.user, a.id, ac.signal);
    expect((await it.next()).value?.data).toMatchObject({ type: 'state' });
    // The stream reads its (empty) backlog and waits for live events.
    const pending = it.next();
    await new Promise((r) => setTimeout(r, 200));
    // Two messages commit, but only the second is announced: the stream reads the first back itself.
    const [two] = await svc()
      .database.db.insert(chatMessages)
      .values({
        bookingId: booking.id,
        seq: 2,
        senderId: c.user.id,
        technicianId: await techOf(booking.id),
        clientId: randomUUID(),
        body: 'two (not announced)',
      })
      .returning();
    const three = await svc().chat.send(c.user, {
      bookingId: booking.id,
      body: 'three',
      clientId: randomUUID(),
    });
    const next = [(await pending).value, (await it.next()).value];
    // The service yields { id, data } (the router makes them tRPC tracked events).
    expect(next.map((e) => e?.id)).toEqual([String(two!.id), three.id]);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });
});

async function techOf(bookingId: string) {
  const [b] = await svc().database.db.select().from(bookings).where(eq(bookings.id, bookingId));
  return b!.technicianId!;
}

describe('masking contact details', () => {
  it('masks phone numbers and e-mail addresses, in any digits, and leaves prices, codes and times alone', () => {
    const cases: Array<[string, string]> = [
      ['Call 0803 123 4567 please', `Call ${CHAT_MASK} please`],
      ['+234-803-123-4567', CHAT_MASK],
      ['(010) 1234 5678', `(${CHAT_MASK}`],
      ['رقمي ٠١٠١٢٣٤٥٦٧٨', `رقمي ${CHAT_MASK}`],
      ['رقمي ۰۱۰۱۲۳۴۵۶۷۸', `رقمي ${CHAT_MASK}`],
      ['mail ada.o+jobs@example.com.ng now', `mail ${CHAT_MASK} now`],
      ['بريدي mona@مثال.مصر', `بريدي ${CHAT_MASK}`],
    ];
    for (const [input, out] of cases) expect(maskContacts(input), input).toEqual({ text: out, masked: true });
    for (const plain of [
      'Gate code 1234',
      'It costs ₦15,000',
      'At 10:30 on 01/05/2026',
      'House 12, flat 3B',
      'ETA 5 minutes',
    ])
      expect(maskContacts(plain), plain).toEqual({ text: plain, masked: false });
  });

  it('shows contacts as written only while the job runs; after it ends they are masked, for both sides', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const body = 'My number is +234 803 123 4567, mail ada@example.com';
    const sent = await send(c.token, booking.id, body);
    expect(sent).toMatchObject({ body, masked: false });
    expect(
      (await httpClient(server, t.token).chat.list.query({ bookingId: booking.id })).items[0]!.body,
    ).toBe(body);

    await complete(booking.id, t.user.id);
    const masked = `My number is ${CHAT_MASK}, mail ${CHAT_MASK}`;
    for (const token of [c.token, t.token]) {
      const page = await httpClient(server, token).chat.list.query({ bookingId: booking.id });
      expect(page.items[0]).toMatchObject({ id: sent.id, body: masked, masked: true });
      expect(page.state).toMatchObject({ canSend: true, contactsVisible: false });
      expect(Date.parse(page.state.closesAt!)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    }
    // Still open for a day after completion (masked as it is read), then read-only.
    const late = await send(t.token, booking.id, 'Thanks! Reach me at 08031234567');
    expect(late).toMatchObject({ body: `Thanks! Reach me at ${CHAT_MASK}`, masked: true });
    await svc()
      .database.db.update(bookings)
      .set({ completedAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(bookings.id, booking.id));
    expect(await codeOf(send(c.token, booking.id, 'one more thing'))).toBe('CONFLICT');
    const closed = await httpClient(server, c.token).chat.list.query({ bookingId: booking.id });
    expect(closed.state).toMatchObject({ canSend: false, closesAt: null });
    expect(closed.items).toHaveLength(2);
    // The stored text is untouched.
    const [stored] = await svc()
      .database.db.select()
      .from(chatMessages)
      .where(eq(chatMessages.id, Number(sent.id)));
    expect(stored!.body).toBe(body);
  });

  it('a live stream switches to masked when the job ends', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const ws = wsClient(server, c.token);
    try {
      const s = await watch(ws, booking.id);
      await send(t.token, booking.id, 'I am at 0803 123 4567');
      await complete(booking.id, t.user.id);
      await until(async () => s.events.some((e) => e.data.type === 'state' && !e.data.state.contactsVisible));
      await send(t.token, booking.id, 'Again: 0803 123 4567');
      await until(async () => s.messages().length === 2);
      expect(s.messages().map((m) => m.body)).toEqual(['I am at 0803 123 4567', `Again: ${CHAT_MASK}`]);
      s.stop();
    } finally {
      ws.close();
    }
  });

  it('after a hand-back: the old technician is out, the new one starts fresh, the customer sees the old part masked', async () => {
    const { booking, customer: c, technician: t1, spot } = await assignedBooking(svc());
    const old = await send(t1.token, booking.id, 'Me: 0803 123 4567');
    await svc().bookings.cancel(booking.id, { id: t1.user.id, role: 'technician' }, 'Flat tyre');
    expect(await codeOf(httpClient(server, t1.token).chat.list.query({ bookingId: booking.id }))).toBe(
      'NOT_FOUND',
    );
    // Searching again: the customer reads the old conversation (masked) and cannot write.
    const between = await httpClient(server, c.token).chat.list.query({ bookingId: booking.id });
    expect(between.items[0]).toMatchObject({ id: old.id, masked: true });
    expect(between.state.canSend).toBe(false);
    expect(await codeOf(send(c.token, booking.id, 'hello?'))).toBe('CONFLICT');

    const t2 = await technician(svc(), offset(spot, 500));
    await until(async () => (await codeOf(svc().dispatch.accept(booking.id, t2.user.id))) === 'OK', 10_000);
    expect((await httpClient(server, t2.token).chat.list.query({ bookingId: booking.id })).items).toEqual([]);
    const fresh = await send(t2.token, booking.id, 'New tech: 0805 555 1234');
    const seen = await httpClient(server, c.token).chat.list.query({ bookingId: booking.id });
    expect(seen.items.map((m) => [m.id, m.masked])).toEqual([
      [fresh.id, false],
      [old.id, true],
    ]);
    const ws = wsClient(server, t2.token);
    try {
      const s = await watch(ws, booking.id);
      await until(async () => s.messages().length === 1);
      expect(s.messages()[0]!.id).toBe(fresh.id);
      s.stop();
    } finally {
      ws.close();
    }
  });
});

describe('sending', () => {
  it('stores 100 concurrent sends with distinct clientIds exactly once each, in one gap-free order', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const ws = wsClient(server, c.token);
    try {
      const s = await watch(ws, booking.id);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => send(i % 2 ? t.token : c.token, booking.id, `burst ${i}`)),
      );
      expect(new Set(results.map((m) => m.id)).size).toBe(100);
      const rows = await svc()
        .database.db.select()
        .from(chatMessages)
        .where(eq(chatMessages.bookingId, booking.id))
        .orderBy(asc(chatMessages.id));
      expect(rows).toHaveLength(100);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(rows.map((r) => r.body).sort()).toEqual(results.map((m) => m.body).sort());

      const listed = await httpClient(server, c.token).chat.list.query({ bookingId: booking.id, limit: 100 });
      expect(listed.items.map((m) => m.id).reverse()).toEqual(rows.map((r) => String(r.id)));
      // The live stream saw the same 100, once each, in the same order.
      await until(async () => s.messages().length >= 100);
      await new Promise((r) => setTimeout(r, 200));
      expect(s.messages().map((m) => m.id)).toEqual(rows.map((r) => String(r.id)));
      s.stop();
    } finally {
      ws.close();
    }
  });

  it('returns the same message for a retried clientId (also when retries race); another body is CONFLICT', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    const clientId = randomUUID();
    const first = await send(c.token, booking.id, 'On my way down', clientId);
    const retries = await Promise.all(
      Array.from({ length: 10 }, () => send(c.token, booking.id, 'On my way down', clientId)),
    );
    for (const r of retries) expect(r).toEqual(first);
    const racing = randomUUID();
    const raced = await Promise.all(
      Array.from({ length: 10 }, () => send(c.token, booking.id, 'race', racing)),
    );
    expect(new Set(raced.map((m) => m.id)).size).toBe(1);
    expect(await codeOf(send(c.token, booking.id, 'something else', clientId))).toBe('CONFLICT');
    const rows = await svc()
      .database.db.select()
      .from(chatMessages)
      .where(eq(chatMessages.bookingId, booking.id));
    expect(rows).toHaveLength(2);
  });

  it('validates bodies: trimmed, 1–1000 characters, control characters dropped, HTML kept as text', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    expect(await codeOf(send(c.token, booking.id, '   \n  '))).toBe('BAD_REQUEST');
    expect(await codeOf(send(c.token, booking.id, 'x'.repeat(1001)))).toBe('BAD_REQUEST');
    expect((await send(c.token, booking.id, ` ${'x'.repeat(1000)} `)).body).toHaveLength(1000);
    const html = await send(c.token, booking.id, '<b>hi</b>\u0000\u202Eevil https://example.com');
    expect(html.body).toBe('<b>hi</b>evil https://example.com');
    expect(await codeOf(send(c.token, booking.id, 'hi', 'short'))).toBe('BAD_REQUEST');
  });

  it('rate-limits new messages per user (retries of a stored clientId do not count)', async () => {
    const { booking, customer: c } = await assignedBooking(svc());
    const chat = createChatService({
      db: svc().database.db,
      bus: svc().bus,
      limiter: createRateLimiter({ name: 'chat-test', limit: 3, windowMs: 60_000 }),
      config: { openAfterCompletionMs: 24 * 3600_000 },
    });
    const input = (body: string, clientId = randomUUID()) => ({ bookingId: booking.id, body, clientId });
    const kept = input('one');
    await chat.send(c.user, kept);
    await chat.send(c.user, input('two'));
    await chat.send(c.user, input('three'));
    expect(await codeOf(chat.send(c.user, input('four')))).toBe('RATE_LIMITED');
    expect((await chat.send(c.user, kept)).body).toBe('one');
  });

  it('is closed before assignment and after a cancellation (read-only)', async () => {
    const spot = uniqueSpot();
    const cust = await customer(svc());
    const b = await svc().bookings.create(cust.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '3 Nowhere Close',
      idempotencyKey: randomUUID(),
    });
    expect(await codeOf(send(cust.token, b.id, 'anyone?'))).toBe('CONFLICT');
    const page = await httpClient(server, cust.token).chat.list.query({ bookingId: b.id });
    expect(page).toMatchObject({ items: [], state: { canSend: false }, unread: 0 });

    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    await send(t.token, booking.id, 'Coming: 0803 123 4567');
    await svc().bookings.cancel(booking.id, c.user, 'Changed my mind');
    expect(await codeOf(send(t.token, booking.id, 'ok'))).toBe('CONFLICT');
    const after = await httpClient(server, t.token).chat.list.query({ bookingId: booking.id });
    expect(after.items[0]).toMatchObject({ body: `Coming: ${CHAT_MASK}`, masked: true });
    expect(after.state.canSend).toBe(false);
  });
});
