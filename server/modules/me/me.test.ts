import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeEvent } from '../../contracts/me';
import {
  approvedApplication,
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

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CHAT_RATE_LIMIT: '100000' });
});
afterAll(() => server.close());
const svc = () => server.services;

/** `me.events` over the WebSocket as `token`; resolves once the first event (`resync`) arrived. */
async function listen(token: string) {
  const ws = wsClient(server, token);
  const events: MeEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.client.me.events.subscribe(undefined, {
      onData: (e) => {
        events.push(e as MeEvent);
        resolve();
      },
      onError: reject,
    });
  });
  return { events, close: () => ws.close() };
}

const bookingEvents = (events: MeEvent[], bookingId: string) =>
  events.flatMap((e) => (e.type === 'booking' && e.bookingId === bookingId ? [e.status] : []));

describe('me.events', () => {
  it('starts with resync, then tells the customer and the technicians about their booking, and nobody else', async () => {
    const spot = uniqueSpot();
    const c = await customer(svc());
    const t1 = await technician(svc(), offset(spot, 300));
    const stranger = await customer(svc(), 'Stranger');
    const [asCustomer, asTech, asStranger] = await Promise.all([
      listen(c.token),
      listen(t1.token),
      listen(stranger.token),
    ]);
    try {
      expect(asCustomer.events).toEqual([{ type: 'resync' }]);
      const b = await svc().bookings.create(c.user, {
        serviceId: await serviceId(svc()),
        ...spot,
        address: '1 Live Lane',
        idempotencyKey: randomUUID(),
      });
      await until(async () => (await codeOf(svc().dispatch.accept(b.id, t1.user.id))) === 'OK');
      await until(async () => bookingEvents(asCustomer.events, b.id).includes('assigned'));
      await until(async () => bookingEvents(asTech.events, b.id).includes('assigned'));
      expect(bookingEvents(asCustomer.events, b.id)).toEqual(['searching', 'assigned']);

      // Handed back: the technician who dropped it hears of it too.
      await svc().bookings.cancel(b.id, { id: t1.user.id, role: 'technician' }, 'Flat tyre');
      await until(async () => bookingEvents(asTech.events, b.id).includes('searching'));
      await until(async () => bookingEvents(asCustomer.events, b.id).at(-1) === 'searching');

      await new Promise((r) => setTimeout(r, 200));
      expect(asStranger.events).toEqual([{ type: 'resync' }]);
    } finally {
      for (const l of [asCustomer, asTech, asStranger]) l.close();
    }
  });

  it('tells a technician their verification was decided, and admins that technicians changed', async () => {
    const t = await technician(svc(), uniqueSpot(), { verified: false, online: false, listening: false });
    await approvedApplication(svc(), t.user.id);
    const email = uniqueEmail('admin');
    await svc().auth.ensureAdmin(email, 'admin password 1');
    const adminToken = (await httpClient(server).auth.signIn.mutate({ email, password: 'admin password 1' }))
      .token;
    const [asTech, asAdmin] = await Promise.all([listen(t.token), listen(adminToken)]);
    try {
      await svc().technicians.setVerification(t.user.id, 'verified', null);
      await until(async () => asTech.events.some((e) => e.type === 'technician'));
      await until(async () => asAdmin.events.some((e) => e.type === 'technicians'));
    } finally {
      asTech.close();
      asAdmin.close();
    }
  });

  it('tells the other side of a conversation about a new message (not the sender)', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const [asCustomer, asTech] = await Promise.all([listen(c.token), listen(t.token)]);
    try {
      const m = await httpClient(server, c.token).chat.send.mutate({
        bookingId: booking.id,
        body: 'Are you close?',
        clientId: randomUUID(),
      });
      await until(async () =>
        asTech.events.some((e) => e.type === 'chat' && e.bookingId === booking.id && e.messageId === m.id),
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(asCustomer.events.filter((e) => e.type === 'chat')).toEqual([]);
    } finally {
      asCustomer.close();
      asTech.close();
    }
  });

  it('needs a session', async () => {
    const ws = wsClient(server);
    try {
      const code = await new Promise<string>((resolve) => {
        ws.client.me.events.subscribe(undefined, {
          onData: () => resolve('got data!'),
          onError: (e) => resolve((e.data as { code: string }).code),
        });
      });
      expect(code).toBe('UNAUTHORIZED');
    } finally {
      ws.close();
    }
  });
});
