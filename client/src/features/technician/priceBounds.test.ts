import { describe, expect, it } from 'vitest';
import { ar } from '../../i18n/ar';
import { en } from '../../i18n/en';
import { createI18n } from '../../i18n/I18nProvider';
import { boundsHint, boundsProblem, boundsRefusal, refusedBounds } from './priceBounds';

const english = createI18n('en', en);
const arabic = createI18n('ar', ar);
const ngn = (amount: number) => ({ amount, currency: 'NGN' });
const both = { minPrice: ngn(600_000), maxPrice: ngn(3_600_000) };
const word = (i18n: typeof english, w: ReturnType<typeof boundsHint>) => (w ? i18n.t(w.key, w.vars) : null);

describe('a technician’s price within the service’s bounds', () => {
  it('shows the allowed range in both languages', () => {
    expect(word(english, boundsHint(both, english.formatMoney))).toBe('Allowed: ₦6,000 – ₦36,000');
    expect(word(arabic, boundsHint(both, arabic.formatMoney))).toMatch(/^المسموح: .+ – .+$/);
    expect(boundsHint({ minPrice: null, maxPrice: null }, english.formatMoney)).toBeNull();
    expect(word(english, boundsHint({ minPrice: ngn(100), maxPrice: null }, english.formatMoney))).toBe(
      'At least ₦1',
    );
  });

  it('refuses a price outside them with a message naming the range', () => {
    expect(boundsProblem(600_000, both, english.formatMoney)).toBeNull();
    expect(boundsProblem(3_600_000, both, english.formatMoney)).toBeNull();
    expect(word(english, boundsProblem(3_600_001, both, english.formatMoney))).toBe(
      'Choose a price between ₦6,000 and ₦36,000.',
    );
    expect(word(english, boundsProblem(5, { minPrice: ngn(100), maxPrice: null }, english.formatMoney))).toBe(
      'The lowest price allowed is ₦1.',
    );
    expect(
      word(english, boundsProblem(500, { minPrice: null, maxPrice: ngn(100) }, english.formatMoney)),
    ).toBe('The highest price allowed is ₦1.');
  });

  it('reads the bounds of the server’s refusal', () => {
    expect(
      refusedBounds({
        reason: 'PRICE_OUT_OF_BOUNDS',
        serviceId: 's1',
        currency: 'NGN',
        minPrice: 1,
        maxPrice: 9,
      }),
    ).toEqual({ serviceId: 's1', minPrice: ngn(1), maxPrice: ngn(9) });
    expect(refusedBounds({ reason: 'OTHER', serviceId: 's1' })).toBeNull();
    expect(word(english, boundsRefusal({ minPrice: null, maxPrice: ngn(100) }, english.formatMoney))).toBe(
      'The highest price allowed is ₦1.',
    );
    expect(word(english, boundsRefusal(both, english.formatMoney))).toBe(
      'Choose a price between ₦6,000 and ₦36,000.',
    );
    expect(refusedBounds(undefined)).toBeNull();
  });
});
