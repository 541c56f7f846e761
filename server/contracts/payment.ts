import { z } from 'zod';
import type { Money } from './catalog';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text';
import type { JobPhoto } from './upload';

export const paymentMethods = ['cash', 'paystack', 'stripe', 'paymob'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
export const onlineMethods = ['paystack', 'stripe', 'paymob'] as const;
export type OnlineMethod = (typeof onlineMethods)[number];

/** The state of a booking's payment, as the customer and the technician see it. */
export const paymentStates = [
  'unpaid',
  'pending',
  'paid',
  'failed',
  'refunded',
  'partially_refunded',
] as const;
export type PaymentState = (typeof paymentStates)[number];

/** Minor units: a whole number, never a float; at most 100 million major units. */
const minor = z.number().int().min(0).max(10_000_000_000);
const positiveMinor = z.number().int().min(1).max(10_000_000_000);

export const checkoutInput = z.object({
  bookingId: z.uuid(),
  method: z.enum(paymentMethods),
  /** Minor units of the booking's currency, 100 % to the technician. */
  tip: minor.optional(),
  /** A client-generated key: a retry with the same key answers with the same payment. */
  idempotencyKey: z.string().min(8).max(100).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const bookingPaymentInput = z.object({ bookingId: z.uuid() });
export const confirmCashInput = z.object({ bookingId: z.uuid(), amount: positiveMinor });
export const methodsInput = z.object({ bookingId: z.uuid().optional() }).optional();
export const refundInput = z.object({
  paymentId: z.uuid(),
  amount: positiveMinor,
  reason: z.string().trim().min(1).max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const markPayoutPaidInput = z.object({
  payoutId: z.uuid(),
  reference: z.string().trim().min(1).max(200).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const listPayoutsInput = z
  .object({
    status: z.enum(['pending', 'paid']).optional(),
    limit: z.number().int().min(1).max(200).optional(),
  })
  .optional();
export const earningsEntriesInput = z
  .object({ cursor: z.string().max(200).nullish(), limit: z.number().int().min(1).max(100).optional() })
  .optional();
export const addExtraInput = z.object({
  id: z.uuid(),
  label: z.string().trim().min(1).max(120).regex(SINGLE_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
  amount: positiveMinor,
});
export const respondExtraInput = z.object({ id: z.uuid(), extraId: z.uuid(), approve: z.boolean() });

export type CheckoutResult = { paymentId: string; status: PaymentState; redirectUrl: string | null };

export type LineItem = {
  /** `credit`: account credit applied (a negative amount). */
  kind: 'service' | 'extra' | 'cancellation_fee' | 'credit' | 'tip';
  label: string;
  amount: Money;
};

export type BookingPayment = {
  bookingId: string;
  status: PaymentState;
  /** What the customer owes before a tip; null while the job is not finished (nothing is due yet). */
  due: Money | null;
  tip: Money | null;
  /** The technician's part of the bill (their share, plus the whole tip); null while nothing is due. */
  earnings: Money | null;
  paid: Money | null;
  refunded: Money | null;
  method: PaymentMethod | null;
  paymentId: string | null;
  /** The hosted checkout page of a pending online payment. */
  redirectUrl: string | null;
  paidAt: string | null;
  items: LineItem[];
};

export type Receipt = {
  bookingId: string;
  number: string;
  service: { en: string; ar: string };
  customer: string;
  technician: string | null;
  currency: string;
  items: LineItem[];
  total: Money;
  method: PaymentMethod;
  reference: string;
  paidAt: string;
  refunded: Money | null;
  /** The technician's before/after photos of the job (signed URLs, short-lived), in the order taken. */
  photos: JobPhoto[];
};

/**
 * `payment.cancellationQuote`: what cancelling the booking now would cost its customer (the cancel dialog
 * states it before they confirm); null when cancelling is free or the caller would not be charged.
 */
export type CancellationQuote = { fee: Money; technicianShare: Money } | null;

export type PaymentMethodOption = { method: PaymentMethod; online: boolean };
export type PaymentMethods = { market: string; currency: string; methods: PaymentMethodOption[] };

export type Extra = {
  id: string;
  bookingId: string;
  label: string;
  amount: Money;
  status: 'pending' | 'approved' | 'rejected';
  createdAt: string;
  respondedAt: string | null;
};

export type EarningsSummary = {
  currency: string;
  /** Job earnings (technician share of quotes, approved extras, cancellation fees), less refunds. */
  earned: number;
  tips: number;
  /** The platform's commission on this technician's jobs. */
  commission: number;
  /** Cash the technician collected from customers (it already is in their pocket). */
  cashCollected: number;
  paidOut: number;
  /** What the platform owes the technician now; negative: what the technician owes (cash jobs' commission). */
  balance: number;
};

export type EarningsEntry = {
  id: string;
  at: string;
  kind: string;
  line: string;
  /** From the technician's side: positive is money to them. */
  amount: Money;
  bookingId: string | null;
  memo: string | null;
};
export type EarningsPage = { items: EarningsEntry[]; nextCursor: string | null };

export type Payout = {
  id: string;
  technician: { id: string; name: string };
  amount: Money;
  status: 'pending' | 'paid';
  periodStart: string;
  reference: string | null;
  createdAt: string;
  paidAt: string | null;
};

export type RefundResult = {
  refundId: string;
  paymentId: string;
  amount: Money;
  status: 'succeeded' | 'pending';
  paymentStatus: PaymentState;
};
