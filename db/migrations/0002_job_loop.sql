CREATE TYPE "public"."actor_role" AS ENUM('customer', 'technician', 'admin', 'system');--> statement-breakpoint
CREATE TYPE "public"."booking_status" AS ENUM('searching', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed', 'cancelled', 'unfulfilled', 'disputed');--> statement-breakpoint
CREATE TYPE "public"."offer_status" AS ENUM('offered', 'accepted', 'declined', 'expired', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."payment_method" AS ENUM('cash');--> statement-breakpoint
CREATE TYPE "public"."price_unit" AS ENUM('fixed', 'hourly');--> statement-breakpoint
CREATE TYPE "public"."verification_status" AS ENUM('pending', 'verified', 'rejected', 'suspended');--> statement-breakpoint
CREATE TABLE "booking_status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"booking_id" uuid NOT NULL,
	"from_status" "booking_status",
	"to_status" "booking_status" NOT NULL,
	"actor_id" uuid,
	"actor_role" "actor_role" NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"technician_id" uuid,
	"status" "booking_status" DEFAULT 'searching' NOT NULL,
	"location" geography(Point,4326) NOT NULL,
	"address" text NOT NULL,
	"address_details" text,
	"notes" text,
	"scheduled_for" timestamp with time zone,
	"scheduled_end" timestamp with time zone,
	"emergency" boolean DEFAULT false NOT NULL,
	"currency" text NOT NULL,
	"price_base" integer NOT NULL,
	"price_surcharge" integer NOT NULL,
	"price_total" integer NOT NULL,
	"commission" integer NOT NULL,
	"technician_earnings" integer NOT NULL,
	"payment_method" "payment_method" DEFAULT 'cash' NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"cancel_reason" text,
	"dispute_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"assigned_at" timestamp with time zone,
	"en_route_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_assigned_has_technician" CHECK ("bookings"."status" IN ('searching','unfulfilled','cancelled') OR "bookings"."technician_id" IS NOT NULL),
	CONSTRAINT "bookings_money_adds_up" CHECK ("bookings"."price_total" = "bookings"."price_base" + "bookings"."price_surcharge" AND "bookings"."commission" + "bookings"."technician_earnings" = "bookings"."price_total"),
	CONSTRAINT "bookings_schedule_range" CHECK (("bookings"."scheduled_for" IS NULL) = ("bookings"."scheduled_end" IS NULL) AND ("bookings"."scheduled_end" IS NULL OR "bookings"."scheduled_end" > "bookings"."scheduled_for"))
);
--> statement-breakpoint
CREATE TABLE "dispatch_offers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"booking_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"status" "offer_status" DEFAULT 'offered' NOT NULL,
	"distance_meters" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "service_categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"icon" text DEFAULT '🛠️' NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"category_id" uuid NOT NULL,
	"market" text NOT NULL,
	"slug" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"description_en" text DEFAULT '' NOT NULL,
	"description_ar" text DEFAULT '' NOT NULL,
	"base_price" integer NOT NULL,
	"currency" text NOT NULL,
	"price_unit" "price_unit" DEFAULT 'fixed' NOT NULL,
	"duration_minutes" integer NOT NULL,
	"emergency_surcharge_pct" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_price_positive" CHECK ("services"."base_price" > 0),
	CONSTRAINT "services_currency_iso" CHECK ("services"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "services_duration_positive" CHECK ("services"."duration_minutes" > 0),
	CONSTRAINT "services_surcharge_range" CHECK ("services"."emergency_surcharge_pct" BETWEEN 0 AND 200)
);
--> statement-breakpoint
CREATE TABLE "technician_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"bio" text DEFAULT '' NOT NULL,
	"photo_url" text,
	"verification" "verification_status" DEFAULT 'pending' NOT NULL,
	"verification_note" text,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"online" boolean DEFAULT false NOT NULL,
	"location" geography(Point,4326),
	"location_accuracy" real,
	"location_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technician_online_needs_location" CHECK (NOT "technician_profiles"."online" OR "technician_profiles"."location" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "technician_services" (
	"technician_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"price" integer,
	CONSTRAINT "technician_services_technician_id_service_id_pk" PRIMARY KEY("technician_id","service_id"),
	CONSTRAINT "technician_services_price_positive" CHECK ("technician_services"."price" IS NULL OR "technician_services"."price" > 0)
);
--> statement-breakpoint
ALTER TABLE "booking_status_history" ADD CONSTRAINT "booking_status_history_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_status_history" ADD CONSTRAINT "booking_status_history_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_customer_id_users_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_offers" ADD CONSTRAINT "dispatch_offers_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_offers" ADD CONSTRAINT "dispatch_offers_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_category_id_service_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."service_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_profiles" ADD CONSTRAINT "technician_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_services" ADD CONSTRAINT "technician_services_technician_id_technician_profiles_user_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."technician_profiles"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_services" ADD CONSTRAINT "technician_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_status_history_booking_idx" ON "booking_status_history" USING btree ("booking_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_customer_idempotency_key" ON "bookings" USING btree ("customer_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_one_active_job_per_technician" ON "bookings" USING btree ("technician_id") WHERE "bookings"."technician_id" IS NOT NULL AND "bookings"."scheduled_for" IS NULL AND "bookings"."status" IN ('assigned','en_route','arrived','in_progress');--> statement-breakpoint
CREATE INDEX "bookings_customer_created_idx" ON "bookings" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_technician_created_idx" ON "bookings" USING btree ("technician_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_status_idx" ON "bookings" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "dispatch_offers_booking_technician_key" ON "dispatch_offers" USING btree ("booking_id","technician_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dispatch_offers_one_open_per_booking" ON "dispatch_offers" USING btree ("booking_id") WHERE "dispatch_offers"."status" = 'offered';--> statement-breakpoint
CREATE INDEX "dispatch_offers_open_expiry_idx" ON "dispatch_offers" USING btree ("expires_at") WHERE "dispatch_offers"."status" = 'offered';--> statement-breakpoint
CREATE INDEX "dispatch_offers_technician_idx" ON "dispatch_offers" USING btree ("technician_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "service_categories_slug_key" ON "service_categories" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "services_market_slug_key" ON "services" USING btree ("market","slug");--> statement-breakpoint
CREATE INDEX "services_category_idx" ON "services" USING btree ("category_id");--> statement-breakpoint
CREATE INDEX "technician_profiles_location_gist" ON "technician_profiles" USING gist ("location") WHERE "technician_profiles"."online" AND "technician_profiles"."verification" = 'verified';--> statement-breakpoint
CREATE INDEX "technician_services_service_idx" ON "technician_services" USING btree ("service_id");