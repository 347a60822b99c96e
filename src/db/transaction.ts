import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { databaseFor as sdkDatabaseFor } from '@shrutik/plugin-sdk'
import type { PayloadRequest } from 'payload'

/** The drizzle handle of the request's open transaction, or the adapter's own outside one (the SDK's one helper, typed for the host). */
export const databaseFor = (req: PayloadRequest): Promise<PostgresAdapter['drizzle']> => sdkDatabaseFor<PostgresAdapter['drizzle']>(req)
