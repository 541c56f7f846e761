import { describe, expect, it } from 'vitest';
import { render } from './notification.templates';

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
