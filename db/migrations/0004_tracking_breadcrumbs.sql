CREATE TABLE "tracking_breadcrumbs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"booking_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"location" geography(Point,4326) NOT NULL,
	"accuracy" real,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tracking_breadcrumbs" ADD CONSTRAINT "tracking_breadcrumbs_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_breadcrumbs" ADD CONSTRAINT "tracking_breadcrumbs_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tracking_breadcrumbs_booking_idx" ON "tracking_breadcrumbs" USING btree ("booking_id","recorded_at");--> statement-breakpoint
CREATE INDEX "tracking_breadcrumbs_recorded_idx" ON "tracking_breadcrumbs" USING btree ("recorded_at");