import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../db/client';
import {
  auditLog,
  dispatchOffers,
  notifications,
  technicianOnboarding,
  technicianProfiles,
} from '../../../db/schema';
import { redact } from '../../lib/log';
import { channels } from '../../realtime/bus';
import {
  codeOf,
  customer,
  offset,
  openOfferOf,
  serviceId,
  sleep,
  technician,
  uniquePhone,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';
import type { AppRouter } from '../../trpc/root';
import { jpegWithGps, pdfBytes, upload } from '../upload/upload.fixtures';
import { createFieldCipher } from './field-crypto';

const KEY = 'a3'.repeat(32);
let server: TestServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'fundi-onboarding-'));
  server = await startTestServer({ DATA_DIR: dataDir, FIELD_ENCRYPTION_KEY: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});
const svc = () => server.services;
const db = () => svc().database.db;
const get = (url: string) => fetch(new URL(url, server.url));
const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function adminApi() {
  const email = uniqueEmail('admin');
  await svc().auth.ensureAdmin(email, 'admin password 1');
  const { token, user } = await httpClient(server).auth.signIn.mutate({
    email,
    password: 'admin password 1',
  });
  return { api: httpClient(server, token), id: user.id };
}

/** A service of Lagos's list that asks for a gas-safety certificate (made here: the seed has none). */
async function gasService(): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    db(),
    sql`INSERT INTO services (category_id, market, slug, name_en, name_ar, base_price, currency, duration_minutes, required_certificates)
        SELECT category_id, 'lagos', ${`gas-fitting-${randomUUID().slice(0, 8)}`}, 'Gas fitting', 'تركيب الغاز', 500000, 'NGN', 60, ARRAY['gas-safety']
          FROM services WHERE slug = 'leak-repair' AND market = 'lagos' RETURNING id`,
  );
  return row!.id;
}

async function newTechnician() {
  const r = await httpClient(server).auth.signUp.mutate({
    email: uniqueEmail('onb'),
    password: 'technician password',
    name: 'Chidi Okafor',
    role: 'technician',
  });
  return { ...r, api: httpClient(server, r.token) };
}

type Api = ReturnType<typeof httpClient>;
const stored = async (
  api: Api,
  kind: 'id_document' | 'certificate' | 'profile_photo',
  bytes: Buffer,
  type: string,
) => {
  const r = await upload(server, api, kind, type, bytes);
  expect(r.res.status).toBe(201);
  return r.slot.uploadId;
};

/**
 * Everything on the checklist, through the same calls the PWA makes; the phone is taken as verified
 * (the SMS code round trip has its own tests in notification.test.ts).
 */
async function completeChecklist(api: Api, idNumber: string, opts: { phone?: boolean } = {}) {
  const me = (await api.auth.me.query())!;
  if (opts.phone !== false) await svc().phone.markVerified(me.id, uniquePhone());
  const gas = await gasService();
  await api.technician.setServices.mutate({ services: [{ serviceId: gas }] });
  await api.technician.setPhoto.mutate({
    uploadId: await stored(api, 'profile_photo', await jpegWithGps(400, 400), 'image/jpeg'),
  });
  await api.onboarding.setIdDocument.mutate({
    frontUploadId: await stored(api, 'id_document', await jpegWithGps(800, 500), 'image/jpeg'),
    backUploadId: await stored(api, 'id_document', pdfBytes(), 'application/pdf'),
    idNumber,
    expiresOn: inAYear(),
  });
  const before = await api.onboarding.status.query();
  expect(before.checklist.find((c) => c.item === 'certificates')).toMatchObject({ done: false });
  expect(before.certificates).toEqual([
    expect.objectContaining({
      kind: 'gas-safety',
      name: { en: 'Gas safety certificate', ar: 'شهادة السلامة من الغاز' },
      document: null,
      services: [{ en: 'Gas fitting', ar: 'تركيب الغاز' }],
    }),
  ]);
  await api.onboarding.setCertificate.mutate({
    kind: 'gas-safety',
    uploadId: await stored(api, 'certificate', pdfBytes(), 'application/pdf'),
  });
  await api.technician.setAreas.mutate({ areas: [{ market: 'lagos', zone: 'yaba' }] });
  await api.technician.setHours.mutate({ ranges: [{ weekday: 1, start: '08:00', end: '17:00' }] });
}

