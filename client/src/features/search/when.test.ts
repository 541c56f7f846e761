import { describe, expect, it } from 'vitest';
import { whenToIso } from './when';

// The client project runs with TZ=UTC (vitest.config.ts).
describe('"Available at" filter', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it('turns a future wall-clock time into an instant', () => {
    expect(whenToIso('2026-11-22T14:30', now)).toBe('2026-11-22T14:30:00.000Z');
  });
  it('ignores empty, malformed and past values', () => {
    expect(whenToIso('', now)).toBeUndefined();
    expect(whenToIso(null, now)).toBeUndefined();
    expect(whenToIso('tomorrow', now)).toBeUndefined();
    expect(whenToIso('2026-11-20T09:00', now)).toBeUndefined();
  });
});
