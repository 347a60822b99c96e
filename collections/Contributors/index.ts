import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, isAdmin, nobody } from '../../src/access'

/**
 * Anonymous identities the server issued: one row per browser that accepted the terms, minted by
 * `POST /api/site/consent` (never by the client). A cookie whose id has no row here, or whose row is
 * withdrawn, is refused. Signing in links the row to the account for good, so the same person is one
 * judge whether signed in or not. No personal data: no IP, no user agent.
 */
export const Contributors: CollectionConfig = {
  slug: 'contributors',
  labels: { singular: 'Anonymous contributor', plural: 'Anonymous contributors' },
  admin: {
    group: 'People',
    defaultColumns: ['user', 'termsVersion', 'consentedAt', 'withdrawnAt', 'createdAt'],
    description: 'Browser identities issued when a visitor accepted the contribution terms.',
  },
  // Written by the site's consent, claim and withdrawal endpoints only (system writes).
  access: { create: nobody, read: isAdmin, update: nobody, delete: nobody },
  fields: [
    { name: 'clientId', type: 'text', required: true, unique: true, maxLength: 36, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    { name: 'user', type: 'relationship', relationTo: 'users', index: true, maxDepth: 0, admin: { readOnly: true, description: 'The account this browser signed in to (linked for good).' } },
    { name: 'termsVersion', type: 'text', maxLength: 40, admin: { readOnly: true } },
    { name: 'consentedAt', type: 'date', admin: { readOnly: true } },
    { name: 'withdrawnAt', type: 'date', index: true, admin: { readOnly: true } },
    { name: 'legacy', type: 'checkbox', defaultValue: false, admin: { readOnly: true, description: 'Created by the migration from an unsigned cookie of an earlier version.' } },
  ],
  timestamps: true,
}
