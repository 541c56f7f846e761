CREATE TABLE "analytics_day_cells" (
	"market" text NOT NULL,
	"day" date NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "analytics_day_cells_market_day_lat_lng_pk" PRIMARY KEY("market","day","lat","lng")
);
--> statement-breakpoint
CREATE TABLE "analytics_day_counts" (
	"market" text NOT NULL,
	"metric" text NOT NULL,
	"day" date NOT NULL,
	"key" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "analytics_day_counts_market_metric_day_key_pk" PRIMARY KEY("market","metric","day","key")
);
--> statement-breakpoint
CREATE TABLE "analytics_days" (
	"market" text NOT NULL,
	"day" date NOT NULL,
	"version" integer NOT NULL,
	"rolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_days_market_day_pk" PRIMARY KEY("market","day")
);
--> statement-breakpoint
CREATE TABLE "analytics_dirty_days" (
	"market" text NOT NULL,
	"day" date NOT NULL,
	"xid" bigint NOT NULL,
	CONSTRAINT "analytics_dirty_days_market_day_xid_pk" PRIMARY KEY("market","day","xid")
);
--> statement-breakpoint
CREATE TABLE "analytics_day_waits" (
	"market" text NOT NULL,
	"day" date NOT NULL,
	"seconds" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "analytics_day_waits_market_day_seconds_pk" PRIMARY KEY("market","day","seconds")
);
--> statement-breakpoint
-- Issue 14 §6: daily rollups stay equal to the raw rows. Every transaction that changes a row a rollup is
-- computed from marks the (market, local day) it belongs to, with its own transaction id, in the same
-- transaction: the marks never conflict across transactions (no lock on the busy day), and the roll-up
-- worker deletes only the marks its snapshot saw. A day with a mark is read from the raw rows until it is
-- rolled up again (db/schema/analytics.ts).
CREATE FUNCTION "analytics_mark_service_day"(p_service uuid, p_at timestamptz) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "services" s JOIN "markets" m ON m."slug" = s."market"
   WHERE s."id" = p_service
  ON CONFLICT DO NOTHING
$$;--> statement-breakpoint
CREATE FUNCTION "analytics_mark_booking_day"(p_booking uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (b."created_at" AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "bookings" b JOIN "services" s ON s."id" = b."service_id" JOIN "markets" m ON m."slug" = s."market"
   WHERE b."id" = p_booking
  ON CONFLICT DO NOTHING
$$;--> statement-breakpoint
CREATE FUNCTION "analytics_bookings_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM "analytics_mark_service_day"(OLD."service_id", OLD."created_at"); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_service_day"(NEW."service_id", NEW."created_at"); END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_bookings_insert_delete" AFTER INSERT OR DELETE ON "bookings"
  FOR EACH ROW EXECUTE FUNCTION "analytics_bookings_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_bookings_update"
  AFTER UPDATE OF "status", "assigned_at", "scheduled_for", "cancel_reason", "location", "service_id", "created_at" ON "bookings"
  FOR EACH ROW WHEN (
    OLD."status" IS DISTINCT FROM NEW."status" OR OLD."assigned_at" IS DISTINCT FROM NEW."assigned_at"
    OR OLD."scheduled_for" IS DISTINCT FROM NEW."scheduled_for" OR OLD."cancel_reason" IS DISTINCT FROM NEW."cancel_reason"
    OR OLD."location"::text IS DISTINCT FROM NEW."location"::text OR OLD."service_id" IS DISTINCT FROM NEW."service_id"
    OR OLD."created_at" IS DISTINCT FROM NEW."created_at")
  EXECUTE FUNCTION "analytics_bookings_changed"();--> statement-breakpoint
-- Status history (unfulfilled reasons, who cancelled), offers and reviews count for their booking's day.
CREATE FUNCTION "analytics_booking_child_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM "analytics_mark_booking_day"(OLD."booking_id"); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_booking_day"(NEW."booking_id"); END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_booking_status_history_changed" AFTER INSERT OR UPDATE OR DELETE ON "booking_status_history"
  FOR EACH ROW EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_dispatch_offers_insert_delete" AFTER INSERT OR DELETE ON "dispatch_offers"
  FOR EACH ROW EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_dispatch_offers_update" AFTER UPDATE OF "status", "booking_id", "created_at" ON "dispatch_offers"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."booking_id" IS DISTINCT FROM NEW."booking_id"
    OR OLD."created_at" IS DISTINCT FROM NEW."created_at")
  EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_reviews_insert_delete" AFTER INSERT OR DELETE ON "reviews"
  FOR EACH ROW EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_reviews_update" AFTER UPDATE OF "rating", "hidden_at", "booking_id", "created_at" ON "reviews"
  FOR EACH ROW WHEN (OLD."rating" IS DISTINCT FROM NEW."rating" OR (OLD."hidden_at" IS NULL) <> (NEW."hidden_at" IS NULL)
    OR OLD."booking_id" IS DISTINCT FROM NEW."booking_id" OR OLD."created_at" IS DISTINCT FROM NEW."created_at")
  EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
-- Ledger lines count for the day they were posted, in every market of their currency.
CREATE FUNCTION "analytics_mark_currency_day"(p_currency text, p_at timestamptz, p_line text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "analytics_dirty_days" ("market", "day", "xid")
  SELECT m."slug", (p_at AT TIME ZONE m."time_zone")::date, txid_current()
    FROM "markets" m
   WHERE m."currency" = p_currency AND p_line IN ('charge', 'commission', 'tip', 'refund', 'credit')
  ON CONFLICT DO NOTHING
$$;--> statement-breakpoint
CREATE FUNCTION "analytics_ledger_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM "analytics_mark_currency_day"(OLD."currency", OLD."created_at", OLD."line"); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "analytics_mark_currency_day"(NEW."currency", NEW."created_at", NEW."line"); END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_ledger_entries_changed" AFTER INSERT OR UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "analytics_ledger_changed"();--> statement-breakpoint
-- A service moved to another market, or a market's zone or currency changed: its days are rolled up anew.
CREATE FUNCTION "analytics_market_redefined"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'services' THEN
    DELETE FROM "analytics_days" WHERE "market" IN (OLD."market", NEW."market");
  ELSE
    DELETE FROM "analytics_days" WHERE "market" IN (OLD."slug", NEW."slug");
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "analytics_services_market_changed" AFTER UPDATE OF "market" ON "services"
  FOR EACH ROW WHEN (OLD."market" IS DISTINCT FROM NEW."market")
  EXECUTE FUNCTION "analytics_market_redefined"();--> statement-breakpoint
CREATE TRIGGER "analytics_markets_redefined" AFTER UPDATE OF "time_zone", "currency", "slug" ON "markets"
  FOR EACH ROW WHEN (OLD."time_zone" IS DISTINCT FROM NEW."time_zone" OR OLD."currency" IS DISTINCT FROM NEW."currency"
    OR OLD."slug" IS DISTINCT FROM NEW."slug")
  EXECUTE FUNCTION "analytics_market_redefined"();
