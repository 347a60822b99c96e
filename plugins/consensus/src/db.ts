import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

export { sql }

/** The adapter's Drizzle handle; in a request's transaction, the SDK's `databaseFor<Drizzle>(req)`. */
export type Drizzle = PostgresAdapter['drizzle']
export type SQLQuery = ReturnType<typeof sql>

/** The adapter's drizzle handle, outside any transaction (system reads and single statements). */
export const drizzleOf = (payload: Payload): Drizzle => (payload.db as unknown as PostgresAdapter).drizzle

export const rowsOf = async <Row>(db: Drizzle, query: SQLQuery): Promise<Row[]> => ((await db.execute(query)) as unknown as { rows: Row[] }).rows

/** A table named after a collection slug, as the Postgres adapter names it. */
export const table = (slug: string) => sql.identifier(slug.replace(/-/g, '_'))

/** Contributor keys used by the engine: `u:<user id>` or `c:<client id>`. */
export const contributorKey = (userId: number | string | null | undefined, clientId: string | null | undefined): string | undefined =>
  userId !== null && userId !== undefined ? `u:${userId}` : clientId ? `c:${clientId}` : undefined
