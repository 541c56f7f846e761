// The operations console's bookings board and dispute cases (issue 14 §1, §2): pure zod, shared with the client.
import { z } from 'zod';
import type { DisputeKind, DisputeOutcome, DisputeStatus, MessageParty } from '#shared/cases';
import { disputeKinds, disputeOutcomes, disputeStatuses, messageParties } from '#shared/cases';

export type { DisputeKind, DisputeOutcome, DisputeStatus, MessageParty } from '#shared/cases';
export { disputeKinds, disputeOutcomes, disputeStatuses, messageParties } from '#shared/cases';

import type { Booking, BookingHistoryEntry, BookingStatus } from './booking';
import { bookingStatuses } from './booking';
import type { Money } from './catalog';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text';
import type { JobPhoto } from './upload';

/** What a customer's dispute is about. */
export const customerDisputeReasons = [
  'not_done',
  'poor_quality',
  'damage',
  'overcharged',
  'no_show',
  'behaviour',
  'other',
] as const;
/** What a technician reports about a customer. */
export const customerReportReasons = [
  'abusive',
  'unsafe',
  'no_show',
  'non_payment',
  'false_claim',
  'other',
] as const;
export type DisputeReason = (typeof customerDisputeReasons)[number] | (typeof customerReportReasons)[number];

const reason = z.string().trim().min(3).max(300).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);
const body = z.string().trim().min(1).max(2000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);
const details = z
  .string()
  .trim()
  .min(10, 'Say what happened')
  .max(2000)
  .regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE);
const iso = z.iso.datetime({ offset: true });

