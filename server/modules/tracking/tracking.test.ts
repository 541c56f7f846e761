import type { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LivePosition, OnlineSnapshot } from '../../contracts/tracking';
import {
  assignedBooking,
  codeOf,
  customer,
  offset,
  technician,
  uniqueSpot,
  until,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail, wsClient } from '../../test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const svc = () => server.services;

const fix = (p: { lat: number; lng: number }, recordedAt: number) => ({
  ...p,
  accuracy: 5,
  recordedAt: new Date(recordedAt).toISOString(),
});

async function refusal(token: string, bookingId: string) {
  const ws = wsClient(server, token);
  try {
    return await new Promise<string>((resolve) => {
      ws.client.tracking.watch.subscribe(
        { bookingId },
        {
          onData: () => resolve('DATA'),
          onError: (e) => resolve((e.data as { code?: string } | undefined)?.code ?? 'ERROR'),
        },
      );
    });
  } finally {
    ws.close();
  }
}

/** A raw tRPC WebSocket client: lets a test read slowly, drop the connection and resume by hand. */
async function rawWatch(token: string, bookingId: string, lastEventId?: string) {
  const ws = new WebSocket(`${server.wsUrl}?connectionParams=1`);
  const events: Array<{ id: string; data: LivePosition }> = [];
  let stopped = false;
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    if (msg.result?.type === 'data') events.push({ id: msg.result.id, data: msg.result.data.data });
    if (msg.result?.type === 'stopped') stopped = true;
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  ws.send(
    JSON.stringify({
      id: 1,
      method: 'subscription',
      params: { path: 'tracking.watch', input: { bookingId }, ...(lastEventId ? { lastEventId } : {}) },
    }),
  );
  return { ws, events, isStopped: () => stopped };
}

