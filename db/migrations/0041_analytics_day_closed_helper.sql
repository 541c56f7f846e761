-- Migration 0040's rule in one place: a change's mark is written only when its local day may already have
-- been rolled up, i.e. the day is closed an hour after the transaction began (see 0040 for why an hour is
-- enough). A plain SQL function, STABLE like now(): PostgreSQL inlines it into the statements below, so it
-- costs what the repeated expression did.
CREATE OR REPLACE FUNCTION "analytics_day_closed"(p_at timestamptz, p_zone text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
  SELECT (p_at AT TIME ZONE p_zone)::date < ((now() + interval '1 hour') AT TIME ZONE p_zone)::date
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_service_day"(p_service uuid, p_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "services" s JOIN "markets" m ON m."slug" = s."market"
   WHERE s."id" = p_service AND "analytics_day_closed"(p_at, m."time_zone")
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_booking_day"(p_booking uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (b."created_at" AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "bookings" b JOIN "services" s ON s."id" = b."service_id" JOIN "markets" m ON m."slug" = s."market"
   WHERE b."id" = p_booking AND "analytics_day_closed"(b."created_at", m."time_zone")
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_currency_day"(p_currency text, p_at timestamptz, p_line text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "markets" m
   WHERE m."currency" = p_currency AND p_line IN ('charge', 'commission', 'tip', 'refund', 'credit')
     AND "analytics_day_closed"(p_at, m."time_zone")
  ON CONFLICT DO NOTHING;
END
$$;
