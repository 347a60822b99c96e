import { MigrateUpArgs, MigrateDownArgs } from '@payloadcms/db-postgres'

/**
 * No schema change: the curation migration was written beside `reviewer_reopens`, from the snapshot
 * before it. This one only records the merged snapshot (the .json beside it), so the next
 * `migrate:create` diffs against the whole schema.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
