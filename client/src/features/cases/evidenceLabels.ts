import { customerDisputeReasons } from '../../../../server/contracts/cases';
import { type PaymentMethod, paymentMethods } from '../../../../server/contracts/payment';
import type { Translate } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';

/**
 * The server records timeline reasons, journal kinds, ledger lines and account names in English (or as
 * codes) for its own records; the console shows them in the admin's language. What a person typed (a
 * cancellation reason) is shown as written: `typed` says so (display it in a <bdi>).
 */
export type Shown = { text: string; typed: boolean };

/** Reasons the server writes on history rows itself (bookings.service, dispatch.service). */
const FIXED_REASONS = {
  'Re-dispatched by an admin': 'cases.why.redispatched',
  'Taken back by an admin': 'cases.why.takenBack',
  'Assigned by an admin': 'cases.why.assigned',
  'No technician accepted in time': 'cases.why.noneAccepted',
  'The technician you chose could not take this job': 'cases.why.chosenCouldNot',
} as const;

/** `Arrived 350 m from the job (confirmed by the technician)` (booking.service's arrival far away). */
const ARRIVED_FAR = /^Arrived (\d+(?:\.\d+)?) (m|km) from the job \(confirmed by the technician\)$/;

/** A history row's reason in the admin's language (unknown text: as written). */
export function historyReason(
  reason: string,
  t: Translate,
  formatDistance: (meters: number) => string,
): Shown {
  const fixed = FIXED_REASONS[reason as keyof typeof FIXED_REASONS];
  if (fixed) return { text: t(fixed), typed: false };
  // disputes.service: `Dispute: ${code.replace('_', ' ')}`.
  if (reason.startsWith('Dispute: ')) {
    const said = reason.slice('Dispute: '.length);
    const code = customerDisputeReasons.find((c) => c.replace('_', ' ') === said);
    if (code) return { text: t('cases.why.dispute', { reason: t(`cases.reason.${code}`) }), typed: false };
  }
  const far = ARRIVED_FAR.exec(reason);
  if (far) {
    const meters = Number(far[1]) * (far[2] === 'km' ? 1000 : 1);
    return { text: t('cases.why.arrivedFar', { distance: formatDistance(meters) }), typed: false };
  }
  return { text: reason, typed: true };
}

const JOURNAL_KINDS = ['job', 'payment', 'cancellation_fee', 'cash', 'refund', 'payout'] as const;
const LEDGER_LINES = [
  'charge',
  'earnings',
  'commission',
  'payment',
  'tip',
  'fee',
  'cash',
  'refund',
  'credit',
  'payout',
] as const;

const isOneOf = <T extends string>(list: readonly T[], v: string): v is T =>
  (list as readonly string[]).includes(v);

/** A journal's kind (what money movement it is). */
export function journalKind(kind: string, t: Translate): Shown {
  return isOneOf(JOURNAL_KINDS, kind)
    ? { text: t(`cases.ledger.kinds.${kind}`), typed: false }
    : { text: kind, typed: true };
}

/** A ledger line (what the line is on a statement). */
export function ledgerLine(line: string, t: Translate): Shown {
  return isOneOf(LEDGER_LINES, line)
    ? { text: t(`cases.ledger.lines.${line}`), typed: false }
    : { text: line, typed: true };
}

/** An account (`customer:<id>`, `technician:<id>`, `gateway:<method>`, `platform:…`), without its id. */
export function ledgerAccount(account: string, t: Translate): Shown {
  const [prefix, rest = ''] = account.split(/:(.*)/s, 2) as [string, string?];
  if (prefix === 'customer') return { text: t('cases.ledger.accounts.customer'), typed: false };
  if (prefix === 'technician') return { text: t('cases.ledger.accounts.technician'), typed: false };
  if (prefix === 'gateway' && isOneOf(paymentMethods, rest))
    return {
      text: t('cases.ledger.accounts.gateway', { method: t(`pay.method.${rest as PaymentMethod}`) }),
      typed: false,
    };
  if (account === 'platform:commission') return { text: t('cases.ledger.accounts.commission'), typed: false };
  if (account === 'platform:gateway_fees')
    return { text: t('cases.ledger.accounts.gatewayFees'), typed: false };
  if (account === 'platform:bank') return { text: t('cases.ledger.accounts.bank'), typed: false };
  return { text: account.replace(/:[0-9a-f-]{36}$/, ''), typed: true };
}

const SLOT_WHY = new Set(['hours', 'time_off', 'taken', 'travel']);

/**
 * Why a reassign failed: a technician who may not work now is named as such; one not free at a scheduled
 * job's time, with the schedule's reason (`why`); other conflicts generally.
 */
export function reassignProblem(error: unknown) {
  const details = toApiProblem(error).details;
  const standing = details?.standing;
  if (standing === 'suspended' || standing === 'banned' || standing === 'deleted')
    return `cases.reassign.${standing}` as const;
  if (details?.reason === 'SLOT_UNAVAILABLE') {
    const why = details.why;
    return typeof why === 'string' && SLOT_WHY.has(why)
      ? (`cases.reassign.slot.${why as 'hours' | 'time_off' | 'taken' | 'travel'}` as const)
      : ('cases.reassign.slot.unknown' as const);
  }
  return problemKey(error, { CONFLICT: 'cases.reassign.conflict' });
}
