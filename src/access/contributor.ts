import { sql } from '@payloadcms/db-postgres'
import { APIError, type PayloadRequest } from 'payload'

import { databaseFor } from '../db/transaction'
import { readClientCookie, type ClientCookieState } from '../lib/clientId'
import { TERMS_VERSION } from '../lib/terms'

/**
 * Who is contributing: the one place a request becomes a person. A signed-in account; or a browser
 * holding a server-issued client id (see src/lib/clientId.ts), which counts as the account it was
 * linked to when it signed in, else as itself.
 */
export interface ContributorIdentity {
  /** The account: signed in now, or the account this browser was linked to. */
  userId?: number
  /** The browser's anonymous id, when it holds a valid one. */
  clientId?: string
  /** `u:<user id>` or `c:<client id>`: the key everything counts by (one person, one key). */
  key: string
  signedIn: boolean
  /** The newest terms version this person accepted (account or browser). */
  termsVersion?: string
}

interface ContributorRow {
  user_id: number | null
  terms_version: string | null
  withdrawn_at: string | null
  user_terms: string | null
}

const RESOLVED = Symbol.for('shrutik.contributorIdentity')

export const FORGED_COOKIE_MESSAGE =
  'This browser holds a contributor id this server did not issue (or that was withdrawn). Open the site and accept the terms again to get a new one.'

const newest = (...versions: (string | null | undefined)[]): string | undefined => {
  const known = versions.filter((version): version is string => Boolean(version))
  return known.includes(TERMS_VERSION) ? TERMS_VERSION : known.sort().at(-1)
}

const lookUp = async (req: PayloadRequest, clientId: string): Promise<ContributorRow | undefined> => {
  const db = await databaseFor(req)
  const result = await db.execute(sql`
    SELECT c.user_id, c.terms_version, c.withdrawn_at, u.consent_terms_version AS user_terms
      FROM contributors c LEFT JOIN users u ON u.id = c.user_id
     WHERE c.client_id = ${clientId}`)
  return (result as unknown as { rows: ContributorRow[] }).rows[0]
}

/** The cookie's state, read once per request. */
export const clientCookieOf = (req: PayloadRequest): ClientCookieState => readClientCookie(req.payload.secret, req.headers.get('cookie'))

/**
 * The contributor behind a request, or undefined when it has neither an account nor a client id.
 * A client id the server did not issue, or one that was withdrawn, is refused with 401 (also for
 * a signed-in request: a forged cookie is never quietly ignored where something is written).
 * Cached on the request.
 */
export const resolveContributor = async (req: PayloadRequest): Promise<ContributorIdentity | undefined> => {
  const context = req.context as Record<symbol, ContributorIdentity | null | undefined>
  if (context[RESOLVED] !== undefined) return context[RESOLVED] ?? undefined
  const cookie = clientCookieOf(req)
  if (cookie.kind === 'forged') throw new APIError(FORGED_COOKIE_MESSAGE, 401, undefined, true)
  let row: ContributorRow | undefined
  if (cookie.kind === 'signed' || cookie.kind === 'legacy') {
    row = await lookUp(req, cookie.clientId)
    if (!row || row.withdrawn_at) throw new APIError(FORGED_COOKIE_MESSAGE, 401, undefined, true)
  }
  const clientId = row && cookie.kind !== 'none' ? cookie.clientId : undefined
  let identity: ContributorIdentity | undefined
  const user = req.user as { id: number | string; consent?: { termsVersion?: string | null } } | null | undefined
  if (user) {
    const userId = Number(user.id)
    // The browser's consent counts for the account when the browser is unlinked or linked to it.
    const browserTerms = row && (row.user_id === null || row.user_id === userId) ? row.terms_version : undefined
    identity = { userId, clientId, key: `u:${userId}`, signedIn: true, termsVersion: newest(user.consent?.termsVersion, browserTerms) }
  } else if (row && clientId) {
    identity =
      row.user_id !== null
        ? { userId: row.user_id, clientId, key: `u:${row.user_id}`, signedIn: false, termsVersion: newest(row.user_terms, row.terms_version) }
        : { clientId, key: `c:${clientId}`, signedIn: false, termsVersion: row.terms_version ?? undefined }
  }
  context[RESOLVED] = identity ?? null
  return identity
}

/**
 * The contributor, who must have accepted the current terms: 403 with what to do otherwise.
 * `action` completes "Accept the contribution terms before you …".
 */
export const requireConsentingContributor = async (req: PayloadRequest, action: string): Promise<ContributorIdentity> => {
  const identity = await resolveContributor(req)
  if (!identity) throw new APIError(`Accept the contribution terms before you ${action}.`, 403, undefined, true)
  if (identity.termsVersion !== TERMS_VERSION) {
    throw new APIError(
      identity.termsVersion
        ? `The contribution terms have changed (now version ${TERMS_VERSION}): read and accept them again before you ${action}.`
        : `Accept the contribution terms before you ${action}.`,
      403,
      undefined,
      true,
    )
  }
  return identity
}

/** A cheap, synchronous first filter for access functions: an account, or a client-id cookie of any kind (the hooks then verify it). */
export const mayContribute = (req: PayloadRequest): boolean => Boolean(req.user) || clientCookieOf(req).kind !== 'none'

/** The consensus plugin's view of a contributor (its `identify` option). */
export const identifyContributor = async (req: PayloadRequest): Promise<{ userId?: number; clientId?: string; consented: boolean } | undefined> => {
  const identity = await resolveContributor(req)
  return identity && { userId: identity.userId, clientId: identity.clientId, consented: identity.termsVersion === TERMS_VERSION }
}
