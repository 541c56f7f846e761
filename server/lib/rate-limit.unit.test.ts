import { describe, expect, it } from 'vitest';
import { createLocalRateLimiter } from './rate-limit';

describe('createLocalRateLimiter', () => {
  it('counts costs per key in a fixed window, refuses over the limit, and opens a new window after it', () => {
    const l = createLocalRateLimiter({ limit: 3, windowMs: 10_000 });
    const t = 1_000_000;
    expect(l.hitNow('a', 2, t)).toBe(true);
    expect(l.hitNow('a', 1, t + 1)).toBe(true);
    expect(l.hitNow('a', 1, t + 2)).toBe(false);
    // Refused hits still count, and other keys have their own window.
    expect(l.hitNow('a', 0, t + 3)).toBe(false);
    expect(l.hitNow('b', 3, t + 3)).toBe(true);
    // The window opened at the first hit ends windowMs later.
    expect(l.hitNow('a', 1, t + 9_999)).toBe(false);
    expect(l.hitNow('a', 3, t + 10_000)).toBe(true);
    expect(l.hitNow('a', 101, t + 30_000)).toBe(false);
  });
});
