CREATE TABLE "favorites" (
	"user_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "favorites_user_id_technician_id_pk" PRIMARY KEY("user_id","technician_id")
);
--> statement-breakpoint
CREATE TABLE "technician_languages" (
	"technician_id" uuid NOT NULL,
	"language" text NOT NULL,
	CONSTRAINT "technician_languages_technician_id_language_pk" PRIMARY KEY("technician_id","language"),
	CONSTRAINT "technician_languages_code" CHECK ("technician_languages"."language" ~ '^[a-z]{2,3}$')
);
--> statement-breakpoint
CREATE TABLE "customer_ratings" (
	"booking_id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"rating" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_ratings_rating_range" CHECK ("customer_ratings"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "review_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" uuid NOT NULL,
	"reporter_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"rating" integer NOT NULL,
	"comment" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"publish_due_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	"reply" text,
	"replied_at" timestamp with time zone,
	"hidden_at" timestamp with time zone,
	"hidden_by" uuid,
	"hidden_reason" text,
	CONSTRAINT "reviews_rating_range" CHECK ("reviews"."rating" BETWEEN 1 AND 5),
	CONSTRAINT "reviews_comment_length" CHECK ("reviews"."comment" IS NULL OR char_length("reviews"."comment") <= 2000),
	CONSTRAINT "reviews_reply_once" CHECK (("reviews"."reply" IS NULL) = ("reviews"."replied_at" IS NULL)),
	CONSTRAINT "reviews_reply_after_publication" CHECK ("reviews"."reply" IS NULL OR "reviews"."published_at" IS NOT NULL),
	CONSTRAINT "reviews_hidden_has_reason" CHECK (("reviews"."hidden_at" IS NULL) = ("reviews"."hidden_reason" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_technician_id_technician_profiles_user_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."technician_profiles"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "technician_languages" ADD CONSTRAINT "technician_languages_technician_id_technician_profiles_user_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."technician_profiles"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_ratings" ADD CONSTRAINT "customer_ratings_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_ratings" ADD CONSTRAINT "customer_ratings_customer_id_users_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_ratings" ADD CONSTRAINT "customer_ratings_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_reports" ADD CONSTRAINT "review_reports_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_reports" ADD CONSTRAINT "review_reports_reporter_id_users_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_customer_id_users_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_hidden_by_users_id_fk" FOREIGN KEY ("hidden_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "favorites_user_created_idx" ON "favorites" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "customer_ratings_customer_idx" ON "customer_ratings" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_reports_review_reporter_key" ON "review_reports" USING btree ("review_id","reporter_id");--> statement-breakpoint
CREATE INDEX "review_reports_created_idx" ON "review_reports" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_booking_key" ON "reviews" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "reviews_technician_published_idx" ON "reviews" USING btree ("technician_id","published_at","id") WHERE "reviews"."published_at" IS NOT NULL AND "reviews"."hidden_at" IS NULL;--> statement-breakpoint
CREATE INDEX "reviews_publish_due_idx" ON "reviews" USING btree ("publish_due_at") WHERE "reviews"."published_at" IS NULL;--> statement-breakpoint
CREATE INDEX "reviews_customer_idx" ON "reviews" USING btree ("customer_id");--> statement-breakpoint
-- Search text normalisation (issue 12 §3), used on both sides of a match: lower case; Arabic alef forms
-- (أ إ آ ٱ ٲ ٳ → ا), hamza on waw/yaa (ؤ → و, ئ → ي), alef maqsura (ى → ي), taa marbuta (ة → ه), Persian
-- yeh/keheh (ی → ي, ک → ك) unified; diacritics (tashkeel, superscript alef, Quranic marks) and tatweel
-- removed. Plain SQL (no unaccent/pg_trgm), so the embedded PGlite runs it as PostgreSQL does.
CREATE OR REPLACE FUNCTION fundi_search_norm(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT translate(
    regexp_replace(lower(input), '[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]', '', 'g'),
    'أإآٱٲٳؤئىةیک',
    'ااااااوييهيك'
  )
$$;
