import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bookings, paymentMethod } from './bookings';
import { createdAt, updatedAt } from './columns';
import { users } from './users';

/*
 * Money (issue 10). Every amount is integer minor units (kobo, piastres, cents) beside an ISO 4217 code.
 * The ledger is the record of truth for who owes whom; the other tables are the workflow around it.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const currency = () => text('currency').notNull();
const isoCurrency = (c: unknown) => sql`${c} ~ '^[A-Z]{3}$'`;

export const extraStatus = pgEnum('extra_status', ['pending', 'approved', 'rejected']);

/** Parts and materials a technician adds during a job; billed only once the customer approves. */
export const bookingExtras = pgTable(
  'booking_extras',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    amount: integer('amount').notNull(),
    currency: currency(),
    status: extraStatus('status').notNull().default('pending'),
    addedBy: uuid('added_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    respondedAt: ts('responded_at'),
  },
  (t) => [
    index('booking_extras_booking_idx').on(t.bookingId, t.createdAt),
    check('booking_extras_amount_positive', sql`${t.amount} > 0`),
    check('booking_extras_currency_iso', isoCurrency(t.currency)),
  ],
);

export const invoiceKind = pgEnum('invoice_kind', ['job', 'cancellation_fee']);

/**
 * What the customer owes for a booking, computed once on the server (at completion, or at a paid
 * cancellation) and never recomputed: the payment and the ledger refer to these numbers.
 */
export const bookingInvoices = pgTable(
  'booking_invoices',
  {
    bookingId: uuid('booking_id')
      .primaryKey()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    kind: invoiceKind('kind').notNull(),
    currency: currency(),
    /** The quote, or for hourly services the billed time (quarter hours). */
    serviceAmount: integer('service_amount').notNull(),
    /** Approved extras (parts, materials): passed through to the technician, no commission. */
    extrasAmount: integer('extras_amount').notNull(),
    /** A cancellation fee (kind = cancellation_fee). */
    feeAmount: integer('fee_amount').notNull(),
    /** service + extras + fee: the amount due before any tip. */
    total: integer('total').notNull(),
    commission: integer('commission').notNull(),
    technicianShare: integer('technician_share').notNull(),
    /** Hourly services: the minutes billed (null for fixed prices and fees). */
    billedMinutes: integer('billed_minutes'),
    createdAt: createdAt(),
  },
  (t) => [
    check('booking_invoices_currency_iso', isoCurrency(t.currency)),
    check(
      'booking_invoices_adds_up',
      sql`${t.serviceAmount} >= 0 AND ${t.extrasAmount} >= 0 AND ${t.feeAmount} >= 0 AND ${t.commission} >= 0 AND ${t.technicianShare} >= 0
        AND ${t.total} = ${t.serviceAmount} + ${t.extrasAmount} + ${t.feeAmount}
        AND ${t.commission} + ${t.technicianShare} = ${t.total}`,
    ),
  ],
);

export const paymentStatus = pgEnum('payment_status', [
  'pending',
  'paid',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
]);

/** One attempt to collect a booking's invoice (plus tip), by cash or through a gateway. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id),
    method: paymentMethod('method').notNull(),
    status: paymentStatus('status').notNull().default('pending'),
    currency: currency(),
    /** The invoice total this payment settles (the tip comes on top). */
    due: integer('due').notNull(),
    tip: integer('tip').notNull().default(0),
    /** due + tip: what the gateway must confirm, exactly. */
    amount: integer('amount').notNull(),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    /** Ours, sent to the gateway (Paystack reference, Stripe client_reference_id, Paymob special_reference). */
    reference: text('reference').notNull(),
    /** The gateway's own id (Stripe Checkout Session, Paymob intention / transaction). */
    providerRef: text('provider_ref'),
    redirectUrl: text('redirect_url'),
    gatewayFee: integer('gateway_fee'),
    idempotencyKey: text('idempotency_key').notNull(),
    /** Set when the gateway said something that does not match (amount, currency): an admin looks. */
    flag: text('flag'),
    collectedBy: uuid('collected_by').references(() => users.id),
    paidAt: ts('paid_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One live payment per booking (a failed or cancelled attempt makes room for the next).
    uniqueIndex('payments_one_live_per_booking')
      .on(t.bookingId)
      .where(sql`${t.status} NOT IN ('failed', 'cancelled')`),
    uniqueIndex('payments_customer_idempotency_key').on(t.customerId, t.idempotencyKey),
    uniqueIndex('payments_reference_key').on(t.reference),
    index('payments_booking_idx').on(t.bookingId, t.createdAt),
    check('payments_currency_iso', isoCurrency(t.currency)),
    check(
      'payments_amounts',
      sql`${t.due} >= 0 AND ${t.tip} >= 0 AND ${t.amount} = ${t.due} + ${t.tip} AND ${t.refundedAmount} BETWEEN 0 AND ${t.amount}`,
    ),
  ],
);

