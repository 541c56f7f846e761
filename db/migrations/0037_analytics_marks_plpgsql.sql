-- Issue 18: the dirty-day marks of migration 0026, unchanged in what they write, as PL/pgSQL instead of
-- SQL functions. A SQL function called from a trigger is parsed and planned on every call (a job's
-- status changes fire it about a dozen times); PL/pgSQL keeps each statement's plan for the session.
CREATE OR REPLACE FUNCTION "analytics_mark_service_day"(p_service uuid, p_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "services" s JOIN "markets" m ON m."slug" = s."market"
   WHERE s."id" = p_service
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_booking_day"(p_booking uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (b."created_at" AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "bookings" b JOIN "services" s ON s."id" = b."service_id" JOIN "markets" m ON m."slug" = s."market"
   WHERE b."id" = p_booking
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_currency_day"(p_currency text, p_at timestamptz, p_line text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "markets" m
   WHERE m."currency" = p_currency AND p_line IN ('charge', 'commission', 'tip', 'refund', 'credit')
  ON CONFLICT DO NOTHING;
END
$$;
