import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Transcriptions are of segments (audio-processing plugin), no longer of whole recordings. A
 * transcription of a recording that has exactly one segment moves to that segment; any other
 * stops the migration with a message rather than being dropped.
 */
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  ALTER TABLE "transcriptions" DROP CONSTRAINT "transcriptions_item_id_recordings_id_fk";
  UPDATE "transcriptions" t SET "item_id" = s."id"
    FROM "segments" s
    WHERE s."recording_id" = t."item_id"
      AND (SELECT count(*) FROM "segments" o WHERE o."recording_id" = s."recording_id") = 1;
  DO $$
  BEGIN
    IF EXISTS (SELECT 1 FROM "transcriptions" t WHERE NOT EXISTS (SELECT 1 FROM "segments" s WHERE s."id" = t."item_id")) THEN
      RAISE EXCEPTION 'Some transcriptions belong to recordings without exactly one segment: process those recordings first (shrutik worker), then migrate again.';
    END IF;
  END $$;
  ALTER TABLE "transcriptions" ADD CONSTRAINT "transcriptions_item_id_segments_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."segments"("id") ON DELETE set null ON UPDATE no action;`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  ALTER TABLE "transcriptions" DROP CONSTRAINT "transcriptions_item_id_segments_id_fk";
  UPDATE "transcriptions" t SET "item_id" = s."recording_id" FROM "segments" s WHERE s."id" = t."item_id";
  ALTER TABLE "transcriptions" ADD CONSTRAINT "transcriptions_item_id_recordings_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."recordings"("id") ON DELETE set null ON UPDATE no action;`)
}
