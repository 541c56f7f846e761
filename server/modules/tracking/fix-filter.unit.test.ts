import { describe, expect, it } from 'vitest';
import { distanceMeters } from '#shared/geo';
import { createLocationIndex } from '../../realtime/location-index';
import { createFixFilter, FIX_LIMITS, type Fix, judgeFix, REANCHOR_AFTER } from './fix-filter';

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

describe('createFixFilter: re-anchoring after a wrong fix', () => {
  const t = 'tech-1';
  /** `n` fixes, 10 s apart, walking north ~50 m each from `from` (plausible among themselves). */
  const walk = (from: Fix, n: number, stepLat = 0.00045) =>
    Array.from({ length: n }, (_, i) => ({
      ...from,
      lat: from.lat + stepLat * (i + 1),
      recordedAt: from.recordedAt + 10_000 * (i + 1),
    }));

  it('a wrong accepted fix is replaced once REANCHOR_AFTER true fixes agree with each other', () => {
    const filter = createFixFilter();
    // The stored position is wrong: 20 km away (accepted because it was the first fix).
    const wrong: Fix = { ...base, lat: base.lat + 0.18, recordedAt: now - 60_000 };
    expect(filter.judge(t, wrong, undefined, now)).toEqual({ ok: true, current: true });
    const truth = walk({ ...base, recordedAt: now - 50_000 }, REANCHOR_AFTER + 1);
    let last: Fix = wrong;
    const anchors: Fix[] = [];
    const verdicts = truth.map((fix) => {
      const v = filter.judge(t, fix, last, now);
      if (v.ok && v.current) {
        last = fix;
        anchors.push(fix);
      }
      return v;
    });
    for (let i = 0; i < REANCHOR_AFTER - 1; i++) {
      expect(verdicts[i]).toEqual({ ok: false, reason: 'implausible_speed' });
    }
    expect(verdicts[REANCHOR_AFTER - 1]).toEqual({ ok: true, current: true, reanchored: true });
    expect(anchors[0]).toBe(truth[REANCHOR_AFTER - 1]);
    // From the new anchor on, the walk is ordinary movement.
    expect(verdicts[REANCHOR_AFTER]).toEqual({ ok: true, current: true });
  });

  it('random noise (jumps that disagree with each other too) never re-anchors', () => {
    const filter = createFixFilter();
    const r = ((seed: number) => () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    })(7);
    const anchor: Fix = { ...base, recordedAt: now - 200_000 };
    for (let i = 0; i < 100; i++) {
      // Each jump lands 5–50 km away in a random direction: far from the anchor and from the jump before.
      const angle = r() * 2 * Math.PI;
      const km = 5 + r() * 45;
      const fix: Fix = {
        ...anchor,
        lat: anchor.lat + (km / 111) * Math.cos(angle),
        lng: anchor.lng + (km / 111) * Math.sin(angle),
        recordedAt: anchor.recordedAt + 1_000 * (i + 1),
      };
      const v = filter.judge(t, fix, anchor, now);
      expect(v.ok).toBe(false);
    }
  });

  it('normal movement is judged exactly as judgeFix does, and a streak is cleared by an accepted fix', () => {
    const filter = createFixFilter();
    let last: Fix | undefined;
    for (const fix of [base, ...walk(base, 5)].map((f) => ({ ...f, recordedAt: f.recordedAt - 60_000 }))) {
      const v = filter.judge(t, fix, last, now);
      expect(v).toEqual(judgeFix(fix, last, now));
      expect(v).toEqual({ ok: true, current: true });
      last = fix;
    }
    // Two agreeing far fixes, then one true fix near the anchor: the streak restarts from zero.
    const anchor = last!;
    const far = walk({ ...anchor, lat: anchor.lat + 0.2 }, 2);
    for (const fix of far) expect(filter.judge(t, fix, anchor, now).ok).toBe(false);
    const near = { ...anchor, lat: anchor.lat + 0.0002, recordedAt: anchor.recordedAt + 30_000 };
    expect(filter.judge(t, near, anchor, now)).toEqual({ ok: true, current: true });
    const farAgain = walk({ ...near, lat: near.lat + 0.2 }, 2);
    for (const fix of farAgain) expect(filter.judge(t, fix, near, now).ok).toBe(false);
  });

  it('keeps technicians apart, ignores late fixes, and forget() drops the streak', () => {
    const filter = createFixFilter();
    const anchor: Fix = { ...base, recordedAt: now - 100_000 };
    const far = walk({ ...anchor, lat: anchor.lat + 0.2 }, 3);
    filter.judge('a', far[0]!, anchor, now);
    filter.judge('b', far[1]!, anchor, now);
    filter.judge('a', far[1]!, anchor, now);
    filter.forget('a');
    // 'a' starts over: its third agreeing fix is only the first of a new streak.
    expect(filter.judge('a', far[2]!, anchor, now).ok).toBe(false);
    // Late far fixes (older than the anchor) never count, however well they agree.
    const late = walk({ ...anchor, lat: anchor.lat + 0.2, recordedAt: anchor.recordedAt - 90_000 }, 5);
    for (const fix of late) expect(filter.judge('c', fix, anchor, now)).toEqual(judgeFix(fix, anchor, now));
  });
});
