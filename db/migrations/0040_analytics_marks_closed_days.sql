-- Issue 18: the dirty-day marks (migration 0026) are written only for days a roll-up may already have read.
-- A roll-up reads only closed local days (before today in the market's zone), and reads of today always go
-- to the raw rows, so a mark for today told nobody anything: yet every status change of a job wrote one
-- (a new row per transaction, with its index entry and WAL, deleted again by the next roll-up), and the
-- marks were about half of PostgreSQL's time in a status change (auto_explain in `bench:rush`).
--
-- A mark is now skipped when its day is still open an hour after the transaction started (`now()`), so a
-- day's last hour is marked as before. Why that is enough: a roll-up of day D starts after D has ended, and
-- a change that skipped its mark started more than an hour before D ended; for the roll-up's snapshot to
-- miss that change, the change's transaction must still be open when the roll-up starts, more than an hour
-- after it began (app transactions end within a minute: idle_in_transaction_session_timeout). The hour also
-- covers a node's clock being off (the worker's "today" is the node's clock).
--
-- Also: an update marks the old row's day only when that day can differ (service or creation time changed),
-- and a child row's update marks its booking's day once when the booking did not change.
CREATE OR REPLACE FUNCTION "analytics_mark_service_day"(p_service uuid, p_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "services" s JOIN "markets" m ON m."slug" = s."market"
   WHERE s."id" = p_service
     AND (p_at AT TIME ZONE m."time_zone")::date < ((now() + interval '1 hour') AT TIME ZONE m."time_zone")::date
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_booking_day"(p_booking uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (b."created_at" AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "bookings" b JOIN "services" s ON s."id" = b."service_id" JOIN "markets" m ON m."slug" = s."market"
   WHERE b."id" = p_booking
     AND (b."created_at" AT TIME ZONE m."time_zone")::date < ((now() + interval '1 hour') AT TIME ZONE m."time_zone")::date
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_mark_currency_day"(p_currency text, p_at timestamptz, p_line text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "markets" m
   WHERE m."currency" = p_currency AND p_line IN ('charge', 'commission', 'tip', 'refund', 'credit')
     AND (p_at AT TIME ZONE m."time_zone")::date < ((now() + interval '1 hour') AT TIME ZONE m."time_zone")::date
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_bookings_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD."service_id" IS DISTINCT FROM NEW."service_id"
      OR OLD."created_at" IS DISTINCT FROM NEW."created_at")) THEN
    PERFORM "analytics_mark_service_day"(OLD."service_id", OLD."created_at");
  END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_service_day"(NEW."service_id", NEW."created_at"); END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_booking_child_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD."booking_id" IS DISTINCT FROM NEW."booking_id") THEN
    PERFORM "analytics_mark_booking_day"(OLD."booking_id");
  END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_booking_day"(NEW."booking_id"); END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "analytics_ledger_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD."currency" IS DISTINCT FROM NEW."currency"
      OR OLD."created_at" IS DISTINCT FROM NEW."created_at" OR OLD."line" IS DISTINCT FROM NEW."line")) THEN
    PERFORM "analytics_mark_currency_day"(OLD."currency", OLD."created_at", OLD."line");
  END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_currency_day"(NEW."currency", NEW."created_at", NEW."line"); END IF;
  RETURN NULL;
END
$$;
