-- Issue 14 §6, measured with `npm run bench:analytics` (500k bookings): every analytics card reads
-- indexes only. The bookings range scan also covers id (joins to offers and reviews), cancel_reason and
-- location (cancellations, the heatmap); offers are a range scan by time hashed against those bookings
-- (probing offers by booking id, a random UUID, was several times slower).
DROP INDEX IF EXISTS "bookings_created_analytics_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_created_analytics_idx" ON "bookings" USING btree ("created_at") INCLUDE ("id", "service_id", "status", "assigned_at", "scheduled_for", "cancel_reason", "location");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "dispatch_offers_created_analytics_idx" ON "dispatch_offers" USING btree ("created_at") INCLUDE ("booking_id", "status");
