import { describe, expect, it } from 'vitest';
import { ar } from '../../i18n/ar';
import { en } from '../../i18n/en';
import { createI18n } from '../../i18n/I18nProvider';
import { auditChanges, auditFields, auditReason } from './auditFields';

const english = createI18n('en', en);
const arabic = createI18n('ar', ar);
const TECH = '11111111-2222-4333-8444-555555555555';

describe('audit rows in words', () => {
  it('a reassign: statuses and labels in English, the technician ids as written (left to right)', () => {
    const changes = auditChanges(
      'booking.reassign',
      { status: 'assigned', technicianId: null },
      { status: 'assigned', technicianId: TECH },
      english,
    );
    expect(changes).toEqual([
      { key: 'status', label: 'Status', before: en['status.assigned'], after: en['status.assigned'] },
      { key: 'technicianId', label: 'Technician', before: '—', after: TECH },
    ]);
    const fields = auditFields('booking.reassign', { previousTechnicianId: TECH, from: 'assigned' }, english);
    expect(fields).toEqual([
      { key: 'previousTechnicianId', label: 'Previous technician', value: TECH, ltr: true },
      { key: 'from', label: 'From', value: en['status.assigned'], ltr: false },
    ]);
  });

  it('a dispute: its own statuses, outcome and reason in Arabic; amounts in Arabic digits', () => {
    const changes = auditChanges(
      'dispute.resolve',
      { status: 'open', outcome: null },
      { status: 'resolved', outcome: 'partial_refund', refundAmount: 2500 },
      arabic,
    );
    expect(changes.map((c) => [c.label, c.before, c.after])).toEqual([
      [ar['console.audit.key.status'], ar['cases.status.open'], ar['cases.status.resolved']],
      [ar['console.audit.key.outcome'], '—', ar['cases.outcome.partial_refund']],
      [ar['console.audit.key.refundAmount'], '—', '٢٬٥٠٠'],
    ]);
    expect(auditReason('poor_quality', arabic.t)).toBe(ar['cases.reason.poor_quality']);
    expect(auditReason('Customer called in', arabic.t)).toBe('Customer called in');
  });

  it('unknown keys are shown as written; objects as JSON', () => {
    expect(auditFields('x.y', { weird: { a: 1 } }, english)).toEqual([
      { key: 'weird', label: 'weird', value: '{"a":1}', ltr: false },
    ]);
    expect(auditFields('x.y', null, english)).toEqual([]);
  });
});