const trail = (technicianId: string) =>
  db()
    .select()
    .from(auditLog)
    .where(
      and(eq(auditLog.subject, `technician:${technicianId}`), sql`${auditLog.action} <> 'onboarding.view'`),
    )
    .orderBy(auditLog.id);

describe('onboarding: reject → resubmit → approve', () => {
  it('walks the checklist, and every decision is audited with the verification status', async () => {
    const t = await newTechnician();
    const admin = await adminApi();

    const empty = await t.api.onboarding.status.query();
    // Nothing to do for certificates while none of their services asks for one.
    expect(empty).toMatchObject({ status: 'draft', canSubmit: false, progress: { done: 1, total: 7 } });
    expect(empty.checklist.filter((c) => c.done).map((c) => c.item)).toEqual(['certificates']);
    expect(await codeOf(t.api.onboarding.submit.mutate())).toBe('BAD_REQUEST');
    // Expired IDs and documents of someone else are refused.
    expect(await codeOf(t.api.onboarding.setIdDocument.mutate({ expiresOn: yesterday() }))).toBe(
      'BAD_REQUEST',
    );
    const other = await newTechnician();
    const theirs = await stored(other.api, 'id_document', pdfBytes(), 'application/pdf');
    expect(await codeOf(t.api.onboarding.setIdDocument.mutate({ frontUploadId: theirs }))).toBe('NOT_FOUND');

    await completeChecklist(t.api, '2900-1011-2345-67');
    const ready = await t.api.onboarding.status.query();
    expect(ready).toMatchObject({ canSubmit: true, progress: { done: 7, total: 7 } });
    expect(ready.idDocument.idNumberMasked).toBe('•••• 4567');

    expect((await t.api.onboarding.submit.mutate()).status).toBe('submitted');
    expect(await codeOf(t.api.onboarding.submit.mutate())).toBe('CONFLICT');
    const queue = await admin.api.admin.onboarding.queue.query();
    expect(queue.items.map((i) => i.technicianId)).toContain(t.user.id);

    // The admin sees the documents (signed URLs that work) and the ID number in clear.
    const app = await admin.api.admin.onboarding.get.query({ technicianId: t.user.id });
    expect(app.idNumber).toBe('29001011234567');
    expect(app.services).toHaveLength(1);
    expect(app.areas).toEqual([expect.objectContaining({ zone: 'yaba' })]);
    for (const doc of [app.onboarding.idDocument.front, app.onboarding.idDocument.back]) {
      expect(doc?.expiresAt).not.toBeNull();
      expect((await get(doc!.url)).status).toBe(200);
    }

    // Reject with a reason from the list: the technician sees what to fix.
    expect(
      await codeOf(
        admin.api.admin.onboarding.decide.mutate({
          technicianId: t.user.id,
          decision: 'reject',
          reasonCode: 'approved',
        }),
      ),
    ).toBe('BAD_REQUEST');
    await admin.api.admin.onboarding.decide.mutate({
      technicianId: t.user.id,
      decision: 'reject',
      reasonCode: 'id_unreadable',
      note: 'The front photo is blurred.',
    });
    expect((await t.api.technician.me.query()).verification).toBe('rejected');
    const rejected = await t.api.onboarding.status.query();
    expect(rejected).toMatchObject({
      status: 'rejected',
      canSubmit: true,
      lastDecision: { decision: 'reject', reasonCode: 'id_unreadable', note: 'The front photo is blurred.' },
    });
    expect(rejected.checklist.filter((c) => c.toFix).map((c) => c.item)).toEqual(['national_id']);
    // Decided once: deciding again before a resubmission is a conflict.
    expect(
      await codeOf(
        admin.api.admin.onboarding.decide.mutate({
          technicianId: t.user.id,
          decision: 'approve',
          reasonCode: 'approved',
        }),
      ),
    ).toBe('CONFLICT');

    // Fixed and resubmitted, then approved: verified, in the same transaction as the decision.
    await t.api.onboarding.setIdDocument.mutate({
      frontUploadId: await stored(t.api, 'id_document', await jpegWithGps(900, 600), 'image/jpeg'),
    });
    expect((await t.api.onboarding.submit.mutate()).status).toBe('submitted');
    const approved = await admin.api.admin.onboarding.decide.mutate({
      technicianId: t.user.id,
      decision: 'approve',
      reasonCode: 'approved',
    });
    expect(approved.verification).toBe('verified');
    expect((await t.api.technician.me.query()).verification).toBe('verified');
    expect((await t.api.onboarding.status.query()).status).toBe('approved');

    const rows = await trail(t.user.id);
    expect(
      rows.map((r) => [r.action, r.actorId, (r.detail as { decision?: string } | null)?.decision]),
    ).toEqual([
      ['onboarding.submit', t.user.id, undefined],
      ['onboarding.decide', admin.id, 'reject'],
      ['onboarding.submit', t.user.id, undefined],
      ['onboarding.decide', admin.id, 'approve'],
    ]);
    expect(rows[1]!.detail).toMatchObject({
      reasonCode: 'id_unreadable',
      note: 'The front photo is blurred.',
      verification: 'rejected',
    });
    // The admin screen shows the same trail (and the reads of the ID number).
    expect(approved.history.map((h) => h.action)).toContain('onboarding.view');
    expect(approved.history.filter((h) => h.action === 'onboarding.decide')).toHaveLength(2);
    // Each decision told the technician once (written in the decision's transaction, issue 11 §2).
    const told = await db()
      .select({ data: notifications.data })
      .from(notifications)
      .where(and(eq(notifications.userId, t.user.id), eq(notifications.kind, 'verification')))
      .orderBy(notifications.id);
    expect(told.map((n) => n.data)).toEqual([
      { status: 'rejected', note: 'The front photo is blurred.' },
      { status: 'verified', note: null },
    ]);
  });

  it('request_changes keeps the technician pending and asks for the listed item', async () => {
    const t = await newTechnician();
    const admin = await adminApi();
    await completeChecklist(t.api, 'A12345678');
    await t.api.onboarding.submit.mutate();
    await admin.api.admin.onboarding.decide.mutate({
      technicianId: t.user.id,
      decision: 'request_changes',
      reasonCode: 'areas_unsuitable',
      note: 'Yaba only? Add Surulere too.',
    });
    expect((await t.api.technician.me.query()).verification).toBe('pending');
    const s = await t.api.onboarding.status.query();
    expect(s.status).toBe('changes_requested');
    expect(s.checklist.filter((c) => c.toFix).map((c) => c.item)).toEqual(['areas']);
  });
});

