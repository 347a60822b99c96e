import { getPayload, type Payload, type SanitizedConfig } from 'payload'

import { ensureDatabase, type DatabaseHandle } from '../db/embedded'
import { runMigrations } from '../db/migrate'
import type { PostgresAdapter } from '@payloadcms/db-postgres'

import { guardPool } from '../db/pools'

export interface Booted {
  payload: Payload
  config: SanitizedConfig | Promise<SanitizedConfig>
  database: DatabaseHandle
  /** Closes Payload's pool and stops the embedded database if this process started it. */
  close: () => Promise<void>
}

const withTimeout = (promise: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())])

/**
 * Database first (embedded unless DATABASE_URL is set), then Payload, then the committed
 * migrations. Every entry point (server, CLI, tests) boots through here.
 */
export const bootPayload = async ({
  migrations,
  config: given,
}: {
  migrations?: string[]
  /** Another configuration than payload.config.ts's (tests/helpers/withoutPlugin.ts), with its own database. */
  config?: SanitizedConfig | Promise<SanitizedConfig>
} = {}): Promise<Booted> => {
  const database = await ensureDatabase()
  if (!given) process.env.DATABASE_URL = database.url
  const config = given ?? (await import('../../payload.config')).default
  const payload = await getPayload({ config })
  // A database restart makes pooled connections error; without listeners that would crash the
  // process instead of letting the pool reconnect (and requests answer 503 meanwhile).
  guardPool((payload.db as unknown as PostgresAdapter).pool, 'payload')
  await runMigrations(payload, migrations)
  return {
    payload,
    config,
    database,
    close: async () => {
      const pool = (payload.db as unknown as PostgresAdapter).pool
      // Payload keeps one client checked out forever, so pool.end() may never resolve on its own.
      pool.on('error', () => undefined)
      await withTimeout(payload.destroy(), 2000)
      await withTimeout(pool.end(), 2000)
      await database.stop()
    },
  }
}
