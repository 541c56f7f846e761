-- Issue 14 §5: the audit trail is append-only for every role, the app's included. UPDATE, DELETE and
-- TRUNCATE raise; only a superuser who drops the triggers first could change history, and that is a
-- schema change, visible in migrations and logs.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit rows are never changed or removed.';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();--> statement-breakpoint
-- Issue 14 §3: no session may be created for a user while a suspension or ban is in force. The lock on
-- the user row orders this against a ban in progress (which holds the row FOR UPDATE, then deletes the
-- sessions): a sign-in racing a ban either committed its session before (and the ban deletes it) or
-- waits here and then sees the ban. Raised as FB001, which the sign-in turns into ACCOUNT_RESTRICTED.
CREATE FUNCTION "sessions_refuse_restricted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM 1 FROM "users" WHERE "id" = NEW."user_id" FOR KEY SHARE;
  SELECT "kind", "until" INTO r FROM "user_restrictions"
   WHERE "user_id" = NEW."user_id" AND "lifted_at" IS NULL AND ("until" IS NULL OR "until" > now())
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'account is restricted (%)', r."kind" USING ERRCODE = 'FB001';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sessions_refuse_restricted" BEFORE INSERT ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION "sessions_refuse_restricted"();--> statement-breakpoint
-- Category icons are keys of the built-in SVG set (no emoji: they render as boxes without an emoji font).
UPDATE "service_categories" SET "icon" = CASE "slug"
  WHEN 'shoes' THEN 'shoe' WHEN 'plumbing' THEN 'tap' WHEN 'electrical' THEN 'bulb' WHEN 'ac' THEN 'snowflake'
  WHEN 'cleaning' THEN 'broom' WHEN 'carpentry' THEN 'saw' WHEN 'appliances' THEN 'plug' WHEN 'phones' THEN 'phone'
  ELSE 'tools' END
 WHERE "icon" !~ '^[a-z-]+$';
