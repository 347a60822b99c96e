import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

import { sql } from '@payloadcms/db-postgres'
import { APIError, type Config, type Payload, type PayloadRequest } from 'payload'

import { databaseFor } from '../db/transaction'
import { parseCookies } from './cookies'
import { appendHooks, extendCollection } from './extendConfig'

/**
 * The first admin account is created with a one-time setup token, never by whoever reaches an
 * empty install first. A web process that starts with no accounts issues a token and prints a link
 * holding it; only its SHA-256 is stored, in Payload's key-value table, so every web process of
 * the install accepts it. Opening the link sets an HttpOnly cookie for Payload's own
 * create-first-user screen; API clients send the token as `X-Setup-Token`. Creating the first
 * account consumes every outstanding token in the same transaction.
 */

const KEY_PREFIX = 'shrutik:first-admin-setup:'
export const SETUP_COOKIE = 'shrutik-setup'
export const SETUP_HEADER = 'x-setup-token'
/** Long enough for the operator to open the link, short enough not to linger in a browser. */
export const SETUP_COOKIE_MAX_AGE_SECONDS = 60 * 60

export const FIRST_ADMIN_REFUSAL =
  'No admin account exists yet, and the first one needs the one-time setup link: look for "Create the first admin at" in the ' +
  'server log (a new link is printed at each start while there is no account), or run `npx shrutik users:create-admin --email E --password P` on the server.'

const TOKEN = /^[A-Za-z0-9_-]{43}$/

const keyOf = (token: string): string => `${KEY_PREFIX}${createHash('sha256').update(token).digest('hex')}`

export const hasAnyUser = async (payload: Payload): Promise<boolean> =>
  (await payload.count({ collection: 'users' })).totalDocs > 0 // system check: counts all accounts

/** A new setup token when there is no account yet (stored as a hash), else undefined. */
export const issueFirstAdminSetupToken = async (payload: Payload): Promise<string | undefined> => {
  if (await hasAnyUser(payload)) return undefined
  const token = randomBytes(32).toString('base64url')
  await payload.kv.set(keyOf(token), { issuedAt: new Date().toISOString() })
  return token
}

/** True while the token has not been used (and no account exists). Does not consume it. */
export const isLiveSetupToken = async (payload: Payload, token: string): Promise<boolean> => TOKEN.test(token) && payload.kv.has(keyOf(token))

/** The token a request carries: the `X-Setup-Token` header, or the cookie the setup link set. */
export const setupTokenFrom = (headers: Headers): string | undefined => {
  const header = headers.get(SETUP_HEADER)?.trim()
  if (header) return header
  return parseCookies(headers.get('cookie')).get(SETUP_COOKIE)
}

/**
 * Consumes every outstanding token, inside the request's transaction, and says whether `token`
 * was one of them. Two requests racing with valid tokens: the second waits on the rows the first
 * deleted and, once it commits, finds none.
 */
export const consumeSetupTokens = async (req: PayloadRequest, token: string): Promise<boolean> => {
  // A wrong token never touches the rows (the refusal rolls back anyway; this keeps it cheap).
  if (!(await isLiveSetupToken(req.payload, token))) return false
  const db = await databaseFor(req)
  const { rows } = (await db.execute(sql`DELETE FROM payload_kv WHERE key LIKE ${`${KEY_PREFIX}%`} RETURNING key`)) as unknown as { rows: { key: string }[] }
  const wanted = Buffer.from(keyOf(token))
  return rows.some(({ key }) => key.length === wanted.length && timingSafeEqual(Buffer.from(key), wanted))
}

/**
 * Installed like a plugin: the very first account becomes the admin, and only with the one-time
 * setup token printed at start, never whoever reaches an empty install first. Every later account
 * starts as a contributor. Local API callers (seed, CLI, tests) state roles explicitly and are left alone.
 */
export const firstAdminSetupModule =
  ({ usersSlug = 'users' }: { /** @default 'users' */ usersSlug?: string } = {}) =>
  (config: Config): Config =>
    extendCollection(
      config,
      usersSlug,
      (users) =>
        appendHooks(users, {
          beforeChange: [
            async ({ data, operation, req }) => {
              if (operation === 'create' && !req.user && req.payloadAPI !== 'local') {
                const { totalDocs } = await req.payload.count({ collection: usersSlug, req }) // system check: counts all accounts
                if (totalDocs === 0) {
                  const token = setupTokenFrom(req.headers)
                  if (!token || !(await consumeSetupTokens(req, token))) throw new APIError(FIRST_ADMIN_REFUSAL, 403, undefined, true)
                  data.roles = ['admin']
                }
              }
              return data
            },
          ],
        }),
      'The first-admin setup module (src/lib/firstAdminSetup.ts)',
    )