describe('who may watch', () => {
  it('refuses strangers, technicians, and the customer before assignment or after the job starts', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const stranger = await customer(svc());
    const otherTech = await technician(svc(), uniqueSpot());
    expect(await refusal(stranger.token, booking.id)).toBe('NOT_FOUND');
    expect(await refusal(otherTech.token, booking.id)).toBe('NOT_FOUND');
    expect(await refusal(t.token, booking.id)).toBe('NOT_FOUND'); // the technician is not a viewer
    expect(await refusal(c.token, booking.id)).toBe('DATA');

    const tech = { id: t.user.id, role: 'technician' as const };
    // The technician is still 2 km away: "arrived" needs their confirmation.
    for (const to of ['en_route', 'arrived', 'in_progress'] as const)
      await svc().bookings.advance(booking.id, tech, to, { confirmFar: true });
    expect(await refusal(c.token, booking.id)).toBe('CONFLICT');
    const trail = await httpClient(server, c.token)
      .tracking.trail.query({ bookingId: booking.id })
      .catch((e) => e);
    expect((trail as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT' });
  });

  it('ends a watch when the job starts', async () => {
    const { booking, customer: c, technician: t } = await assignedBooking(svc());
    const viewer = await rawWatch(c.token, booking.id);
    await until(async () => viewer.events.length >= 1);
    await svc().bookings.advance(booking.id, { id: t.user.id, role: 'technician' }, 'en_route');
    await svc().bookings.advance(booking.id, { id: t.user.id, role: 'technician' }, 'arrived', {
      confirmFar: true, // still 2 km away
    });
    expect(viewer.isStopped()).toBe(false);
    await svc().bookings.advance(booking.id, { id: t.user.id, role: 'technician' }, 'in_progress');
    await until(async () => viewer.isStopped());
    viewer.ws.close();
  });

  it('shows the map before booking only coarse cells and counts, no identities', async () => {
    const spot = uniqueSpot();
    const techs = await Promise.all([120, 480, 900].map((m) => technician(svc(), offset(spot, m))));
    const { token } = await customer(svc());
    const nearby = await httpClient(server, token).tracking.nearby.query(spot);
    expect(nearby.count).toBe(3);
    const text = JSON.stringify(nearby);
    for (const t of techs) expect(text).not.toContain(t.user.id);
    for (const m of [120, 480, 900]) {
      const exact = offset(spot, m);
      expect(nearby.cells.some((c) => c.lat === exact.lat && c.lng === exact.lng)).toBe(false);
    }
    expect(nearby.cells.reduce((n, c) => n + c.count, 0)).toBe(3);
  });
});

describe('watching', () => {
  it('starts with the latest position, then follows fixes with a falling distance and ETA', async () => {
    const { booking, customer: c, technician: t, spot, techAt } = await assignedBooking(svc());
    const viewer = await rawWatch(c.token, booking.id);
    await until(async () => viewer.events.length >= 1);
    const first = viewer.events[0]!.data;
    expect(first).toMatchObject({ lat: techAt.lat, lng: techAt.lng, stale: false });
    expect(first.distanceMeters).toBeGreaterThan(1900);
    // Fixes a little in the future (and the clock of ingest with them) so they are newer than going online.
    const T = Date.now() + 3_600_000;
    for (let i = 1; i <= 3; i++) {
      svc().tracking.ingest(t.user.id, [fix(offset(spot, 2000 - i * 400), T + i * 30_000)], T + i * 30_000);
      await until(async () => viewer.events.length >= 1 + i);
    }
    const seen = viewer.events.map((e) => e.data);
    expect(seen.map((e) => e.distanceMeters)).toEqual(
      [...seen.map((e) => e.distanceMeters)].sort((a, b) => b - a),
    );
    expect(seen.at(-1)!.etaSeconds).toBeLessThan(first.etaSeconds);
    viewer.ws.close();
  });

  it('resumes after the viewer’s socket dies: current position first, nothing repeated', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const now = Date.now() + 3_600_000;
    const ingest = (m: number, at: number) =>
      svc().tracking.ingest(t.user.id, [fix(offset(spot, m), now + at)], now + at);
    const viewer = await rawWatch(c.token, booking.id);
    await until(async () => viewer.events.length >= 1);
    ingest(1500, 30_000);
    await until(async () => viewer.events.length >= 2);
    const lastId = viewer.events.at(-1)!.id;
    viewer.ws.terminate(); // the phone loses its connection mid-stream
    ingest(1200, 60_000);
    ingest(1000, 90_000);
    const again = await rawWatch(c.token, booking.id, lastId);
    await until(async () => again.events.length >= 1);
    ingest(800, 120_000);
    await until(async () => again.events.length >= 2);
    const ids = again.events.map((e) => e.id);
    expect(Number(ids[0])).toBe(now + 90_000); // the current position, not the ones missed in between
    expect(ids).not.toContain(lastId);
    expect(new Set(ids).size).toBe(ids.length);
    again.ws.close();
  });

  it('a stalled viewer gets coalesced fixes and does not slow anyone else down', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const stalled = await rawWatch(c.token, booking.id);
    const healthy = await rawWatch(c.token, booking.id);
    await until(async () => stalled.events.length >= 1 && healthy.events.length >= 1);
    // The stalled phone stops reading its socket entirely.
    (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const n = 20_000;
    const T = Date.now() + 3_600_000;
    const rssBefore = process.memoryUsage().rss;
    // A fix a second, circling 10 m back and forth: plausible, and each one newer than the last.
    for (let i = 1; i <= n; i++) {
      svc().tracking.ingest(t.user.id, [fix(offset(spot, 2000 + (i % 2) * 10), T + i * 1000)], T + i * 1000);
    }
    const newest = String(T + n * 1000);
    const t0 = Date.now();
    await until(async () => healthy.events.at(-1)?.id === newest, 5_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(async () => stalled.events.at(-1)?.id === newest, 10_000);
    // It saw the newest fix, but far fewer than were sent: the ones it could not take were coalesced.
    expect(stalled.events.length).toBeLessThan(n);
    stalled.ws.close();
    healthy.ws.close();
  });

  it('keeps a breadcrumb at most every 2 s of a 2 Hz stream, and every late fix', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const T = Date.now() + 3_600_000;
    for (let i = 0; i < 10; i++)
      svc().tracking.ingest(t.user.id, [fix(offset(spot, 2000 - i), T + i * 500)], T + i * 500);
    svc().tracking.ingest(t.user.id, [fix(offset(spot, 1999), T + 250)], T + 5_000); // arrives late
    const trail = await httpClient(server, c.token).tracking.trail.query({ bookingId: booking.id });
    expect(trail.map((p) => Date.parse(p.at) - T).filter((ms) => ms >= 0)).toEqual([0, 250, 2000, 4000]);
  });

  it('fixes buffered offline arrive in order: history kept, the newest is current', async () => {
    const { booking, customer: c, technician: t, spot } = await assignedBooking(svc());
    const base = Date.now() + 1_000;
    const points = [4, 1, 3, 0, 2].map((i) => fix(offset(spot, 2000 - i * 50), base + i * 5_000));
    expect(await httpClient(server, t.token).tracking.update.mutate({ points })).toEqual({
      accepted: 5,
      rejected: 0,
      reason: null,
    });
    expect(svc().tracking.lastPosition(t.user.id)?.recordedAt).toBe(base + 20_000);
    const trail = await httpClient(server, c.token).tracking.trail.query({ bookingId: booking.id });
    expect(trail.map((p) => Date.parse(p.at))).toEqual([0, 1, 2, 3, 4].map((i) => base + i * 5_000));
    // A late fix afterwards is history only.
    const late = await httpClient(server, t.token).tracking.update.mutate({
      points: [fix(offset(spot, 1990), base + 2_500)],
    });
    expect(late.accepted).toBe(1);
    expect(svc().tracking.lastPosition(t.user.id)?.recordedAt).toBe(base + 20_000);
  });
});

