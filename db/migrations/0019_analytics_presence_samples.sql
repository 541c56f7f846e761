CREATE TABLE "analytics_presence_samples" (
	"market" text NOT NULL,
	"sampled_at" timestamp with time zone NOT NULL,
	"online" integer NOT NULL,
	"available" integer NOT NULL,
	"busy" integer NOT NULL,
	CONSTRAINT "analytics_presence_samples_market_sampled_at_pk" PRIMARY KEY("market","sampled_at")
);
