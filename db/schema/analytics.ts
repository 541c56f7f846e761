import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/*
 * Analytics (issue 14 §6). Everything else is computed from the real tables (bookings, history, offers,
 * ledger, reviews); the indexes those queries need are in the custom migration `analytics_indexes`.
 *
 * Presence has no history of its own (technician_profiles holds only the current state), so the
 * "active technicians by hour" chart needs one: each node samples the online technicians per market
 * once a minute. The primary key makes a sample exactly-once across nodes (ON CONFLICT DO NOTHING),
 * and one row per market per minute is ~525k rows a year per market: small, and indexed by its key.
 */
export const presenceSamples = pgTable(
  'analytics_presence_samples',
  {
    market: text('market').notNull(),
    /** The minute sampled (date_trunc('minute', now())). */
    sampledAt: timestamp('sampled_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Online and heard from within the presence timeout. */
    online: integer('online').notNull(),
    /** Online, verified and not on an active job: could take an offer. */
    available: integer('available').notNull(),
    /** On an active job (assigned … in progress). */
    busy: integer('busy').notNull(),
  },
  (t) => [primaryKey({ columns: [t.market, t.sampledAt] })],
);

export type PresenceSampleRow = typeof presenceSamples.$inferSelect;
