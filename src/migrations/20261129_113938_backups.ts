import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_backups_status" AS ENUM('queued', 'running', 'done', 'failed');
  CREATE TYPE "public"."enum_backups_trigger" AS ENUM('manual', 'schedule');
  CREATE TYPE "public"."enum_backup_settings_schedule" AS ENUM('off', 'daily', 'weekly');
  CREATE TYPE "public"."enum_backup_settings_weekday" AS ENUM('0', '1', '2', '3', '4', '5', '6');
  CREATE TABLE "backups" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"note" varchar,
  	"status" "enum_backups_status" DEFAULT 'queued',
  	"trigger" "enum_backups_trigger" DEFAULT 'manual',
  	"file" varchar,
  	"progress" numeric,
  	"bytes" numeric,
  	"sha256" varchar,
  	"tables" numeric,
  	"rows" numeric,
  	"files" numeric,
  	"finished_at" timestamp(3) with time zone,
  	"error" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "backup_settings" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"schedule" "enum_backup_settings_schedule" DEFAULT 'off' NOT NULL,
  	"hour" numeric DEFAULT 3 NOT NULL,
  	"weekday" "enum_backup_settings_weekday" DEFAULT '0',
  	"keep" numeric DEFAULT 7 NOT NULL,
  	"updated_at" timestamp(3) with time zone,
  	"created_at" timestamp(3) with time zone
  );
  
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "backups_id" integer;
  CREATE INDEX "backups_status_idx" ON "backups" USING btree ("status");
  CREATE INDEX "backups_trigger_idx" ON "backups" USING btree ("trigger");
  CREATE INDEX "backups_updated_at_idx" ON "backups" USING btree ("updated_at");
  CREATE INDEX "backups_created_at_idx" ON "backups" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_backups_fk" FOREIGN KEY ("backups_id") REFERENCES "public"."backups"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_backups_id_idx" ON "payload_locked_documents_rels" USING btree ("backups_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "backups" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "backup_settings" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "backups" CASCADE;
  DROP TABLE "backup_settings" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_backups_fk";
  
  DROP INDEX "payload_locked_documents_rels_backups_id_idx";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "backups_id";
  DROP TYPE "public"."enum_backups_status";
  DROP TYPE "public"."enum_backups_trigger";
  DROP TYPE "public"."enum_backup_settings_schedule";
  DROP TYPE "public"."enum_backup_settings_weekday";`)
}
