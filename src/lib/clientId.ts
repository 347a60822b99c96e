import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'

import { parseCookies } from './cookies'

/**
 * Anonymous contributors carry a server-issued id in an HttpOnly cookie, minted when they accept
 * the terms (`POST /api/site/consent`) and recorded in the `contributors` collection. The cookie
 * is signed with a key derived from the instance's secret, so a made-up value is refused without a
 * database read; the `contributors` row decides the rest (linked account, consent, withdrawal).
 *
 * Value: `v1.<uuid>.<linked user id or ->.<HMAC-SHA256, base64url>`. The linked user id lets the
 * hot read paths (next sentences) treat a signed-out account holder as their account; the row in
 * the database is the authority whenever something is written.
 */
export const CLIENT_ID_COOKIE = 'shrutik_cid'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const SIGNED = /^v1\.([0-9a-f-]{36})\.(\d{1,15}|-)\.([A-Za-z0-9_-]{43})$/

export interface ClientCookie {
  clientId: string
  /** The account this browser was linked to when the cookie was issued. */
  linkedUserId?: number
}

/** What a `shrutik_cid` cookie held: nothing, a valid signed id, a pre-signing bare UUID, or something the server did not issue. */
export type ClientCookieState = { kind: 'none' } | ({ kind: 'signed' } & ClientCookie) | { kind: 'legacy'; clientId: string } | { kind: 'forged' }

const keys = new Map<string, Buffer>()

/** A key of its own for client ids, derived from the instance secret (never the secret itself). */
const keyFor = (secret: string): Buffer => {
  let key = keys.get(secret)
  if (!key) {
    key = createHmac('sha256', secret).update('shrutik:client-id:v1').digest()
    if (keys.size > 8) keys.clear()
    keys.set(secret, key)
  }
  return key
}

const signatureOf = (secret: string, body: string): string => createHmac('sha256', keyFor(secret)).update(body).digest('base64url')

export const newClientId = (): string => randomUUID()

/** The cookie value for a client id (and the account it is linked to, if any). */
export const signClientId = (secret: string, clientId: string, linkedUserId?: number): string => {
  const body = `v1.${clientId}.${linkedUserId ?? '-'}`
  return `${body}.${signatureOf(secret, body)}`
}

/** Reads and verifies the client-id cookie. Pure and synchronous: no database. */
export const readClientCookie = (secret: string, cookieHeader: string | null | undefined): ClientCookieState => {
  const value = parseCookies(cookieHeader).get(CLIENT_ID_COOKIE)
  if (value === undefined || value === '') return { kind: 'none' }
  if (UUID.test(value.toLowerCase())) return { kind: 'legacy', clientId: value.toLowerCase() }
  const match = SIGNED.exec(value)
  if (!match || !UUID.test(match[1])) return { kind: 'forged' }
  const body = value.slice(0, value.lastIndexOf('.'))
  const expected = Buffer.from(signatureOf(secret, body))
  const given = Buffer.from(match[3])
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: 'forged' }
  return { kind: 'signed', clientId: match[1], ...(match[2] === '-' ? {} : { linkedUserId: Number(match[2]) }) }
}

/** The verified client cookie, or undefined (absent, legacy or forged). */
export const verifiedClientCookie = (secret: string, cookieHeader: string | null | undefined): ClientCookie | undefined => {
  const state = readClientCookie(secret, cookieHeader)
  return state.kind === 'signed' ? { clientId: state.clientId, linkedUserId: state.linkedUserId } : undefined
}

export const clientCookieHeader = (value: string, secure: boolean, maxAgeSeconds = 365 * 24 * 60 * 60): string =>
  `${CLIENT_ID_COOKIE}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax; HttpOnly${secure ? '; Secure' : ''}`
