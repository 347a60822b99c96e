import { randomUUID } from 'node:crypto'

import { getFileStore, idOf, joinKey, UPLOAD_AUDIO_TYPES } from '@shrutik/plugin-sdk'
import { APIError, type CollectionConfig, type PayloadRequest } from 'payload'

import { fieldIsAdmin, fieldNobody, fieldOwnerOrAdmin, isAdmin, ownsOrReviews } from '../../src/access'
import { mayContribute, requireConsentingContributor } from '../../src/access/contributor'
import { detectAudio, UnsupportedAudioError } from './audioTypes'

type UploadHandler = NonNullable<NonNullable<Exclude<CollectionConfig['upload'], boolean | undefined>>['handlers']>[number]

interface RecordingsOptions {
  /** The local folder of uploads (`<media>/recordings`); unused when media is on S3 (Payload's S3 adapter stores them). */
  staticDir: string
  /** The media-store folder of uploads: files are cleaned up as `<folder>/<filename>`. @default 'recordings' */
  folder?: string
  /** Serve a stored file (upload `handlers`, run after the access check); Payload's own when absent. */
  serveFile?: UploadHandler
  /** Refuse an upload the storage has no room for (throws); run after the file is checked. */
  assertRoom?: (req: PayloadRequest) => void
}

const STORED_FILE = Symbol.for('shrutik.recordings.storedFile')
const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]{2,5}$/

/** Stored names are ours (uuid + extension from the sniffed content); the client's name is only metadata. */
const prepareUpload = async (req: PayloadRequest): Promise<void> => {
  const file = req.file
  if (!file) return
  if (!file.size || file.size === 0) {
    throw new APIError('The uploaded file is empty (0 bytes). Record again and re-upload.', 400, undefined, true)
  }
  try {
    const detected = await detectAudio(file)
    file.mimetype = detected.mime
    file.name = `${randomUUID()}.${detected.ext}`
    ;(req.context as Record<symbol, string>)[STORED_FILE] = file.name
  } catch (error) {
    if (error instanceof UnsupportedAudioError) throw new APIError(error.message, 415, undefined, true)
    throw error
  }
}

/** A prompt recording must read an approved sentence of the recording's language. */
const checkSentenceIsOpen = async (req: PayloadRequest, sentenceRef: unknown, languageRef: unknown): Promise<void> => {
  const sentenceId = idOf(sentenceRef)
  if (sentenceId === undefined) throw new APIError(`"sentence" must be a sentence id, got ${JSON.stringify(sentenceRef)}.`, 400, undefined, true)
  // System read: the sentence's status decides, whoever uploads.
  const sentence = await req.payload.findByID({ collection: 'sentences', id: sentenceId, depth: 0, req }).catch(() => null)
  if (!sentence || sentence.status !== 'approved') {
    throw new APIError(`Sentence ${String(sentenceId)} does not exist or is not open for recording.`, 400, undefined, true)
  }
  if (String(idOf(sentence.language)) !== String(idOf(languageRef))) {
    throw new APIError(`Sentence ${String(sentenceId)} belongs to another language than the recording.`, 400, undefined, true)
  }
}

/** Never let a browser render an uploaded file inline as a page. */
export const safeDownloadHeaders = (headers: Headers): Headers => {
  headers.set('Content-Disposition', 'attachment')
  headers.set('X-Content-Type-Options', 'nosniff')
  headers.set('Content-Security-Policy', "default-src 'none'; sandbox")
  return headers
}

/**
 * Contributed audio. Owned by a user or, for anonymous contributors, by the client id in their
 * cookie. The file is validated by content here; decoding checks (duration, silence, ...) belong
 * to the audio-processing plugin; the sentence's recording count and the site's sentence pool to
 * the contribution module (src/contribution/plugin.ts).
 */
