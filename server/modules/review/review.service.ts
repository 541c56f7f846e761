import type { z } from 'zod';
import type { Db } from '../../../db/client';
import type { ReviewRow, UserRow } from '../../../db/schema';
import type {
  BookingReviewState,
  CustomerRating,
  createReviewInput,
  hideReviewInput,
  listReviewsInput,
  ModeratedReview,
  OwnReview,
  Review,
  ReviewPage,
  ReviewTag,
  rateCustomerInput,
  replyReviewInput,
  reportReviewInput,
} from '../../contracts/review';
import { positiveReviewTags } from '../../contracts/review';
import { DomainError, isUniqueViolation } from '../../lib/errors';
import { log } from '../../lib/log';
import { createAuditRepo } from '../audit/audit.repo';
import { decodeKeyset, encodeKeyset } from './keyset';
import { createReviewRepo, type ReviewBooking, type ReviewListRow } from './review.repo';

type Caller = Pick<UserRow, 'id' | 'role'>;

export type ReviewConfig = {
  /** Customers review (and technicians rate customers) within this long after completion. */
  windowMs: number;
  /** How often waiting reviews whose window has closed are published. */
  sweepMs: number;
};

const PAGE = 20;
const SWEEP_BATCH = 500;
/** A finished job: a completed one, or one disputed after completion. */
const DONE = new Set(['completed', 'disputed']);

/** "Ada Okafor" → "Ada O.": reviews never show a customer's full name. */
export function shortName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return words[0] ?? '';
  return `${words[0]} ${[...words[words.length - 1]!][0]!.toUpperCase()}.`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toReview(r: ReviewListRow): Review {
  const v = r.review;
  return {
    id: v.id,
    bookingId: v.bookingId,
    technicianId: v.technicianId,
    rating: v.rating,
    comment: v.comment,
    tags: v.tags as ReviewTag[],
    author: shortName(r.authorName),
    service: { id: r.serviceId, name: { en: r.serviceNameEn, ar: r.serviceNameAr } },
    reply: v.reply && v.repliedAt ? { text: v.reply, at: v.repliedAt.toISOString() } : null,
    createdAt: v.createdAt.toISOString(),
    publishedAt: (v.publishedAt ?? v.createdAt).toISOString(),
  };
}

function toOwnReview(r: ReviewListRow): OwnReview {
  return {
    ...toReview(r),
    publishedAt: iso(r.review.publishedAt),
    publishesAt: r.review.publishDueAt.toISOString(),
  };
}

