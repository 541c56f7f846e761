import { describe, expect, it } from 'vitest';
import { RECONNECT_MAX_MS, reconnectDelayMs } from './backoff';

describe('reconnect backoff', () => {
  it('retries the first time at once', () => {
    expect(reconnectDelayMs(0, () => 0.99)).toBe(0);
  });

  it('doubles its ceiling each attempt and waits between half of it and all of it', () => {
    const ceilings = [1_000, 2_000, 4_000, 8_000];
    ceilings.forEach((ceiling, i) => {
      expect(reconnectDelayMs(i + 1, () => 0)).toBe(ceiling / 2);
      expect(reconnectDelayMs(i + 1, () => 0.5)).toBe((ceiling * 3) / 4);
      expect(reconnectDelayMs(i + 1, () => 1)).toBe(ceiling);
    });
  });

  it('is capped at ~10 s however long the outage', () => {
    for (const attempt of [5, 6, 10, 50, 1000]) {
      expect(reconnectDelayMs(attempt, () => 1)).toBe(RECONNECT_MAX_MS);
      expect(reconnectDelayMs(attempt, () => 0)).toBe(RECONNECT_MAX_MS / 2);
    }
  });

  it('spreads phones dropped together (jitter), with Math.random by default', () => {
    const delays = Array.from({ length: 200 }, () => reconnectDelayMs(8));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(RECONNECT_MAX_MS / 2);
      expect(d).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    }
    expect(new Set(delays.map((d) => Math.round(d / 100))).size).toBeGreaterThan(20);
  });
});
