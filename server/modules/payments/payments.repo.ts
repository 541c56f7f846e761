import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import {
  type DbOrTx,
  queryRows,
  reusable,
  reusableByShape,
  reusableLockable,
  xactLock,
} from '../../../db/client';
import { bookings, services, users } from '../../../db/schema';
import {
  bookingExtras,
  bookingInvoices,
  type InvoiceRow,
  ledgerEntries,
  type PaymentRow,
  paymentEvents,
  payments,
  refunds,
} from '../../../db/schema/money';

export type NewPayment = typeof payments.$inferInsert;
export type NewInvoice = typeof bookingInvoices.$inferInsert;

/** Payments that still count: at most one per booking (payments_one_live_per_booking). */
export const LIVE: PaymentRow['status'][] = ['pending', 'paid', 'refunded', 'partially_refunded'];

// Every completed job runs these: their SQL is built once (db/client.ts `reusable`).
const bookingById = reusableLockable(
  'payments_booking',
  (db) =>
    db
      .select({
        booking: bookings,
        service: {
          market: services.market,
          priceUnit: services.priceUnit,
          durationMinutes: services.durationMinutes,
          nameEn: services.nameEn,
          nameAr: services.nameAr,
        },
      })
      .from(bookings)
      .innerJoin(services, eq(services.id, bookings.serviceId))
      .where(eq(bookings.id, sql.placeholder('id')))
      .limit(1),
  (q) => q.for('update', { of: bookings }),
);
const invoiceById = reusableLockable(
  'payments_invoice',
  (db) =>
    db
      .select()
      .from(bookingInvoices)
      .where(eq(bookingInvoices.bookingId, sql.placeholder('id')))
      .limit(1),
  (q) => q.for('update'),
);
const insertInvoice = reusableByShape<InvoiceRow[]>('payments_invoice_insert', (db, columns) =>
  db
    .insert(bookingInvoices)
    .values(columns as NewInvoice)
    .onConflictDoNothing()
    .returning(),
);
const extrasOf = reusable('payments_extras', (db) =>
  db
    .select()
    .from(bookingExtras)
    .where(eq(bookingExtras.bookingId, sql.placeholder('id')))
    .orderBy(bookingExtras.createdAt),
);

