import {
  bigint,
  date,
  doublePrecision,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

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

/*
 * Daily rollups (issue 14 §6: a year answers in under 200 ms). A market's closed local days are rolled up
 * by a worker (analytics.rollup.repo.ts) from the same SQL the live queries run, so a day read from the
 * rollups equals that day computed from the raw rows. A card combines the rolled-up whole days of its range
 * with raw rows for the rest (the partial first and last day, today, days not rolled up yet, dirty days).
 *
 * A day is used only while it is clean: triggers on the raw tables (bookings, status history, offers,
 * reviews, ledger lines) write a mark for every (market, request day) a transaction changes, in that same
 * transaction (migration `analytics_rollups`). A mark names its transaction, so marks never conflict
 * across transactions; the worker deletes only the marks its own snapshot saw, so a change it did not see
 * keeps its day dirty until the next roll-up.
 */

/** Which days of a market are rolled up, and by which version of the rollup's definitions. */
export const rollupDays = pgTable(
  'analytics_days',
  {
    market: text('market').notNull(),
    /** The market's local calendar day. */
    day: date('day', { mode: 'string' }).notNull(),
    /** ROLLUP_VERSION when rolled up: a day of another version is rolled up again. */
    version: integer('version').notNull(),
    rolledAt: timestamp('rolled_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.market, t.day] })],
);

/**
 * Counts per market, metric and local day: `status` (requested, unfulfilled, searching, cancelled_before),
 * `unfulfilled_reason`, `offer` (by offer status), `cancel_side`, `cancel_reason`, `rating` (1–5) of the
 * bookings requested that day; `money` (revenue, commission, tips, refunds) of the ledger lines posted that day.
 */
export const rollupCounts = pgTable(
  'analytics_day_counts',
  {
    market: text('market').notNull(),
    metric: text('metric').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    key: text('key').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.market, t.metric, t.day, t.key] })],
);

/** Time to assignment of the day's on-demand bookings: how many took each whole number of seconds. */
export const rollupWaits = pgTable(
  'analytics_day_waits',
  {
    market: text('market').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    seconds: integer('seconds').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.market, t.day, t.seconds] })],
);

/** Bookings requested that day per heatmap cell (the cell's centre, as ST_SnapToGrid gives it). */
export const rollupCells = pgTable(
  'analytics_day_cells',
  {
    market: text('market').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.market, t.day, t.lat, t.lng] })],
);

/** A (market, day) whose raw rows a transaction changed (written by triggers; see above). */
export const rollupDirty = pgTable(
  'analytics_dirty_days',
  {
    market: text('market').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** txid_current() of the transaction that changed it. */
    xid: bigint('xid', { mode: 'bigint' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.market, t.day, t.xid] })],
);
