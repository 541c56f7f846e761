/**
 * Dispute cases: kinds, states, outcomes, and whose thread a message is in (issue 14 §2).
 * No zod and no Node here: the database schema, the server and the PWA share these.
 */

import { ACTIVE_JOB_STATUSES, type BookingStatus } from './booking';

export const disputeKinds = ['customer_dispute', 'customer_report'] as const;
export type DisputeKind = (typeof disputeKinds)[number];

export const disputeStatuses = ['open', 'resolved', 'closed'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];

export const disputeOutcomes = [
  'no_action',
  'partial_refund',
  'full_refund',
  'technician_penalty',
  'customer_warning',
] as const;
export type DisputeOutcome = (typeof disputeOutcomes)[number];

/** Whose thread with the admins a message is in. */
export const messageParties = ['customer', 'technician'] as const;
export type MessageParty = (typeof messageParties)[number];

/**
 * Where a technician may report a customer: jobs they took (on, done or cancelled). The PWA offers the
 * report there; the server accepts one for any booking that is the technician's.
 */
export const REPORTABLE_STATUSES: readonly BookingStatus[] = [
  ...ACTIVE_JOB_STATUSES,
  'completed',
  'cancelled',
  'disputed',
];
