-- Issue 12 §5. A technician's reservations (the job, plus the drive to it from their previous job and a
-- buffer) never overlap: two customers racing for one slot, or a job squeezed in without time to drive,
-- are settled here whatever the application checked (btree_gist for the uuid =).
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlapping_reservations"
  EXCLUDE USING gist ("reserved_for" WITH =, tstzrange("reserved_from", "reserved_to") WITH &&)
  WHERE ("reserved_for" IS NOT NULL
         AND "status" IN ('searching', 'assigned', 'en_route', 'arrived', 'in_progress'));--> statement-breakpoint
-- One technician's working ranges on one weekday never overlap (the service merges them first anyway).
ALTER TABLE "technician_hours" ADD CONSTRAINT "technician_hours_no_overlap"
  EXCLUDE USING gist ("technician_id" WITH =, "weekday" WITH =, int4range("start_minute", "end_minute") WITH &&);
