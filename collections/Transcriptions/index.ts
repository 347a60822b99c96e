import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, fieldNobody, isAdmin, ownsOrAdmin, ownsOrReviews } from '../../src/access'
import { mayContribute, requireConsentingContributor } from '../../src/access/contributor'
import { normalizeSentence } from '../Sentences/normalize'

interface TranscriptionsOptions {
  /**
   * The collection a transcription is of. Core points it at `recordings`; the audio-processing
   * plugin, which owns segments, switches it to `segments`.
   * @default 'recordings'
   */
  itemSlug?: string
}

/** What a contributor typed for an item (a segment of a long recording). One per item and author. */
export const createTranscriptions = ({ itemSlug = 'recordings' }: TranscriptionsOptions = {}): CollectionConfig => ({
  slug: 'transcriptions',
  admin: { useAsTitle: 'text', defaultColumns: ['text', 'item', 'author', 'createdAt'], group: 'Contributions' },
  access: {
    create: ({ req }) => mayContribute(req),
    read: ownsOrReviews('author'),
    // An author may correct their own text; reviewers judge through the consensus plugin.
    update: ownsOrAdmin('author'),
    delete: isAdmin,
  },
  indexes: [
    // One judgment per item and person, enforced by the database.
    { fields: ['item', 'author'], unique: true },
    { fields: ['item', 'clientId'], unique: true },
  ],
  hooks: {
    beforeChange: [
      async ({ data, operation, req }) => {
        if (typeof data.text === 'string') data.text = normalizeSentence(data.text)
        if (operation !== 'create') return data
        // System and seed writes (Local API without a request user) state the author themselves.
        if (req.payloadAPI === 'local' && !req.user && (data.author || data.clientId)) return data
        const contributor = await requireConsentingContributor(req, 'transcribe')
        data.author = contributor.userId ?? null
        data.clientId = contributor.userId === undefined ? contributor.clientId : null
        return data
      },
    ],
  },
  fields: [
    { name: 'item', type: 'relationship', relationTo: itemSlug, required: true, index: true, maxDepth: 1 },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, maxDepth: 1 },
    { name: 'text', type: 'textarea', required: true, maxLength: 5000 },
    {
      name: 'author',
      type: 'relationship',
      relationTo: 'users',
      index: true,
      maxDepth: 0,
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'clientId',
      type: 'text',
      index: true,
      access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
  ],
  timestamps: true,
})
