-- A technician's own price for a service stays within the service's bounds (issue 12 §2): checked by
-- the database, whatever path writes technician_services.
CREATE OR REPLACE FUNCTION technician_services_price_within_bounds() RETURNS trigger AS $$
DECLARE
  lo integer;
  hi integer;
BEGIN
  IF NEW.price IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT min_price, max_price INTO lo, hi FROM services WHERE id = NEW.service_id;
  IF (lo IS NOT NULL AND NEW.price < lo) OR (hi IS NOT NULL AND NEW.price > hi) THEN
    RAISE EXCEPTION 'price % is outside % .. %', NEW.price, lo, hi
      USING ERRCODE = 'check_violation', CONSTRAINT = 'technician_services_price_within_bounds';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER technician_services_price_within_bounds
  BEFORE INSERT OR UPDATE OF price, service_id ON technician_services
  FOR EACH ROW EXECUTE FUNCTION technician_services_price_within_bounds();
