ALTER TABLE "markets" ADD COLUMN "payment_methods" text[] DEFAULT '{cash}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "cancellation_grace_minutes" integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "cancellation_fee_kind" text DEFAULT 'fixed' NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "cancellation_fee" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "cancellation_technician_share_pct" integer DEFAULT 80 NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD COLUMN "unpaid_grace_hours" integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_payment_methods" CHECK ("markets"."payment_methods" <@ ARRAY['cash', 'paystack', 'stripe', 'paymob']::text[]);--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_cancellation_fee_kind" CHECK ("markets"."cancellation_fee_kind" IN ('fixed', 'percent'));--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_cancellation_fee_range" CHECK ("markets"."cancellation_fee" >= 0 AND ("markets"."cancellation_fee_kind" = 'fixed' OR "markets"."cancellation_fee" <= 100));--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_cancellation_grace" CHECK ("markets"."cancellation_grace_minutes" >= 0);--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_technician_share" CHECK ("markets"."cancellation_technician_share_pct" BETWEEN 0 AND 100);--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_unpaid_grace" CHECK ("markets"."unpaid_grace_hours" > 0);--> statement-breakpoint
-- The rules Lagos and Cairo ran on when they lived in code (server/modules/payments/markets.ts).
UPDATE "markets" SET "payment_methods" = ARRAY['cash', 'paystack', 'stripe'], "cancellation_fee_kind" = 'fixed', "cancellation_fee" = 100000 WHERE "slug" = 'lagos';--> statement-breakpoint
UPDATE "markets" SET "payment_methods" = ARRAY['cash', 'paymob', 'stripe'], "cancellation_fee_kind" = 'percent', "cancellation_fee" = 20 WHERE "slug" = 'cairo';
