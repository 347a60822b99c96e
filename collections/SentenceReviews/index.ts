import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, isAdmin, isReviewerOrAdmin, nobody } from '../../src/access'

/**
 * One approve/reject vote per (sentence, person) on a pending sentence. Written only through
 * `POST /api/curation/sentences/:id/review` (src/curation/endpoints.ts), which decides the
 * sentence with the consensus plugin's vote rule once enough votes are in.
 */
export const SentenceReviews: CollectionConfig = {
  slug: 'sentence-reviews',
  labels: { singular: 'Sentence review', plural: 'Sentence reviews' },
  admin: { group: 'Corpus', defaultColumns: ['sentence', 'approve', 'reason', 'createdAt'], description: 'Votes on pending sentences.' },
  access: { create: nobody, read: isReviewerOrAdmin, update: nobody, delete: isAdmin },
  indexes: [
    { fields: ['sentence', 'user'], unique: true },
    { fields: ['sentence', 'clientId'], unique: true },
  ],
  fields: [
    { name: 'sentence', type: 'relationship', relationTo: 'sentences', required: true, index: true, maxDepth: 0, admin: { readOnly: true } },
    { name: 'approve', type: 'checkbox', required: true, admin: { readOnly: true } },
    { name: 'reason', type: 'text', maxLength: 500, admin: { readOnly: true } },
    { name: 'user', type: 'relationship', relationTo: 'users', maxDepth: 0, index: true, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    { name: 'clientId', type: 'text', maxLength: 36, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
  ],
  timestamps: true,
}
