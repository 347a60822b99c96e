import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_dataset_exports_format" AS ENUM('cv', 'hf', 'kaldi', 'nemo', 'ljspeech');
  CREATE TYPE "public"."enum_dataset_exports_include" AS ENUM('accepted', 'all');
  CREATE TYPE "public"."enum_dataset_exports_audio" AS ENUM('flac', 'wav', 'opus', 'copy');
  CREATE TYPE "public"."enum_dataset_exports_schedule" AS ENUM('none', 'daily', 'weekly');
  CREATE TYPE "public"."enum_dataset_exports_status" AS ENUM('queued', 'running', 'done', 'failed', 'cancelled');
  ALTER TYPE "public"."enum_users_roles" ADD VALUE 'exporter';
  CREATE TABLE "dataset_exports" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"language_id" integer NOT NULL,
  	"format" "enum_dataset_exports_format" DEFAULT 'cv' NOT NULL,
  	"include" "enum_dataset_exports_include" DEFAULT 'accepted',
  	"min_confidence" numeric,
  	"recorded_from" timestamp(3) with time zone,
  	"recorded_before" timestamp(3) with time zone,
  	"domains" varchar,
  	"min_duration_ms" numeric,
  	"max_duration_ms" numeric,
  	"audio" "enum_dataset_exports_audio",
  	"sample_rate" numeric,
  	"speaker" varchar,
  	"sentence_disjoint" boolean DEFAULT true,
  	"seed" numeric DEFAULT 0 NOT NULL,
  	"rotate_salt" boolean DEFAULT false,
  	"schedule" "enum_dataset_exports_schedule" DEFAULT 'none',
  	"next_run_at" timestamp(3) with time zone,
  	"scheduled_from_id" integer,
  	"status" "enum_dataset_exports_status" DEFAULT 'queued',
  	"phase" varchar,
  	"clips_done" numeric DEFAULT 0,
  	"clips_total" numeric DEFAULT 0,
  	"shards_total" numeric DEFAULT 0,
  	"done_shards" jsonb,
  	"shard_progress" jsonb,
  	"run_id" varchar,
  	"salt" varchar,
  	"error" varchar,
  	"archive_file" varchar,
  	"archive_bytes" numeric,
  	"sha256" varchar,
  	"summary" jsonb,
  	"datasheet" varchar,
  	"requested_by_id" integer,
  	"finished_at" timestamp(3) with time zone,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "dataset_export_downloads" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"export_id" integer,
  	"user_id" integer,
  	"range" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "dataset_exports_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "dataset_export_downloads_id" integer;
  ALTER TABLE "dataset_exports" ADD CONSTRAINT "dataset_exports_language_id_languages_id_fk" FOREIGN KEY ("language_id") REFERENCES "public"."languages"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "dataset_exports" ADD CONSTRAINT "dataset_exports_scheduled_from_id_dataset_exports_id_fk" FOREIGN KEY ("scheduled_from_id") REFERENCES "public"."dataset_exports"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "dataset_exports" ADD CONSTRAINT "dataset_exports_requested_by_id_users_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "dataset_export_downloads" ADD CONSTRAINT "dataset_export_downloads_export_id_dataset_exports_id_fk" FOREIGN KEY ("export_id") REFERENCES "public"."dataset_exports"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "dataset_export_downloads" ADD CONSTRAINT "dataset_export_downloads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "dataset_exports_language_idx" ON "dataset_exports" USING btree ("language_id");
  CREATE INDEX "dataset_exports_scheduled_from_idx" ON "dataset_exports" USING btree ("scheduled_from_id");
  CREATE INDEX "dataset_exports_status_idx" ON "dataset_exports" USING btree ("status");
  CREATE INDEX "dataset_exports_requested_by_idx" ON "dataset_exports" USING btree ("requested_by_id");
  CREATE INDEX "dataset_exports_updated_at_idx" ON "dataset_exports" USING btree ("updated_at");
  CREATE INDEX "dataset_exports_created_at_idx" ON "dataset_exports" USING btree ("created_at");
  CREATE INDEX "dataset_export_downloads_export_idx" ON "dataset_export_downloads" USING btree ("export_id");
  CREATE INDEX "dataset_export_downloads_user_idx" ON "dataset_export_downloads" USING btree ("user_id");
  CREATE INDEX "dataset_export_downloads_updated_at_idx" ON "dataset_export_downloads" USING btree ("updated_at");
  CREATE INDEX "dataset_export_downloads_created_at_idx" ON "dataset_export_downloads" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_dataset_exports_fk" FOREIGN KEY ("dataset_exports_id") REFERENCES "public"."dataset_exports"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_dataset_export_downloads_fk" FOREIGN KEY ("dataset_export_downloads_id") REFERENCES "public"."dataset_export_downloads"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_dataset_exports_id_idx" ON "payload_locked_documents_rels" USING btree ("dataset_exports_id");
  CREATE INDEX "payload_locked_documents_rels_dataset_export_downloads_i_idx" ON "payload_locked_documents_rels" USING btree ("dataset_export_downloads_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "dataset_exports" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "dataset_export_downloads" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "dataset_exports" CASCADE;
  DROP TABLE "dataset_export_downloads" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_dataset_exports_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_dataset_export_downloads_fk";
  
  ALTER TABLE "users_roles" ALTER COLUMN "value" SET DATA TYPE text;
  DROP TYPE "public"."enum_users_roles";
  CREATE TYPE "public"."enum_users_roles" AS ENUM('admin', 'reviewer', 'contributor');
  ALTER TABLE "users_roles" ALTER COLUMN "value" SET DATA TYPE "public"."enum_users_roles" USING "value"::"public"."enum_users_roles";
  DROP INDEX "payload_locked_documents_rels_dataset_exports_id_idx";
  DROP INDEX "payload_locked_documents_rels_dataset_export_downloads_i_idx";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "dataset_exports_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "dataset_export_downloads_id";
  DROP TYPE "public"."enum_dataset_exports_format";
  DROP TYPE "public"."enum_dataset_exports_include";
  DROP TYPE "public"."enum_dataset_exports_audio";
  DROP TYPE "public"."enum_dataset_exports_schedule";
  DROP TYPE "public"."enum_dataset_exports_status";`)
}
