import { describe, expect, it } from 'vitest';
import { expiryInstant, todayInput } from './expiry';

// The client project runs with TZ=UTC (vitest.config.ts): local time is UTC here.
describe('the key form’s expiry day', () => {
  it('is the last millisecond of the picked day, local time', () => {
    expect(expiryInstant('2026-12-31')).toBe('2026-12-31T23:59:59.999Z');
    expect(expiryInstant(' 2027-02-28 ')).toBe('2027-02-28T23:59:59.999Z');
    expect(expiryInstant('2028-02-29')).toBe('2028-02-29T23:59:59.999Z');
  });

  it('none, or anything that is not a real day, sends no expiry', () => {
    for (const day of ['', '2026-02-31', '2027-02-29', '2026-13-01', '31/12/2026', '2026-1-5'])
      expect(expiryInstant(day), day).toBeUndefined();
  });

  it('today is the earliest day offered', () => {
    expect(todayInput(new Date('2026-11-29T19:30:00Z'))).toBe('2026-11-29');
    expect(todayInput(new Date('2027-01-05T00:00:00Z'))).toBe('2027-01-05');
  });
});
