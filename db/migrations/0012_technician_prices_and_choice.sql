ALTER TABLE "bookings" ADD COLUMN "commission_bps" integer DEFAULT 1500 NOT NULL;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "preferred_technician_id" uuid;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "fallback_to_nearest" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "dispatch_offers" ADD COLUMN "price_base" integer;--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "min_price" integer;--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "max_price" integer;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_preferred_technician_id_users_id_fk" FOREIGN KEY ("preferred_technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_price_bounds" CHECK (("services"."min_price" IS NULL OR "services"."min_price" > 0) AND ("services"."max_price" IS NULL OR "services"."min_price" IS NULL OR "services"."max_price" >= "services"."min_price"));