import { describe, expect, it } from 'vitest';
import { notificationKinds } from '../../contracts/notification';
import { defaultChannels, urlOf } from './notification.events';
import { render } from './notification.templates';

const en = { locale: 'en' as const, timeZone: 'Africa/Lagos', name: 'Ada' };
const ar = { locale: 'ar' as const, timeZone: 'Africa/Cairo', name: 'منى' };

describe('dispute_outcome', () => {
  it('has defaults (push and e-mail) like every kind', () => {
    for (const kind of notificationKinds) expect(defaultChannels[kind]).toBeDefined();
    expect(defaultChannels.dispute_outcome).toEqual({ push: true, sms: false, email: true });
  });

  it('says the outcome, the refund and the note, in English and Arabic', () => {
    const data = {
      outcome: 'partial_refund',
      refundAmount: 250_000,
      currency: 'NGN',
      note: 'Half back for the leak',
      service: 'Plumbing',
    };
    const e = render('dispute_outcome', data, en);
    expect(e.title).toBe('The problem you raised was decided');
    expect(e.body).toBe('Plumbing: part of the payment is refunded (₦2,500.00). Half back for the leak');
    const a = render('dispute_outcome', { ...data, service: 'سباكة', currency: 'EGP' }, ar);
    expect(a.title).toBe('صدر قرار في المشكلة المبلَّغ عنها');
    expect(a.body).toContain('يُرد جزء من المبلغ المدفوع');
    expect(a.body).toContain('Half back for the leak');
    expect(render('dispute_outcome', { outcome: 'customer_warning', service: 'Plumbing' }, en).body).toBe(
      'Plumbing: the customer received a warning.',
    );
  });
});

describe('webhook_disabled', () => {
  const data = {
    orgName: 'Lekki Towers',
    endpointId: 'e1',
    url: 'https://hooks.example.com/fundi',
    reason: 'http_error',
    status: 503,
  };

  it('goes in-app and by e-mail only, and leads to the developer page', () => {
    expect(defaultChannels.webhook_disabled).toEqual({ push: false, sms: false, email: true });
    expect(urlOf('webhook_disabled', data)).toBe('/developer');
  });

  it('says which endpoint and why, from the reason code, in English and Arabic', () => {
    const e = render('webhook_disabled', data, en);
    expect(e.title).toBe('Webhook endpoint switched off');
    expect(e.body).toContain('https://hooks.example.com/fundi');
    expect(e.body).toContain('Lekki Towers');
    expect(e.body).toContain('HTTP 503');
    const a = render('webhook_disabled', data, ar);
    expect(a.title).toBe('أُوقف عنوان الويب هوك');
    expect(a.body).toContain('ردّ بخطأ (HTTP 503)');
    expect(render('webhook_disabled', { ...data, reason: 'unsafe_target', status: null }, en).body).toContain(
      'private or reserved',
    );
    expect(render('webhook_disabled', { ...data, reason: 'unreachable', status: null }, ar).body).toContain(
      'لم يردّ',
    );
  });
});
