CREATE TABLE "market_zones" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"market" text NOT NULL,
	"slug" text NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"area" geometry(Polygon,4326) NOT NULL,
	"surcharge_pct" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "market_zones_area_valid" CHECK (ST_IsValid("market_zones"."area")),
	CONSTRAINT "market_zones_surcharge_range" CHECK ("market_zones"."surcharge_pct" BETWEEN 0 AND 200)
);
--> statement-breakpoint
CREATE TABLE "technician_areas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"technician_id" uuid NOT NULL,
	"name" text NOT NULL,
	"zone" text,
	"area" geometry(Polygon,4326) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technician_areas_valid" CHECK (ST_IsValid("technician_areas"."area")),
	CONSTRAINT "technician_areas_size" CHECK (ST_Area("technician_areas"."area"::geography) <= 2000000000)
);
--> statement-breakpoint
ALTER TABLE "market_zones" ADD CONSTRAINT "market_zones_market_markets_slug_fk" FOREIGN KEY ("market") REFERENCES "public"."markets"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_areas" ADD CONSTRAINT "technician_areas_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "market_zones_market_slug_key" ON "market_zones" USING btree ("market","slug");--> statement-breakpoint
CREATE INDEX "market_zones_area_gist" ON "market_zones" USING gist ("area");--> statement-breakpoint
CREATE INDEX "technician_areas_technician_idx" ON "technician_areas" USING btree ("technician_id");--> statement-breakpoint
CREATE INDEX "technician_areas_area_gist" ON "technician_areas" USING gist ("area");