import { MigrateDownArgs, MigrateUpArgs } from '@payloadcms/db-postgres'

/**
 * Snapshot only: the branch that dropped `recordings.status` (20261129_145926) and the branches
 * adding the media-storage fields and the dashboard rollup were written from the same snapshot.
 * This file's snapshot is the host's schema with all of them, for the next `migrate:create`.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
