CREATE TABLE "certificate_kinds" (
	"slug" text PRIMARY KEY NOT NULL,
	"name_en" text NOT NULL,
	"name_ar" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "technician_areas" ADD COLUMN "name_ar" text;--> statement-breakpoint
-- Zones picked before: their Arabic name from the zone they came from (same slug, same outline).
UPDATE "technician_areas" ta SET "name_ar" = z."name_ar"
  FROM "market_zones" z
 WHERE ta."zone" = z."slug" AND ST_Equals(ta."area", z."area");
