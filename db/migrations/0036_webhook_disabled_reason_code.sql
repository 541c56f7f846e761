CREATE TYPE "public"."webhook_disabled_reason" AS ENUM('http_error', 'redirect', 'unreachable', 'unsafe_target');--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "disabled_status" integer;--> statement-breakpoint
-- The English sentences written before ("… (last: 500).") become codes; the status is kept apart.
UPDATE "webhook_endpoints" SET "disabled_status" = substring("disabled_reason" from '\(last: ([0-9]{3})\)\.$')::integer WHERE "disabled_reason" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ALTER COLUMN "disabled_reason" SET DATA TYPE "public"."webhook_disabled_reason" USING (CASE WHEN "disabled_reason" IS NULL THEN NULL WHEN "disabled_status" BETWEEN 300 AND 399 THEN 'redirect' WHEN "disabled_status" IS NOT NULL THEN 'http_error' ELSE 'unreachable' END)::"public"."webhook_disabled_reason";
