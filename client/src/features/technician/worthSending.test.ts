// Which position fixes the technician's phone sends: moving, at most one every ~3 s and only past ~15 m;
// standing still, one every ~30 s; never the same (or an older) fix twice.
import { describe, expect, it, vi } from 'vitest';
import { distanceMeters } from '#shared/geo';
import {
  MOVING_EVERY_MS,
  MOVING_MIN_METERS,
  STILL_EVERY_MS,
  toPoint,
  worthSending,
} from './useLocationSharing';

vi.mock('../../lib/trpc', () => ({ getApi: () => ({}) }));

const at = { lat: 6.5244, lng: 3.3792 };
/** A point `meters` north of `at` (1° of latitude ≈ 111.2 km). */
const north = (meters: number) => ({ lat: at.lat + meters / 111_195, lng: at.lng });
const last = { ...at, t: 1_000_000, sentAt: 5_000_000 };

describe('worthSending: the distance/time filter', () => {
  it('sends the first fix', () => {
    expect(worthSending({ ...at, t: 1 }, null, 0)).toBe(true);
  });

  it('never sends the same or an older fix again', () => {
    expect(worthSending({ ...north(500), t: last.t }, last, last.sentAt + STILL_EVERY_MS)).toBe(false);
    expect(worthSending({ ...north(500), t: last.t - 1 }, last, last.sentAt + STILL_EVERY_MS)).toBe(false);
  });

  const table: Array<[string, number, number, boolean]> = [
    ['moved 40 m after 1 s', 40, 1_000, false],
    ['moved 40 m just before 3 s', 40, MOVING_EVERY_MS - 1, false],
    ['moved 40 m after 3 s', 40, MOVING_EVERY_MS, true],
    ['moved 10 m after 10 s', 10, 10_000, false],
    ['moved 14 m after 29 s', MOVING_MIN_METERS - 1, STILL_EVERY_MS - 1_000, false],
    ['moved 16 m after 3 s', MOVING_MIN_METERS + 1, MOVING_EVERY_MS, true],
    ['still for 30 s', 0, STILL_EVERY_MS, true],
    ['still for 29.9 s', 0, STILL_EVERY_MS - 100, false],
  ];
  for (const [name, meters, since, expected] of table) {
    it(`${expected ? 'sends' : 'skips'}: ${name}`, () => {
      expect(worthSending({ ...north(meters), t: last.t + since }, last, last.sentAt + since)).toBe(expected);
    });
  }

  it('measures with the great-circle distance', () => {
    expect(distanceMeters(at, north(1_000))).toBeCloseTo(1_000, 0);
    expect(distanceMeters(at, at)).toBe(0);
  });
});

describe('toPoint', () => {
  it('keeps what the server takes and drops what it would refuse', () => {
    const position = {
      timestamp: Date.parse('2026-11-21T10:00:00Z'),
      coords: { latitude: 6.5, longitude: 3.4, accuracy: 250_000, heading: Number.NaN, speed: -1 },
    } as unknown as GeolocationPosition;
    expect(toPoint(position)).toEqual({
      lat: 6.5,
      lng: 3.4,
      accuracy: 100_000,
      recordedAt: '2026-11-21T10:00:00.000Z',
    });
  });
});
