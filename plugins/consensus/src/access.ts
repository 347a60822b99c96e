import { hasRole, type RoleHolder } from '@shrutik/plugin-sdk'
import type { Access, FieldAccess, PayloadRequest, Where } from 'payload'

import type { SanitizedConsensusOptions } from './options'

/**
 * Access predicates of the consensus collections and endpoints. Roles are the core users' `roles`
 * (`admin`, `reviewer`, `contributor`); anonymous contributors are known by their client id.
 */

export const userOf = (req: PayloadRequest): RoleHolder | null => (req.user as RoleHolder | null | undefined) ?? null

export const isAdmin: Access = ({ req }) => hasRole(req.user, 'admin')
export const isReviewerOrAdmin: Access = ({ req }) => hasRole(req.user, 'admin', 'reviewer')
export const nobody: Access = () => false

export const fieldNobody: FieldAccess = () => false
export const fieldIsAdmin: FieldAccess = ({ req }) => hasRole(req.user, 'admin')

/** The contributor judging: an account, or an anonymous contributor with a server-issued id. */
export type Contributor = { userId: number; clientId?: string; consented: boolean } | { userId?: undefined; clientId: string; consented: boolean }

const CONTRIBUTOR = Symbol.for('shrutik.consensus.contributor')

/** The contributor behind a request, as the host resolves it (cached on the request). Throws the host's refusal (401 for a forged id). */
export const contributorOf = async (req: PayloadRequest, settings: SanitizedConsensusOptions): Promise<Contributor | undefined> => {
  const context = req.context as Record<symbol, Contributor | null | undefined>
  if (context[CONTRIBUTOR] !== undefined) return context[CONTRIBUTOR] ?? undefined
  const identity = await settings.identify(req)
  let contributor: Contributor | undefined
  if (identity?.userId !== undefined) contributor = { userId: identity.userId, clientId: identity.clientId, consented: identity.consented }
  else if (identity?.clientId !== undefined) contributor = { clientId: identity.clientId, consented: identity.consented }
  context[CONTRIBUTOR] = contributor ?? null
  return contributor
}

/**
 * Creating votes and skips: open here, decided in the `beforeChange` hook, which resolves the contributor
 * (401 for an id the server did not issue, 403 without an identity or the current consent) and so
 * can say what to do; an access function could only answer a bare 403.
 */
export const judgesCheckedInHooks: Access = () => true

/** Reviewers and admins read every judgment; a contributor (or cookie holder) only their own. */
export const ownJudgmentsOrReviewer =
  (settings: SanitizedConsensusOptions, userField: string): Access =>
  async ({ req }) => {
    if (hasRole(req.user, 'admin', 'reviewer')) return true
    const contributor = await contributorOf(req, settings).catch(() => undefined)
    if (!contributor) return false
    return (contributor.userId !== undefined ? { [userField]: { equals: contributor.userId } } : { clientId: { equals: contributor.clientId } }) satisfies Where
  }
