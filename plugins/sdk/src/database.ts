import type { PayloadRequest } from 'payload'

import type { SqlExecutor } from './contributors'

/** What the Postgres adapter keeps: its Drizzle handle, and one per open transaction. */
interface PostgresAdapterLike {
  drizzle: SqlExecutor
  sessions?: Record<string | number, { db?: SqlExecutor } | undefined>
}

/**
 * The Drizzle handle of the request's open transaction (so SQL sees, and commits or rolls back
 * with, what the request wrote through Payload), or the adapter's own outside one. The one helper
 * for the host and every plugin; `Db` is the caller's handle type (e.g. `PostgresAdapter['drizzle']`).
 */
export const databaseFor = async <Db = SqlExecutor>(req: PayloadRequest): Promise<Db> => {
  const adapter = req.payload.db as unknown as PostgresAdapterLike
  const transactionID = req.transactionID ? await req.transactionID : undefined
  return ((transactionID !== undefined && adapter.sessions?.[transactionID]?.db) || adapter.drizzle) as Db
}
