import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedApplication,
  codeOf,
  customer,
  serviceId,
  technician,
  uniquePhone,
  uniqueSpot,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const svc = () => server.services;

async function newTechnician() {
  const t = await httpClient(server).auth.signUp.mutate({
    email: uniqueEmail('t'),
    password: 'technician password',
    name: 'Femi',
    role: 'technician',
  });
  // Going online needs a verified phone (issue 11 §3).
  await svc().phone.markVerified(t.user.id, uniquePhone());
  return t;
}

describe('technician profile', () => {
  it('starts pending and offline; going online needs a position; services can be set', async () => {
    const { token } = await newTechnician();
    const api = httpClient(server, token);
    const me = await api.technician.me.query();
    expect(me).toMatchObject({ verification: 'pending', online: false, location: null, services: [] });
    expect(await codeOf(api.technician.setOnline.mutate({ online: true }))).toBe('BAD_REQUEST');
    const spot = uniqueSpot();
    const online = await api.technician.setOnline.mutate({ online: true, ...spot });
    expect(online.online).toBe(true);
    expect(online.location).toMatchObject({ lat: spot.lat, lng: spot.lng });
    const sid = await serviceId(svc(), 'leak-repair');
    const withServices = await api.technician.setServices.mutate({
      services: [{ serviceId: sid, price: 1_500_000 }],
    });
    expect(withServices.services).toEqual([
      { serviceId: sid, price: { amount: 1_500_000, currency: 'NGN' } },
    ]);
    expect(await codeOf(api.technician.setServices.mutate({ services: [{ serviceId: randomUUID() }] }))).toBe(
      'NOT_FOUND',
    );
    const updated = await api.technician.updateProfile.mutate({ bio: 'Ten years of plumbing in Surulere' });
    expect(updated.bio).toContain('Surulere');
    expect((await api.technician.setOnline.mutate({ online: false })).online).toBe(false);
  });

  it('shows each service’s price bounds and names the service and its bounds when a price is outside them', async () => {
    const { token } = await newTechnician();
    const api = httpClient(server, token);
    const sid = await serviceId(svc(), 'leak-repair');
    const listed = (await api.catalog.services.query()).find((s) => s.id === sid)!;
    expect(listed.minPrice).toEqual({ amount: expect.any(Number), currency: 'NGN' });
    expect(listed.maxPrice!.amount).toBeGreaterThan(listed.minPrice!.amount);
    const tooHigh = listed.maxPrice!.amount + 100;
    const error = await api.technician.setServices
      .mutate({ services: [{ serviceId: sid, price: tooHigh }] })
      .catch((e: { data?: { appCode?: string; details?: unknown } }) => e);
    expect(error).toMatchObject({
      data: {
        appCode: 'VALIDATION',
        details: {
          reason: 'PRICE_OUT_OF_BOUNDS',
          serviceId: sid,
          currency: 'NGN',
          minPrice: listed.minPrice!.amount,
          maxPrice: listed.maxPrice!.amount,
        },
      },
    });
    const atMax = await api.technician.setServices.mutate({
      services: [{ serviceId: sid, price: listed.maxPrice!.amount }],
    });
    expect(atMax.services[0]!.price!.amount).toBe(listed.maxPrice!.amount);
  });

  it('a Cairo technician offers Cairo’s services in EGP; services of two cities at once are refused', async () => {
    const { token } = await newTechnician();
    const api = httpClient(server, token);
    const cairo = await api.catalog.services.query({ market: 'cairo' });
    const lagos = await api.catalog.services.query({ market: 'lagos' });
    expect(cairo.length).toBeGreaterThan(1);
    expect(new Set(cairo.map((s) => `${s.market} ${s.basePrice.currency}`))).toEqual(new Set(['cairo EGP']));
    const [first, second] = cairo;
    const saved = await api.technician.setServices.mutate({
      services: [{ serviceId: first!.id }, { serviceId: second!.id, price: second!.basePrice.amount }],
    });
    expect(saved.services.map((s) => s.serviceId).sort()).toEqual([first!.id, second!.id].sort());
    expect(saved.services.find((s) => s.serviceId === second!.id)!.price).toEqual({
      amount: second!.basePrice.amount,
      currency: 'EGP',
    });
    // The same service in Lagos added to the Cairo list: refused, and the Cairo list stays as it was.
    const lagosTwin = lagos.find((s) => s.slug === first!.slug)!;
    const error = await api.technician.setServices
      .mutate({ services: [{ serviceId: first!.id }, { serviceId: lagosTwin.id }] })
      .catch((e: { data?: { appCode?: string; details?: unknown } }) => e);
    expect(error).toMatchObject({
      data: { appCode: 'VALIDATION', details: { reason: 'MIXED_MARKETS', markets: 'cairo,lagos' } },
    });
    expect((await api.technician.me.query()).services).toEqual(saved.services);
    // No earnings yet: zeros in their market's currency (not the deployment's default market's).
    expect(await api.earnings.summary.query()).toMatchObject({ currency: 'EGP', earned: 0, balance: 0 });
    // Moving to Lagos is one list replacing the other.
    const moved = await api.technician.setServices.mutate({ services: [{ serviceId: lagosTwin.id }] });
    expect(moved.services).toEqual([{ serviceId: lagosTwin.id, price: null }]);
    expect((await api.earnings.summary.query()).currency).toBe('NGN');
  });

  it('keeps the newest plausible position: late, future and (0,0) fixes never move it', async () => {
    const { token } = await newTechnician();
    const api = httpClient(server, token);
    const spot = uniqueSpot();
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const r1 = await api.tracking.update.mutate({
      points: [
        { ...spot, accuracy: 10, recordedAt: at(-5_000) },
        { lat: 0, lng: 0, recordedAt: at(-4_000) },
        { ...spot, recordedAt: at(10 * 60_000) },
      ],
    });
    expect(r1).toEqual({ accepted: 1, rejected: 2, reason: 'future' });
    const late = await api.tracking.update.mutate({
      points: [{ lat: spot.lat + 1, lng: spot.lng, recordedAt: at(-60_000) }],
    });
    expect(late.accepted).toBe(0);
    const me = await api.technician.me.query();
    expect(me.location).toMatchObject({ lat: spot.lat, lng: spot.lng, accuracy: 10 });
    expect(
      await codeOf(api.tracking.update.mutate({ points: [{ lat: 91, lng: 0, recordedAt: at(0) }] })),
    ).toBe('BAD_REQUEST');
  });

  it('is for technicians only', async () => {
    const c = await customer(svc());
    const api = httpClient(server, c.token);
    expect(await codeOf(api.technician.me.query())).toBe('FORBIDDEN');
    expect(
      await codeOf(
        api.tracking.update.mutate({ points: [{ ...uniqueSpot(), recordedAt: new Date().toISOString() }] }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(httpClient(server).technician.me.query())).toBe('UNAUTHORIZED');
  });
});

describe('admin verification', () => {
  it('admins list the queue and verify; only verified technicians receive jobs; suspension takes them offline', async () => {
    const email = uniqueEmail('admin');
    await svc().auth.ensureAdmin(email, 'admin password 1');
    const admin = httpClient(
      server,
      (await httpClient(server).auth.signIn.mutate({ email, password: 'admin password 1' })).token,
    );
    const t = await newTechnician();
    // Oldest first, 50 a page: other tests' pending technicians may fill the first pages.
    const pending: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.admin.technicians.list.query({ verification: 'pending', cursor });
      pending.push(...page.items.map((i) => i.userId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && !pending.includes(t.user.id));
    expect(pending).toContain(t.user.id);
    const spot = uniqueSpot();
    const api = httpClient(server, t.token);
    await api.technician.setServices.mutate({ services: [{ serviceId: await serviceId(svc()) }] });
    await api.technician.setOnline.mutate({ online: true, ...spot });

    const before = await svc().bookings.quote({ serviceId: await serviceId(svc()), ...spot });
    expect(before.availableTechnicians).toBe(0);
    // No approved onboarding application (documents unreviewed): "verified" is refused, clearly.
    const bypass = await admin.admin.technicians.setVerification
      .mutate({ technicianId: t.user.id, status: 'verified' })
      .catch((e: { data: { code: string; appCode: string; details: unknown } }) => e.data);
    expect(bypass).toMatchObject({
      code: 'CONFLICT',
      appCode: 'CONFLICT',
      details: { reason: 'APPLICATION_NOT_APPROVED' },
    });
    expect((await svc().technicians.me(t.user.id)).verification).toBe('pending');
    // Suspending or rejecting needs no application.
    expect(
      (
        await admin.admin.technicians.setVerification.mutate({
          technicianId: t.user.id,
          status: 'rejected',
          note: 'No documents',
        })
      ).verification,
    ).toBe('rejected');
    // Approved through onboarding (here its row, as admin.onboarding.decide leaves it): now it may.
    await approvedApplication(svc(), t.user.id);
    const verified = await admin.admin.technicians.setVerification.mutate({
      technicianId: t.user.id,
      status: 'verified',
    });
    expect(verified.verification).toBe('verified');
    await api.technician.setOnline.mutate({ online: true, ...spot }); // the rejection took them offline
    const after = await svc().bookings.quote({ serviceId: await serviceId(svc()), ...spot });
    expect(after.availableTechnicians).toBe(1);
    // Rounded up to 500 m steps (issue 15 §3: quotes must not locate technicians).
    expect(after.nearest?.distanceMeters).toBe(500);

    const suspended = await admin.admin.technicians.setVerification.mutate({
      technicianId: t.user.id,
      status: 'suspended',
      note: 'Customer complaints',
    });
    expect(suspended).toMatchObject({
      verification: 'suspended',
      verificationNote: 'Customer complaints',
      online: false,
    });
    expect(await codeOf(api.admin.technicians.list.query({}))).toBe('FORBIDDEN');
    expect(
      await codeOf(
        admin.admin.technicians.setVerification.mutate({ technicianId: randomUUID(), status: 'verified' }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('offers a waiting booking as soon as a technician comes online nearby', async () => {
    const spot = uniqueSpot();
    const c = await customer(svc());
    const t = await technician(svc(), spot, { online: false });
    // Nobody is online yet, and the booking would go unfulfilled at once: give it a scheduled time instead.
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...spot,
      address: 'Late Night Road 1',
      scheduledFor: new Date(Date.now() + 30 * 60_000).toISOString(),
      idempotencyKey: randomUUID(),
    });
    expect(b.status).toBe('searching');
    await svc().technicians.setOnline(t.user.id, { online: true, ...spot });
    const first = await svc().dispatch.offers(t.user.id, AbortSignal.timeout(3000)).next();
    expect(first.value).toMatchObject({ type: 'offer', offer: { bookingId: b.id } });
  });
});
