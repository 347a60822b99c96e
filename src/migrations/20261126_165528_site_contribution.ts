import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

/** Serving sentences to contributors: a random rank per sentence, skips and reports (issue 5). */
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_sentence_skips_reason" AS ENUM('skip', 'offensive', 'grammar-spelling', 'different-language', 'hard-to-pronounce');
  CREATE TABLE "sentence_skips" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"sentence_id" integer NOT NULL,
  	"reason" "enum_sentence_skips_reason" DEFAULT 'skip' NOT NULL,
  	"user_id" integer,
  	"client_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  DROP INDEX "language_status_recordingCount_idx";
  ALTER TABLE "sentences" ADD COLUMN "shuffle" numeric;
  -- Existing sentences get their random rank too (new ones get it in the collection hook).
  UPDATE "sentences" SET "shuffle" = floor(random() * 2147483647);
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "sentence_skips_id" integer;
  ALTER TABLE "sentence_skips" ADD CONSTRAINT "sentence_skips_sentence_id_sentences_id_fk" FOREIGN KEY ("sentence_id") REFERENCES "public"."sentences"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "sentence_skips" ADD CONSTRAINT "sentence_skips_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "sentence_skips_sentence_idx" ON "sentence_skips" USING btree ("sentence_id");
  CREATE INDEX "sentence_skips_reason_idx" ON "sentence_skips" USING btree ("reason");
  CREATE INDEX "sentence_skips_user_idx" ON "sentence_skips" USING btree ("user_id");
  CREATE INDEX "sentence_skips_updated_at_idx" ON "sentence_skips" USING btree ("updated_at");
  CREATE INDEX "sentence_skips_created_at_idx" ON "sentence_skips" USING btree ("created_at");
  CREATE UNIQUE INDEX "user_sentence_idx" ON "sentence_skips" USING btree ("user_id","sentence_id");
  CREATE UNIQUE INDEX "clientId_sentence_idx" ON "sentence_skips" USING btree ("client_id","sentence_id");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_sentence_skips_fk" FOREIGN KEY ("sentence_skips_id") REFERENCES "public"."sentence_skips"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "language_status_recordingCount_shuffle_idx" ON "sentences" USING btree ("language_id","status","recording_count","shuffle");
  CREATE INDEX "payload_locked_documents_rels_sentence_skips_id_idx" ON "payload_locked_documents_rels" USING btree ("sentence_skips_id");`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "sentence_skips" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "sentence_skips" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_sentence_skips_fk";
  
  DROP INDEX "language_status_recordingCount_shuffle_idx";
  DROP INDEX "payload_locked_documents_rels_sentence_skips_id_idx";
  CREATE INDEX "language_status_recordingCount_idx" ON "sentences" USING btree ("language_id","status","recording_count");
  ALTER TABLE "sentences" DROP COLUMN "shuffle";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "sentence_skips_id";
  DROP TYPE "public"."enum_sentence_skips_reason";`)
}
