import { z } from 'zod';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_TEXT } from './text';

/**
 * What a customer may tick besides the stars. Fixed slugs (the client words them in each language) so
 * they can be counted; the first six are praise, the rest complaints.
 */
export const reviewTags = [
  'on_time',
  'professional',
  'friendly',
  'tidy',
  'good_value',
  'quality_work',
  'late',
  'unprofessional',
  'messy',
  'overpriced',
  'poor_quality',
] as const;
export type ReviewTag = (typeof reviewTags)[number];
export const positiveReviewTags: readonly ReviewTag[] = reviewTags.slice(0, 6);

export const ratingSchema = z.number().int().min(1).max(5);

export const createReviewInput = z.object({
  bookingId: z.uuid(),
  rating: ratingSchema,
  comment: z.string().trim().max(2000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE).optional(),
  tags: z
    .array(z.enum(reviewTags))
    .max(reviewTags.length)
    .optional()
    .transform((tags) => [...new Set(tags ?? [])]),
});

export const replyReviewInput = z.object({
  reviewId: z.uuid(),
  text: z.string().trim().min(1).max(1000).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const rateCustomerInput = z.object({ bookingId: z.uuid(), rating: ratingSchema });
export const listReviewsInput = z.object({
  technicianId: z.uuid(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(50).optional(),
});
export const reportReviewInput = z.object({
  reviewId: z.uuid(),
  reason: z.string().trim().min(3).max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const reviewForBookingInput = z.object({ bookingId: z.uuid() });

export const hideReviewInput = z.object({
  reviewId: z.uuid(),
  reason: z.string().trim().min(3).max(500).regex(MULTI_LINE_TEXT, CONTROL_CHARACTERS_MESSAGE),
});
export const reportedReviewsInput = z.object({ cursor: z.string().max(200).optional() }).optional();
export const customerRatingInput = z.object({ customerId: z.uuid() });

/** A published review as everyone sees it: the reviewer's first name only. */
export type Review = {
  id: string;
  bookingId: string;
  technicianId: string;
  rating: number;
  comment: string | null;
  tags: ReviewTag[];
  /** "Ada O." — a first name and an initial, never the full name. */
  author: string;
  service: { id: string; name: { en: string; ar: string } };
  reply: { text: string; at: string } | null;
  createdAt: string;
  publishedAt: string;
};

export type ReviewPage = { items: Review[]; nextCursor: string | null };

/** The customer's own review, published or still waiting for the other side (double-blind). */
export type OwnReview = Omit<Review, 'publishedAt'> & { publishedAt: string | null; publishesAt: string };

/**
 * What the booking screen needs. The customer: their review (or whether they may still write one).
 * The technician: whether they rated the customer, and the customer's review once it is published.
 */
export type BookingReviewState =
  | {
      as: 'customer';
      /** Reviews close (and a waiting review is published) at this time; null while the job is not done. */
      closesAt: string | null;
      canReview: boolean;
      review: OwnReview | null;
    }
  | {
      as: 'technician';
      closesAt: string | null;
      canRate: boolean;
      /** The private rating they gave the customer, if any. */
      customerRating: number | null;
      /** The customer's review, only once published; `canReply` while it has no reply. */
      review: Review | null;
      canReply: boolean;
    };

/** What an admin sees of a reported or hidden review. */
export type ModeratedReview = Omit<Review, 'publishedAt' | 'author'> & {
  author: { id: string; name: string };
  publishedAt: string | null;
  hidden: { at: string; reason: string; by: string | null } | null;
  reports: Array<{ reason: string; at: string; by: string }>;
};

/** The customer's private rating by technicians (admins only). */
export type CustomerRating = { customerId: string; average: number | null; count: number };
