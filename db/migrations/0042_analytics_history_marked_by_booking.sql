-- Issue 18: a status history row no longer marks its booking's day when the booking's own change marks it.
-- The app writes a history row only in the statement that moves its booking (booking.repo.ts `historyOf`:
-- the INSERT selects from the booking's UPDATE … RETURNING, or from a new booking's INSERT), so the row's
-- from_status is the booking's status before the statement and its to_status the one after. When they
-- differ, the booking's status changed, and `analytics_bookings_update` (or, for a new booking's first row,
-- from_status NULL, `analytics_bookings_insert_delete`) has marked the same (market, day) in the same
-- transaction: the booking's created_at in its service's market. The history row's mark was that row once
-- more (ON CONFLICT DO NOTHING), at the cost of two PL/pgSQL calls and a three-table join for every status
-- change: 6 of the 17 analytics trigger calls of a job from request to completion (the others: the booking's
-- insert and 5 moves, its offer's insert and acceptance, 3 ledger lines). PL/pgSQL was about 9 % of
-- PostgreSQL's CPU in a rush at 100 bookings/s (`perf record -a` during `bench:rush`, 2026-12-02).
--
-- A history row that does not record a move (from = to), and every update or delete of one, still marks.
-- Rows written by hand must come with their booking's change, as the app's do.
DROP TRIGGER "analytics_booking_status_history_changed" ON "booking_status_history";--> statement-breakpoint
CREATE TRIGGER "analytics_booking_status_history_inserted" AFTER INSERT ON "booking_status_history"
  FOR EACH ROW WHEN (NEW."from_status" IS NOT DISTINCT FROM NEW."to_status")
  EXECUTE FUNCTION "analytics_booking_child_changed"();--> statement-breakpoint
CREATE TRIGGER "analytics_booking_status_history_changed" AFTER UPDATE OR DELETE ON "booking_status_history"
  FOR EACH ROW EXECUTE FUNCTION "analytics_booking_child_changed"();
