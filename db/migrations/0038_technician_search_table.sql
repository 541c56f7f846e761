-- Search text in a table of its own (issue 15 §7; see db/schema/technicians.ts technicianSearch): a
-- position written by the tracking flush no longer re-indexes the profile's trigrams. The triggers of
-- migration 0032 keep it, now by upsert.
CREATE TABLE "technician_search" (
	"technician_id" uuid PRIMARY KEY NOT NULL,
	"search_text" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "technician_search" ADD CONSTRAINT "technician_search_technician_id_technician_profiles_user_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."technician_profiles"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "technician_search" ("technician_id", "search_text")
  SELECT "user_id", "search_text" FROM "technician_profiles";--> statement-breakpoint
CREATE INDEX "technician_search_trgm" ON "technician_search" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
DROP TRIGGER technician_profiles_search_text ON technician_profiles;--> statement-breakpoint
DROP FUNCTION technician_profiles_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION fundi_refresh_search_text(technician uuid) RETURNS void
LANGUAGE sql
AS $$
  INSERT INTO technician_search (technician_id, search_text)
  SELECT tp.user_id, fundi_technician_search_text(tp.user_id, tp.bio)
  FROM technician_profiles tp WHERE tp.user_id = technician
  ON CONFLICT (technician_id) DO UPDATE SET search_text = EXCLUDED.search_text
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION technician_profiles_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM fundi_refresh_search_text(NEW.user_id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER technician_profiles_search_text
  AFTER INSERT OR UPDATE OF bio ON technician_profiles
  FOR EACH ROW EXECUTE FUNCTION technician_profiles_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION services_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE technician_search tsx SET search_text = fundi_technician_search_text(tp.user_id, tp.bio)
  FROM technician_profiles tp
  WHERE tp.user_id = tsx.technician_id
    AND tsx.technician_id IN (SELECT ts.technician_id FROM technician_services ts WHERE ts.service_id = NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION service_categories_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE technician_search tsx SET search_text = fundi_technician_search_text(tp.user_id, tp.bio)
  FROM technician_profiles tp
  WHERE tp.user_id = tsx.technician_id
    AND tsx.technician_id IN (SELECT ts.technician_id FROM technician_services ts
                              JOIN services s ON s.id = ts.service_id WHERE s.category_id = NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
DROP INDEX "technician_profiles_search_trgm";--> statement-breakpoint
ALTER TABLE "technician_profiles" DROP COLUMN "search_text";