export function createPaymentsRepo(db: DbOrTx) {
  return {
    /** The booking with what pricing needs from its service. */
    async booking(id: string, opts: { forUpdate?: boolean } = {}) {
      const [row] = await bookingById(db, { id }, opts.forUpdate);
      return row;
    },

    async user(id: string) {
      const [row] = await db
        .select({ id: users.id, email: users.email, name: users.name, phone: users.phone })
        .from(users)
        .where(eq(users.id, id))
        .limit(1);
      return row;
    },

    // Extras
    async insertExtra(v: typeof bookingExtras.$inferInsert) {
      const [row] = await db.insert(bookingExtras).values(v).returning();
      return row!;
    },
    extras: (bookingId: string) => extrasOf(db, { id: bookingId }),
    async respondExtra(bookingId: string, extraId: string, status: 'approved' | 'rejected') {
      const [row] = await db
        .update(bookingExtras)
        .set({ status, respondedAt: new Date() })
        .where(
          and(
            eq(bookingExtras.id, extraId),
            eq(bookingExtras.bookingId, bookingId),
            eq(bookingExtras.status, 'pending'),
          ),
        )
        .returning();
      return row;
    },
    async extra(bookingId: string, extraId: string) {
      const [row] = await db
        .select()
        .from(bookingExtras)
        .where(and(eq(bookingExtras.id, extraId), eq(bookingExtras.bookingId, bookingId)))
        .limit(1);
      return row;
    },

    // Invoices
    async insertInvoice(v: NewInvoice): Promise<InvoiceRow | undefined> {
      const [row] = await insertInvoice(db, v);
      return row;
    },
    async invoice(bookingId: string, opts: { forUpdate?: boolean } = {}) {
      const [row] = await invoiceById(db, { id: bookingId }, opts.forUpdate);
      return row;
    },

    // Payments
    async insertPayment(v: NewPayment) {
      const [row] = await db.insert(payments).values(v).onConflictDoNothing().returning();
      return row;
    },
    async payment(id: string, opts: { forUpdate?: boolean } = {}) {
      const q = db.select().from(payments).where(eq(payments.id, id)).limit(1);
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },
    async paymentByReference(reference: string) {
      const [row] = await db.select().from(payments).where(eq(payments.reference, reference)).limit(1);
      return row;
    },
    async paymentByProviderRef(method: PaymentRow['method'], providerRef: string) {
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.method, method), eq(payments.providerRef, providerRef)))
        .orderBy(desc(payments.createdAt))
        .limit(1);
      return row;
    },
    async paymentByKey(customerId: string, key: string) {
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.customerId, customerId), eq(payments.idempotencyKey, key)))
        .limit(1);
      return row;
    },
    async livePayment(bookingId: string) {
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.bookingId, bookingId), inArray(payments.status, LIVE)))
        .limit(1);
      return row;
    },
    /** The live payment, else the newest failed or cancelled attempt. */
    async latestPayment(bookingId: string) {
      const [row] = await db
        .select()
        .from(payments)
        .where(eq(payments.bookingId, bookingId))
        .orderBy(sql`${payments.status} IN ('failed','cancelled')`, desc(payments.createdAt))
        .limit(1);
      return row;
    },
    async updatePayment(id: string, patch: Partial<NewPayment>) {
      const [row] = await db.update(payments).set(patch).where(eq(payments.id, id)).returning();
      return row!;
    },
    /** Sets the hosted page once: the first initialize to finish wins, a racing one reads it back. */
    async setRedirect(id: string, redirectUrl: string, providerRef: string) {
      await db
        .update(payments)
        .set({ redirectUrl, providerRef })
        .where(and(eq(payments.id, id), sql`${payments.redirectUrl} IS NULL`));
    },
    async cancelPending(bookingId: string) {
      await db
        .update(payments)
        .set({ status: 'cancelled' })
        .where(and(eq(payments.bookingId, bookingId), eq(payments.status, 'pending')));
    },

    /**
     * Serialises everything that spends `customerId`'s account credit (checkouts and cash collection of
     * their bookings), for the rest of the transaction.
     */
    async lockCustomerCredit(customerId: string) {
      await xactLock(db, `credit:${customerId}`);
    },

    /**
     * The customer's unspent account credit in `currency` (cash refunds become credit): what was credited
     * (`credit` lines on their ledger account) less what live payments of other bookings than `except`
     * already apply (a payment applies its invoice's total less the `due` it collects).
     */
    async creditAvailable(customer: { id: string; account: string }, currency: string, except: string) {
      const [row] = await queryRows<{ credited: string | null; applied: string | null }>(
        db,
        sql`select
              (select -sum(e.amount) from ${ledgerEntries} e
                where e.account = ${customer.account} and e.currency = ${currency} and e.line = 'credit') as credited,
              (select sum(i.total - p.due) from ${payments} p
                join ${bookingInvoices} i on i.booking_id = p.booking_id
                where p.customer_id = ${customer.id} and p.currency = ${currency} and p.booking_id <> ${except}
                  and p.status in ('pending', 'paid', 'refunded', 'partially_refunded') and i.total > p.due) as applied`,
      );
      return Math.max(0, Number(row?.credited ?? 0) - Number(row?.applied ?? 0));
    },

    /**
     * Bookings of `customerId` that block a new booking: completed (or charged a cancellation fee) before
     * `before`, something due, and nothing paid.
     */
    async unpaidBefore(customerId: string, beforeDate: Date) {
      const before = beforeDate.toISOString();
      return queryRows<{ id: string }>(
        db,
        sql`select b.id from ${bookings} b
            left join ${bookingInvoices} i on i.booking_id = b.id
            where b.customer_id = ${customerId}
              and (
                (b.status = 'completed' and b.completed_at < ${before}::timestamptz and coalesce(i.total, b.price_total) > 0)
                or (i.kind = 'cancellation_fee' and i.created_at < ${before}::timestamptz and i.total > 0)
              )
              and not exists (
                select 1 from ${payments} p where p.booking_id = b.id
                  and p.status in ('paid', 'refunded', 'partially_refunded')
              )
            limit 1`,
      );
    },

    // Webhook events
    async insertEvent(v: typeof paymentEvents.$inferInsert) {
      const [row] = await db
        .insert(paymentEvents)
        .values(v)
        .onConflictDoNothing({ target: [paymentEvents.provider, paymentEvents.eventId] })
        .returning();
      return row;
    },
    async event(provider: string, eventId: string) {
      const [row] = await db
        .select()
        .from(paymentEvents)
        .where(and(eq(paymentEvents.provider, provider), eq(paymentEvents.eventId, eventId)))
        .limit(1);
      return row;
    },
    async markEvent(id: number, outcome: string) {
      await db
        .update(paymentEvents)
        .set({ processedAt: new Date(), outcome })
        .where(eq(paymentEvents.id, id));
    },

    // Refunds
    async insertRefund(v: typeof refunds.$inferInsert) {
      const [row] = await db.insert(refunds).values(v).returning();
      return row!;
    },
    async updateRefund(id: string, patch: Partial<typeof refunds.$inferInsert>) {
      const [row] = await db.update(refunds).set(patch).where(eq(refunds.id, id)).returning();
      return row!;
    },
    /** Refunds still counting against a payment (pending or succeeded). */
    async refundedTotal(paymentId: string) {
      const [row] = await db
        .select({ sum: sql<string | null>`sum(${refunds.amount})` })
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), notInArray(refunds.status, ['failed'])));
      return Number(row?.sum ?? 0);
    },
  };
}

export type PaymentsRepo = ReturnType<typeof createPaymentsRepo>;
