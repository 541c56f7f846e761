CREATE TABLE "markets" (
	"slug" text PRIMARY KEY NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"currency" text NOT NULL,
	"time_zone" text NOT NULL,
	"default_locale" text NOT NULL,
	"commission_bps" integer NOT NULL,
	"boundary" geometry(MultiPolygon,4326) NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "markets_currency_iso" CHECK ("markets"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "markets_locale" CHECK ("markets"."default_locale" IN ('en', 'ar')),
	CONSTRAINT "markets_commission_range" CHECK ("markets"."commission_bps" BETWEEN 0 AND 10000),
	CONSTRAINT "markets_boundary_valid" CHECK (ST_IsValid("markets"."boundary"))
);
--> statement-breakpoint
CREATE INDEX "markets_boundary_gist" ON "markets" USING gist ("boundary");