import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

import { expectedMigrationNames } from './migrate'

export interface Readiness {
  ready: boolean
  database: 'ok' | 'unreachable'
  migrations: 'ok' | 'pending' | 'unknown'
  pendingMigrations?: string[]
  error?: string
}

/** Ready = the database answers within a second and every committed migration has been applied. */
export const checkReadiness = async (payload: Payload): Promise<Readiness> => {
  const pool = (payload.db as unknown as PostgresAdapter).pool
  let applied: string[]
  try {
    const connecting = pool.connect()
    let timer: NodeJS.Timeout | undefined
    const client = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out connecting to the database')), 1000)
      }),
    ]).catch((error: Error) => {
      // A connection that arrives after the timeout goes straight back to the pool.
      connecting.then((late) => late.release()).catch(() => undefined)
      throw error
    }).finally(() => clearTimeout(timer))
    try {
      await client.query('SELECT 1')
      const table = await client.query(`SELECT to_regclass('public.payload_migrations') AS name`)
      applied = table.rows[0]?.name
        ? (await client.query('SELECT name FROM payload_migrations')).rows.map((row: { name: string }) => row.name)
        : []
    } finally {
      client.release()
    }
  } catch (error) {
    return { ready: false, database: 'unreachable', migrations: 'unknown', error: (error as Error).message }
  }
  const pending = (await expectedMigrationNames(payload.config)).filter((name) => !applied.includes(name))
  return pending.length === 0
    ? { ready: true, database: 'ok', migrations: 'ok' }
    : { ready: false, database: 'ok', migrations: 'pending', pendingMigrations: pending }
}
