import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, isAdmin, isReviewerOrAdmin, nobody } from '../../src/access'

/** Why a contributor passed on a sentence: a plain skip, or a report reviewers should look at. */
export const SKIP_REASONS = ['skip', 'offensive', 'grammar-spelling', 'different-language', 'hard-to-pronounce'] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/**
 * Sentences a contributor skipped or reported: never served to them again; reports are read by
 * reviewers. Written only through `POST /api/site/sentences/:id/skip` (src/contribution/endpoints.ts).
 */
export const SentenceSkips: CollectionConfig = {
  slug: 'sentence-skips',
  admin: { useAsTitle: 'reason', defaultColumns: ['sentence', 'reason', 'createdAt'], group: 'Content', description: 'Skipped and reported sentences.' },
  access: { create: nobody, read: isReviewerOrAdmin, update: nobody, delete: isAdmin },
  indexes: [
    // One per sentence and contributor; the serving query looks them up by contributor.
    { fields: ['user', 'sentence'], unique: true },
    { fields: ['clientId', 'sentence'], unique: true },
  ],
  fields: [
    { name: 'sentence', type: 'relationship', relationTo: 'sentences', required: true, index: true, maxDepth: 1 },
    { name: 'reason', type: 'select', options: [...SKIP_REASONS], required: true, defaultValue: 'skip', index: true },
    { name: 'user', type: 'relationship', relationTo: 'users', maxDepth: 0, admin: { readOnly: true } },
    // Reviewers read reports, not who made them: an anonymous id is for admins only, as everywhere.
    { name: 'clientId', type: 'text', maxLength: 36, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    // Set when a reviewer handles a report (src/curation/endpoints.ts): the sentence was kept or retired.
    { name: 'resolution', type: 'select', options: ['kept', 'retired'], index: true, admin: { readOnly: true } },
    { name: 'resolvedBy', type: 'relationship', relationTo: 'users', maxDepth: 0, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
  ],
  timestamps: true,
}
