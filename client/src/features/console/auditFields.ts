import { bookingStatuses } from '../../../../server/contracts/booking';
import {
  customerDisputeReasons,
  customerReportReasons,
  disputeKinds,
  disputeOutcomes,
  disputeStatuses,
} from '../../../../server/contracts/cases';
import type { MessageKey } from '../../i18n/en';
import type { Translate } from '../../i18n/I18nProvider';

/** Keys the console has a label for (console.audit.key.*); any other key is shown as written. */
const LABELLED = new Set([
  'from',
  'to',
  'status',
  'bookingStatus',
  'reason',
  'technicianId',
  'previousTechnicianId',
  'bookingId',
  'disputeId',
  'kind',
  'outcome',
  'refundAmount',
  'amount',
  'refundId',
  'note',
  'party',
  'via',
  'messages',
  'because',
  'error',
  'until',
  'verification',
  'decision',
]);
const has = (list: readonly string[], v: unknown): v is string => typeof v === 'string' && list.includes(v);
const REASONS = [...customerDisputeReasons, ...customerReportReasons];
/** Values that are identifiers or codes: always left to right, never translated. */
const LTR_KEY = /(Id|^ip|^error)$/;

export type AuditField = { key: string; label: string; value: string; ltr: boolean };
type Tools = { t: Translate; formatNumber: (n: number) => string; formatDateTime: (iso: string) => string };

/** A dispute reason code (`poor_quality`) in words, or the text as it is. */
export function auditReason(reason: string, t: Translate): string {
  return has(REASONS, reason) ? t(`cases.reason.${reason}` as MessageKey) : reason;
}

/** One value of an audit row's detail/before/after, in the admin's language where it is a known code. */
export function auditValue(action: string, key: string, value: unknown, tools: Tools): string {
  const { t } = tools;
  if (value === null || value === undefined || value === '') return t('console.audit.none');
  const aboutDispute = action.startsWith('dispute.');
  if ((key === 'status' || key === 'from' || key === 'to') && aboutDispute && has(disputeStatuses, value))
    return t(`cases.status.${value}` as MessageKey);
  if (
    (key === 'status' || key === 'from' || key === 'to' || key === 'bookingStatus') &&
    has(bookingStatuses, value)
  )
    return t(`status.${value}` as MessageKey);
  if (key === 'outcome' && has(disputeOutcomes, value)) return t(`cases.outcome.${value}` as MessageKey);
  if (key === 'kind' && has(disputeKinds, value)) return t(`cases.kind.${value}` as MessageKey);
  if (key === 'reason' && typeof value === 'string') return auditReason(value, t);
  if (key === 'party' && (value === 'customer' || value === 'technician'))
    return t(value === 'customer' ? 'cases.customer' : 'cases.technician');
  if (typeof value === 'number') return tools.formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (key === 'until' && !Number.isNaN(Date.parse(value))) return tools.formatDateTime(value);
    return value;
  }
  return JSON.stringify(value);
}

const labelOf = (key: string, t: Translate) =>
  LABELLED.has(key) ? t(`console.audit.key.${key}` as MessageKey) : key;

/** An audit row's `detail` as labelled lines, in the order it was written. */
export function auditFields(action: string, obj: Record<string, unknown> | null, tools: Tools): AuditField[] {
  if (!obj) return [];
  return Object.entries(obj).map(([key, value]) => ({
    key,
    label: labelOf(key, tools.t),
    value: auditValue(action, key, value, tools),
    ltr: LTR_KEY.test(key),
  }));
}

export type AuditChange = { key: string; label: string; before: string; after: string };

/** Before and after side by side, one line per field either of them has. */
export function auditChanges(
  action: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  tools: Tools,
): AuditChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys.map((key) => ({
    key,
    label: labelOf(key, tools.t),
    before: auditValue(action, key, before?.[key], tools),
    after: auditValue(action, key, after?.[key], tools),
  }));
}
