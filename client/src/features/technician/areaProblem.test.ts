import { describe, expect, it } from 'vitest';
import { marketSeed } from '../../../../db/seed/markets';
import { areaRejectionReasons } from '../../../../server/contracts/area';
import { ar } from '../../i18n/ar';
import { en } from '../../i18n/en';
import { areaProblemKey } from './areaProblem';

describe('a refused service area, in the user’s language', () => {
  it('words each reason code the server sends, in English and Arabic (not the server’s English message)', () => {
    const keys = areaRejectionReasons.map((reason) =>
      areaProblemKey({ code: 'VALIDATION', invalidFields: [], details: { index: 0, reason } }),
    );
    expect(keys).toEqual([
      'areas.reason.invalid',
      'areas.reason.outside',
      'areas.reason.zone',
      'areas.reason.too_large',
    ]);
    for (const key of keys) {
      expect(en[key]).toBeTruthy();
      // Arabic letters, not an English sentence left untranslated.
      expect(ar[key]).toMatch(/[\u0600-\u06ff]/);
      expect(ar[key]).not.toBe(en[key]);
    }
  });

  it('other problems, or a reason it does not know: the message of the error code', () => {
    expect(areaProblemKey({ code: 'VALIDATION', invalidFields: ['areas'], details: {} })).toBe(
      'errors.VALIDATION',
    );
    expect(
      areaProblemKey({ code: 'VALIDATION', invalidFields: [], details: { reason: 'something_new' } }),
    ).toBe('errors.VALIDATION');
    expect(areaProblemKey({ code: 'NETWORK', invalidFields: [], details: {} })).toBe('errors.NETWORK');
  });
});

describe('outside every market', () => {
  it('the error names no city: the markets are data, and the form lists them from the server', () => {
    for (const m of marketSeed) {
      expect(en['errors.OUT_OF_AREA']).not.toContain(m.nameEn);
      expect(ar['errors.OUT_OF_AREA']).not.toContain(m.nameAr);
    }
  });
});