export const createRecordings = ({ staticDir, folder = 'recordings', serveFile, assertRoom }: RecordingsOptions): CollectionConfig => ({
  slug: 'recordings',
  admin: { defaultColumns: ['filename', 'language', 'mode', 'createdAt'], group: 'Contributions' },
  access: {
    // Logged-in users, or anonymous visitors holding a client-id cookie (issued at consent); the
    // beforeChange hook verifies the identity and the consent.
    create: ({ req }) => mayContribute(req),
    read: ownsOrReviews('owner'),
    update: isAdmin,
    delete: isAdmin,
  },
  upload: {
    staticDir,
    mimeTypes: [...UPLOAD_AUDIO_TYPES],
    pasteURL: false,
    crop: false,
    focalPoint: false,
    filesRequiredOnCreate: true,
    displayPreview: false,
    modifyResponseHeaders: ({ headers }) => safeDownloadHeaders(headers),
    ...(serveFile ? { handlers: [serveFile] } : {}),
  },
  hooks: {
    afterDelete: [
      async ({ doc, req }) => {
        // Payload (or its S3 adapter) removes the upload; this makes sure for the store's own key,
        // whatever prefix the row recorded.
        if (typeof doc.filename === 'string' && STORED_NAME.test(doc.filename)) await getFileStore(req.payload).delete(joinKey(folder, doc.filename))
        return doc
      },
    ],
    beforeOperation: [
      async ({ operation, req, args }) => {
        if (operation === 'create' || operation === 'update') {
          await prepareUpload(req)
          assertRoom?.(req)
        }
        return args
      },
    ],
    beforeChange: [
      async ({ data, operation, req }) => {
        if (operation !== 'create') return data
        const contributor = await requireConsentingContributor(req, 'upload a recording')
        // The server writes who and under which terms (the current ones, checked above); whatever the client sent is ignored.
        data.consentVersion = contributor.termsVersion
        if (contributor.userId !== undefined) {
          data.owner = contributor.userId
          data.clientId = null
          // The account's demographics (a signed-out browser linked to the account counts as it). System read
          // (overrideAccess defaults to true): the identity was resolved above, and the field is the account's own.
          const account = req.user && Number(req.user.id) === contributor.userId ? req.user : await req.payload.findByID({ collection: 'users', id: contributor.userId, depth: 0, req }).catch(() => null)
          data.demographicsSnapshot = (account as { demographics?: unknown } | null)?.demographics ?? null
        } else {
          data.owner = null
          data.clientId = contributor.clientId
        }
        if (data.mode === 'prompt') {
          if (!data.sentence) throw new APIError('A prompt recording needs the sentence it reads ("sentence").', 400, undefined, true)
          await checkSentenceIsOpen(req, data.sentence, data.language)
        }
        if (data.mode === 'long' && !data.scriptText) {
          throw new APIError('A long recording needs the script it reads ("scriptText").', 400, undefined, true)
        }
        return data
      },
    ],
    afterError: [
      async ({ req }) => {
        // The file is written just before the row; if the row then fails, remove the file so no
        // orphan is left behind.
        // Our generated name, from the context or (when the error path hands over a fresh
        // context) from the file itself; never a client-chosen name.
        const named = req.file?.name && STORED_NAME.test(req.file.name) ? req.file.name : undefined
        const stored = (req.context as Record<symbol, string | undefined>)[STORED_FILE] ?? named
        if (!stored) return
        const rows = await req.payload.count({ collection: 'recordings', where: { filename: { equals: stored } } }) // system check
        if (rows.totalDocs === 0) await getFileStore().delete(joinKey(folder, stored))
      },
      ({ error }) => {
        // A take sent twice (a retry whose first answer was lost, a reload mid-upload) hits the
        // unique uploadId: tell the client it is already here, so it stops sending it.
        const fields = (error as { data?: { errors?: { path?: string }[] } }).data?.errors ?? []
        if (error.name === 'ValidationError' && fields.some((field) => field.path === 'uploadId')) {
          return { status: 409, response: { errors: [{ message: 'This take was already received.' }] } }
        }
      },
    ],
  },
  fields: [
    {
      name: 'owner',
      type: 'relationship',
      relationTo: 'users',
      index: true,
      maxDepth: 0,
      access: { create: fieldNobody, update: fieldIsAdmin },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'clientId',
      type: 'text',
      index: true,
      access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar', description: 'Anonymous contributor id (cookie).' },
    },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, index: true, maxDepth: 1 },
    {
      name: 'mode',
      type: 'select',
      required: true,
      defaultValue: 'prompt',
      options: [
        { label: 'Prompt (one sentence)', value: 'prompt' },
        { label: 'Long script', value: 'long' },
      ],
    },
    {
      name: 'sentence',
      type: 'relationship',
      relationTo: 'sentences',
      index: true,
      maxDepth: 1,
      admin: { condition: (data) => data?.mode !== 'long' },
    },
    { name: 'scriptText', type: 'textarea', maxLength: 20_000, admin: { condition: (data) => data?.mode === 'long' } },
    {
      // Chosen by the uploading client for each take (a UUID): sending a take again never makes a
      // second recording (409 instead), so uploads can be retried blindly.
      name: 'uploadId',
      type: 'text',
      unique: true,
      maxLength: 64,
      access: { update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'consentVersion',
      type: 'text',
      maxLength: 40,
      // Written by the server from the contributor's recorded consent, never by a client.
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, description: 'Version of the terms the contributor had accepted for this upload.' },
    },
    {
      name: 'demographicsSnapshot',
      type: 'json',
      access: { read: fieldOwnerOrAdmin('owner'), create: fieldNobody, update: fieldNobody },
      admin: {
        readOnly: true,
        description: "The contributor's opt-in demographics at upload time.",
        components: { Field: '@shrutik/plugin-sdk/admin#ReadOnlyJson' },
      },
    },
    {
      // Set when the contributor withdrew: from then on the recording is served, counted and
      // exported nowhere, and a job deletes it with its files (see the withdrawals collection).
      name: 'withdrawal',
      type: 'relationship',
      relationTo: 'withdrawals',
      index: true,
      maxDepth: 0,
      access: { create: fieldNobody, update: fieldNobody },
      admin: { readOnly: true, position: 'sidebar' },
    },
  ],
  timestamps: true,
})
