import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bookings } from './bookings';
import { createdAt } from './columns';
import { users } from './users';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A customer's review of a completed job: one per booking (the unique index decides a race). Double-blind:
 * `published_at` stays null until the technician has rated the customer or `publish_due_at` (the end of
 * the review window) passes; only then does it count in technician_profiles.rating_sum/rating_count, in
 * the transaction that publishes it. A hidden review (admin, with a reason) counts nowhere.
 */
export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    /** The end of the review window: a review still unpublished then is published by the sweep. */
    publishDueAt: ts('publish_due_at').notNull(),
    publishedAt: ts('published_at'),
    reply: text('reply'),
    repliedAt: ts('replied_at'),
    hiddenAt: ts('hidden_at'),
    hiddenBy: uuid('hidden_by').references(() => users.id),
    hiddenReason: text('hidden_reason'),
  },
  (t) => [
    uniqueIndex('reviews_booking_key').on(t.bookingId),
    // review.list: a technician's visible reviews, newest first (keyset on published_at, id).
    index('reviews_technician_published_idx')
      .on(t.technicianId, t.publishedAt, t.id)
      .where(sql`${t.publishedAt} IS NOT NULL AND ${t.hiddenAt} IS NULL`),
    // The publication sweep: waiting reviews by due time.
    index('reviews_publish_due_idx').on(t.publishDueAt).where(sql`${t.publishedAt} IS NULL`),
    index('reviews_customer_idx').on(t.customerId),
    check('reviews_rating_range', sql`${t.rating} BETWEEN 1 AND 5`),
    check('reviews_comment_length', sql`${t.comment} IS NULL OR char_length(${t.comment}) <= 2000`),
    check('reviews_reply_once', sql`(${t.reply} IS NULL) = (${t.repliedAt} IS NULL)`),
    check('reviews_reply_after_publication', sql`${t.reply} IS NULL OR ${t.publishedAt} IS NOT NULL`),
    check('reviews_hidden_has_reason', sql`(${t.hiddenAt} IS NULL) = (${t.hiddenReason} IS NULL)`),
  ],
);

/** The technician's private rating of the customer (admins see it; a dispatch signal). One per booking. */
export const customerRatings = pgTable(
  'customer_ratings',
  {
    bookingId: uuid('booking_id')
      .primaryKey()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id),
    technicianId: uuid('technician_id')
      .notNull()
      .references(() => users.id),
    rating: integer('rating').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('customer_ratings_customer_idx').on(t.customerId),
    check('customer_ratings_rating_range', sql`${t.rating} BETWEEN 1 AND 5`),
  ],
);

/** "This review is abusive / fake …": one report per person per review, for admins to look at. */
export const reviewReports = pgTable(
  'review_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: uuid('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    reporterId: uuid('reporter_id')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('review_reports_review_reporter_key').on(t.reviewId, t.reporterId),
    index('review_reports_created_idx').on(t.createdAt, t.id),
  ],
);

export type ReviewRow = typeof reviews.$inferSelect;
export type CustomerRatingRow = typeof customerRatings.$inferSelect;
export type ReviewReportRow = typeof reviewReports.$inferSelect;
