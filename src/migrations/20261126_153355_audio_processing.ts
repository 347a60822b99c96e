import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_recordings_audio_status" AS ENUM('pending', 'processing', 'ready', 'rejected', 'failed');
  CREATE TYPE "public"."enum_segments_status" AS ENUM('pending', 'accepted', 'rejected', 'needs-review');
  CREATE TABLE "segments" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"recording_id" integer NOT NULL,
  	"index" numeric NOT NULL,
  	"start_ms" numeric NOT NULL,
  	"end_ms" numeric NOT NULL,
  	"duration_ms" numeric NOT NULL,
  	"file" varchar NOT NULL,
  	"expected_text" varchar,
  	"status" "enum_segments_status" DEFAULT 'pending',
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "recordings" ADD COLUMN "audio_status" "enum_recordings_audio_status" DEFAULT 'pending';
  ALTER TABLE "recordings" ADD COLUMN "audio_failure_reason" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_duration_ms" numeric;
  ALTER TABLE "recordings" ADD COLUMN "audio_sample_rate" numeric;
  ALTER TABLE "recordings" ADD COLUMN "audio_channels" numeric;
  ALTER TABLE "recordings" ADD COLUMN "audio_codec" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_container" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_loudness_lufs" numeric;
  ALTER TABLE "recordings" ADD COLUMN "audio_checks" jsonb;
  ALTER TABLE "recordings" ADD COLUMN "audio_files_archive" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_files_playback" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_files_waveform" varchar;
  ALTER TABLE "recordings" ADD COLUMN "audio_processed_at" timestamp(3) with time zone;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "segments_id" integer;
  ALTER TABLE "segments" ADD CONSTRAINT "segments_recording_id_recordings_id_fk" FOREIGN KEY ("recording_id") REFERENCES "public"."recordings"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "segments_recording_idx" ON "segments" USING btree ("recording_id");
  CREATE INDEX "segments_duration_ms_idx" ON "segments" USING btree ("duration_ms");
  CREATE INDEX "segments_status_idx" ON "segments" USING btree ("status");
  CREATE INDEX "segments_updated_at_idx" ON "segments" USING btree ("updated_at");
  CREATE INDEX "segments_created_at_idx" ON "segments" USING btree ("created_at");
  CREATE UNIQUE INDEX "recording_index_idx" ON "segments" USING btree ("recording_id","index");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_segments_fk" FOREIGN KEY ("segments_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "recordings_audio_audio_status_idx" ON "recordings" USING btree ("audio_status");
  CREATE INDEX "payload_locked_documents_rels_segments_id_idx" ON "payload_locked_documents_rels" USING btree ("segments_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "segments" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "segments" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_segments_fk";
  
  DROP INDEX "recordings_audio_audio_status_idx";
  DROP INDEX "payload_locked_documents_rels_segments_id_idx";
  ALTER TABLE "recordings" DROP COLUMN "audio_status";
  ALTER TABLE "recordings" DROP COLUMN "audio_failure_reason";
  ALTER TABLE "recordings" DROP COLUMN "audio_duration_ms";
  ALTER TABLE "recordings" DROP COLUMN "audio_sample_rate";
  ALTER TABLE "recordings" DROP COLUMN "audio_channels";
  ALTER TABLE "recordings" DROP COLUMN "audio_codec";
  ALTER TABLE "recordings" DROP COLUMN "audio_container";
  ALTER TABLE "recordings" DROP COLUMN "audio_loudness_lufs";
  ALTER TABLE "recordings" DROP COLUMN "audio_checks";
  ALTER TABLE "recordings" DROP COLUMN "audio_files_archive";
  ALTER TABLE "recordings" DROP COLUMN "audio_files_playback";
  ALTER TABLE "recordings" DROP COLUMN "audio_files_waveform";
  ALTER TABLE "recordings" DROP COLUMN "audio_processed_at";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "segments_id";
  DROP TYPE "public"."enum_recordings_audio_status";
  DROP TYPE "public"."enum_segments_status";`)
}
