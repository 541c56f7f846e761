ALTER TABLE "bookings" ADD COLUMN "sandbox" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "livemode" boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Issue 17 §3: analytics leave sandbox (test-mode) bookings out; the covering range scan reads the flag too.
DROP INDEX IF EXISTS "bookings_created_analytics_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_created_analytics_idx" ON "bookings" USING btree ("created_at") INCLUDE ("id", "service_id", "status", "assigned_at", "scheduled_for", "cancel_reason", "location", "sandbox");
