import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

import { migrations } from '../migrations'
import { logger } from '../lib/logger'

/** Arbitrary constant naming Shrutik's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_ID = 727_001

export const expectedMigrationNames = (): string[] => migrations.map((migration: { name: string }) => migration.name)

/**
 * Applies the committed migrations that the database has not seen yet. A PostgreSQL advisory lock
 * makes concurrent starts (web and worker processes booting together) run them once.
 */
export const runMigrations = async (payload: Payload, only?: string[]): Promise<void> => {
  // A restore first brings an empty database to exactly the backup's schema (src/backup/restore.ts).
  const selected = only ? migrations.filter((migration: { name: string }) => only.includes(migration.name)) : migrations
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
