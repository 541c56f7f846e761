ALTER TABLE "bookings" ADD COLUMN "site_contact_name" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "site_contact_phone" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_site_contact_whole" CHECK (("bookings"."site_contact_name" IS NULL) = ("bookings"."site_contact_phone" IS NULL));