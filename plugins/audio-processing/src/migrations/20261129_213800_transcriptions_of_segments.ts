import { MigrateDownArgs, MigrateUpArgs, sql } from '@payloadcms/db-postgres'

/**
 * Plugin "audio-processing", by hand (no change to the schema it owns): core transcriptions are of a
 * recording until this plugin points them at its segments (the baseline adds the foreign key to
 * `segments`). A host whose transcriptions were created before the plugin was installed still has
 * the core's foreign key to `recordings` on the same column, which refuses every transcription of a
 * segment: it goes. (Shrutik's own host dropped it in a host migration long ago; a new host, or the
 * SDK test kit's core preset, has it.)
 */
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  ALTER TABLE "transcriptions" DROP CONSTRAINT IF EXISTS "transcriptions_item_id_recordings_id_fk";`)
}

export async function down(_args: MigrateDownArgs): Promise<void> {
  // Nothing: the constraint would refuse the transcriptions of segments that exist now.
}
