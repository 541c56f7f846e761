-- Issue 14 §6: indexes for admin.analytics (server/modules/analytics/analytics.repo.ts). Measured by
-- `npm run bench:analytics` (500k bookings), which also times the queries without them.
-- Bookings requested in a range: the range scan covers the columns most cards read (index-only scans).
CREATE INDEX IF NOT EXISTS "bookings_created_analytics_idx" ON "bookings" USING btree ("created_at") INCLUDE ("service_id", "status", "assigned_at", "scheduled_for");--> statement-breakpoint
-- Money per day: one currency's revenue, commission, tip and refund lines in a range.
CREATE INDEX IF NOT EXISTS "ledger_entries_analytics_idx" ON "ledger_entries" USING btree ("currency", "created_at") INCLUDE ("line", "amount", "account") WHERE "line" IN ('charge', 'commission', 'tip', 'refund', 'credit');--> statement-breakpoint
-- Ratings written in a range.
CREATE INDEX IF NOT EXISTS "reviews_created_analytics_idx" ON "reviews" USING btree ("created_at") INCLUDE ("booking_id", "rating", "hidden_at");
