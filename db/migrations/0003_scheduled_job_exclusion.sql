-- A technician's scheduled jobs may not overlap in time: a database guarantee (btree_gist for the uuid =).
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlapping_scheduled_jobs"
  EXCLUDE USING gist ("technician_id" WITH =, tstzrange("scheduled_for", "scheduled_end") WITH &&)
  WHERE ("technician_id" IS NOT NULL AND "scheduled_for" IS NOT NULL
         AND "status" IN ('assigned', 'en_route', 'arrived', 'in_progress'));
