import { randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeOf, customer, offset, serviceId, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import type { AppErrorData } from '../../trpc/errors';
import { ARRIVAL_FIX_FRESH_MS } from './booking.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ARRIVAL_RADIUS_METERS: '300' });
});
afterAll(() => server.close());
afterEach(() => vi.useRealTimers());
const svc = () => server.services;

/** A booking accepted by a technician who went online `meters` from the job, already on the way. */
async function onTheWay(meters: number) {
  const spot = uniqueSpot();
  const t = await technician(svc(), offset(spot, meters));
  const c = await customer(svc());
  const b = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...spot,
    address: '7 Adeola Odeku Street, Victoria Island',
    idempotencyKey: randomUUID(),
  });
  await until(async () => (await codeOf(svc().dispatch.accept(b.id, t.user.id))) === 'OK');
  const api = httpClient(server, t.token);
  await api.booking.advance.mutate({ id: b.id, to: 'en_route' });
  /** The phone reports where it is, now, through the public procedure. */
  const sendFix = (meters: number) =>
    api.tracking.update.mutate({
      points: [{ ...offset(spot, meters), accuracy: 10, recordedAt: new Date(Date.now()).toISOString() }],
    });
  return { booking: b, customer: c, technician: t, api, sendFix };
}

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCClientError);
  return { message: (e as Error).message, data: (e as { data: AppErrorData }).data };
}

describe('believable arrival', () => {
  it('refuses "arrived" 1.4 km from the job with ARRIVAL_FAR and the distance; confirmFar goes through and is recorded', async () => {
    const { booking, customer: c, api, sendFix } = await onTheWay(1400);
    expect(await sendFix(1420)).toMatchObject({ accepted: 1, rejected: 0 });

    const refused = await failure(api.booking.advance.mutate({ id: booking.id, to: 'arrived' }));
    expect(refused.data).toMatchObject({ code: 'CONFLICT', httpStatus: 409, appCode: 'ARRIVAL_FAR' });
    expect(refused.data.details?.distanceMeters).toBeGreaterThan(1350);
    expect(refused.data.details?.distanceMeters).toBeLessThan(1450);
    expect(refused.data.details?.radiusMeters).toBe(300);
    expect(refused.message).toContain('1.4 km');
    expect((await api.booking.get.query({ id: booking.id })).status).toBe('en_route');

    const arrived = await api.booking.advance.mutate({ id: booking.id, to: 'arrived', confirmFar: true });
    expect(arrived.status).toBe('arrived');
    const history = await svc().bookings.history(booking.id, c.user);
    expect(history.at(-1)).toMatchObject({
      from: 'en_route',
      to: 'arrived',
      by: { role: 'technician' },
      reason: 'Arrived 1.4 km from the job (confirmed by the technician)',
    });
  });

  it('arrives as before within the radius, or when the newest fix is not fresh', async () => {
    // Within the radius: the pin moved close (a minute later, at a plausible speed).
    const near = await onTheWay(1200);
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 60_000);
    expect(await near.sendFix(200)).toMatchObject({ accepted: 1 });
    const arrived = await near.api.booking.advance.mutate({ id: near.booking.id, to: 'arrived' });
    expect(arrived.status).toBe('arrived');
    expect((await svc().bookings.history(near.booking.id, near.customer.user)).at(-1)?.reason).toBeNull();
    vi.useRealTimers();

    // Far, but the newest fix is older than ARRIVAL_FIX_FRESH_MS (GPS off, phone asleep): proves nothing.
    const silent = await onTheWay(5000);
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + ARRIVAL_FIX_FRESH_MS + 5_000);
    const late = await silent.api.booking.advance.mutate({ id: silent.booking.id, to: 'arrived' });
    expect(late.status).toBe('arrived');
  });

  it('keeps an illegal step a plain CONFLICT, however far away', async () => {
    const { booking, api, sendFix } = await onTheWay(1400);
    await sendFix(1420);
    await api.booking.advance.mutate({ id: booking.id, to: 'arrived', confirmFar: true });
    const again = await failure(api.booking.advance.mutate({ id: booking.id, to: 'arrived' }));
    expect(again.data).toMatchObject({ code: 'CONFLICT', appCode: 'CONFLICT', details: null });
  });
});
