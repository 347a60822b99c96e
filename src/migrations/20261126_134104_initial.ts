import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_users_roles" AS ENUM('admin', 'reviewer', 'contributor');
  CREATE TYPE "public"."enum_users_ui_locale" AS ENUM('en', 'bn');
  CREATE TYPE "public"."enum_users_demographics_age_band" AS ENUM('teens', 'twenties', 'thirties', 'forties', 'fifties', 'sixties', 'seventies', 'eighties', 'nineties');
  CREATE TYPE "public"."enum_users_demographics_gender" AS ENUM('female', 'male', 'non-binary', 'other', 'prefer-not-to-say');
  CREATE TYPE "public"."enum_languages_direction" AS ENUM('ltr', 'rtl');
  CREATE TYPE "public"."enum_sentences_status" AS ENUM('pending', 'approved', 'rejected', 'retired');
  CREATE TYPE "public"."enum_sentences_licence" AS ENUM('CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'public-domain');
  CREATE TYPE "public"."enum_recordings_mode" AS ENUM('prompt', 'long');
  CREATE TYPE "public"."enum_recordings_status" AS ENUM('uploaded', 'processing', 'ready', 'rejected', 'failed');
  CREATE TABLE "users_roles" (
  	"order" integer NOT NULL,
  	"parent_id" integer NOT NULL,
  	"value" "enum_users_roles",
  	"id" serial PRIMARY KEY NOT NULL
  );
  
  CREATE TABLE "users_sessions" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"created_at" timestamp(3) with time zone,
  	"expires_at" timestamp(3) with time zone NOT NULL
  );
  
  CREATE TABLE "users" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"name" varchar,
  	"ui_locale" "enum_users_ui_locale" DEFAULT 'en',
  	"demographics_age_band" "enum_users_demographics_age_band",
  	"demographics_gender" "enum_users_demographics_gender",
  	"demographics_accent" varchar,
  	"demographics_variant" varchar,
  	"consent_terms_version" varchar,
  	"consent_accepted_at" timestamp(3) with time zone,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"enable_a_p_i_key" boolean,
  	"api_key" varchar,
  	"api_key_index" varchar,
  	"email" varchar NOT NULL,
  	"reset_password_token" varchar,
  	"reset_password_expiration" timestamp(3) with time zone,
  	"salt" varchar,
  	"hash" varchar,
  	"reset_password_requested_at" timestamp(3) with time zone,
  	"login_attempts" numeric DEFAULT 0,
  	"lock_until" timestamp(3) with time zone
  );
  
  CREATE TABLE "languages" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"code" varchar NOT NULL,
  	"name" varchar NOT NULL,
  	"native_name" varchar NOT NULL,
  	"direction" "enum_languages_direction" DEFAULT 'ltr' NOT NULL,
  	"sentence_rules_min_words" numeric DEFAULT 1,
  	"sentence_rules_max_words" numeric DEFAULT 14,
  	"sentence_rules_min_characters" numeric DEFAULT 3,
  	"sentence_rules_max_characters" numeric DEFAULT 125,
  	"sentence_rules_allowed_characters" varchar,
  	"target_hours" numeric DEFAULT 1000,
  	"is_active" boolean DEFAULT true,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "sentences" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"text" varchar NOT NULL,
  	"language_id" integer NOT NULL,
  	"normalized_hash" varchar,
  	"status" "enum_sentences_status" DEFAULT 'pending' NOT NULL,
  	"domain" varchar DEFAULT 'general',
  	"source" varchar,
  	"licence" "enum_sentences_licence" DEFAULT 'CC0-1.0' NOT NULL,
  	"recording_count" numeric DEFAULT 0 NOT NULL,
  	"created_by_id" integer,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "recordings" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"owner_id" integer,
  	"client_id" varchar,
  	"language_id" integer NOT NULL,
  	"mode" "enum_recordings_mode" DEFAULT 'prompt' NOT NULL,
  	"sentence_id" integer,
  	"script_text" varchar,
  	"consent_version" varchar,
  	"demographics_snapshot" jsonb,
  	"status" "enum_recordings_status" DEFAULT 'uploaded' NOT NULL,
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
  
  CREATE TABLE "transcriptions" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"item_id" integer NOT NULL,
  	"language_id" integer NOT NULL,
  	"text" varchar NOT NULL,
  	"author_id" integer,
  	"client_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "payload_kv" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"key" varchar NOT NULL,
  	"data" jsonb NOT NULL
  );
  
  CREATE TABLE "payload_locked_documents" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"global_slug" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "payload_locked_documents_rels" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order" integer,
  	"parent_id" integer NOT NULL,
  	"path" varchar NOT NULL,
  	"users_id" integer,
  	"languages_id" integer,
  	"sentences_id" integer,
  	"recordings_id" integer,
  	"transcriptions_id" integer
  );
  
  CREATE TABLE "payload_preferences" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"key" varchar,
  	"value" jsonb,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "payload_preferences_rels" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order" integer,
  	"parent_id" integer NOT NULL,
  	"path" varchar NOT NULL,
  	"users_id" integer
  );
  
  CREATE TABLE "payload_migrations" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"name" varchar,
  	"batch" numeric,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "users_roles" ADD CONSTRAINT "users_roles_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "users_sessions" ADD CONSTRAINT "users_sessions_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "sentences" ADD CONSTRAINT "sentences_language_id_languages_id_fk" FOREIGN KEY ("language_id") REFERENCES "public"."languages"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "sentences" ADD CONSTRAINT "sentences_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "recordings" ADD CONSTRAINT "recordings_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "recordings" ADD CONSTRAINT "recordings_language_id_languages_id_fk" FOREIGN KEY ("language_id") REFERENCES "public"."languages"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "recordings" ADD CONSTRAINT "recordings_sentence_id_sentences_id_fk" FOREIGN KEY ("sentence_id") REFERENCES "public"."sentences"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transcriptions" ADD CONSTRAINT "transcriptions_item_id_recordings_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."recordings"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transcriptions" ADD CONSTRAINT "transcriptions_language_id_languages_id_fk" FOREIGN KEY ("language_id") REFERENCES "public"."languages"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transcriptions" ADD CONSTRAINT "transcriptions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."payload_locked_documents"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_users_fk" FOREIGN KEY ("users_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_languages_fk" FOREIGN KEY ("languages_id") REFERENCES "public"."languages"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_sentences_fk" FOREIGN KEY ("sentences_id") REFERENCES "public"."sentences"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_recordings_fk" FOREIGN KEY ("recordings_id") REFERENCES "public"."recordings"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_transcriptions_fk" FOREIGN KEY ("transcriptions_id") REFERENCES "public"."transcriptions"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_preferences_rels" ADD CONSTRAINT "payload_preferences_rels_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."payload_preferences"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_preferences_rels" ADD CONSTRAINT "payload_preferences_rels_users_fk" FOREIGN KEY ("users_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "users_roles_order_idx" ON "users_roles" USING btree ("order");
  CREATE INDEX "users_roles_parent_idx" ON "users_roles" USING btree ("parent_id");
  CREATE INDEX "users_roles_value_idx" ON "users_roles" USING btree ("value");
  CREATE INDEX "users_sessions_order_idx" ON "users_sessions" USING btree ("_order");
  CREATE INDEX "users_sessions_parent_id_idx" ON "users_sessions" USING btree ("_parent_id");
  CREATE INDEX "users_updated_at_idx" ON "users" USING btree ("updated_at");
  CREATE INDEX "users_created_at_idx" ON "users" USING btree ("created_at");
  CREATE UNIQUE INDEX "users_email_idx" ON "users" USING btree ("email");
  CREATE UNIQUE INDEX "languages_code_idx" ON "languages" USING btree ("code");
  CREATE INDEX "languages_is_active_idx" ON "languages" USING btree ("is_active");
  CREATE INDEX "languages_updated_at_idx" ON "languages" USING btree ("updated_at");
  CREATE INDEX "languages_created_at_idx" ON "languages" USING btree ("created_at");
  CREATE INDEX "sentences_language_idx" ON "sentences" USING btree ("language_id");
  CREATE INDEX "sentences_normalized_hash_idx" ON "sentences" USING btree ("normalized_hash");
  CREATE INDEX "sentences_status_idx" ON "sentences" USING btree ("status");
  CREATE INDEX "sentences_created_by_idx" ON "sentences" USING btree ("created_by_id");
  CREATE INDEX "sentences_updated_at_idx" ON "sentences" USING btree ("updated_at");
  CREATE INDEX "sentences_created_at_idx" ON "sentences" USING btree ("created_at");
  CREATE UNIQUE INDEX "language_normalizedHash_idx" ON "sentences" USING btree ("language_id","normalized_hash");
  CREATE INDEX "language_status_recordingCount_idx" ON "sentences" USING btree ("language_id","status","recording_count");
  CREATE INDEX "recordings_owner_idx" ON "recordings" USING btree ("owner_id");
  CREATE INDEX "recordings_client_id_idx" ON "recordings" USING btree ("client_id");
  CREATE INDEX "recordings_language_idx" ON "recordings" USING btree ("language_id");
  CREATE INDEX "recordings_sentence_idx" ON "recordings" USING btree ("sentence_id");
  CREATE INDEX "recordings_status_idx" ON "recordings" USING btree ("status");
  CREATE INDEX "recordings_updated_at_idx" ON "recordings" USING btree ("updated_at");
  CREATE INDEX "recordings_created_at_idx" ON "recordings" USING btree ("created_at");
  CREATE UNIQUE INDEX "recordings_filename_idx" ON "recordings" USING btree ("filename");
  CREATE INDEX "transcriptions_item_idx" ON "transcriptions" USING btree ("item_id");
  CREATE INDEX "transcriptions_language_idx" ON "transcriptions" USING btree ("language_id");
  CREATE INDEX "transcriptions_author_idx" ON "transcriptions" USING btree ("author_id");
  CREATE INDEX "transcriptions_client_id_idx" ON "transcriptions" USING btree ("client_id");
  CREATE INDEX "transcriptions_updated_at_idx" ON "transcriptions" USING btree ("updated_at");
  CREATE INDEX "transcriptions_created_at_idx" ON "transcriptions" USING btree ("created_at");
  CREATE UNIQUE INDEX "item_author_idx" ON "transcriptions" USING btree ("item_id","author_id");
  CREATE UNIQUE INDEX "item_clientId_idx" ON "transcriptions" USING btree ("item_id","client_id");
  CREATE UNIQUE INDEX "payload_kv_key_idx" ON "payload_kv" USING btree ("key");
  CREATE INDEX "payload_locked_documents_global_slug_idx" ON "payload_locked_documents" USING btree ("global_slug");
  CREATE INDEX "payload_locked_documents_updated_at_idx" ON "payload_locked_documents" USING btree ("updated_at");
  CREATE INDEX "payload_locked_documents_created_at_idx" ON "payload_locked_documents" USING btree ("created_at");
  CREATE INDEX "payload_locked_documents_rels_order_idx" ON "payload_locked_documents_rels" USING btree ("order");
  CREATE INDEX "payload_locked_documents_rels_parent_idx" ON "payload_locked_documents_rels" USING btree ("parent_id");
  CREATE INDEX "payload_locked_documents_rels_path_idx" ON "payload_locked_documents_rels" USING btree ("path");
  CREATE INDEX "payload_locked_documents_rels_users_id_idx" ON "payload_locked_documents_rels" USING btree ("users_id");
  CREATE INDEX "payload_locked_documents_rels_languages_id_idx" ON "payload_locked_documents_rels" USING btree ("languages_id");
  CREATE INDEX "payload_locked_documents_rels_sentences_id_idx" ON "payload_locked_documents_rels" USING btree ("sentences_id");
  CREATE INDEX "payload_locked_documents_rels_recordings_id_idx" ON "payload_locked_documents_rels" USING btree ("recordings_id");
  CREATE INDEX "payload_locked_documents_rels_transcriptions_id_idx" ON "payload_locked_documents_rels" USING btree ("transcriptions_id");
  CREATE INDEX "payload_preferences_key_idx" ON "payload_preferences" USING btree ("key");
  CREATE INDEX "payload_preferences_updated_at_idx" ON "payload_preferences" USING btree ("updated_at");
  CREATE INDEX "payload_preferences_created_at_idx" ON "payload_preferences" USING btree ("created_at");
  CREATE INDEX "payload_preferences_rels_order_idx" ON "payload_preferences_rels" USING btree ("order");
  CREATE INDEX "payload_preferences_rels_parent_idx" ON "payload_preferences_rels" USING btree ("parent_id");
  CREATE INDEX "payload_preferences_rels_path_idx" ON "payload_preferences_rels" USING btree ("path");
  CREATE INDEX "payload_preferences_rels_users_id_idx" ON "payload_preferences_rels" USING btree ("users_id");
  CREATE INDEX "payload_migrations_updated_at_idx" ON "payload_migrations" USING btree ("updated_at");
  CREATE INDEX "payload_migrations_created_at_idx" ON "payload_migrations" USING btree ("created_at");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP TABLE "users_roles" CASCADE;
  DROP TABLE "users_sessions" CASCADE;
  DROP TABLE "users" CASCADE;
  DROP TABLE "languages" CASCADE;
  DROP TABLE "sentences" CASCADE;
  DROP TABLE "recordings" CASCADE;
  DROP TABLE "transcriptions" CASCADE;
  DROP TABLE "payload_kv" CASCADE;
  DROP TABLE "payload_locked_documents" CASCADE;
  DROP TABLE "payload_locked_documents_rels" CASCADE;
  DROP TABLE "payload_preferences" CASCADE;
  DROP TABLE "payload_preferences_rels" CASCADE;
  DROP TABLE "payload_migrations" CASCADE;
  DROP TYPE "public"."enum_users_roles";
  DROP TYPE "public"."enum_users_ui_locale";
  DROP TYPE "public"."enum_users_demographics_age_band";
  DROP TYPE "public"."enum_users_demographics_gender";
  DROP TYPE "public"."enum_languages_direction";
  DROP TYPE "public"."enum_sentences_status";
  DROP TYPE "public"."enum_sentences_licence";
  DROP TYPE "public"."enum_recordings_mode";
  DROP TYPE "public"."enum_recordings_status";`)
}
