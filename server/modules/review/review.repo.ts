import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows, xactLock } from '../../../db/client';
import {
  bookings,
  customerRatings,
  type ReviewRow,
  reviewReports,
  reviews,
  services,
  technicianProfiles,
  users,
} from '../../../db/schema';
import { type BookingParties, bookingParties } from '../booking/parties.repo';
import { beforeKeyset, type Keyset, microsOf } from './keyset';

/** What reviews need to know of a booking to authorise. */
export type ReviewBooking = BookingParties;

/** A review with the names the views need (the author's, the service's). */
const listColumns = {
  review: reviews,
  /** published_at to the microsecond, for cursors. */
  publishedKey: microsOf(reviews.publishedAt),
  authorName: users.name,
  serviceId: services.id,
  serviceNameEn: services.nameEn,
  serviceNameAr: services.nameAr,
};
export type ReviewListRow = {
  review: ReviewRow;
  publishedKey: string | null;
  authorName: string;
  serviceId: string;
  serviceNameEn: string;
  serviceNameAr: string;
};

/** Visible to everyone: published and not hidden. */
const visible = and(isNotNull(reviews.publishedAt), isNull(reviews.hiddenAt));

export function createReviewRepo(db: DbOrTx) {
  const withNames = () =>
    db
      .select(listColumns)
      .from(reviews)
      .innerJoin(users, eq(users.id, reviews.customerId))
      .innerJoin(bookings, eq(bookings.id, reviews.bookingId))
      .innerJoin(services, eq(services.id, bookings.serviceId));

  /** Adds a newly visible review to the technician's aggregates (or takes a hidden one out). */
  async function addToAggregates(technicianId: string, rating: number, sign: 1 | -1) {
    await db
      .update(technicianProfiles)
      .set({
        ratingSum: sql`${technicianProfiles.ratingSum} + ${sign * rating}`,
        ratingCount: sql`${technicianProfiles.ratingCount} + ${sign}`,
      })
      .where(eq(technicianProfiles.userId, technicianId));
  }

  return {
    booking: (id: string): Promise<ReviewBooking | undefined> => bookingParties(db, id),

    /**
     * Serialises the review and the customer rating of one booking until the transaction ends, so a review
     * and a rating arriving together cannot both miss each other (and leave the review unpublished).
     */
    async lockBooking(bookingId: string) {
      await xactLock(db, `review:${bookingId}`);
    },

    async insert(values: typeof reviews.$inferInsert): Promise<ReviewRow> {
      const [row] = await db.insert(reviews).values(values).returning();
      return row!;
    },

    async byId(id: string): Promise<ReviewRow | undefined> {
      const [row] = await db.select().from(reviews).where(eq(reviews.id, id)).limit(1);
      return row;
    },

    async byBooking(bookingId: string): Promise<ReviewRow | undefined> {
      const [row] = await db.select().from(reviews).where(eq(reviews.bookingId, bookingId)).limit(1);
      return row;
    },

    async withNamesById(id: string): Promise<ReviewListRow | undefined> {
      const [row] = await withNames().where(eq(reviews.id, id)).limit(1);
      return row;
    },

    async withNamesByBooking(bookingId: string): Promise<ReviewListRow | undefined> {
      const [row] = await withNames().where(eq(reviews.bookingId, bookingId)).limit(1);
      return row;
    },

    /**
     * Publishes one review, exactly once (whoever gets there first: the rating, the creation, the sweep),
     * and counts it in the technician's aggregates in the same transaction unless it was hidden meanwhile.
     * Call inside a transaction.
     */
    async publish(where: { reviewId: string } | { bookingId: string }): Promise<ReviewRow | undefined> {
      const [row] = await db
        .update(reviews)
        .set({ publishedAt: sql`now()` })
        .where(
          and(
            'reviewId' in where ? eq(reviews.id, where.reviewId) : eq(reviews.bookingId, where.bookingId),
            isNull(reviews.publishedAt),
          ),
        )
        .returning();
      if (row && row.hiddenAt === null) await addToAggregates(row.technicianId, row.rating, 1);
      return row;
    },

    /**
     * Publishes up to `limit` reviews whose window has closed, and adds them to their technicians'
     * aggregates — one statement, so one transaction. SKIP LOCKED: several nodes may sweep at once.
     */
    async publishDue(limit: number): Promise<number> {
      const [row] = await queryRows<{ published: number | string }>(
        db,
        sql`WITH due AS (
              SELECT id FROM reviews
              WHERE published_at IS NULL AND publish_due_at <= now()
              ORDER BY publish_due_at
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED
            ), pub AS (
              UPDATE reviews r SET published_at = now()
              FROM due WHERE r.id = due.id AND r.published_at IS NULL
              RETURNING r.technician_id, r.rating, r.hidden_at
            ), agg AS (
              SELECT technician_id, sum(rating)::int AS s, count(*)::int AS n
              FROM pub WHERE hidden_at IS NULL GROUP BY technician_id
            ), upd AS (
              UPDATE technician_profiles tp
              SET rating_sum = tp.rating_sum + agg.s, rating_count = tp.rating_count + agg.n
              FROM agg WHERE tp.user_id = agg.technician_id
              RETURNING tp.user_id
            )
            SELECT (SELECT count(*) FROM pub) AS published, (SELECT count(*) FROM upd) AS technicians`,
      );
      return Number(row?.published ?? 0);
    },

    async customerRating(bookingId: string) {
      const [row] = await db
        .select()
        .from(customerRatings)
        .where(eq(customerRatings.bookingId, bookingId))
        .limit(1);
      return row;
    },

    async insertCustomerRating(values: typeof customerRatings.$inferInsert) {
      const [row] = await db.insert(customerRatings).values(values).returning();
      return row!;
    },

    /** Sets the technician's reply once; undefined when there was already one (or it is not theirs/visible). */
    async reply(reviewId: string, technicianId: string, text: string): Promise<ReviewRow | undefined> {
      const [row] = await db
        .update(reviews)
        .set({ reply: text, repliedAt: sql`now()` })
        .where(
          and(
            eq(reviews.id, reviewId),
            eq(reviews.technicianId, technicianId),
            visible,
            isNull(reviews.reply),
          ),
        )
        .returning();
      return row;
    },

    /** One report per person per review: a second one is a no-op. */
    async report(reviewId: string, reporterId: string, reason: string) {
      await db.insert(reviewReports).values({ reviewId, reporterId, reason }).onConflictDoNothing();
    },

    /** Hides a review (once) and takes it out of the aggregates if it counted. Call inside a transaction. */
    async hide(reviewId: string, by: string, reason: string): Promise<ReviewRow | undefined> {
      const [row] = await db
        .update(reviews)
        .set({ hiddenAt: sql`now()`, hiddenBy: by, hiddenReason: reason })
        .where(and(eq(reviews.id, reviewId), isNull(reviews.hiddenAt)))
        .returning();
      if (row?.publishedAt) await addToAggregates(row.technicianId, row.rating, -1);
      return row;
    },

    /** A technician's visible reviews, newest first; keyset on (published_at, id). */
    list(technicianId: string, after: Keyset | undefined, limit: number) {
      return withNames()
        .where(
          and(
            eq(reviews.technicianId, technicianId),
            visible,
            after ? beforeKeyset(reviews.publishedAt, reviews.id, after) : undefined,
          ),
        )
        .orderBy(desc(reviews.publishedAt), desc(reviews.id))
        .limit(limit);
    },

    /** Reported reviews, most recently reported first (keyset on that time and the review id). */
    async reported(after: Keyset | undefined, limit: number) {
      const rows = await queryRows<{ review_id: string; last_report: string }>(
        db,
        sql`SELECT review_id, ${microsOf(sql`max(created_at)`)} AS last_report FROM review_reports
            GROUP BY review_id
            HAVING ${after ? beforeKeyset(sql`max(created_at)`, sql`review_id`, after) : sql`true`}
            ORDER BY max(created_at) DESC, review_id DESC
            LIMIT ${limit}`,
      );
      return rows.map((r) => ({ reviewId: r.review_id, lastReport: r.last_report }));
    },

    reportsOf: (reviewIds: string[]) =>
      reviewIds.length === 0
        ? Promise.resolve([])
        : db
            .select({
              reviewId: reviewReports.reviewId,
              reason: reviewReports.reason,
              at: reviewReports.createdAt,
              by: reviewReports.reporterId,
            })
            .from(reviewReports)
            .where(inArray(reviewReports.reviewId, reviewIds))
            .orderBy(desc(reviewReports.createdAt)),

    withNamesByIds: (ids: string[]) =>
      ids.length === 0 ? Promise.resolve([]) : withNames().where(inArray(reviews.id, ids)),

    async customerRatingSummary(customerId: string) {
      const [row] = await queryRows<{ s: number | string | null; n: number | string }>(
        db,
        sql`SELECT sum(rating) AS s, count(*) AS n FROM customer_ratings WHERE customer_id = ${customerId}`,
      );
      return { sum: Number(row?.s ?? 0), count: Number(row?.n ?? 0) };
    },

    /** The praise customers tick most on a technician's visible reviews. */
    async topTags(technicianId: string, tags: readonly string[], limit: number) {
      const rows = await queryRows<{ tag: string; n: number | string }>(
        db,
        sql`SELECT tag, count(*) AS n
            FROM reviews r, unnest(r.tags) AS tag
            WHERE r.technician_id = ${technicianId} AND r.published_at IS NOT NULL AND r.hidden_at IS NULL
              AND tag IN (${sql.join(
                tags.map((t) => sql`${t}`),
                sql`, `,
              )})
            GROUP BY tag ORDER BY n DESC, tag LIMIT ${limit}`,
      );
      return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
    },

    /** The aggregates as they should be, recomputed from the rows (tests, repair). */
    async recomputed(technicianId: string) {
      const [row] = await queryRows<{ s: number | string | null; n: number | string }>(
        db,
        sql`SELECT sum(rating) AS s, count(*) AS n FROM reviews
            WHERE technician_id = ${technicianId} AND published_at IS NOT NULL AND hidden_at IS NULL`,
      );
      return { sum: Number(row?.s ?? 0), count: Number(row?.n ?? 0) };
    },
  };
}

export type ReviewRepo = ReturnType<typeof createReviewRepo>;
