-- Offers that already break the rule (several open for one technician): all but the oldest expire.
UPDATE "dispatch_offers" SET "status" = 'expired', "responded_at" = now(), "reason" = 'one open offer per technician'
WHERE "status" = 'offered' AND "id" NOT IN (
  SELECT min("id") FROM "dispatch_offers" WHERE "status" = 'offered' GROUP BY "technician_id"
);--> statement-breakpoint
CREATE UNIQUE INDEX "dispatch_offers_one_open_per_technician" ON "dispatch_offers" USING btree ("technician_id") WHERE "dispatch_offers"."status" = 'offered';
