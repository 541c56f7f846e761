-- Issue 18: a booking's changes no longer call the analytics trigger while the booking's day is open.
-- The trigger marks (market, day) for rolling up again only when that local day may already have been
-- rolled up: closed an hour after the transaction began (`analytics_day_closed`, migration 0041). For a
-- booking of today, that is false until an hour before the next local midnight, yet every insert and every
-- status change called the PL/pgSQL trigger to find that out: a join of services and markets under an
-- INSERT … ON CONFLICT, 6 calls of a job's 11 (the booking's insert and its 5 moves), about a tenth of
-- PostgreSQL's CPU in a rush (`perf record -a` during `bench:rush`, 2026-12-03).
--
-- The booking now carries the instant its day closes (`analytics_day_closes_at`, written by the app's
-- insert from its service's market) and the triggers' WHEN conditions skip the call before it: a WHEN
-- clause cannot join, but it can compare the row with now(). The condition fires an hour early (DST moves
-- a local midnight by up to an hour); the functions still decide exactly, as before. Null (rows written
-- before this migration, or by hand) always calls, as before. When what the instant was computed from
-- changes (the booking's created_at or service, a market's time zone, a service's market), it is set back
-- to null.
ALTER TABLE "bookings" ADD COLUMN "analytics_day_closes_at" timestamp with time zone;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_day_closes_at"(p_at timestamptz, p_zone text) RETURNS timestamptz
  LANGUAGE sql STABLE AS $$
  SELECT ((((p_at AT TIME ZONE p_zone)::date + 1)::timestamp) AT TIME ZONE p_zone) - interval '1 hour'
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_booking_day_forgotten"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."analytics_day_closes_at" := NULL;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_booking_day_forgotten" BEFORE UPDATE OF "created_at", "service_id" ON "bookings"
  FOR EACH ROW WHEN (OLD."created_at" IS DISTINCT FROM NEW."created_at" OR OLD."service_id" IS DISTINCT FROM NEW."service_id")
  EXECUTE FUNCTION "analytics_booking_day_forgotten"();--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_market_days_forgotten"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only a day not closed yet can be skipped: bookings of the last two days (the created_at index).
  IF TG_TABLE_NAME = 'markets' THEN
    UPDATE "bookings" b SET "analytics_day_closes_at" = NULL
      FROM "services" s
     WHERE s."id" = b."service_id" AND s."market" = NEW."slug"
       AND b."created_at" > now() - interval '2 days' AND b."analytics_day_closes_at" IS NOT NULL;
  ELSE
    UPDATE "bookings" b SET "analytics_day_closes_at" = NULL
     WHERE b."service_id" = NEW."id"
       AND b."created_at" > now() - interval '2 days' AND b."analytics_day_closes_at" IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_market_days_forgotten" AFTER UPDATE OF "time_zone" ON "markets"
  FOR EACH ROW WHEN (OLD."time_zone" IS DISTINCT FROM NEW."time_zone")
  EXECUTE FUNCTION "analytics_market_days_forgotten"();--> statement-breakpoint
CREATE TRIGGER "analytics_service_days_forgotten" AFTER UPDATE OF "market" ON "services"
  FOR EACH ROW WHEN (OLD."market" IS DISTINCT FROM NEW."market")
  EXECUTE FUNCTION "analytics_market_days_forgotten"();--> statement-breakpoint
DROP TRIGGER "analytics_bookings_insert_delete" ON "bookings";--> statement-breakpoint
CREATE TRIGGER "analytics_bookings_inserted" AFTER INSERT ON "bookings"
  FOR EACH ROW WHEN (NEW."analytics_day_closes_at" IS NULL OR NEW."analytics_day_closes_at" <= now() + interval '1 hour')
  EXECUTE FUNCTION "analytics_bookings_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_bookings_deleted" AFTER DELETE ON "bookings"
  FOR EACH ROW EXECUTE FUNCTION "analytics_bookings_changed"();--> statement-breakpoint
DROP TRIGGER "analytics_bookings_update" ON "bookings";--> statement-breakpoint
CREATE TRIGGER "analytics_bookings_update" AFTER UPDATE OF "status", "assigned_at", "scheduled_for", "cancel_reason", "location", "service_id", "created_at" ON "bookings"
  FOR EACH ROW WHEN ((OLD."status" IS DISTINCT FROM NEW."status" OR OLD."assigned_at" IS DISTINCT FROM NEW."assigned_at"
    OR OLD."scheduled_for" IS DISTINCT FROM NEW."scheduled_for" OR OLD."cancel_reason" IS DISTINCT FROM NEW."cancel_reason"
    OR OLD."location"::text IS DISTINCT FROM NEW."location"::text OR OLD."service_id" IS DISTINCT FROM NEW."service_id"
    OR OLD."created_at" IS DISTINCT FROM NEW."created_at")
   AND (NEW."analytics_day_closes_at" IS NULL OR NEW."analytics_day_closes_at" <= now() + interval '1 hour'))
  EXECUTE FUNCTION "analytics_bookings_changed"();
