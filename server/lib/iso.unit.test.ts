import { describe, expect, it } from 'vitest';
import { isoString } from './iso';
import { prng } from './prng';

describe('isoString', () => {
  it('writes what toISOString writes, for random instants of 1970–9999', () => {
    const random = prng(20261130);
    for (let i = 0; i < 50_000; i++) {
      const ms = Math.floor(random() * 253_402_300_800_000);
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('and at the edges: epoch, leap days, century years, the end of 9999, and what it hands on', () => {
    const edges = [
      0,
      1,
      86_399_999,
      86_400_000,
      Date.UTC(2000, 1, 29),
      Date.UTC(2000, 2, 1) - 1,
      Date.UTC(1900 + 200, 1, 28),
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      Date.UTC(2026, 10, 30, 13, 52, 27, 863),
      253_402_300_799_999,
      253_402_300_800_000,
      -1,
      -62_198_755_200_000,
      1.5,
    ];
    for (const ms of edges) expect(isoString(ms), String(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoString(Number.NaN)).toThrow(RangeError);
  });
});