describe('the verified phone', () => {
  it('is a checklist item: no submission until the number is verified', async () => {
    const t = await newTechnician();
    await completeChecklist(t.api, 'B98765432', { phone: false });
    const before = await t.api.onboarding.status.query();
    expect(before).toMatchObject({ canSubmit: false, progress: { done: 6, total: 7 } });
    expect(before.checklist.filter((c) => !c.done).map((c) => c.item)).toEqual(['phone']);
    const refused = await t.api.onboarding.submit.mutate().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<AppRouter>).data).toMatchObject({
      code: 'BAD_REQUEST',
      details: { missing: 'phone' },
    });

    await svc().phone.markVerified(t.user.id, uniquePhone());
    const after = await t.api.onboarding.status.query();
    expect(after).toMatchObject({ canSubmit: true, progress: { done: 7, total: 7 } });
    expect(after.checklist[0]).toEqual({ item: 'phone', done: true, toFix: false });
    expect((await t.api.onboarding.submit.mutate()).status).toBe('submitted');
  });

  it('counts as done where technicians need no phone (TECHNICIAN_PHONE_REQUIRED=false: load tools)', async () => {
    const noSms = await startTestServer(
      { DATA_DIR: dataDir, FIELD_ENCRYPTION_KEY: KEY, TECHNICIAN_PHONE_REQUIRED: 'false' },
      { dispatch: false },
    );
    try {
      const t = await httpClient(noSms).auth.signUp.mutate({
        email: uniqueEmail('onb-nosms'),
        password: 'technician password',
        name: 'Sim Tech',
        role: 'technician',
      });
      const view = await httpClient(noSms, t.token).onboarding.status.query();
      expect(view.checklist[0]).toEqual({ item: 'phone', done: true, toFix: false });
    } finally {
      await noSms.close();
    }
  });
});

