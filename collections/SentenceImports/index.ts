import { APIError, type Access, type CollectionConfig, type FieldAccess, type PayloadRequest } from 'payload'

import { fieldIsAdmin, fieldNobody, hasRole, isAdmin, userOf } from '../../src/access'
import { SENTENCE_LICENCES } from '../Sentences'

export const IMPORT_STATES = ['queued', 'running', 'writing-report', 'done', 'failed'] as const
/** Pasted text is kept in the document; files of any size go through the upload. */
export const PASTE_MAX_CHARACTERS = 5_000_000

/** Whether reviewers may import: an admin's choice in Site settings (off by default). */
export const reviewersMayImport = async (req: PayloadRequest): Promise<boolean> => {
  // System read of one flag.
  const settings = (await req.payload.findGlobal({ slug: 'site-settings', depth: 0, req }).catch(() => null)) as { reviewersImportSentences?: boolean } | null
  return Boolean(settings?.reviewersImportSentences)
}

/** Admins import; reviewers too when the admin allows it. Contributors and anonymous never. */
export const canImport: Access = async ({ req }) => {
  const user = userOf(req)
  if (hasRole(user, 'admin')) return true
  if (hasRole(user, 'reviewer') && (await reviewersMayImport(req))) return true
  return false
}

/** Imports are read by admins, and by the reviewer who started one. */
const readImports: Access = ({ req }) => {
  const user = userOf(req)
  if (hasRole(user, 'admin')) return true
  if (hasRole(user, 'reviewer') && user) return { createdBy: { equals: user.id } }
  return false
}

/** Only admins may import straight into the approved corpus. */
const statusFieldAccess: FieldAccess = ({ req, data }) => (data?.sentenceStatus === 'approved' ? hasRole(userOf(req), 'admin') : true)

const systemField = { create: fieldNobody, update: fieldNobody }
const counter = (name: string) => ({ name, type: 'number' as const, defaultValue: 0, access: systemField, admin: { readOnly: true } })

