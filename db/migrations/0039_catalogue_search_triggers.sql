-- A renamed service or category refreshes its technicians' search text through the same
-- fundi_refresh_search_text (migration 0038) that the profile and technician_services triggers call.
CREATE OR REPLACE FUNCTION services_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM fundi_refresh_search_text(ts.technician_id)
  FROM technician_services ts WHERE ts.service_id = NEW.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION service_categories_search_text() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM fundi_refresh_search_text(ts.technician_id)
  FROM technician_services ts JOIN services s ON s.id = ts.service_id
  WHERE s.category_id = NEW.id;
  RETURN NULL;
END
$$;