describe('the national ID number', () => {
  it('is ciphertext in the database, readable by no one but the owner (masked) and admins', async () => {
    const t = await newTechnician();
    await completeChecklist(t.api, '29001011234567');
    const [row] = await db()
      .select()
      .from(technicianOnboarding)
      .where(eq(technicianOnboarding.technicianId, t.user.id));
    expect(row!.idNumberCipher).toMatch(/^v1\./);
    expect(row!.idNumberCipher).not.toContain('29001011234567');
    expect(row!.idNumberCipher).not.toContain(
      Buffer.from('29001011234567').toString('base64url').slice(0, 12),
    );
    // Nothing in the row's text form holds it either.
    expect(JSON.stringify(row)).not.toContain('1234567');
    const cipher = createFieldCipher({ key: KEY, dataDir });
    expect(cipher.decrypt(row!.idNumberCipher!, t.user.id)).toBe('29001011234567');
    // Copied onto another technician's row, or read with another key: nothing.
    expect(cipher.decrypt(row!.idNumberCipher!, randomUUID())).toBeNull();
    expect(
      createFieldCipher({ key: 'b4'.repeat(32), dataDir }).decrypt(row!.idNumberCipher!, t.user.id),
    ).toBeNull();

    // Strangers: another technician and a customer get neither the application nor the documents.
    const status = await t.api.onboarding.status.query();
    expect(JSON.stringify(status)).not.toContain('1234567');
    const front = status.idDocument.front!;
    const other = await newTechnician();
    const cust = await customer(svc());
    for (const api of [other.api, httpClient(server, cust.token)]) {
      expect(await codeOf(api.admin.onboarding.get.query({ technicianId: t.user.id }))).toBe('FORBIDDEN');
      expect(await codeOf(api.upload.url.query({ uploadId: front.uploadId }))).toBe('NOT_FOUND');
    }
    expect(
      await codeOf(
        other.api.onboarding.setCertificate.mutate({ kind: 'gas-safety', uploadId: front.uploadId }),
      ),
    ).toBe('BAD_REQUEST');
    expect((await get(`/files/private/${front.uploadId}`)).status).toBe(403);
    expect(await codeOf(httpClient(server).onboarding.status.query())).toBe('UNAUTHORIZED');
    // And it never reaches a log line.
    expect(redact({ idNumber: '29001011234567', national_id: 'x', id_number_cipher: 'v1.x' })).toEqual({
      idNumber: '[redacted]',
      national_id: '[redacted]',
      id_number_cipher: '[redacted]',
    });
  });
});

/** An approved application whose ID expires on `idExpiresOn` (the fixture technicians have one). */
const application = (technicianId: string, idExpiresOn: string) =>
  db()
    .insert(technicianOnboarding)
    .values({ technicianId, status: 'approved', idExpiresOn })
    .onConflictDoUpdate({
      target: technicianOnboarding.technicianId,
      set: { status: 'approved', idExpiresOn },
    });

