CREATE TYPE "public"."onboarding_decision" AS ENUM('approve', 'reject', 'request_changes');--> statement-breakpoint
CREATE TYPE "public"."onboarding_status" AS ENUM('draft', 'submitted', 'changes_requested', 'rejected', 'approved');--> statement-breakpoint
CREATE TABLE "technician_certificates" (
	"technician_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"upload_id" uuid NOT NULL,
	"expires_on" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technician_certificates_technician_id_kind_pk" PRIMARY KEY("technician_id","kind"),
	CONSTRAINT "technician_certificates_kind" CHECK ("technician_certificates"."kind" ~ '^[a-z0-9-]{1,60}$')
);
--> statement-breakpoint
CREATE TABLE "technician_onboarding" (
	"technician_id" uuid PRIMARY KEY NOT NULL,
	"status" "onboarding_status" DEFAULT 'draft' NOT NULL,
	"id_front_upload_id" uuid,
	"id_back_upload_id" uuid,
	"id_number_cipher" text,
	"id_expires_on" date,
	"submitted_at" timestamp with time zone,
	"decision" "onboarding_decision",
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"reason_code" text,
	"note" text,
	"fix" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technician_onboarding_cipher" CHECK ("technician_onboarding"."id_number_cipher" IS NULL OR "technician_onboarding"."id_number_cipher" LIKE 'v1.%')
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "zone_surcharge" jsonb;--> statement-breakpoint
ALTER TABLE "technician_certificates" ADD CONSTRAINT "technician_certificates_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_certificates" ADD CONSTRAINT "technician_certificates_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_onboarding" ADD CONSTRAINT "technician_onboarding_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_onboarding" ADD CONSTRAINT "technician_onboarding_id_front_upload_id_uploads_id_fk" FOREIGN KEY ("id_front_upload_id") REFERENCES "public"."uploads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_onboarding" ADD CONSTRAINT "technician_onboarding_id_back_upload_id_uploads_id_fk" FOREIGN KEY ("id_back_upload_id") REFERENCES "public"."uploads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_onboarding" ADD CONSTRAINT "technician_onboarding_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "technician_onboarding_queue_idx" ON "technician_onboarding" USING btree ("status","submitted_at");--> statement-breakpoint
CREATE INDEX "technician_onboarding_expiry_idx" ON "technician_onboarding" USING btree ("id_expires_on") WHERE "technician_onboarding"."status" = 'approved';