import { describe, expect, it } from 'vitest';
import { quickTrackingUpdate, trackingUpdateInput } from './technician';

const point = {
  lat: 6.5,
  lng: 3.4,
  accuracy: 8,
  heading: 90,
  speed: 7.5,
  recordedAt: '2026-11-29T10:00:00.000Z',
};

/** Inputs the quick check must accept (as zod does, with the same value) or hand to zod. */
const cases: unknown[] = [
  { points: [point] },
  { points: [point], sentAt: '2026-11-29T10:00:01Z' },
  { points: [{ lat: -90, lng: 180, recordedAt: '2026-11-29T10:00:00+01:00' }] },
  { points: [{ ...point, accuracy: 0, heading: 360, speed: 1000 }] },
  { points: Array.from({ length: 100 }, () => point) },
  // Refused by zod: the quick check must not accept any of these.
  { points: [] },
  { points: Array.from({ length: 101 }, () => point) },
  { points: [{ ...point, lat: 90.0001 }] },
  { points: [{ ...point, lng: -180.5 }] },
  { points: [{ ...point, lat: Number.NaN }] },
  { points: [{ ...point, lat: '6.5' }] },
  { points: [{ ...point, accuracy: -1 }] },
  { points: [{ ...point, heading: 361 }] },
  { points: [{ ...point, speed: 1001 }] },
  { points: [{ ...point, speed: null }] },
  { points: [{ ...point, recordedAt: '2026-02-30T10:00:00Z' }] },
  { points: [{ ...point, recordedAt: '2026-11-29T10:00:00' }] },
  { points: [{ ...point, recordedAt: '2026-11-29T10:00:00Z\u0000' }] },
  { points: [{ ...point, recordedAt: 1764410400000 }] },
  { points: [point], sentAt: 'yesterday' },
  { points: [point], sentAt: null },
  { points: [{ lat: 1, lng: 1 }] },
  { points: 'x' },
  null,
  [],
  'points',
  // Accepted by zod after stripping unknown keys: zod decides (and strips), not the quick check.
  { points: [point], extra: 1 },
  { points: [{ ...point, altitude: 12 }] },
  { points: [{ ...point, speed: undefined }] },
];

describe('quickTrackingUpdate', () => {
  it.each(cases.map((c) => [JSON.stringify(c)?.slice(0, 80), c]))('agrees with zod: %s', (_, input) => {
    const quick = quickTrackingUpdate(input);
    const zod = trackingUpdateInput.safeParse(input);
    if (quick !== undefined) {
      expect(zod.success).toBe(true);
      expect(quick).toEqual(zod.data);
    }
  });

  it('takes the common shapes itself (else the hot path gains nothing)', () => {
    expect(cases.slice(0, 5).every((c) => quickTrackingUpdate(c) !== undefined)).toBe(true);
    expect(quickTrackingUpdate({ points: [point], extra: 1 })).toBeUndefined();
  });
});
