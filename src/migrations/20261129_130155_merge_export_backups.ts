import { MigrateUpArgs, MigrateDownArgs } from '@payloadcms/db-postgres'

/**
 * Snapshot only. The export plan migration (20261129_113101_export_plan_rows) and the backups
 * migration (20261129_113938_backups) were written side by side from the same snapshot, so the
 * later one's snapshot lacked the export plan table. This migration changes nothing; its .json
 * snapshot holds both, so the next `migrate:create` compares against the real schema.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
