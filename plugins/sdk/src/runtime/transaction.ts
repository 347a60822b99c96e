import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { PayloadRequest } from 'payload'

import { databaseFor as databaseForAny } from '../database'

/** The SDK's one `databaseFor`, typed with the Postgres adapter's Drizzle handle for the runtime and the host. */
export const databaseFor = (req: PayloadRequest): Promise<PostgresAdapter['drizzle']> => databaseForAny<PostgresAdapter['drizzle']>(req)
