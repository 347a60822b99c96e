import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import type { RequestHandler } from 'express'
import type { Payload } from 'payload'

import { CLIENT_ID_COOKIE, clientCookieHeader, readClientCookie, signClientId } from '../lib/clientId'
import { logger } from '../lib/logger'

/**
 * The migration path for anonymous ids from before they were signed: a bare UUID cookie is honoured
 * only if that id is in the `contributors` table (the migration copied every id that had
 * contributed). Then the request goes on with the signed value and the browser gets it, so the
 * lookup happens once per browser. An unknown bare UUID is left alone: the endpoints refuse it.
 */
const LEGACY_VALUE = new RegExp(`(?:^|;\\s*)${CLIENT_ID_COOKIE}=[0-9a-fA-F]{8}-`)

export const upgradeLegacyClientCookie =
  (payload: Payload): RequestHandler =>
  async (req, res, next) => {
    const header = req.headers.cookie
    // Cheap first: only a bare UUID value is a legacy id (signed values start with "v1.").
    if (!header || !LEGACY_VALUE.test(header)) return next()
    const state = readClientCookie(payload.secret, header)
    if (state.kind !== 'legacy') return next()
    try {
      const db = (payload.db as unknown as PostgresAdapter).drizzle
      const result = (await db.execute(sql`SELECT user_id FROM contributors WHERE client_id = ${state.clientId} AND withdrawn_at IS NULL`)) as unknown as {
        rows: { user_id: number | null }[]
      }
      const row = result.rows[0]
      if (row) {
        const signed = signClientId(payload.secret, state.clientId, row.user_id ?? undefined)
        req.headers.cookie = header
          .split(';')
          .map((part) => (part.trim().startsWith(`${CLIENT_ID_COOKIE}=`) ? `${CLIENT_ID_COOKIE}=${encodeURIComponent(signed)}` : part.trim()))
          .join('; ')
        res.append('Set-Cookie', clientCookieHeader(signed, (payload.config.serverURL || '').startsWith('https:')))
      }
    } catch (error) {
      logger.warn('could not look up a legacy client id', { error: (error as Error).message })
    }
    next()
  }
