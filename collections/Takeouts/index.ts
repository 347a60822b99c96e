import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, isAdmin, nobody } from '../../src/access'

/**
 * A contributor's copy of everything held about them (JSON and their audio in one zip), built by a
 * job on request (`POST /api/site/takeout`) and downloaded by the same person from their profile.
 * Files expire after a week.
 */
export const Takeouts: CollectionConfig = {
  slug: 'takeouts',
  labels: { singular: 'Data takeout', plural: 'Data takeouts' },
  admin: { group: 'People', defaultColumns: ['status', 'bytes', 'createdAt', 'expiresAt'], description: 'Contributors’ downloads of their own data.' },
  access: { create: nobody, read: isAdmin, update: nobody, delete: isAdmin },
  fields: [
    { name: 'user', type: 'relationship', relationTo: 'users', index: true, maxDepth: 0, admin: { readOnly: true } },
    { name: 'clientId', type: 'text', index: true, maxLength: 36, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    { name: 'status', type: 'select', options: ['queued', 'ready', 'failed'], defaultValue: 'queued', admin: { readOnly: true } },
    // Generated name under <data dir>/takeouts; never shown to anyone.
    { name: 'file', type: 'text', access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    { name: 'bytes', type: 'number', admin: { readOnly: true } },
    { name: 'expiresAt', type: 'date', index: true, admin: { readOnly: true } },
    { name: 'error', type: 'text', admin: { readOnly: true } },
  ],
  timestamps: true,
}
