import { randomInt } from 'node:crypto'

import { ValidationError, type CollectionConfig } from 'payload'

import { approvedOrReviewer, fieldIsAdmin, fieldNobody, isAdmin, isReviewerOrAdmin } from '../../src/access'
import { checkSentenceRules, normalizeSentence, sentenceHash, type SentenceRules } from './normalize'

import { SENTENCE_LICENCES, SENTENCE_MAX_CHARACTERS, SENTENCE_STATUSES } from './constants'

export { SENTENCE_LICENCES, SENTENCE_MAX_CHARACTERS, SENTENCE_STATUSES } from './constants'

const invalid = (path: string, message: string): ValidationError =>
  new ValidationError({ collection: 'sentences', errors: [{ path, message }] })

export const Sentences: CollectionConfig = {
  slug: 'sentences',
  admin: {
    useAsTitle: 'text',
    defaultColumns: ['text', 'language', 'status', 'recordingCount'],
    group: 'Corpus',
    // Import, the review and report queues, and "about N" for estimated counts (admin/Curation).
    components: {
      beforeListTable: ['/admin/Curation/SentenceListTools#SentenceListTools'],
      // Sentences → Import (/admin/collections/sentences/import).
      views: { import: { Component: '/admin/Curation/ImportView#ImportView', path: '/import', exact: true } },
    },
  },
  access: {
    read: approvedOrReviewer,
    create: isReviewerOrAdmin,
    update: isReviewerOrAdmin,
    delete: isAdmin,
  },
  indexes: [
    // Dedupe is enforced here, by the database, not by a read-then-write.
    { fields: ['language', 'normalizedHash'], unique: true },
    // The "next sentences to record" query (src/contribution/nextSentences.ts): approved sentences of a
    // language, least recorded first, in a fixed random order among equals.
    { fields: ['language', 'status', 'recordingCount', 'shuffle'] },
  ],
  hooks: {
    beforeValidate: [
      async ({ data, originalDoc, req }) => {
        if (!data) return data
        const text = data.text ?? originalDoc?.text
        const language = data.language ?? originalDoc?.language
        if (typeof text !== 'string') return data
        const normalized = normalizeSentence(text)
        data.text = normalized
        data.normalizedHash = sentenceHash(normalized)

        const languageId = typeof language === 'object' && language !== null ? language.id : language
        if (languageId === undefined || languageId === null) return data
        // System reads: the language rules and the duplicate check apply whoever submits.
        const languageDoc = await req.payload
          .findByID({ collection: 'languages', id: languageId, depth: 0, req })
          .catch(() => null)
        if (!languageDoc) throw invalid('language', 'This language does not exist.')
        const ruleCheck = checkSentenceRules(normalized, languageDoc.sentenceRules as SentenceRules)
        if (ruleCheck !== true) throw invalid('text', ruleCheck)

        // System read (default overrideAccess): the duplicate check must see every sentence, whatever the caller may read.
        const duplicate = await req.payload.find({
          collection: 'sentences',
          where: {
            and: [
              { language: { equals: languageId } },
              { normalizedHash: { equals: data.normalizedHash } },
              ...(originalDoc?.id ? [{ id: { not_equals: originalDoc.id } }] : []),
            ],
          },
          limit: 1,
          depth: 0,
          pagination: false,
          req,
        })
        if (duplicate.docs.length > 0) {
          throw invalid('text', `This sentence is already in the ${languageDoc.name} corpus (sentence ${duplicate.docs[0].id}).`)
        }
        return data
      },
    ],
  },
  fields: [
    {
      name: 'text',
      type: 'textarea',
      required: true,
      maxLength: SENTENCE_MAX_CHARACTERS,
      admin: { description: 'Stored in Unicode NFC with whitespace collapsed.' },
    },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, index: true, maxDepth: 1 },
    {
      name: 'normalizedHash',
      type: 'text',
      index: true,
      // Computed by the hook above; nobody writes it through the API.
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, hidden: true },
    },
    {
      name: 'status',
      type: 'select',
      options: SENTENCE_STATUSES.map((value) => ({ label: value[0].toUpperCase() + value.slice(1), value })),
      defaultValue: 'pending',
      required: true,
      index: true,
      admin: { position: 'sidebar' },
    },
    { name: 'domain', type: 'text', maxLength: 80, defaultValue: 'general', admin: { position: 'sidebar' } },
    { name: 'source', type: 'text', maxLength: 500, admin: { description: 'Where the sentence comes from (book, website, "written for Shrutik").' } },
    {
      name: 'licence',
      type: 'select',
      options: SENTENCE_LICENCES.map((value) => ({ label: value, value })),
      defaultValue: 'CC0-1.0',
      required: true,
    },
    {
      name: 'recordingCount',
      type: 'number',
      defaultValue: 0,
      min: 0,
      required: true,
      // Maintained by the system when recordings are added or removed (src/contribution/recount.ts).
      access: { create: fieldIsAdmin, update: fieldIsAdmin },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      // A random rank fixed at creation: contributors start reading at random points of it, so
      // sentences with the same count are handed out evenly without sorting them per request.
      name: 'shuffle',
      type: 'number',
      index: false,
      access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody },
      admin: { hidden: true },
      hooks: { beforeChange: [({ operation, value }) => (operation === 'create' ? randomInt(0, 2 ** 31 - 1) : value)] },
    },
    {
      // Review votes so far (src/curation/review.ts); the status follows the consensus vote rule.
      name: 'approvals',
      type: 'number',
      defaultValue: 0,
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'rejections',
      type: 'number',
      defaultValue: 0,
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
    { name: 'rejectionReason', type: 'text', maxLength: 500, admin: { readOnly: true, position: 'sidebar' } },
    {
      name: 'createdBy',
      type: 'relationship',
      relationTo: 'users',
      maxDepth: 0,
      access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
      hooks: {
        beforeChange: [({ operation, req, value }) => (operation === 'create' && req.user ? req.user.id : value)],
      },
    },
  ],
  timestamps: true,
}
