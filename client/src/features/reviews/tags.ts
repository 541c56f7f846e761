import { positiveReviewTags, type ReviewTag, reviewTags } from '../../../../server/contracts/review';

/** Praise for a good job, complaints for a poor one: the chips offered depend on the stars. */
export function tagsFor(rating: number | null): readonly ReviewTag[] {
  if (rating === null || rating >= 4) return positiveReviewTags;
  return reviewTags.filter((tag) => !positiveReviewTags.includes(tag));
}

export type { ReviewTag };
