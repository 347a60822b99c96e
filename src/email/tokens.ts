import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Tokens sent by email. A verification or invitation token is 32 random bytes; only its SHA-256 is
 * stored (a database dump or backup hands out no working link), and it is cleared when used.
 */
export const newToken = (): { token: string; hash: string } => {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex')

/** The lists a person can leave from a link in the email itself. */
export const UNSUBSCRIBE_LISTS = ['weekly-summary'] as const
export type UnsubscribeList = (typeof UNSUBSCRIBE_LISTS)[number]

const unsubscribeKey = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'shrutik-email', 'unsubscribe-v1', 32))

const signature = (secret: string, userId: number, list: string): string =>
  createHmac('sha256', unsubscribeKey(secret)).update(`${userId}.${list}`).digest('base64url')

/**
 * An unsubscribe token: `<user id>.<list>.<HMAC>`, keyed from PAYLOAD_SECRET. It works without
 * signing in (RFC 8058 one-click) and can only turn one list off for one account, so it never
 * expires; a changed PAYLOAD_SECRET voids every one sent before.
 */
export const unsubscribeToken = (secret: string, userId: number, list: UnsubscribeList): string => `${userId}.${list}.${signature(secret, userId, list)}`

export const readUnsubscribeToken = (secret: string, token: unknown): { userId: number; list: UnsubscribeList } | undefined => {
  if (typeof token !== 'string' || token.length > 200) return undefined
  const [id, list, mac, ...rest] = token.split('.')
  if (rest.length > 0 || !/^[1-9]\d{0,15}$/.test(id ?? '') || !(UNSUBSCRIBE_LISTS as readonly string[]).includes(list ?? '') || !mac) return undefined
  const userId = Number(id)
  const expected = Buffer.from(signature(secret, userId, list))
  const given = Buffer.from(mac)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  return { userId, list: list as UnsubscribeList }
}
