import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload, PayloadRequest } from 'payload'

export { sql }

type Drizzle = PostgresAdapter['drizzle']
export type SQLQuery = ReturnType<typeof sql>

/** The adapter's drizzle handle, outside any transaction (system reads and single statements). */
export const drizzleOf = (payload: Payload): Drizzle => (payload.db as unknown as PostgresAdapter).drizzle

/** The drizzle handle of the request's open transaction, or the adapter's own outside one. */
export const drizzleFor = async (req: PayloadRequest): Promise<Drizzle> => {
  const adapter = req.payload.db as unknown as PostgresAdapter
  const transactionID = req.transactionID ? await req.transactionID : undefined
  return (transactionID !== undefined && adapter.sessions?.[transactionID]?.db) || adapter.drizzle
}

export const rowsOf = async <Row>(db: Drizzle, query: SQLQuery): Promise<Row[]> => ((await db.execute(query)) as unknown as { rows: Row[] }).rows

/** A table named after a collection slug, as the Postgres adapter names it. */
export const table = (slug: string) => sql.identifier(slug.replace(/-/g, '_'))

/** Contributor keys used by the engine: `u:<user id>` or `c:<client id>`. */
export const workerKey = (userId: number | string | null | undefined, clientId: string | null | undefined): string | undefined =>
  userId !== null && userId !== undefined ? `u:${userId}` : clientId ? `c:${clientId}` : undefined
