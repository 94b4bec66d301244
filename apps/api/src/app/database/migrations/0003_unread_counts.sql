CREATE TABLE "notification_unread_counts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"unread" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "notifications_user_unread_expiring_idx" ON "notifications" USING btree ("user_id","expires_at") WHERE "notifications"."read_at" IS NULL AND "notifications"."expires_at" IS NOT NULL;--> statement-breakpoint
-- Keeps notification_unread_counts (the unread notifications that never expire, per user)
-- in step with every statement that changes notifications, whoever runs it: once per
-- statement, from the rows it changed (transition tables), in user order so concurrent
-- transactions lock the users' rows in the same order.
CREATE FUNCTION "notification_unread_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM "notification_unread_counts";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "notification_unread_counts" AS c ("user_id", "unread")
    SELECT "user_id", count(*) FROM "new_rows"
    WHERE "read_at" IS NULL AND "expires_at" IS NULL
    GROUP BY "user_id" ORDER BY "user_id"
    ON CONFLICT ("user_id") DO UPDATE SET "unread" = c."unread" + excluded."unread";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "notification_unread_counts" AS c ("user_id", "unread")
    SELECT "user_id", -count(*) FROM "old_rows"
    WHERE "read_at" IS NULL AND "expires_at" IS NULL
    GROUP BY "user_id" ORDER BY "user_id"
    ON CONFLICT ("user_id") DO UPDATE SET "unread" = c."unread" + excluded."unread";
  ELSE
    INSERT INTO "notification_unread_counts" AS c ("user_id", "unread")
    SELECT "user_id", sum("delta") FROM (
      SELECT "user_id", 1 AS "delta" FROM "new_rows" WHERE "read_at" IS NULL AND "expires_at" IS NULL
      UNION ALL
      SELECT "user_id", -1 FROM "old_rows" WHERE "read_at" IS NULL AND "expires_at" IS NULL
    ) AS "changes"
    GROUP BY "user_id" HAVING sum("delta") <> 0 ORDER BY "user_id"
    ON CONFLICT ("user_id") DO UPDATE SET "unread" = c."unread" + excluded."unread";
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "notifications_unread_counts_insert" AFTER INSERT ON "notifications"
  REFERENCING NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "notification_unread_counts_apply"();
--> statement-breakpoint
CREATE TRIGGER "notifications_unread_counts_update" AFTER UPDATE ON "notifications"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "notification_unread_counts_apply"();
--> statement-breakpoint
CREATE TRIGGER "notifications_unread_counts_delete" AFTER DELETE ON "notifications"
  REFERENCING OLD TABLE AS "old_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "notification_unread_counts_apply"();
--> statement-breakpoint
CREATE TRIGGER "notifications_unread_counts_truncate" AFTER TRUNCATE ON "notifications"
  FOR EACH STATEMENT EXECUTE FUNCTION "notification_unread_counts_apply"();
--> statement-breakpoint
-- The notifications stored before this migration. The triggers exist already and hold
-- writers off the table until this transaction commits, so no change is missed or counted twice.
INSERT INTO "notification_unread_counts" ("user_id", "unread")
SELECT "user_id", count(*) FROM "notifications"
WHERE "read_at" IS NULL AND "expires_at" IS NULL
GROUP BY "user_id";
