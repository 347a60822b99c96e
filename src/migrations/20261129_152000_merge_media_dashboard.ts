import { MigrateDownArgs, MigrateUpArgs } from '@payloadcms/db-postgres'

/**
 * Snapshot only: two branches added host migrations from the same snapshot (media storage fields,
 * the dashboard rollup, whose tables are outside Payload's schema). This file's snapshot is the
 * schema with both, for the next `migrate:create` to diff against.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