export function createReviewService(deps: { db: Db; config: ReviewConfig; now?: () => number }) {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;
  const repo = createReviewRepo(db);

  /** Reviews and customer ratings close this long after completion; null while the job is not done. */
  function closesAt(b: ReviewBooking): Date | null {
    if (!DONE.has(b.status) || !b.completedAt) return null;
    return new Date(b.completedAt.getTime() + config.windowMs);
  }
  const isOpen = (b: ReviewBooking) => {
    const closes = closesAt(b);
    return closes !== null && now() < closes.getTime();
  };

  /** The booking as `as` (its customer or its technician); NOT_FOUND for anyone else. */
  async function bookingOf(bookingId: string, user: Caller, as: 'customer' | 'technician') {
    const b = await repo.booking(bookingId);
    const mine = b && (as === 'customer' ? b.customerId === user.id : b.technicianId === user.id);
    if (!b || !mine) throw new DomainError('NOT_FOUND', 'Booking not found.');
    return b;
  }

  function assertOpen(b: ReviewBooking) {
    if (!DONE.has(b.status) || !b.completedAt || !b.technicianId) {
      throw new DomainError('CONFLICT', 'The job is not completed yet.', { reason: 'NOT_COMPLETED' });
    }
    if (!isOpen(b)) {
      throw new DomainError('CONFLICT', 'The time to review this job has passed.', {
        reason: 'WINDOW_CLOSED',
      });
    }
  }

  async function ownReview(bookingId: string): Promise<OwnReview | null> {
    const row = await repo.withNamesByBooking(bookingId);
    return row ? toOwnReview(row) : null;
  }

  async function technicianState(b: ReviewBooking): Promise<BookingReviewState> {
    const [rating, row] = await Promise.all([repo.customerRating(b.id), repo.withNamesByBooking(b.id)]);
    const visible = row && row.review.publishedAt !== null && row.review.hiddenAt === null;
    return {
      as: 'technician',
      closesAt: iso(closesAt(b)),
      canRate: !rating && DONE.has(b.status) && isOpen(b),
      customerRating: rating?.rating ?? null,
      review: visible ? toReview(row) : null,
      canReply: Boolean(visible && row.review.reply === null),
    };
  }

  async function moderated(rows: ReviewListRow[]): Promise<ModeratedReview[]> {
    const reports = await repo.reportsOf(rows.map((r) => r.review.id));
    return rows.map((r) => {
      const v = r.review;
      const { publishedAt: _, author: __, ...base } = toReview(r);
      return {
        ...base,
        author: { id: v.customerId, name: r.authorName },
        publishedAt: iso(v.publishedAt),
        hidden:
          v.hiddenAt && v.hiddenReason
            ? { at: v.hiddenAt.toISOString(), reason: v.hiddenReason, by: v.hiddenBy }
            : null,
        reports: reports
          .filter((x) => x.reviewId === v.id)
          .map((x) => ({ reason: x.reason, at: x.at.toISOString(), by: x.by })),
      };
    });
  }

  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<unknown> | null = null;

  const service = {
    /** The customer reviews their completed job, once. Published at once if the technician already rated them. */
    async create(user: Caller, input: z.output<typeof createReviewInput>): Promise<OwnReview> {
      const b = await bookingOf(input.bookingId, user, 'customer');
      assertOpen(b);
      try {
        await db.transaction(async (tx) => {
          const r = createReviewRepo(tx);
          await r.lockBooking(b.id);
          await r.insert({
            bookingId: b.id,
            customerId: b.customerId,
            technicianId: b.technicianId!,
            rating: input.rating,
            comment: input.comment ? input.comment : null,
            tags: input.tags,
            publishDueAt: closesAt(b)!,
          });
          // Double-blind: the technician wrote first (without seeing this), so neither side can react now.
          if (await r.customerRating(b.id)) await r.publish({ bookingId: b.id });
        });
      } catch (e) {
        if (isUniqueViolation(e, 'reviews_booking_key')) {
          throw new DomainError('CONFLICT', 'This job has already been reviewed.', {
            reason: 'ALREADY_REVIEWED',
          });
        }
        throw e;
      }
      return (await ownReview(b.id))!;
    },

    /** The technician rates the customer (private: admins see it). Publishes the customer's review if any. */
    async rateCustomer(user: Caller, input: z.output<typeof rateCustomerInput>): Promise<BookingReviewState> {
      const b = await bookingOf(input.bookingId, user, 'technician');
      assertOpen(b);
      try {
        await db.transaction(async (tx) => {
          const r = createReviewRepo(tx);
          await r.lockBooking(b.id);
          await r.insertCustomerRating({
            bookingId: b.id,
            customerId: b.customerId,
            technicianId: user.id,
            rating: input.rating,
          });
          await r.publish({ bookingId: b.id });
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new DomainError('CONFLICT', 'You have already rated this customer.', {
            reason: 'ALREADY_RATED',
          });
        }
        throw e;
      }
      return technicianState(b);
    },

    /** The technician answers a published review of theirs, once. */
    async reply(user: Caller, input: z.output<typeof replyReviewInput>): Promise<Review> {
      const updated = await repo.reply(input.reviewId, user.id, input.text);
      if (!updated) {
        const r = await repo.byId(input.reviewId);
        // Unpublished reviews are invisible to the technician (double-blind): the same as missing.
        if (!r || r.technicianId !== user.id || !r.publishedAt || r.hiddenAt) {
          throw new DomainError('NOT_FOUND', 'Review not found.');
        }
        throw new DomainError('CONFLICT', 'You have already replied to this review.', {
          reason: 'ALREADY_REPLIED',
        });
      }
      return toReview((await repo.withNamesById(updated.id))!);
    },

    /** A technician's published reviews, newest first. */
    async list(input: z.output<typeof listReviewsInput>): Promise<ReviewPage> {
      const after = decodeKeyset(input.cursor);
      const limit = input.limit ?? PAGE;
      const rows = await repo.list(input.technicianId, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toReview),
        nextCursor:
          rows.length > limit && last?.publishedKey
            ? encodeKeyset({ at: last.publishedKey, id: last.review.id })
            : null,
      };
    },

    /** Anyone signed in may report a review they can see; reporting twice is a no-op. */
    async report(user: Caller, input: z.output<typeof reportReviewInput>) {
      const r = await repo.byId(input.reviewId);
      const visibleToCaller =
        r && (user.role === 'admin' || r.customerId === user.id || (r.publishedAt && !r.hiddenAt));
      if (!r || !visibleToCaller) throw new DomainError('NOT_FOUND', 'Review not found.');
      await repo.report(r.id, user.id, input.reason);
      return { reported: true as const };
    },

    /** The review card of a booking screen, for its customer or its technician. */
    async forBooking(user: Caller, bookingId: string): Promise<BookingReviewState> {
      const b = await repo.booking(bookingId);
      if (b && b.customerId === user.id) {
        const review = await ownReview(b.id);
        return {
          as: 'customer',
          closesAt: iso(closesAt(b)),
          canReview: !review && Boolean(b.technicianId) && DONE.has(b.status) && isOpen(b),
          review,
        };
      }
      if (b && b.technicianId === user.id) return technicianState(b);
      throw new DomainError('NOT_FOUND', 'Booking not found.');
    },

    /** Admins hide a review with a reason: it leaves the lists and the averages; an audit row records it. */
    async hide(admin: Caller, input: z.output<typeof hideReviewInput>): Promise<ModeratedReview> {
      const hidden = await db.transaction(async (tx) => {
        const r = createReviewRepo(tx);
        const row = await r.hide(input.reviewId, admin.id, input.reason);
        if (row) {
          await createAuditRepo(tx).record({
            actorId: admin.id,
            action: 'review.hide',
            subject: `review:${row.id}`,
            reason: input.reason,
            before: { hidden: false },
            after: { hidden: true },
            detail: {
              reason: input.reason,
              bookingId: row.bookingId,
              technicianId: row.technicianId,
              rating: row.rating,
              wasPublished: row.publishedAt !== null,
            },
          });
        }
        return row;
      });
      if (!hidden) {
        const existing = await repo.byId(input.reviewId);
        if (!existing) throw new DomainError('NOT_FOUND', 'Review not found.');
        throw new DomainError('CONFLICT', 'This review is already hidden.', { reason: 'ALREADY_HIDDEN' });
      }
      return (await moderated([(await repo.withNamesById(hidden.id))!]))[0]!;
    },

    /** Reported reviews for admins, most recently reported first, with every report. */
    async reported(input: { cursor?: string | undefined } | undefined) {
      const after = decodeKeyset(input?.cursor);
      const limit = PAGE;
      const ids = await repo.reported(after, limit + 1);
      const page = ids.slice(0, limit);
      const rows = await repo.withNamesByIds(page.map((x) => x.reviewId));
      const byId = new Map(rows.map((r) => [r.review.id, r]));
      const items = await moderated(page.map((x) => byId.get(x.reviewId)).filter((r) => r !== undefined));
      const last = page.at(-1);
      return {
        items,
        nextCursor:
          ids.length > limit && last ? encodeKeyset({ at: last.lastReport, id: last.reviewId }) : null,
      };
    },

    /** The customer's private rating by technicians (admins only). */
    async customerRating(customerId: string): Promise<CustomerRating> {
      const { sum, count } = await repo.customerRatingSummary(customerId);
      return {
        customerId,
        average: count ? Math.round((sum / count) * 10) / 10 : null,
        count,
      };
    },

    /** Praise customers tick most (profile). */
    topTags: (technicianId: string) => repo.topTags(technicianId, positiveReviewTags, 3),

    /** Publishes every review whose window has closed (batch by batch). Returns how many. */
    async publishDue(): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await repo.publishDue(SWEEP_BATCH);
        total += n;
        if (n < SWEEP_BATCH) return total;
      }
    },

    /** The publication sweep (every node may run it: publishing is exactly-once in SQL). */
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (sweeping) return;
        sweeping = service
          .publishDue()
          .catch((e) => log.warn('review publication sweep failed', { error: String(e) }))
          .finally(() => {
            sweeping = null;
          });
      }, config.sweepMs);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await sweeping;
    },
  };
  return service;
}

export type ReviewService = ReturnType<typeof createReviewService>;
export type { ReviewRow };
