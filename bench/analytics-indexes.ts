/**
 * The analytics indexes as the migrations leave them (0020, 0025, 0035_sandbox), dropped by the analytics
 * benchmark for its baseline and while seeding, then built again. db/analytics-indexes.unit.test.ts checks
 * each against the last migration that creates it, so the benchmark measures what production runs.
 */
export const INDEXES: Record<string, string> = {
  // The queries filter `not b.sandbox` (issue 17 §3): the flag is covered so the range scan stays index-only.
  bookings_created_analytics_idx:
    'CREATE INDEX bookings_created_analytics_idx ON bookings USING btree (created_at) INCLUDE (id, service_id, status, assigned_at, scheduled_for, cancel_reason, location, sandbox)',
  dispatch_offers_created_analytics_idx:
    'CREATE INDEX dispatch_offers_created_analytics_idx ON dispatch_offers USING btree (created_at) INCLUDE (booking_id, status)',
  ledger_entries_analytics_idx:
    "CREATE INDEX ledger_entries_analytics_idx ON ledger_entries USING btree (currency, created_at) INCLUDE (line, amount, account) WHERE line IN ('charge', 'commission', 'tip', 'refund', 'credit')",
  reviews_created_analytics_idx:
    'CREATE INDEX reviews_created_analytics_idx ON reviews USING btree (created_at) INCLUDE (booking_id, rating, hidden_at)',
};
