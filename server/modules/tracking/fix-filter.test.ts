import { describe, expect, it } from 'vitest';
import { distanceMeters } from '../../lib/geo';
import { createLocationIndex } from '../../realtime/location-index';
import { FIX_LIMITS, type Fix, judgeFix } from './fix-filter';

const now = Date.parse('2026-11-21T10:00:00Z');
const base: Fix = { lat: 6.5158, lng: 3.3792, accuracy: 8, recordedAt: now - 10_000 };

describe('fix validation table', () => {
  const cases: Array<[string, Fix, Fix | undefined, string]> = [
    ['latitude out of range', { ...base, lat: 91 }, undefined, 'range'],
    ['longitude out of range', { ...base, lng: -181 }, undefined, 'range'],
    ['NaN', { ...base, lat: Number.NaN }, undefined, 'range'],
    ['(0,0)', { ...base, lat: 0, lng: 0 }, undefined, 'null_island'],
    [
      'accuracy worse than the threshold',
      { ...base, accuracy: FIX_LIMITS.maxAccuracyMeters + 1 },
      undefined,
      'inaccurate',
    ],
    ['recorded in the future', { ...base, recordedAt: now + 60_000 }, undefined, 'future'],
    ['far too old', { ...base, recordedAt: now - FIX_LIMITS.maxAgeMs - 1 }, undefined, 'stale'],
    ['duplicate timestamp', { ...base, lat: base.lat + 0.0001 }, base, 'duplicate'],
    // 2 km in 10 s is 720 km/h.
    [
      'implausible speed',
      { ...base, lat: base.lat + 0.018, recordedAt: base.recordedAt + 10_000 },
      base,
      'implausible_speed',
    ],
  ];
  for (const [name, fix, last, reason] of cases) {
    it(`rejects: ${name}`, () => {
      expect(judgeFix(fix, last, now)).toEqual({ ok: false, reason });
    });
  }

  it('accepts a plausible newer fix as current, and a late one only as history', () => {
    const newer = { ...base, lat: base.lat + 0.001, recordedAt: base.recordedAt + 20_000 }; // 111 m in 20 s
    expect(judgeFix(newer, base, now)).toEqual({ ok: true, current: true });
    const late = { ...base, lat: base.lat - 0.0005, recordedAt: base.recordedAt - 30_000 };
    expect(judgeFix(late, base, now)).toEqual({ ok: true, current: false });
  });
});

describe('in-memory location index', () => {
  it('answers nearest-N like brute force, with filters, while positions change', () => {
    const index = createLocationIndex();
    const centre = { lat: 6.5244, lng: 3.3792 };
    const rand = (seed: number) => () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const r = rand(42);
    const spread = () => ({ lat: centre.lat + (r() - 0.5) * 0.3, lng: centre.lng + (r() - 0.5) * 0.3 });
    for (let i = 0; i < 5000; i++) {
      index.upsert(`t${i}`, {
        ...spread(),
        available: r() > 0.2,
        services: new Set(r() > 0.5 ? ['a'] : ['b']),
      });
    }
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 200; i++) index.upsert(`t${Math.floor(r() * 5000)}`, spread());
      const at = spread();
      const want = [...index.all()]
        .filter((t) => t.available && t.services.has('a'))
        .map((t) => ({ id: t.id, d: distanceMeters(at, t) }))
        .filter((x) => x.d <= 3000)
        .sort((a, b) => a.d - b.d)
        .slice(0, 10)
        .map((x) => x.d);
      // Compared by distance: two technicians can stand on the same spot, in either order.
      const got = index
        .nearest(at, 10, 3000, (t) => t.available && t.services.has('a'))
        .map((x) => x.distanceMeters);
      expect(got).toEqual(want);
    }
    index.remove('t1');
    expect(index.get('t1')).toBeUndefined();
  });
});
