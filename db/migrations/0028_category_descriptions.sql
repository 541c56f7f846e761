ALTER TABLE "service_categories" ADD COLUMN "description_en" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "service_categories" ADD COLUMN "description_ar" text DEFAULT '' NOT NULL;