import { describe, expect, it } from 'vitest';
import { ar } from './ar';

describe('Arabic wording of "going online" (being available for jobs)', () => {
  it('says متاح (available), never "connecting to the internet"', () => {
    for (const key of [
      'phone.needed',
      'phone.intro',
      'technician.online.toggle',
      'technician.online.needsVerification',
    ] as const) {
      expect(ar[key]).toContain('متاح');
      expect(ar[key]).not.toContain('الإنترنت');
    }
  });
});
