CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "technician_profiles" ADD COLUMN "seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "technician_profiles" ADD COLUMN "listening_at" timestamp with time zone;