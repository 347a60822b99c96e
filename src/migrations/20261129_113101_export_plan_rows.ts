import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TABLE "dataset_export_rows" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"run" varchar NOT NULL,
  	"export_id" numeric,
  	"name" varchar NOT NULL,
  	"speaker_rank" varchar,
  	"speaker_id" varchar,
  	"sentence_hash" varchar,
  	"bucket" varchar,
  	"split" varchar,
  	"audio_path" varchar,
  	"shard" numeric,
  	"sha256" varchar,
  	"row" jsonb
  );
  
  ALTER TABLE "dataset_exports" ALTER COLUMN "language_id" DROP NOT NULL;
  ALTER TABLE "dataset_exports" ADD COLUMN "language_code" varchar;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "dataset_export_rows_id" integer;
  CREATE INDEX "dataset_export_rows_run_idx" ON "dataset_export_rows" USING btree ("run");
  CREATE INDEX "dataset_export_rows_export_id_idx" ON "dataset_export_rows" USING btree ("export_id");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_dataset_export_rows_fk" FOREIGN KEY ("dataset_export_rows_id") REFERENCES "public"."dataset_export_rows"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_dataset_export_rows_id_idx" ON "payload_locked_documents_rels" USING btree ("dataset_export_rows_id");`)
  // Written by hand: the plan is read in C-locale order (names, audio paths, sentence ids) a batch
  // at a time, and shard by shard; Payload's index options cannot say COLLATE "C".
  await db.execute(sql`
  CREATE INDEX "dataset_export_rows_run_name_c_idx" ON "dataset_export_rows" USING btree ("run", "name" COLLATE "C");
  CREATE INDEX "dataset_export_rows_run_shard_name_c_idx" ON "dataset_export_rows" USING btree ("run", "shard", "name" COLLATE "C");
  CREATE INDEX "dataset_export_rows_run_audio_path_c_idx" ON "dataset_export_rows" USING btree ("run", "audio_path" COLLATE "C");
  CREATE INDEX "dataset_export_rows_run_sentence_c_idx" ON "dataset_export_rows" USING btree ("run", "sentence_hash" COLLATE "C");
  UPDATE "dataset_exports" e SET "language_code" = l."code" FROM "languages" l WHERE l."id" = e."language_id";`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   -- Exports whose language was deleted cannot go back under NOT NULL.
  DELETE FROM "dataset_exports" WHERE "language_id" IS NULL;
  ALTER TABLE "dataset_export_rows" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "dataset_export_rows" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_dataset_export_rows_fk";
  
  DROP INDEX "payload_locked_documents_rels_dataset_export_rows_id_idx";
  ALTER TABLE "dataset_exports" ALTER COLUMN "language_id" SET NOT NULL;
  ALTER TABLE "dataset_exports" DROP COLUMN "language_code";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "dataset_export_rows_id";`)
}
