import { type SQL, sql } from 'drizzle-orm';
import type { RatingSummary } from '../../contracts/discovery';

/**
 * Ranking uses a Bayesian average: every technician starts with PRIOR_WEIGHT imaginary reviews of
 * PRIOR_MEAN stars, so a handful of reviews moves the score only a little and many reviews dominate it.
 *
 *   score = (PRIOR_WEIGHT × PRIOR_MEAN + sum of stars) / (PRIOR_WEIGHT + number of reviews)
 *
 * The prior is 5 reviews of 4.0: one 5-star review scores 4.17, 200 reviews averaging 4.8 score 4.78, and a
 * newcomer 4.0 — above someone whose many reviews average 3.5 (3.53), below an established 4.5 (4.47).
 * A fixed prior rather than the platform's running mean: a score then never moves because of someone
 * else's review (stable ordering between pages of a search) and anyone can recompute it from the row.
 */
export const PRIOR_MEAN = 4;
export const PRIOR_WEIGHT = 5;

export function bayesianScore(sum: number, count: number): number {
  return (PRIOR_WEIGHT * PRIOR_MEAN + sum) / (PRIOR_WEIGHT + count);
}

/** The same in SQL, rounded to 4 places (a sort key that round-trips exactly through a cursor). */
export function bayesianScoreSql(sum: SQL, count: SQL): SQL<string> {
  return sql<string>`round((${PRIOR_WEIGHT * PRIOR_MEAN}::numeric + ${sum}) / (${PRIOR_WEIGHT}::numeric + ${count}), 4)`;
}

export function ratingSummary(sum: number, count: number): RatingSummary {
  return {
    average: count > 0 ? Math.round((sum / count) * 10) / 10 : null,
    count,
    score: Math.round(bayesianScore(sum, count) * 100) / 100,
  };
}