// ── admin.bookings ──────────────────────────────────────────────────────────
export const adminBookingsListInput = z
  .object({
    status: z.enum(bookingStatuses).optional(),
    market: z
      .string()
      .trim()
      .min(2)
      .max(40)
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    serviceId: z.uuid().optional(),
    /** Created at or after (ISO). */
    from: iso.optional(),
    /** Created before (ISO). */
    to: iso.optional(),
    customerId: z.uuid().optional(),
    technicianId: z.uuid().optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();

export const adminBookingIdInput = z.object({ id: z.uuid() });
export const adminCancelBookingInput = z.object({ id: z.uuid(), reason });
export const adminReassignInput = z.object({ id: z.uuid(), technicianId: z.uuid() });
/** Technicians who may be given the booking, optionally searched by name. */
export const adminEligibleInput = z.object({
  id: z.uuid(),
  q: z.string().trim().max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
});
export type EligibleTechnician = {
  id: string;
  name: string;
  online: boolean;
  /** From their last known position to the job (null: never shared one). */
  distanceMeters: number | null;
  /** Has an on-demand job in progress (an on-demand reassign to them would be refused). */
  busy: boolean;
  /**
   * A scheduled job: why they cannot take it at its time (outside their working hours, time off, another
   * job then, or no time to drive from or to their jobs either side; a reassign would be refused); null when
   * they can, or for an on-demand job.
   */
  unavailable: 'hours' | 'time_off' | 'taken' | 'travel' | null;
};

export type AdminBookingRow = {
  id: string;
  status: BookingStatus;
  market: string;
  service: { id: string; name: { en: string; ar: string } };
  customer: { id: string; name: string };
  technician: { id: string; name: string } | null;
  address: string;
  location: { lat: number; lng: number };
  total: Money;
  scheduledFor: string | null;
  createdAt: string;
  /** The case open on it, if any. */
  openDisputeId: string | null;
};
export type AdminBookingPage = { items: AdminBookingRow[]; nextCursor: string | null };

export type AdminOffer = {
  id: string;
  technician: { id: string; name: string };
  status: 'offered' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
  distanceMeters: number;
  offeredAt: string;
  respondedAt: string | null;
  reason: string | null;
};
export type AdminPayment = {
  id: string;
  method: string;
  status: string;
  amount: Money;
  refunded: Money;
  paidAt: string | null;
  createdAt: string;
};
export type AdminLedgerLine = {
  id: number;
  journalId: number;
  kind: string;
  account: string;
  line: string;
  amount: Money;
  at: string;
};
export type EvidenceChatMessage = {
  id: string;
  from: 'customer' | 'technician';
  senderName: string;
  body: string;
  at: string;
};
/** Both parties' names and phone numbers: admins contact either side. */
export type Contact = { id: string; name: string; phone: string | null; email: string };

export type AdminBookingDetail = {
  booking: Booking;
  market: string;
  customer: Contact;
  technician: Contact | null;
  timeline: BookingHistoryEntry[];
  offers: AdminOffer[];
  /** The technician's route while the breadcrumbs are kept. */
  trail: { lat: number; lng: number; at: string }[];
  payments: AdminPayment[];
  ledger: AdminLedgerLine[];
  photos: JobPhoto[];
  /** Only while a case is open on the booking (the read is in the audit trail); null otherwise. */
  chat: EvidenceChatMessage[] | null;
  disputes: DisputeSummary[];
};

// ── disputes ────────────────────────────────────────────────────────────────
export const openDisputeInput = z.object({
  bookingId: z.uuid(),
  reason: z.enum(customerDisputeReasons),
  details,
});
export const reportCustomerInput = z.object({
  bookingId: z.uuid(),
  reason: z.enum(customerReportReasons),
  details,
});
export const disputeIdInput = z.object({ id: z.uuid() });
export const disputeForBookingInput = z.object({ bookingId: z.uuid() });
export const disputeMessageInput = z.object({ id: z.uuid(), body });
export const adminDisputeMessageInput = z.object({ id: z.uuid(), to: z.enum(messageParties), body });
export const adminDisputesListInput = z
  .object({
    status: z.enum(disputeStatuses).optional(),
    kind: z.enum(disputeKinds).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();
export const resolveDisputeInput = z
  .object({
    id: z.uuid(),
    outcome: z.enum(disputeOutcomes),
    /** Minor units; only for a partial refund (a full refund refunds what is left). */
    refundAmount: z.number().int().positive().max(1_000_000_000).optional(),
    /** Shown to both parties. */
    note: reason,
  })
  .refine((v) => v.outcome !== 'partial_refund' || v.refundAmount !== undefined, {
    path: ['refundAmount'],
    message: 'Enter the amount to refund',
  })
  .refine((v) => v.outcome === 'partial_refund' || v.refundAmount === undefined, {
    path: ['refundAmount'],
    message: 'An amount goes only with a partial refund',
  });

export type DisputeMessage = {
  id: string;
  party: MessageParty;
  author: { id: string; name: string; role: 'customer' | 'technician' | 'admin' };
  body: string;
  at: string;
};

export type DisputeSummary = {
  id: string;
  bookingId: string;
  kind: DisputeKind;
  reason: string;
  status: DisputeStatus;
  outcome: DisputeOutcome | null;
  createdAt: string;
};

/** A case as a party sees it: their own thread with the admins and the outcome. */
export type DisputeCase = DisputeSummary & {
  /** Only for whoever opened it (and admins). */
  details: string | null;
  outcomeNote: string | null;
  refund: Money | null;
  resolvedAt: string | null;
  closedAt: string | null;
  /** `customer` or `technician`: which side of the case the caller is on (admins: null). */
  as: MessageParty | null;
  messages: DisputeMessage[];
  canMessage: boolean;
};

export type AdminDisputeRow = DisputeSummary & {
  service: { en: string; ar: string };
  customer: { id: string; name: string };
  technician: { id: string; name: string } | null;
  openedBy: { id: string; name: string };
  lastMessageAt: string | null;
};
export type AdminDisputePage = { items: AdminDisputeRow[]; nextCursor: string | null };

/** The case with its evidence, for admins. */
export type AdminDisputeCase = DisputeCase & {
  openedBy: { id: string; name: string };
  booking: AdminBookingDetail;
  /** What is left to refund on the booking's payment (null: nothing paid). */
  refundable: Money | null;
};
