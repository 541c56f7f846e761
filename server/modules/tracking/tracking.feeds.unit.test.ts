import { describe, expect, it } from 'vitest';
import { LiveEvent, livePosition, livePositionJson } from './tracking.feeds';

describe('livePositionJson', () => {
  it('writes exactly what JSON.stringify writes for a live position', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const maybe = (v: number) => (rnd() < 0.3 ? null : v);
    for (let i = 0; i < 2000; i++) {
      const fix = {
        lat: (rnd() - 0.5) * 180,
        lng: (rnd() - 0.5) * 360,
        recordedAt: Math.floor(rnd() * 4e12),
        accuracy: maybe(rnd() * 100),
        heading: maybe(Math.round(rnd() * 360)),
        speed: maybe(rnd() < 0.1 ? 0 : rnd() * 1e-7),
      };
      const target = { lat: (rnd() - 0.5) * 180, lng: (rnd() - 0.5) * 360 };
      const stale = rnd() < 0.5;
      const p = livePosition(fix, target, fix.speed ?? undefined, stale);
      expect(livePositionJson(p)).toBe(JSON.stringify(p));
      // The event the feeds publish: its JSON made straight from the fix, its object only when asked.
      const e = new LiveEvent(fix, target, fix.speed ?? undefined, stale);
      expect(e.json).toBe(JSON.stringify(p));
      expect(e.data).toEqual(p);
      expect(e.id).toBe(String(fix.recordedAt));
    }
    const odd = {
      ...livePosition(
        { lat: 1, lng: 2, recordedAt: 0, accuracy: null, heading: null, speed: null },
        { lat: 1, lng: 2 },
        undefined,
        false,
      ),
      lat: -0,
      lng: 1e21,
      accuracy: Number.NaN,
    };
    expect(livePositionJson(odd)).toBe(JSON.stringify(odd));
  });
});