describe('expired documents', () => {
  it('dispatch itself passes over an expired ID or certificate, with no sweep run: the next technician gets the job', async () => {
    const spot = uniqueSpot();
    // Nearest: approved, verified and online, but the ID's expiry date has just passed (it was valid
    // through yesterday, UTC). The hourly sweep has not run: they are still `verified`.
    const expired = await technician(svc(), spot, { name: 'Expired ID' });
    await application(expired.user.id, yesterday());
    // A little farther: in date.
    const valid = await technician(svc(), offset(spot, 400), { name: 'Valid ID' });
    await application(valid.user.id, inAYear());
    const c = await customer(svc());
    const book = async (service: string) =>
      svc().bookings.create(c.user, {
        serviceId: service,
        ...spot,
        address: '3 Herbert Macaulay Way, Yaba',
        idempotencyKey: randomUUID(),
      });
    const first = await book(await serviceId(svc()));
    expect((await openOfferOf(svc(), first.id)).technicianId).toBe(valid.user.id);
    const [still] = await db()
      .select({ verification: technicianProfiles.verification })
      .from(technicianProfiles)
      .where(eq(technicianProfiles.userId, expired.user.id));
    expect(still!.verification).toBe('verified');
    await svc().bookings.cancel(first.id, c.user, 'test done');

    // The same for a certificate their service requires: expired yesterday, no sweep; the renewed one
    // (expiring in a year) gets the next job again.
    const gas = await gasService();
    const certified = await technician(svc(), offset(spot, 100), { name: 'Gas fitter', slugs: [] });
    await svc().technicians.setServices(certified.user.id, { services: [{ serviceId: gas }] });
    const api = httpClient(server, certified.token);
    const certificate = await stored(api, 'certificate', pdfBytes(), 'application/pdf');
    await api.onboarding.setCertificate.mutate({
      kind: 'gas-safety',
      uploadId: certificate,
      expiresOn: inAYear(),
    });
    await db().execute(sql`UPDATE technician_certificates SET expires_on = ${yesterday()}::date
                            WHERE technician_id = ${certified.user.id}`);
    const second = await book(gas);
    await sleep(1_000);
    expect(
      (await db().select().from(dispatchOffers).where(eq(dispatchOffers.bookingId, second.id))).map(
        (o) => o.technicianId,
      ),
    ).not.toContain(certified.user.id);
    await svc().bookings.cancel(second.id, c.user, 'test done');
    await db().execute(sql`UPDATE technician_certificates SET expires_on = ${inAYear()}::date
                            WHERE technician_id = ${certified.user.id}`);
    const third = await book(gas);
    expect((await openOfferOf(svc(), third.id)).technicianId).toBe(certified.user.id);
    await svc().bookings.cancel(third.id, c.user, 'test done');
    for (const t of [expired, valid, certified])
      await svc().technicians.setOnline(t.user.id, { online: false });
  });

  it('an expired ID stops offers (suspended by the sweep) until renewed and approved again', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot, { name: 'Expiring' });
    const admin = await adminApi();
    // An approved application whose ID expired yesterday.
    await application(t.user.id, yesterday());

    // The admins' review queues hear of it (me.events `applications`), once.
    const heard: unknown[] = [];
    const off = svc().bus.on<{ technicianId: string }>(channels.applications, (m) => {
      if (m.technicianId === t.user.id) heard.push(m);
    });
    const swept = await svc().onboarding.sweepExpired();
    expect(swept).toContain(t.user.id);
    expect(await svc().onboarding.sweepExpired()).not.toContain(t.user.id);
    off();
    expect(heard).toEqual([{ technicianId: t.user.id, status: 'changes_requested' }]);
    const [profile] = await db()
      .select()
      .from(technicianProfiles)
      .where(eq(technicianProfiles.userId, t.user.id));
    expect(profile).toMatchObject({
      verification: 'suspended',
      online: false,
      verificationNote: 'document_expired',
    });
    const view = await httpClient(server, t.token).onboarding.status.query();
    expect(view).toMatchObject({
      status: 'changes_requested',
      lastDecision: { reasonCode: 'document_expired' },
      idDocument: { expired: true },
    });
    expect(view.checklist.find((c) => c.item === 'national_id')).toMatchObject({ done: false, toFix: true });
    const rows = await trail(t.user.id);
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([['onboarding.expire', null]]);

    // Going online again changes nothing: a job right where they are is not offered to them.
    await svc().technicians.setOnline(t.user.id, { online: true, ...spot });
    const c = await customer(svc());
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: '3 Herbert Macaulay Way, Yaba',
      idempotencyKey: randomUUID(),
    });
    await sleep(1_500);
    const offers = () => db().select().from(dispatchOffers).where(eq(dispatchOffers.bookingId, b.id));
    expect((await offers()).filter((o) => o.technicianId === t.user.id)).toEqual([]);

    // Renewed and approved: verified again, and the waiting job is offered to them.
    await db()
      .update(technicianOnboarding)
      .set({ idExpiresOn: inAYear(), status: 'submitted', submittedAt: new Date() })
      .where(eq(technicianOnboarding.technicianId, t.user.id));
    await admin.api.admin.onboarding.decide.mutate({
      technicianId: t.user.id,
      decision: 'approve',
      reasonCode: 'approved',
    });
    await svc().technicians.setOnline(t.user.id, { online: true, ...spot });
    await until(async () => (await offers()).some((o) => o.technicianId === t.user.id), 8_000);
  });
});
