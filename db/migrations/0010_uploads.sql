CREATE TYPE "public"."job_photo_phase" AS ENUM('before', 'after');--> statement-breakpoint
CREATE TYPE "public"."upload_kind" AS ENUM('profile_photo', 'id_document', 'certificate', 'job_photo');--> statement-breakpoint
CREATE TYPE "public"."upload_status" AS ENUM('pending', 'stored');--> statement-breakpoint
CREATE TABLE "profile_photos" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"upload_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"kind" "upload_kind" NOT NULL,
	"status" "upload_status" DEFAULT 'pending' NOT NULL,
	"declared_type" text NOT NULL,
	"declared_size" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"content_type" text,
	"size" integer,
	"width" integer,
	"height" integer,
	"storage_key" text,
	"sha256" text,
	"stored_at" timestamp with time zone,
	"booking_id" uuid,
	"phase" "job_photo_phase",
	"attached_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_declared_size_positive" CHECK ("uploads"."declared_size" > 0),
	CONSTRAINT "uploads_stored_complete" CHECK (("uploads"."status" = 'stored') = ("uploads"."storage_key" IS NOT NULL AND "uploads"."sha256" IS NOT NULL AND "uploads"."content_type" IS NOT NULL AND "uploads"."size" IS NOT NULL AND "uploads"."stored_at" IS NOT NULL)),
	CONSTRAINT "uploads_job_photo_attachment" CHECK (("uploads"."booking_id" IS NULL) = ("uploads"."phase" IS NULL) AND ("uploads"."booking_id" IS NULL) = ("uploads"."attached_at" IS NULL) AND ("uploads"."booking_id" IS NULL OR ("uploads"."kind" = 'job_photo' AND "uploads"."status" = 'stored')))
);
--> statement-breakpoint
ALTER TABLE "profile_photos" ADD CONSTRAINT "profile_photos_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_photos" ADD CONSTRAINT "profile_photos_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "uploads_owner_created_idx" ON "uploads" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "uploads_booking_idx" ON "uploads" USING btree ("booking_id","attached_at") WHERE "uploads"."booking_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "uploads_pending_expiry_idx" ON "uploads" USING btree ("expires_at") WHERE "uploads"."status" = 'pending';