import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeEvent } from '../../contracts/me';
import type { OnboardingStatus } from '../../contracts/onboarding';
import { channels } from '../../realtime/bus';
import {
  approvedApplication,
  assignedBooking,
  codeOf,
  customer,
  offset,
  serviceId,
  technician,
  uniquePhone,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail, wsClient } from '../../test/harness';
import { jpegWithGps, pdfBytes, upload } from '../upload/upload.fixtures';

let server: TestServer;
let dataDir: string;
beforeAll(async () => {
  // Uploads (the onboarding documents) and the ID-number key live under DATA_DIR.
  dataDir = mkdtempSync(path.join(tmpdir(), 'fundi-me-'));
  server = await startTestServer({ CHAT_RATE_LIMIT: '100000', DATA_DIR: dataDir });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});
const svc = () => server.services;

async function adminToken() {
  const email = uniqueEmail('admin');
  await svc().auth.ensureAdmin(email, 'admin password 1');
  return (await httpClient(server).auth.signIn.mutate({ email, password: 'admin password 1' })).token;
}

type Api = ReturnType<typeof httpClient>;
/** An upload of the caller's, stored (the PUT the PWA makes). */
async function stored(api: Api, kind: 'id_document' | 'profile_photo', bytes: Buffer, type: string) {
  const r = await upload(server, api, kind, type, bytes);
  expect(r.res.status).toBe(201);
  return r.slot.uploadId;
}

/** The onboarding checklist, complete, through the PWA's calls (the phone taken as verified). */
async function completeChecklist(api: Api, technicianId: string) {
  await svc().phone.markVerified(technicianId, uniquePhone());
  await api.technician.setServices.mutate({ services: [{ serviceId: await serviceId(svc()) }] });
  await api.technician.setPhoto.mutate({
    uploadId: await stored(api, 'profile_photo', await jpegWithGps(400, 400), 'image/jpeg'),
  });
  await api.onboarding.setIdDocument.mutate({
    frontUploadId: await stored(api, 'id_document', await jpegWithGps(800, 500), 'image/jpeg'),
    backUploadId: await stored(api, 'id_document', pdfBytes(), 'application/pdf'),
    idNumber: 'A12345678',
    expiresOn: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
  });
  await api.technician.setAreas.mutate({ areas: [{ market: 'lagos', zone: 'yaba' }] });
  await api.technician.setHours.mutate({ ranges: [{ weekday: 1, start: '08:00', end: '17:00' }] });
}

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
    const [asTech, asAdmin] = await Promise.all([listen(t.token), listen(await adminToken())]);
    try {
      await svc().technicians.setVerification(t.user.id, 'verified', null);
      await until(async () => asTech.events.some((e) => e.type === 'technician'));
      await until(async () => asAdmin.events.some((e) => e.type === 'technicians'));
    } finally {
      asTech.close();
      asAdmin.close();
    }
  });

  it('tells admins of a technician signing up, and of an application submitted and decided (nobody else)', async () => {
    const token = await adminToken();
    const admin = httpClient(server, token);
    const joined: string[] = [];
    const applications: Array<{ technicianId: string; status: OnboardingStatus }> = [];
    const off = [
      svc().bus.on<{ ids: string[] }>(channels.technicians, (m) => joined.push(...m.ids)),
      svc().bus.on<{ technicianId: string; status: OnboardingStatus }>(channels.applications, (m) =>
        applications.push(m),
      ),
    ];
    const c = await customer(svc());
    const [asAdmin, asCustomer] = await Promise.all([listen(token), listen(c.token)]);
    const hints = (type: MeEvent['type']) => asAdmin.events.filter((e) => e.type === type).length;
    try {
      // A sign-up: the admins' technician list refreshes (the new row is pending).
      const t = await httpClient(server).auth.signUp.mutate({
        email: uniqueEmail('applicant'),
        password: 'technician password',
        name: 'Amaka Eze',
        role: 'technician',
      });
      expect(joined).toContain(t.user.id);
      await until(async () => hints('technicians') > 0);

      const api = httpClient(server, t.token);
      const asTech = await listen(t.token);
      try {
        await completeChecklist(api, t.user.id);
        expect(applications).toEqual([]);
        expect(hints('applications')).toBe(0);

        // Submitted: the queue refreshes, and the application is in it.
        await api.onboarding.submit.mutate();
        expect(applications).toEqual([{ technicianId: t.user.id, status: 'submitted' }]);
        await until(async () => hints('applications') === 1);
        const queue = await admin.admin.onboarding.queue.query({ status: 'submitted' });
        expect(queue.items.map((i) => i.technicianId)).toContain(t.user.id);

        // Decided: the queue refreshes again.
        await admin.admin.onboarding.decide.mutate({
          technicianId: t.user.id,
          decision: 'approve',
          reasonCode: 'approved',
        });
        expect(applications.at(-1)).toEqual({ technicianId: t.user.id, status: 'approved' });
        await until(async () => hints('applications') === 2);

        // A technician or a customer hears nothing of the queue.
        await new Promise((r) => setTimeout(r, 1_200));
        expect(hints('applications')).toBe(2);
        expect(asTech.events.filter((e) => e.type === 'applications' || e.type === 'technicians')).toEqual(
          [],
        );
        expect(
          asCustomer.events.filter((e) => e.type === 'applications' || e.type === 'technicians'),
        ).toEqual([]);
      } finally {
        asTech.close();
      }
    } finally {
      for (const o of off) o();
      asAdmin.close();
      asCustomer.close();
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
