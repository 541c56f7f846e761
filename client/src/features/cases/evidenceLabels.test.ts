import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { ar } from '../../i18n/ar';
import { en, type MessageKey, type Messages } from '../../i18n/en';
import type { Translate } from '../../i18n/I18nProvider';
import { historyReason, journalKind, ledgerAccount, ledgerLine, reassignProblem } from './evidenceLabels';

/** The real messages, with `{name}` filled in. */
const translator =
  (messages: Messages): Translate =>
  (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name]));
const tEn = translator(en);
const tAr = translator(ar);
const distance = (m: number) => `<${m}>`;

const conflict = (details: Record<string, unknown>) =>
  new TRPCClientError('refused', {
    result: { error: { data: { code: 'CONFLICT', appCode: 'CONFLICT', details } } },
  } as never);

describe('timeline reasons in the admin’s language', () => {
  it('maps the reasons the server writes itself, in English and in Arabic', () => {
    const written = [
      ['Re-dispatched by an admin', 'cases.why.redispatched'],
      ['Taken back by an admin', 'cases.why.takenBack'],
      ['Assigned by an admin', 'cases.why.assigned'],
      ['No technician accepted in time', 'cases.why.noneAccepted'],
      ['The technician you chose could not take this job', 'cases.why.chosenCouldNot'],
    ] as const;
    for (const [reason, key] of written) {
      expect(historyReason(reason, tEn, distance)).toEqual({ text: en[key], typed: false });
      expect(historyReason(reason, tAr, distance)).toEqual({ text: ar[key], typed: false });
      expect(ar[key]).not.toBe(en[key]);
    }
  });

  it('a dispute names its reason from the list; a far arrival keeps its distance', () => {
    // As disputes.service words it: `Dispute: ${code.replace('_', ' ')}`.
    expect(historyReason('Dispute: poor quality', tAr, distance)).toEqual({
      text: `نزاع: ${ar['cases.reason.poor_quality']}`,
      typed: false,
    });
    expect(historyReason('Dispute: not done', tEn, distance).text).toBe('Dispute: The job was not done');
    expect(historyReason('Arrived 1.2 km from the job (confirmed by the technician)', tAr, distance)).toEqual(
      {
        text: ar['cases.why.arrivedFar'].replace('{distance}', '<1200>'),
        typed: false,
      },
    );
    expect(
      historyReason('Arrived 350 m from the job (confirmed by the technician)', tEn, distance).text,
    ).toBe('Marked arrived <350> from the job (confirmed by the technician)');
  });

  it('what a person typed is shown as written', () => {
    expect(historyReason('Customer moved house', tAr, distance)).toEqual({
      text: 'Customer moved house',
      typed: true,
    });
    expect(historyReason('Dispute: something new', tAr, distance).typed).toBe(true);
  });
});

describe('ledger lines in the admin’s language', () => {
  it('kinds, lines and accounts (without ids) in Arabic; unknown ones as they are', () => {
    expect(journalKind('cancellation_fee', tAr)).toEqual({
      text: ar['cases.ledger.kinds.cancellation_fee'],
      typed: false,
    });
    expect(ledgerLine('commission', tAr).text).toBe(ar['cases.ledger.lines.commission']);
    expect(ledgerAccount('technician:11111111-2222-4333-8444-555555555555', tAr).text).toBe(
      ar['cases.ledger.accounts.technician'],
    );
    expect(ledgerAccount('customer:11111111-2222-4333-8444-555555555555', tEn).text).toBe('Customer');
    expect(ledgerAccount('gateway:paystack', tAr).text).toBe(`محصَّل عبر ${ar['pay.method.paystack']}`);
    expect(ledgerAccount('platform:gateway_fees', tAr).text).toBe(ar['cases.ledger.accounts.gatewayFees']);
    expect(ledgerAccount('platform:bank', tEn).text).toBe('Fundi bank account');
    expect(journalKind('adjustment', tAr)).toEqual({ text: 'adjustment', typed: true });
    expect(ledgerLine('bonus', tAr)).toEqual({ text: 'bonus', typed: true });
    expect(ledgerAccount('escrow:11111111-2222-4333-8444-555555555555', tAr)).toEqual({
      text: 'escrow',
      typed: true,
    });
  });
});

describe('a refused reassign says why', () => {
  it('keys a scheduled job’s refusal on the schedule’s `why`', () => {
    const keys: Array<[string, MessageKey]> = [
      ['hours', 'cases.reassign.slot.hours'],
      ['time_off', 'cases.reassign.slot.time_off'],
      ['taken', 'cases.reassign.slot.taken'],
      ['travel', 'cases.reassign.slot.travel'],
      ['something else', 'cases.reassign.slot.unknown'],
    ];
    for (const [why, key] of keys)
      expect(reassignProblem(conflict({ reason: 'SLOT_UNAVAILABLE', why }))).toBe(key);
    expect(reassignProblem(conflict({ standing: 'banned' }))).toBe('cases.reassign.banned');
    expect(reassignProblem(conflict({}))).toBe('cases.reassign.conflict');
  });
});