/** Every webhook event, stored once: the unique (provider, event id) is what makes redelivery harmless. */
export const paymentEvents = pgTable(
  'payment_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    paymentId: uuid('payment_id').references(() => payments.id),
    payload: jsonb('payload').notNull(),
    receivedAt: createdAt(),
    processedAt: ts('processed_at'),
    outcome: text('outcome'),
  },
  (t) => [uniqueIndex('payment_events_provider_event_key').on(t.provider, t.eventId)],
);

export const refundStatus = pgEnum('refund_status', ['pending', 'succeeded', 'failed']);

export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    amount: integer('amount').notNull(),
    currency: currency(),
    reason: text('reason').notNull(),
    status: refundStatus('status').notNull().default('pending'),
    providerRef: text('provider_ref'),
    requestedBy: uuid('requested_by').references(() => users.id),
    createdAt: createdAt(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    index('refunds_payment_idx').on(t.paymentId),
    check('refunds_amount_positive', sql`${t.amount} > 0`),
  ],
);

/**
 * Double-entry ledger. A journal is one money movement; its entries sum to zero per currency, which the
 * database checks at commit (a deferred constraint trigger in the migration). Entries are immutable:
 * corrections are new journals. Amounts are signed, debit positive; accounts are names such as
 * `customer:<id>`, `technician:<id>`, `platform:commission`, `platform:gateway_fees`, `gateway:paystack`.
 */
export const ledgerJournals = pgTable(
  'ledger_journals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** What happened, once: e.g. `invoice:<booking>`, `payment:<id>:paid`; a repeat posts nothing. */
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    bookingId: uuid('booking_id').references(() => bookings.id),
    paymentId: uuid('payment_id').references(() => payments.id),
    memo: text('memo'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('ledger_journals_key').on(t.key), index('ledger_journals_booking_idx').on(t.bookingId)],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    journalId: bigint('journal_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerJournals.id),
    account: text('account').notNull(),
    currency: currency(),
    /** Debit positive, credit negative. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    /** What the line is, for statements: earnings, tip, commission, cash, payout, fee, payment, refund … */
    line: text('line').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_entries_journal_idx').on(t.journalId),
    index('ledger_entries_account_idx').on(t.account, t.currency, t.id),
    check('ledger_entries_amount_nonzero', sql`${t.amount} <> 0`),
    check('ledger_entries_currency_iso', isoCurrency(t.currency)),
  ],
);

export const payoutStatus = pgEnum('payout_status', ['pending', 'paid']);

/** What the platform owes a technician, paid out by an admin (bank transfer, Paystack Transfer …). */
export const payouts = pgTable(
  'payouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id),
    currency: currency(),
    amount: integer('amount').notNull(),
    status: payoutStatus('status').notNull().default('pending'),
    /** The statement's week (Monday 00:00 UTC). */
    periodStart: ts('period_start').notNull(),
    reference: text('reference'),
    paidBy: uuid('paid_by').references(() => users.id),
    createdAt: createdAt(),
    paidAt: ts('paid_at'),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payouts_one_pending_per_technician')
      .on(t.technicianId, t.currency)
      .where(sql`${t.status} = 'pending'`),
    index('payouts_technician_idx').on(t.technicianId, t.createdAt),
    check('payouts_amount_positive', sql`${t.amount} > 0`),
    check('payouts_paid_has_reference', sql`${t.status} <> 'paid' OR ${t.reference} IS NOT NULL`),
  ],
);

export type BookingExtraRow = typeof bookingExtras.$inferSelect;
export type InvoiceRow = typeof bookingInvoices.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type PaymentEventRow = typeof paymentEvents.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
export type JournalRow = typeof ledgerJournals.$inferSelect;
export type EntryRow = typeof ledgerEntries.$inferSelect;
export type PayoutRow = typeof payouts.$inferSelect;
