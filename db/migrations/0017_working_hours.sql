CREATE TABLE "technician_hours" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"technician_id" uuid NOT NULL,
	"weekday" smallint NOT NULL,
	"start_minute" smallint NOT NULL,
	"end_minute" smallint NOT NULL,
	CONSTRAINT "technician_hours_weekday" CHECK ("technician_hours"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "technician_hours_range" CHECK ("technician_hours"."start_minute" >= 0 AND "technician_hours"."end_minute" <= 1440 AND "technician_hours"."start_minute" < "technician_hours"."end_minute")
);
--> statement-breakpoint
CREATE TABLE "technician_schedules" (
	"technician_id" uuid PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "technician_time_off" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"technician_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technician_time_off_range" CHECK ("technician_time_off"."ends_at" > "technician_time_off"."starts_at")
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "reserved_for" uuid;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "reserved_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "reserved_to" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "technician_hours" ADD CONSTRAINT "technician_hours_technician_id_technician_schedules_technician_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."technician_schedules"("technician_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_schedules" ADD CONSTRAINT "technician_schedules_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_time_off" ADD CONSTRAINT "technician_time_off_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "technician_hours_technician_idx" ON "technician_hours" USING btree ("technician_id","weekday");--> statement-breakpoint
CREATE INDEX "technician_time_off_technician_idx" ON "technician_time_off" USING btree ("technician_id","ends_at");--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_reserved_for_users_id_fk" FOREIGN KEY ("reserved_for") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_reservation_range" CHECK (("bookings"."reserved_for" IS NULL) = ("bookings"."reserved_from" IS NULL) AND ("bookings"."reserved_from" IS NULL) = ("bookings"."reserved_to" IS NULL) AND ("bookings"."reserved_to" IS NULL OR "bookings"."reserved_to" > "bookings"."reserved_from"));