describe('the admin live map', () => {
  it('streams every online technician to admins, with names and newest positions, and to nobody else', async () => {
    const email = uniqueEmail('admin-map');
    await svc().auth.ensureAdmin(email, 'admin password 1');
    const { token } = await svc().auth.signIn({ email, password: 'admin password 1' }, '127.0.0.1');
    const spot = uniqueSpot();
    const t = await technician(svc(), spot, { name: 'Mapped Musa' });
    const moved = offset(spot, 30);
    svc().tracking.ingest(t.user.id, [fix(moved, Date.now())]);

    const admin = wsClient(server, token);
    const snapshots: OnlineSnapshot[] = [];
    const sub = admin.client.tracking.online.subscribe(undefined, { onData: (s) => snapshots.push(s) });
    await until(async () => snapshots.length > 0);
    const first = snapshots[0]!;
    const row = first.technicians.find((x) => x.id === t.user.id);
    expect(row).toMatchObject({
      name: 'Mapped Musa',
      lat: moved.lat,
      lng: moved.lng,
      stale: false,
      away: false,
    });
    // Online technicians not heard from lately are listed as away, not counted as online.
    expect(first.total + first.away).toBeGreaterThanOrEqual(first.technicians.length);

    // The next snapshot follows the next fix.
    const next = offset(spot, 60);
    svc().tracking.ingest(t.user.id, [fix(next, Date.now() + 1)]);
    await until(async () =>
      snapshots.some((s) => s.technicians.some((x) => x.id === t.user.id && x.lat === next.lat)),
    );
    sub.unsubscribe();
    admin.close();

    // Customers and technicians are refused.
    for (const who of [(await customer(svc())).token, t.token]) {
      const ws = wsClient(server, who);
      const refused = new Promise<void>((resolve, reject) =>
        ws.client.tracking.online.subscribe(undefined, { onError: reject, onData: () => resolve() }),
      );
      expect(await codeOf(refused)).toBe('FORBIDDEN');
      ws.close();
    }
  });
});

describe('the fix filter', () => {
  it('never locks a technician out: after one wrong position, consistent true fixes re-anchor them', async () => {
    const spot = uniqueSpot();
    // Their phone put them 5 km off when they went online; the true fixes that follow look like a
    // 5 km jump in a second, so they are refused at first …
    const t = await technician(svc(), offset(spot, 5_000));
    const api = httpClient(server, t.token);
    const start = Date.now();
    const verdicts = [];
    for (let i = 0; i < 4; i++)
      verdicts.push(
        await api.tracking.update.mutate({ points: [fix(offset(spot, i * 5), start + i * 1_000)] }),
      );
    expect(verdicts[0]).toEqual({ accepted: 0, rejected: 1, reason: 'implausible_speed' });
    // … until three agree with each other: then the newest is taken as where they are.
    expect(verdicts.slice(1).some((v) => v.accepted === 1)).toBe(true);
    const now = svc().tracking.lastPosition(t.user.id)!;
    expect(now.lat).toBeCloseTo(offset(spot, 15).lat, 6);
  });
});

describe('flooding', () => {
  it('a technician sending more fixes than the limit gets TOO_MANY_REQUESTS; others are unaffected', async () => {
    const spot = uniqueSpot();
    const [flooder, other] = await Promise.all([
      technician(svc(), spot),
      technician(svc(), offset(spot, 500)),
    ]);
    const start = Date.now() - 60_000;
    const batch = (k: number) =>
      Array.from({ length: 100 }, (_, i) => fix(offset(spot, (k * 100 + i) % 50), start + k * 100 + i));
    const api = httpClient(server, flooder.token);
    const limit = server.config.tracking.rateLimit;
    for (let k = 0; k < limit / 100; k++) await api.tracking.update.mutate({ points: batch(k) });
    expect(await codeOf(api.tracking.update.mutate({ points: batch(limit / 100) }))).toBe(
      'TOO_MANY_REQUESTS',
    );
    // Over the WebSocket fast path too.
    const ws = wsClient(server, flooder.token);
    expect(await codeOf(ws.client.tracking.update.mutate({ points: [fix(spot, Date.now())] }))).toBe(
      'TOO_MANY_REQUESTS',
    );
    ws.close();
    const fine = await httpClient(server, other.token).tracking.update.mutate({
      points: [fix(offset(spot, 500), Date.now())],
    });
    expect(fine.accepted).toBe(1);
  });
});
