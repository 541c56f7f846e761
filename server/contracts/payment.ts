import { z } from 'zod';
import { instantSchema, type Money, moneySchema } from './catalog';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text';
import { jobPhotoSchema } from './upload';

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

/** `payment.checkout`'s answer: send the payer to `redirectUrl` (online methods) to pay. */
export const checkoutResultSchema = z.object({
  paymentId: z.string(),
  status: z.enum(paymentStates),
  /** The provider's hosted page (null for cash, or when credit covered everything). */
  redirectUrl: z.string().nullable(),
});
export type CheckoutResult = z.infer<typeof checkoutResultSchema>;

export const lineItemSchema = z.object({
  /** `credit`: account credit applied (a negative amount). */
  kind: z.enum(['service', 'extra', 'cancellation_fee', 'credit', 'tip']),
  label: z.string(),
  amount: moneySchema,
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const bookingPaymentSchema = z.object({
  bookingId: z.string(),
  status: z.enum(paymentStates),
  /** What the customer owes before a tip; null while the job is not finished (nothing is due yet). */
  due: moneySchema.nullable(),
  tip: moneySchema.nullable(),
  /** The technician's part of the bill (their share, plus the whole tip); null while nothing is due. */
  earnings: moneySchema.nullable(),
  paid: moneySchema.nullable(),
  refunded: moneySchema.nullable(),
  method: z.enum(paymentMethods).nullable(),
  paymentId: z.string().nullable(),
  /** The hosted checkout page of a pending online payment. */
  redirectUrl: z.string().nullable(),
  paidAt: instantSchema.nullable(),
  items: z.array(lineItemSchema),
});
export type BookingPayment = z.infer<typeof bookingPaymentSchema>;

export const extraSchema = z.object({
  id: z.string(),
  bookingId: z.string(),
  label: z.string(),
  amount: moneySchema,
  status: z.enum(['pending', 'approved', 'rejected']),
  createdAt: instantSchema,
  respondedAt: instantSchema.nullable(),
});
export type Extra = z.infer<typeof extraSchema>;

/** `payment.get`, `payment.verify`: the payment and the job's extras (approved ones are billed). */
export const bookingPaymentViewSchema = bookingPaymentSchema.extend({ extras: z.array(extraSchema) });

export const receiptSchema = z.object({
  bookingId: z.string(),
  number: z.string(),
  service: z.object({ en: z.string(), ar: z.string() }),
  customer: z.string(),
  technician: z.string().nullable(),
  currency: z.string(),
  items: z.array(lineItemSchema),
  total: moneySchema,
  method: z.enum(paymentMethods),
  reference: z.string(),
  paidAt: instantSchema,
  refunded: moneySchema.nullable(),
  /** The technician's before/after photos of the job (signed URLs, short-lived), in the order taken. */
  photos: z.array(jobPhotoSchema),
});
export type Receipt = z.infer<typeof receiptSchema>;

/**
 * `payment.cancellationQuote`: what cancelling the booking now would cost its customer (the cancel dialog
 * states it before they confirm); null when cancelling is free or the caller would not be charged.
 */
export const cancellationQuoteSchema = z
  .object({ fee: moneySchema, technicianShare: moneySchema })
  .nullable();
export type CancellationQuote = z.infer<typeof cancellationQuoteSchema>;

export const paymentMethodsSchema = z.object({
  market: z.string(),
  currency: z.string(),
  methods: z.array(z.object({ method: z.enum(paymentMethods), online: z.boolean() })),
});
export type PaymentMethodOption = { method: PaymentMethod; online: boolean };
export type PaymentMethods = z.infer<typeof paymentMethodsSchema>;

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