export const createSentenceImports = ({ staticDir }: { staticDir: string }): CollectionConfig => ({
  slug: 'sentence-imports',
  labels: { singular: 'Sentence import', plural: 'Sentence imports' },
  admin: {
    group: 'Corpus',
    useAsTitle: 'filename',
    defaultColumns: ['filename', 'language', 'state', 'progress', 'accepted', 'refused', 'createdAt'],
    description: 'Bulk imports of sentences from .txt (one a line), .csv or .tsv files, or pasted text. Each runs as a job and ends with a report.',
  },
  access: { create: canImport, read: readImports, update: isAdmin, delete: isAdmin },
  upload: {
    staticDir,
    pasteURL: false,
    crop: false,
    focalPoint: false,
    filesRequiredOnCreate: false,
    displayPreview: false,
    modifyResponseHeaders: ({ headers }) => {
      headers.set('Content-Disposition', 'attachment')
      headers.set('X-Content-Type-Options', 'nosniff')
      headers.set('Content-Security-Policy', "default-src 'none'; sandbox")
      return headers
    },
  },
  hooks: {
    beforeOperation: [
      ({ args, operation, req }) => {
        // Field access alone would drop the value quietly; say no instead.
        const data = (args as { data?: { sentenceStatus?: unknown } }).data
        if (operation === 'create' && data?.sentenceStatus === 'approved' && req.payloadAPI !== 'local' && !hasRole(userOf(req), 'admin')) {
          throw new APIError('Only an admin may import sentences as approved; import them as pending for review.', 403, undefined, true)
        }
        return args
      },
    ],
    beforeValidate: [
      ({ data, operation, req }) => {
        if (operation !== 'create' || !data) return data
        const file = req.file
        if (file) {
          // Uploads pass through safeFileNames (payload.config.ts); the extension survives it.
          const format = /(?:^|\.|[^.])(txt|csv|tsv)$/iu.exec(file.name)?.[1]?.toLowerCase()
          if (!format) {
            throw new APIError(`Import a .txt (one sentence a line), .csv or .tsv file, not "${file.name}".`, 400, undefined, true)
          }
          if (!data.format || data.format === 'auto') data.format = format
        } else if (!(req.payloadAPI === 'local' && data.sourcePath) && (!data.pastedText || String(data.pastedText).trim() === '')) {
          throw new APIError('Choose a file or paste some sentences to import.', 400, undefined, true)
        }
        if (!data.language && !data.languageColumn) throw new APIError('Choose a language, or the column that holds each sentence’s language code.', 400, undefined, true)
        return data
      },
    ],
  },
  fields: [
    // Progress bar, counts and the report download (admin/Curation/ImportStatus.tsx).
    { name: 'status', type: 'ui', admin: { position: 'sidebar', components: { Field: '/admin/Curation/ImportStatus#ImportStatus' } } },
    { name: 'language', type: 'relationship', relationTo: 'languages', maxDepth: 0, admin: { description: 'The language of every sentence, unless a column gives it.' } },
    {
      name: 'pastedText',
      type: 'textarea',
      maxLength: PASTE_MAX_CHARACTERS,
      access: { read: fieldIsAdmin, update: fieldNobody },
      admin: { description: 'Or paste sentences here, one a line (instead of a file).' },
    },
    {
      name: 'format',
      type: 'select',
      options: ['auto', 'txt', 'csv', 'tsv'],
      defaultValue: 'auto',
      required: true,
      admin: { description: 'Auto: from the file name (.txt one sentence a line; .csv; .tsv).' },
    },
    {
      type: 'collapsible',
      label: 'Columns (CSV and TSV)',
      admin: { description: 'A column is named by its header, or numbered from 1 when the file has no header row.' },
      fields: [
        { name: 'hasHeader', type: 'checkbox', defaultValue: true },
        { name: 'sentenceColumn', type: 'text', defaultValue: 'sentence', maxLength: 100 },
        { name: 'languageColumn', type: 'text', maxLength: 100, admin: { description: 'Optional: a column with language codes (bn, en) instead of one language for the file.' } },
        { name: 'sourceColumn', type: 'text', maxLength: 100 },
        { name: 'domainColumn', type: 'text', maxLength: 100 },
        { name: 'licenceColumn', type: 'text', maxLength: 100 },
      ],
    },
    { name: 'source', type: 'text', maxLength: 500, admin: { description: 'Source for every sentence without its own.' } },
    { name: 'domain', type: 'text', maxLength: 80, defaultValue: 'general' },
    { name: 'licence', type: 'select', options: SENTENCE_LICENCES.map((value) => ({ label: value, value })), defaultValue: 'CC0-1.0', required: true },
    {
      name: 'sentenceStatus',
      type: 'select',
      options: ['pending', 'approved'],
      defaultValue: 'pending',
      required: true,
      access: { create: statusFieldAccess, update: fieldNobody },
      admin: { description: 'Pending sentences wait for review; only an admin may import straight into the approved corpus.' },
    },
    {
      name: 'state',
      type: 'select',
      options: [...IMPORT_STATES],
      defaultValue: 'queued',
      required: true,
      index: true,
      access: systemField,
      admin: { readOnly: true, position: 'sidebar' },
    },
    { name: 'progress', type: 'number', defaultValue: 0, access: systemField, admin: { readOnly: true, position: 'sidebar', description: 'Percent of the file read.' } },
    counter('lines'),
    counter('accepted'),
    counter('refused'),
    counter('duplicates'),
    counter('alreadyPresent'),
    { name: 'error', type: 'text', access: systemField, admin: { readOnly: true } },
    // Where the job reads the file from (the upload, or the CLI's path) and writes the report; never shown.
    { name: 'sourcePath', type: 'text', access: { read: fieldNobody, ...systemField }, admin: { hidden: true } },
    { name: 'reportPath', type: 'text', access: { read: fieldNobody, ...systemField }, admin: { hidden: true } },
    {
      name: 'createdBy',
      type: 'relationship',
      relationTo: 'users',
      maxDepth: 0,
      index: true,
      access: systemField,
      admin: { readOnly: true, position: 'sidebar' },
      hooks: { beforeChange: [({ operation, req, value }) => (operation === 'create' && req.user ? req.user.id : value)] },
    },
  ],
  timestamps: true,
})
