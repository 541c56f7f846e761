-- Text search with an index (issue 12 §3). pg_trgm and unaccent are contrib extensions: installed with
-- PostgreSQL (postgresql-15 ships them; both are trusted, so the database owner may create them) and
-- loaded by the embedded PGlite (db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
-- Latin accents folded too now (é → e, ç → c), before the Arabic rules of migration 0011. unaccent() with
-- an explicit dictionary, so the result depends on nothing but its input (the function stays IMMUTABLE).
CREATE OR REPLACE FUNCTION fundi_search_norm(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT translate(
    regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, input)),
                   '[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]', '', 'g'),
    'أإآٱٲٳؤئىةیک',
    'ااااااوييهيك'
  )
$$;--> statement-breakpoint
ALTER TABLE "technician_profiles" ADD COLUMN "search_text" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- A technician's searchable text: name, bio, and the English and Arabic names of their active services
-- and of those services' categories, normalised.
CREATE OR REPLACE FUNCTION fundi_technician_search_text(technician uuid, bio text) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT fundi_search_norm(
    coalesce((SELECT u.name FROM users u WHERE u.id = technician), '') || ' ' || coalesce(bio, '') || ' ' ||
    coalesce((
      SELECT string_agg(s.name_en || ' ' || s.name_ar || ' ' || c.name_en || ' ' || c.name_ar, ' '
                        ORDER BY s.id)
      FROM technician_services ts
      JOIN services s ON s.id = ts.service_id
      JOIN service_categories c ON c.id = s.category_id
      WHERE ts.technician_id = technician AND s.active), ''))
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION fundi_refresh_search_text(technician uuid) RETURNS void
LANGUAGE sql
AS $$
  UPDATE technician_profiles SET search_text = fundi_technician_search_text(user_id, bio)
  WHERE user_id = technician
$$;--> statement-breakpoint
-- Kept by triggers, whatever writes the name, the bio, the services or the catalogue's names.
CREATE OR REPLACE FUNCTION technician_profiles_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.search_text := fundi_technician_search_text(NEW.user_id, NEW.bio);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER technician_profiles_search_text
  BEFORE INSERT OR UPDATE OF bio ON technician_profiles
  FOR EACH ROW EXECUTE FUNCTION technician_profiles_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION users_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM fundi_refresh_search_text(NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER users_search_text
  AFTER UPDATE OF name ON users
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION users_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION technician_services_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM fundi_refresh_search_text(OLD.technician_id);
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.technician_id <> OLD.technician_id OR NEW.service_id <> OLD.service_id) THEN
    PERFORM fundi_refresh_search_text(NEW.technician_id);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER technician_services_search_text
  AFTER INSERT OR DELETE OR UPDATE OF technician_id, service_id ON technician_services
  FOR EACH ROW EXECUTE FUNCTION technician_services_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION services_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE technician_profiles tp SET search_text = fundi_technician_search_text(tp.user_id, tp.bio)
  WHERE tp.user_id IN (SELECT ts.technician_id FROM technician_services ts WHERE ts.service_id = NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER services_search_text
  AFTER UPDATE OF name_en, name_ar, active, category_id ON services
  FOR EACH ROW EXECUTE FUNCTION services_search_text();--> statement-breakpoint
CREATE OR REPLACE FUNCTION service_categories_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE technician_profiles tp SET search_text = fundi_technician_search_text(tp.user_id, tp.bio)
  WHERE tp.user_id IN (SELECT ts.technician_id FROM technician_services ts
                       JOIN services s ON s.id = ts.service_id WHERE s.category_id = NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER service_categories_search_text
  AFTER UPDATE OF name_en, name_ar ON service_categories
  FOR EACH ROW EXECUTE FUNCTION service_categories_search_text();--> statement-breakpoint
UPDATE technician_profiles SET search_text = fundi_technician_search_text(user_id, bio);--> statement-breakpoint
CREATE INDEX "technician_profiles_search_trgm" ON "technician_profiles" USING gin ("search_text" gin_trgm_ops);
