import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { PayloadRequest } from 'payload'

/** The drizzle handle of the request's open transaction, or the adapter's own outside one. */
export const databaseFor = async (req: PayloadRequest): Promise<PostgresAdapter['drizzle']> => {
  const adapter = req.payload.db as unknown as PostgresAdapter
  const transactionID = req.transactionID ? await req.transactionID : undefined
  return (transactionID !== undefined && adapter.sessions?.[transactionID]?.db) || adapter.drizzle
}
