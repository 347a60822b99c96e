import type { Access, FieldAccess, PayloadRequest, Where } from 'payload'

import type { SanitizedConsensusOptions } from './options'

/**
 * Access predicates of the consensus collections and endpoints. Roles are the core users' `roles`
 * (`admin`, `reviewer`, `contributor`); anonymous contributors are known by their client id.
 */

interface RoleHolder {
  id: number | string
  roles?: string[] | null
}

export const userOf = (req: PayloadRequest): RoleHolder | null => (req.user as RoleHolder | null | undefined) ?? null

export const hasRole = (req: PayloadRequest, ...roles: string[]): boolean => Boolean(userOf(req)?.roles?.some((role) => roles.includes(role)))

export const isAdmin: Access = ({ req }) => hasRole(req, 'admin')
export const isReviewerOrAdmin: Access = ({ req }) => hasRole(req, 'admin', 'reviewer')
export const nobody: Access = () => false

export const fieldNobody: FieldAccess = () => false
export const fieldIsAdmin: FieldAccess = ({ req }) => hasRole(req, 'admin')

/** Who is judging: an account, or an anonymous contributor holding the client-id cookie. */
export type Judge = { userId: number; clientId?: undefined } | { userId?: undefined; clientId: string }

export const judgeOf = (req: PayloadRequest, settings: SanitizedConsensusOptions): Judge | undefined => {
  const user = userOf(req)
  if (user) return { userId: Number(user.id) }
  const clientId = settings.identifyClient(req.headers)
  return clientId ? { clientId } : undefined
}

/** Votes and skips: signed-in contributors, or anonymous ones with the cookie. */
export const canJudge =
  (settings: SanitizedConsensusOptions): Access =>
  ({ req }) =>
    judgeOf(req, settings) !== undefined

/** Reviewers and admins read every judgment; a contributor (or cookie holder) only their own. */
export const ownJudgmentsOrReviewer =
  (settings: SanitizedConsensusOptions, userField: string): Access =>
  ({ req }) => {
    if (hasRole(req, 'admin', 'reviewer')) return true
    const judge = judgeOf(req, settings)
    if (!judge) return false
    return (judge.userId !== undefined ? { [userField]: { equals: judge.userId } } : { clientId: { equals: judge.clientId } }) satisfies Where
  }
