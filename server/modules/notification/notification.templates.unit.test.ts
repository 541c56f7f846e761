import { describe, expect, it } from 'vitest';
import { money, render } from './notification.templates';

const en = { locale: 'en' as const, timeZone: 'UTC', name: 'Ada' };
const ar = { locale: 'ar' as const, timeZone: 'UTC', name: 'عائشة' };

describe('verification', () => {
  it('Arabic "verified" tells the technician they can now go online (متاح), not "connect to the internet"', () => {
    const { title, body } = render('verification', { status: 'verified' }, ar);
    expect(title).toBe('تم توثيق حسابك');
    expect(body).toContain('متاح');
    expect(body).not.toContain('الإنترنت');
    expect(body).not.toContain('الاتصال');
    expect(render('verification', { status: 'verified' }, en).body).toBe(
      'You can now go online and receive job offers.',
    );
  });
});

describe('money', () => {
  it('is in the currency the event names, and assumes none when it names none', () => {
    expect(money(150_000, 'NGN', 'en')).toMatch(/(NGN|₦)\s?1,500\.00/);
    expect(money(6_000, 'EGP', 'ar')).toContain('٦٠');
    expect(money(6_000, 'EGP', 'ar')).toMatch(/ج\.م\.|EGP/);
    for (const currency of [undefined, '', 'naira']) {
      const shown = money(150_000, currency, 'en');
      expect(shown).toBe('1,500.00');
      expect(shown).not.toMatch(/NGN|₦|EGP/);
    }
  });
});
