import { describe, expect, test } from '@jest/globals'
import type { PayloadRequest } from 'payload'

import { approvedOrReviewer, fieldIsSelfOrAdmin, fieldOwnerOrAdmin, hasRole, isAdmin, isSelfOrAdmin, ownsOrReviews } from '../../src/access'

const req = (user: { id: number; roles: string[] } | null) => ({ req: { user } as unknown as PayloadRequest }) as never

describe('access predicates', () => {
  const admin = { id: 1, roles: ['admin'] }
  const reviewer = { id: 2, roles: ['reviewer'] }
  const contributor = { id: 3, roles: ['contributor'] }

  test('hasRole', () => {
    expect(hasRole(admin as never, 'admin')).toBe(true)
    expect(hasRole(contributor as never, 'admin', 'reviewer')).toBe(false)
    expect(hasRole(null, 'contributor')).toBe(false)
    expect(hasRole({ id: 4, roles: null }, 'contributor')).toBe(false)
    expect(hasRole(undefined, 'admin')).toBe(false)
  })

  test('isAdmin and isSelfOrAdmin', () => {
    expect(isAdmin(req(admin))).toBe(true)
    expect(isAdmin(req(reviewer))).toBe(false)
    expect(isSelfOrAdmin(req(admin))).toBe(true)
    expect(isSelfOrAdmin(req(contributor))).toEqual({ id: { equals: 3 } })
    expect(isSelfOrAdmin(req(null))).toBe(false)
  })

  test('ownsOrReviews and approvedOrReviewer', () => {
    expect(ownsOrReviews('owner')(req(reviewer))).toBe(true)
    expect(ownsOrReviews('owner')(req(contributor))).toEqual({ owner: { equals: 3 } })
    expect(ownsOrReviews('owner')(req(null))).toBe(false)
    expect(approvedOrReviewer(req(null))).toEqual({ status: { equals: 'approved' } })
    expect(approvedOrReviewer(req(reviewer))).toBe(true)
  })

  test('field predicates for PII', () => {
    const field = (user: typeof admin | null, doc: Record<string, unknown>) => ({ req: { user } as unknown as PayloadRequest, doc }) as never
    expect(fieldIsSelfOrAdmin(field(contributor, { id: 3 }))).toBe(true)
    expect(fieldIsSelfOrAdmin(field(contributor, { id: 4 }))).toBe(false)
    expect(fieldIsSelfOrAdmin(field(admin, { id: 4 }))).toBe(true)
    expect(fieldOwnerOrAdmin('owner')(field(contributor, { owner: { id: 3 } }))).toBe(true)
    expect(fieldOwnerOrAdmin('owner')(field(reviewer, { owner: 3 }))).toBe(false)
    expect(fieldOwnerOrAdmin('owner')(field(contributor, { owner: null }))).toBe(false)
  })
})
