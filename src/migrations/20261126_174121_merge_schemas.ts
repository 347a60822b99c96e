import type { MigrateDownArgs, MigrateUpArgs } from '@payloadcms/db-postgres'

/**
 * No change to the database. Two branches added migrations at the same time (the site, and the
 * consensus plugin); each one's schema snapshot lacked the other's tables. This migration only
 * records the combined snapshot (its .json), so the next `migrate:create` compares against the
 * real schema. Every table and column already exists from the migrations before it.
 */
export async function up(_args: MigrateUpArgs): Promise<void> {}

export async function down(_args: MigrateDownArgs): Promise<void> {}
