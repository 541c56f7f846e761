import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { disputeKinds, disputeOutcomes, disputeStatuses, messageParties } from '#shared/cases';
import { bookings } from './bookings';
import { createdAt, updatedAt } from './columns';
import { refunds } from './money';
import { users } from './users';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const disputeKind = pgEnum('dispute_kind', disputeKinds);
export const disputeStatus = pgEnum('dispute_status', disputeStatuses);
export const disputeOutcome = pgEnum('dispute_outcome', disputeOutcomes);
export const disputeParty = pgEnum('dispute_party', messageParties);

/**
 * A case about one booking (issue 14 §2): a customer's dispute or a technician's report about a customer.
 * open → resolved (an outcome decided and applied) → closed. One case that is not closed per booking.
 */
export const disputes = pgTable(
  'disputes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    kind: disputeKind('kind').notNull(),
    openedBy: uuid('opened_by')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    details: text('details').notNull(),
    status: disputeStatus('status').notNull().default('open'),
    outcome: disputeOutcome('outcome'),
    /** What the admin told both parties about the outcome. */
    outcomeNote: text('outcome_note'),
    refundAmount: integer('refund_amount'),
    refundId: uuid('refund_id').references(() => refunds.id),
    resolvedBy: uuid('resolved_by').references(() => users.id),
    resolvedAt: ts('resolved_at'),
    closedBy: uuid('closed_by').references(() => users.id),
    closedAt: ts('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The invariant under concurrency: a customer's dispute racing a technician's report (or a double tap)
    // leaves exactly one case open on the booking.
    uniqueIndex('disputes_one_open_per_booking').on(t.bookingId).where(sql`${t.status} <> 'closed'`),
    index('disputes_status_created_idx').on(t.status, t.createdAt),
    index('disputes_opened_by_idx').on(t.openedBy),
    check('disputes_outcome_when_decided', sql`(${t.status} = 'open') = (${t.outcome} IS NULL)`),
    check('disputes_refund_positive', sql`${t.refundAmount} IS NULL OR ${t.refundAmount} > 0`),
  ],
);

/**
 * Messages of a case. Each party talks with the admins in their own thread (`party`): a customer never
 * reads what the technician wrote to the admins, nor the other way round; admins read both.
 */
export const disputeMessages = pgTable(
  'dispute_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id),
    party: disputeParty('party').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    authorRole: text('author_role').$type<'customer' | 'technician' | 'admin'>().notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('dispute_messages_dispute_idx').on(t.disputeId, t.id),
    check('dispute_messages_author_role', sql`${t.authorRole} IN ('customer', 'technician', 'admin')`),
  ],
);

export type DisputeRow = typeof disputes.$inferSelect;
export type DisputeMessageRow = typeof disputeMessages.$inferSelect;
