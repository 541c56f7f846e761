import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMeters } from '#shared/geo';
import { assignedBooking, offset, technician, uniqueSpot } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';
import { createClockEstimator } from './fix-filter';

/** Issue 15 §5: location integrity — setOnline's position is an ordinary fix; phone clocks are corrected. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const svc = () => server.services;
const iso = (ms: number) => new Date(ms).toISOString();

describe("technician.setOnline's position", () => {
  it('goes through the fix filter: going online again mid-job 500 km away does not teleport the pin', async () => {
    const { technician: t, techAt } = await assignedBooking(svc());
    const now = Date.now();
    await svc().technicians.trackingUpdate(t.user.id, {
      points: [{ ...techAt, recordedAt: iso(now - 2_000) }],
    });
    const far = { lat: techAt.lat + 4.5, lng: techAt.lng };
    await svc().technicians.setOnline(t.user.id, { online: true, ...far });
    // One more fix near the far point: before, it was judged against the far point and accepted.
    await svc().technicians.trackingUpdate(t.user.id, {
      points: [{ lat: far.lat + 0.0001, lng: far.lng, recordedAt: iso(Date.now() + 1_000) }],
    });
    const pin = svc().tracking.lastPosition(t.user.id)!;
    expect(distanceMeters(pin, techAt)).toBeLessThan(100);
    const me = await svc().technicians.me(t.user.id);
    expect(distanceMeters(me.location!, techAt)).toBeLessThan(100);
  });

  it('still places a technician who goes online for the first time', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot, { online: false });
    const me = await svc().technicians.setOnline(t.user.id, { online: true, ...spot });
    expect(me.online).toBe(true);
    expect(distanceMeters(me.location!, spot)).toBeLessThan(1);
  });
});

describe('phone clocks', () => {
  it('a clock 45 s fast: fixes are corrected, accepted, and the pin moves', async () => {
    const start = uniqueSpot();
    const t = await technician(svc(), start);
    let accepted = 0;
    for (let i = 1; i <= 5; i++) {
      const at = offset(start, i * 10);
      const r = await svc().technicians.trackingUpdate(t.user.id, {
        points: [{ ...at, recordedAt: iso(Date.now() + 45_000) }],
      });
      accepted += r.accepted;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(accepted).toBe(5);
    expect(distanceMeters(svc().tracking.lastPosition(t.user.id)!, offset(start, 50))).toBeLessThan(2);
  });

  it('a clock 2 h slow that sends its own time: the pin follows the fixes', async () => {
    const start = uniqueSpot();
    const t = await technician(svc(), start);
    const slow = -2 * 3600_000;
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 1; i <= 3; i++) {
      const deviceNow = Date.now() + slow;
      await svc().technicians.trackingUpdate(t.user.id, {
        points: [{ ...offset(start, i * 10), recordedAt: iso(deviceNow - 20) }],
        sentAt: iso(deviceNow),
      });
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(distanceMeters(svc().tracking.lastPosition(t.user.id)!, offset(start, 30))).toBeLessThan(2);
  });

  it('a clock 2 h slow without its own time: corrected once several calls agree', async () => {
    const start = uniqueSpot();
    const t = await technician(svc(), start);
    for (let i = 1; i <= 5; i++) {
      await svc().technicians.trackingUpdate(t.user.id, {
        points: [{ ...offset(start, i * 10), recordedAt: iso(Date.now() - 2 * 3600_000) }],
      });
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(distanceMeters(svc().tracking.lastPosition(t.user.id)!, offset(start, 50))).toBeLessThan(2);
  });

  it('an offline backlog from a phone whose clock is right is not mistaken for a slow clock', () => {
    const clocks = createClockEstimator();
    const now = Date.now();
    expect(clocks.offset('a', now, now - 1_000, now - 1_000)).toBe(0); // live
    expect(clocks.offset('a', now + 5_000, now - 900_000, now - 700_000)).toBe(0); // a backlog
    expect(clocks.offset('a', now + 6_000, now + 5_500, now + 5_500)).toBe(0); // live again
    expect(clocks.offset('b', now, now + 45_000, now + 45_000)).toBeGreaterThan(40_000); // fast: at once
    // One fix from next week among good ones says nothing about the clock.
    expect(clocks.offset('c', now, now - 5_000, now + 600_000)).toBe(0);
  });
});
