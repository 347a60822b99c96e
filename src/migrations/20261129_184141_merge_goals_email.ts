import { MigrateDownArgs, MigrateUpArgs } from '@payloadcms/db-postgres'

/**
 * Snapshot only: the branches adding contributor profiles and admin notifications
 * (20261129_174655, 20261129_175551) and the one adding email verification and invitations
 * (20261129_174952) were written from the same snapshot. This file's snapshot is the host's
 * schema with all three, for the next `migrate:create`.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
