import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Written by hand. The admin dashboard's rollup (src/dashboard/rollup.ts): small tables, one row per
 * language per UTC day (and per week for active contributors), rebuilt by the
 * `dashboard.refresh-rollup` job so the dashboard never aggregates the big tables on a request.
 * Outside Payload's schema (`tablesFilter: ['!dashboard_*']`), written by SQL alone.
 */
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  CREATE TABLE IF NOT EXISTS "dashboard_daily" (
    "language_id" integer NOT NULL,
    "day" date NOT NULL,
    "recordings" integer NOT NULL DEFAULT 0,
    "recorded_ms" bigint NOT NULL DEFAULT 0,
    "audio_pending" integer NOT NULL DEFAULT 0,
    "audio_ready" integer NOT NULL DEFAULT 0,
    "audio_rejected" integer NOT NULL DEFAULT 0,
    "audio_failed" integer NOT NULL DEFAULT 0,
    "segments_pending" integer NOT NULL DEFAULT 0,
    "segments_needs_review" integer NOT NULL DEFAULT 0,
    "segments_accepted" integer NOT NULL DEFAULT 0,
    "segments_rejected" integer NOT NULL DEFAULT 0,
    "validated_ms" bigint NOT NULL DEFAULT 0,
    "reviewer_decisions" integer NOT NULL DEFAULT 0,
    PRIMARY KEY ("language_id", "day")
  );
  CREATE INDEX IF NOT EXISTS "dashboard_daily_day_idx" ON "dashboard_daily" ("day");
  CREATE TABLE IF NOT EXISTS "dashboard_rejections" (
    "language_id" integer NOT NULL,
    "day" date NOT NULL,
    "code" text NOT NULL,
    "recordings" integer NOT NULL,
    PRIMARY KEY ("language_id", "day", "code")
  );
  CREATE INDEX IF NOT EXISTS "dashboard_rejections_day_idx" ON "dashboard_rejections" ("day");
  CREATE TABLE IF NOT EXISTS "dashboard_weekly" (
    "language_id" integer NOT NULL,
    "week" date NOT NULL,
    "contributors" integer NOT NULL,
    PRIMARY KEY ("language_id", "week")
  );
  CREATE INDEX IF NOT EXISTS "dashboard_weekly_week_idx" ON "dashboard_weekly" ("week");
  CREATE TABLE IF NOT EXISTS "dashboard_state" (
    "id" integer PRIMARY KEY CHECK ("id" = 1),
    "refreshed_at" timestamptz,
    "watermark" timestamptz,
    "full_at" timestamptz
  );`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  DROP TABLE IF EXISTS "dashboard_daily";
  DROP TABLE IF EXISTS "dashboard_rejections";
  DROP TABLE IF EXISTS "dashboard_weekly";
  DROP TABLE IF EXISTS "dashboard_state";`)
}
