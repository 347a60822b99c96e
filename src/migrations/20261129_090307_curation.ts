import { createHash } from 'node:crypto'

import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

/** The dedupe hash as of this migration (src/curation/core/normalize.ts): ZWJ/ZWNJ no longer tell two spellings apart. */
const hashWithoutJoiners = (text: string): string =>
  createHash('sha256')
    .update(
      text
        .normalize('NFC')
        .replace(/[\s\u200B\uFEFF]+/gu, ' ')
        .trim()
        .replace(/[\u200C\u200D]/gu, '')
        .replace(/ {2,}/gu, ' ')
        .toLocaleLowerCase('und'),
    )
    .digest('hex')

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_sentence_skips_resolution" AS ENUM('kept', 'retired');
  CREATE TYPE "public"."enum_sentence_imports_format" AS ENUM('auto', 'txt', 'csv', 'tsv');
  CREATE TYPE "public"."enum_sentence_imports_licence" AS ENUM('CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'public-domain');
  CREATE TYPE "public"."enum_sentence_imports_sentence_status" AS ENUM('pending', 'approved');
  CREATE TYPE "public"."enum_sentence_imports_state" AS ENUM('queued', 'running', 'writing-report', 'done', 'failed');
  CREATE TABLE "sentence_imports" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"language_id" integer,
  	"pasted_text" varchar,
  	"format" "enum_sentence_imports_format" DEFAULT 'auto' NOT NULL,
  	"has_header" boolean DEFAULT true,
  	"sentence_column" varchar DEFAULT 'sentence',
  	"language_column" varchar,
  	"source_column" varchar,
  	"domain_column" varchar,
  	"licence_column" varchar,
  	"source" varchar,
  	"domain" varchar DEFAULT 'general',
  	"licence" "enum_sentence_imports_licence" DEFAULT 'CC0-1.0' NOT NULL,
  	"sentence_status" "enum_sentence_imports_sentence_status" DEFAULT 'pending' NOT NULL,
  	"state" "enum_sentence_imports_state" DEFAULT 'queued' NOT NULL,
  	"progress" numeric DEFAULT 0,
  	"lines" numeric DEFAULT 0,
  	"accepted" numeric DEFAULT 0,
  	"refused" numeric DEFAULT 0,
  	"duplicates" numeric DEFAULT 0,
  	"already_present" numeric DEFAULT 0,
  	"error" varchar,
  	"source_path" varchar,
  	"report_path" varchar,
  	"created_by_id" integer,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"url" varchar,
  	"thumbnail_u_r_l" varchar,
  	"filename" varchar,
  	"mime_type" varchar,
  	"filesize" numeric,
  	"width" numeric,
  	"height" numeric
  );
  
  CREATE TABLE "sentence_reviews" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"sentence_id" integer NOT NULL,
  	"approve" boolean DEFAULT false NOT NULL,
  	"reason" varchar,
  	"user_id" integer,
  	"client_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_allowed_scripts" varchar;
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_banned_symbols" varchar;
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_allow_digits" boolean DEFAULT true;
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_allow_abbreviations" boolean DEFAULT true;
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_abbreviations" varchar;
  ALTER TABLE "languages" ADD COLUMN "sentence_rules_terminal_punctuation" varchar;
  ALTER TABLE "languages" ADD COLUMN "approvals_needed" numeric DEFAULT 2 NOT NULL;
  ALTER TABLE "languages" ADD COLUMN "recordings_per_sentence" numeric DEFAULT 1 NOT NULL;
  ALTER TABLE "sentences" ADD COLUMN "approvals" numeric DEFAULT 0;
  ALTER TABLE "sentences" ADD COLUMN "rejections" numeric DEFAULT 0;
  ALTER TABLE "sentences" ADD COLUMN "rejection_reason" varchar;
  ALTER TABLE "sentence_skips" ADD COLUMN "resolution" "enum_sentence_skips_resolution";
  ALTER TABLE "sentence_skips" ADD COLUMN "resolved_by_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "sentence_imports_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "sentence_reviews_id" integer;
  ALTER TABLE "site_settings" ADD COLUMN "contributors_review_sentences" boolean DEFAULT false;
  ALTER TABLE "site_settings" ADD COLUMN "reviewers_import_sentences" boolean DEFAULT false;
  ALTER TABLE "sentence_imports" ADD CONSTRAINT "sentence_imports_language_id_languages_id_fk" FOREIGN KEY ("language_id") REFERENCES "public"."languages"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "sentence_imports" ADD CONSTRAINT "sentence_imports_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "sentence_reviews" ADD CONSTRAINT "sentence_reviews_sentence_id_sentences_id_fk" FOREIGN KEY ("sentence_id") REFERENCES "public"."sentences"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "sentence_reviews" ADD CONSTRAINT "sentence_reviews_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "sentence_imports_language_idx" ON "sentence_imports" USING btree ("language_id");
  CREATE INDEX "sentence_imports_state_idx" ON "sentence_imports" USING btree ("state");
  CREATE INDEX "sentence_imports_created_by_idx" ON "sentence_imports" USING btree ("created_by_id");
  CREATE INDEX "sentence_imports_updated_at_idx" ON "sentence_imports" USING btree ("updated_at");
  CREATE INDEX "sentence_imports_created_at_idx" ON "sentence_imports" USING btree ("created_at");
  CREATE UNIQUE INDEX "sentence_imports_filename_idx" ON "sentence_imports" USING btree ("filename");
  CREATE INDEX "sentence_reviews_sentence_idx" ON "sentence_reviews" USING btree ("sentence_id");
  CREATE INDEX "sentence_reviews_user_idx" ON "sentence_reviews" USING btree ("user_id");
  CREATE INDEX "sentence_reviews_updated_at_idx" ON "sentence_reviews" USING btree ("updated_at");
  CREATE INDEX "sentence_reviews_created_at_idx" ON "sentence_reviews" USING btree ("created_at");
  CREATE UNIQUE INDEX "sentence_user_idx" ON "sentence_reviews" USING btree ("sentence_id","user_id");
  CREATE UNIQUE INDEX "sentence_clientId_idx" ON "sentence_reviews" USING btree ("sentence_id","client_id");
  ALTER TABLE "sentence_skips" ADD CONSTRAINT "sentence_skips_resolved_by_id_users_id_fk" FOREIGN KEY ("resolved_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_sentence_imports_fk" FOREIGN KEY ("sentence_imports_id") REFERENCES "public"."sentence_imports"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_sentence_reviews_fk" FOREIGN KEY ("sentence_reviews_id") REFERENCES "public"."sentence_reviews"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "sentence_skips_resolution_idx" ON "sentence_skips" USING btree ("resolution");
  CREATE INDEX "sentence_skips_resolved_by_idx" ON "sentence_skips" USING btree ("resolved_by_id");
  CREATE INDEX "payload_locked_documents_rels_sentence_imports_id_idx" ON "payload_locked_documents_rels" USING btree ("sentence_imports_id");
  CREATE INDEX "payload_locked_documents_rels_sentence_reviews_id_idx" ON "payload_locked_documents_rels" USING btree ("sentence_reviews_id");`)

  // Written by hand: text search over a million sentences (the admin's where[text][like] is ILIKE
  // '%word%' per word) through a trigram index; pg_trgm ships with PostgreSQL and is a trusted extension.
  await db.execute(sql`
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS "sentences_text_trgm_idx" ON "sentences" USING gin ("text" gin_trgm_ops);
  CREATE INDEX IF NOT EXISTS "sentences_language_created_at_idx" ON "sentences" USING btree ("language_id", "created_at");
  -- The admin list sorts by a column, then by created_at descending (Payload's tie-break): one index per direction.
  CREATE INDEX IF NOT EXISTS "sentences_recording_count_asc_idx" ON "sentences" USING btree ("recording_count" ASC, "created_at" DESC);
  CREATE INDEX IF NOT EXISTS "sentences_recording_count_desc_idx" ON "sentences" USING btree ("recording_count" DESC, "created_at" DESC);
  CREATE INDEX IF NOT EXISTS "sentences_status_asc_idx" ON "sentences" USING btree ("status" ASC, "created_at" DESC);
  CREATE INDEX IF NOT EXISTS "sentences_status_desc_idx" ON "sentences" USING btree ("status" DESC, "created_at" DESC);
  CREATE INDEX IF NOT EXISTS "sentence_skips_open_reports_idx" ON "sentence_skips" USING btree ("sentence_id") WHERE "reason" <> 'skip' AND "resolution" IS NULL;`)

  // The import's staging table (src/curation/import.ts), written by SQL alone (outside Payload's schema).
  await db.execute(sql`
  CREATE TABLE IF NOT EXISTS "sentence_import_rows" (
    "id" bigserial PRIMARY KEY,
    "import_id" integer NOT NULL REFERENCES "sentence_imports"("id") ON DELETE CASCADE,
    "line" integer NOT NULL,
    "text" text NOT NULL,
    "language_id" integer,
    "hash" text,
    "source" text,
    "domain" text,
    "licence" text,
    "outcome" text,
    "rule" text,
    "message" text,
    "sentence_id" integer,
    "first_line" integer
  );
  CREATE INDEX IF NOT EXISTS "sentence_import_rows_import_line_idx" ON "sentence_import_rows" ("import_id", "line");`)

  // Existing sentences spelled with ZWJ/ZWNJ get the new hash; one that would now collide with
  // another spelling keeps its old hash (both stay, as before this migration).
  const joined = await db.execute(sql`SELECT id, text, language_id FROM sentences WHERE strpos(text, chr(8204)) > 0 OR strpos(text, chr(8205)) > 0`)
  for (const row of (joined as unknown as { rows: { id: number; text: string; language_id: number }[] }).rows) {
    const hash = hashWithoutJoiners(row.text)
    await db.execute(sql`UPDATE sentences SET normalized_hash = ${hash} WHERE id = ${row.id}
      AND NOT EXISTS (SELECT 1 FROM sentences o WHERE o.language_id = ${row.language_id} AND o.normalized_hash = ${hash} AND o.id <> ${row.id})`)
  }
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP TABLE IF EXISTS "sentence_import_rows";
   DROP INDEX IF EXISTS "sentences_text_trgm_idx";
   DROP INDEX IF EXISTS "sentences_language_created_at_idx";
   DROP INDEX IF EXISTS "sentences_recording_count_asc_idx";
   DROP INDEX IF EXISTS "sentences_recording_count_desc_idx";
   DROP INDEX IF EXISTS "sentences_status_asc_idx";
   DROP INDEX IF EXISTS "sentences_status_desc_idx";
   DROP INDEX IF EXISTS "sentence_skips_open_reports_idx";
   ALTER TABLE "sentence_imports" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "sentence_reviews" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "sentence_imports" CASCADE;
  DROP TABLE "sentence_reviews" CASCADE;
  ALTER TABLE "sentence_skips" DROP CONSTRAINT "sentence_skips_resolved_by_id_users_id_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_sentence_imports_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_sentence_reviews_fk";
  
  DROP INDEX "sentence_skips_resolution_idx";
  DROP INDEX "sentence_skips_resolved_by_idx";
  DROP INDEX "payload_locked_documents_rels_sentence_imports_id_idx";
  DROP INDEX "payload_locked_documents_rels_sentence_reviews_id_idx";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_allowed_scripts";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_banned_symbols";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_allow_digits";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_allow_abbreviations";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_abbreviations";
  ALTER TABLE "languages" DROP COLUMN "sentence_rules_terminal_punctuation";
  ALTER TABLE "languages" DROP COLUMN "approvals_needed";
  ALTER TABLE "languages" DROP COLUMN "recordings_per_sentence";
  ALTER TABLE "sentences" DROP COLUMN "approvals";
  ALTER TABLE "sentences" DROP COLUMN "rejections";
  ALTER TABLE "sentences" DROP COLUMN "rejection_reason";
  ALTER TABLE "sentence_skips" DROP COLUMN "resolution";
  ALTER TABLE "sentence_skips" DROP COLUMN "resolved_by_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "sentence_imports_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "sentence_reviews_id";
  ALTER TABLE "site_settings" DROP COLUMN "contributors_review_sentences";
  ALTER TABLE "site_settings" DROP COLUMN "reviewers_import_sentences";
  DROP TYPE "public"."enum_sentence_skips_resolution";
  DROP TYPE "public"."enum_sentence_imports_format";
  DROP TYPE "public"."enum_sentence_imports_licence";
  DROP TYPE "public"."enum_sentence_imports_sentence_status";
  DROP TYPE "public"."enum_sentence_imports_state";`)
}
