import type { Access, FieldAccess, PayloadRequest, Where } from 'payload'

import { hasRole, type RoleHolder } from './roles'

export { hasRole, ROLES, type Role, type RoleHolder } from './roles'

/**
 * Named access predicates. Every collection states all of create/read/update/delete with these,
 * so the rules can be read in one place and tested as a matrix (tests/access.test.ts).
 */

/** The request's account (id and roles), or null. */
export const userOf = (req: PayloadRequest): RoleHolder | null => (req.user as RoleHolder | null) ?? null

export const anyone: Access = () => true
export const nobody: Access = () => false

export const isLoggedIn: Access = ({ req }) => Boolean(req.user)
export const isAdmin: Access = ({ req }) => hasRole(userOf(req), 'admin')
export const isReviewerOrAdmin: Access = ({ req }) => hasRole(userOf(req), 'admin', 'reviewer')

/** Admins see every user; everyone else sees only their own account. */
export const isSelfOrAdmin: Access = ({ req }) => {
  const user = userOf(req)
  if (!user) return false
  if (hasRole(user, 'admin')) return true
  return { id: { equals: user.id } } satisfies Where
}

/** For documents with an owner field: admins and reviewers everything, a contributor their own. */
export const ownsOrReviews =
  (ownerField: string): Access =>
  ({ req }) => {
    const user = userOf(req)
    if (!user) return false
    if (hasRole(user, 'admin', 'reviewer')) return true
    return { [ownerField]: { equals: user.id } } satisfies Where
  }

/** For documents with an owner field: admins everything, a contributor (or reviewer) their own. */
export const ownsOrAdmin =
  (ownerField: string): Access =>
  ({ req }) => {
    const user = userOf(req)
    if (!user) return false
    if (hasRole(user, 'admin')) return true
    return { [ownerField]: { equals: user.id } } satisfies Where
  }

/** Sentences: the public sees approved ones; reviewers and admins see every status. */
export const approvedOrReviewer: Access = ({ req }) => {
  if (hasRole(userOf(req), 'admin', 'reviewer')) return true
  return { status: { equals: 'approved' } } satisfies Where
}

// Field-level predicates.

export const fieldIsAdmin: FieldAccess = ({ req }) => hasRole(userOf(req), 'admin')
export const fieldIsReviewerOrAdmin: FieldAccess = ({ req }) => hasRole(userOf(req), 'admin', 'reviewer')
export const fieldNobody: FieldAccess = () => false

/** A users field readable by its owner and admins only (email, demographics, consent). */
export const fieldIsSelfOrAdmin: FieldAccess = ({ req, doc, id }) => {
  const user = userOf(req)
  if (!user) return false
  if (hasRole(user, 'admin')) return true
  const docId = (doc as { id?: unknown } | undefined)?.id ?? id
  return docId !== undefined && String(docId) === String(user.id)
}

/** A field of an owned document readable by the owner and admins (demographics snapshots). */
export const fieldOwnerOrAdmin =
  (ownerField: string): FieldAccess =>
  ({ req, doc }) => {
    const user = userOf(req)
    if (!user) return false
    if (hasRole(user, 'admin')) return true
    const owner = (doc as Record<string, unknown> | undefined)?.[ownerField]
    const ownerId = owner && typeof owner === 'object' ? (owner as { id?: unknown }).id : owner
    return ownerId !== undefined && ownerId !== null && String(ownerId) === String(user.id)
  }
