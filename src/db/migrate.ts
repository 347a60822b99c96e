import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { getRegisteredMigrations, pluginMigrationName } from '@shrutik/plugin-sdk'
import type { Config, Payload, SanitizedConfig } from 'payload'

import { migrations as coreMigrations } from '../migrations'
import { logger } from '../lib/logger'

/** Arbitrary constant naming Shrutik's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_ID = 727_001

interface NamedMigration {
  name: string
  up: (...args: never[]) => Promise<void>
  down: (...args: never[]) => Promise<void>
}

/**
 * Every migration this installation knows, in the order they apply: the host's own (src/migrations),
 * then each plugin's (recorded as `<plugin>:<name>`), plugin by plugin in the config's order.
 */
export const allMigrations = (config: Config | SanitizedConfig): NamedMigration[] => [
  ...(coreMigrations as NamedMigration[]),
  ...getRegisteredMigrations(config).flatMap(({ plugin, migrations }) =>
    migrations.map((migration) => ({ ...migration, name: pluginMigrationName(plugin, migration.name) }) as unknown as NamedMigration),
  ),
]

/** The names of every migration this installation knows (the config is loaded when not given). */
export const expectedMigrationNames = async (config?: Config | SanitizedConfig): Promise<string[]> => {
  const resolved = config ?? (await (await import('../../payload.config')).default)
  return allMigrations(resolved).map((migration) => migration.name)
}

/**
 * Applies the migrations that the database has not seen yet, the host's and the plugins'. A
 * PostgreSQL advisory lock makes concurrent starts (web and worker processes booting together)
 * run them once.
 */
export const runMigrations = async (payload: Payload, only?: string[]): Promise<void> => {
  const known = allMigrations(payload.config)
  // A restore first brings an empty database to exactly the backup's schema (src/backup/restore.ts).
  const selected = only ? known.filter((migration) => only.includes(migration.name)) : known
  const pool = (payload.db as unknown as PostgresAdapter).pool
  const lockClient = await pool.connect()
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID])
    await payload.db.migrate({ migrations: selected as never })
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined)
    lockClient.release()
  }
  logger.info('database schema is up to date', { migrations: selected.length })
}
