import { randomBytes, randomUUID } from 'node:crypto'
import path from 'node:path'
import { Readable } from 'node:stream'

import type { CollectionConfig, Payload, PayloadRequest, TypedUser } from 'payload'

import { idOf } from '../refs'
import { hasRole, type Role } from '../roles'
import { getFileStore } from '../registry'
import { joinKey } from '../storage'

/**
 * The core collections plugins build on, as a Shrutik host declares them, cut down to what the
 * plugins and their migrations rely on: the core contract. A plugin's tests install them on the kit's
 * host (`startTestHost({ core: true })`) so its hooks, jobs and migrations meet the same slugs,
 * fields and columns (`recordings.owner_id`, `client_id`, `language_id`, `sentence_id`,
 * `transcriptions.item_id`, ...) as on a real host. Shrutik's own test suite checks that every field
 * declared here exists in the host's collections with the same type, so the two cannot drift apart.
 *
 * - `languages`: `code`, `name`, `nativeName`, `isActive`.
 * - `sentences`: `text`, `language`, `status` (`pending | approved | rejected | retired`), `domain`, `source`.
 * - `recordings` (an upload): `owner` (a user) or `clientId` (an anonymous contributor), `language`,
 *   `mode` (`prompt | long`), `sentence` (prompt mode), `scriptText` (long mode), `consentVersion`,
 *   `demographicsSnapshot`, `withdrawal` (set when consent was withdrawn: the recording counts nowhere). The file is stored through the SDK file store as
 *   `recordings/<filename>` (`getFileStore(payload)`), under a generated name, as the host stores it.
 * - `transcriptions`: `item` (a recording; the audio-processing plugin points it at its segments),
 *   `language`, `text`, `author` (a user) or `clientId`; one per item and person.
 * - `withdrawals`: `kind` (`anonymous | account | account-deleted`); tombstones the host writes.
 *
 * Access is the host's in outline: signed-in users create recordings and transcriptions (the server
 * writes who), read their own, reviewers and admins read all; admins change and delete; languages and
 * sentences are public to read. What the host adds around uploads (content sniffing, consent, rate
 * limits, the sentence pool) is the host's and is tested there.
 */

/** The file-store folder uploaded recordings are kept in, as `recordings/<filename>`. */
export const RECORDINGS_FOLDER = 'recordings'

export const SENTENCE_STATUSES = ['pending', 'approved', 'rejected', 'retired'] as const

const isAdmin = ({ req }: { req: PayloadRequest }) => hasRole(req.user, 'admin')
const isReviewerOrAdmin = ({ req }: { req: PayloadRequest }) => hasRole(req.user, 'admin', 'reviewer')
const signedIn = ({ req }: { req: PayloadRequest }) => Boolean(req.user)
const anyone = () => true
const fieldIsAdmin = ({ req }: { req: PayloadRequest }) => hasRole(req.user, 'admin')
const fieldNobody = () => false

/** Reviewers and admins read every row; anyone else their own (`field` holds the user). */
const ownsOrReviews =
  (field: string) =>
  ({ req }: { req: PayloadRequest }) => {
    if (hasRole(req.user, 'admin', 'reviewer')) return true
    return req.user ? { [field]: { equals: req.user.id } } : false
  }

const ownsOrAdmin =
  (field: string) =>
  ({ req }: { req: PayloadRequest }) => {
    if (hasRole(req.user, 'admin')) return true
    return req.user ? { [field]: { equals: req.user.id } } : false
  }

const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]{1,5}$/

/** A generated name (uuid + the client's extension when it is a plain one), never the client's. */
const storedName = (clientName: string | undefined): string => {
  const extension = path.extname(clientName ?? '').slice(1).toLowerCase()
  return `${randomUUID()}.${/^[a-z0-9]{1,5}$/.test(extension) ? extension : 'bin'}`
}

/**
 * Who writes a contribution: a signed-in request writes its user (whatever the client sent); a
 * system write (the Local API without a user) states `owner`/`clientId` itself, as seeds and the
 * kit's helpers do.
 */
const writeContributor = (ownerField: string, data: Record<string, unknown>, req: PayloadRequest): void => {
  if (req.user) {
    data[ownerField] = req.user.id
    data.clientId = null
  }
}

const languages = (): CollectionConfig => ({
  slug: 'languages',
  admin: { useAsTitle: 'name' },
  access: { read: anyone, create: isAdmin, update: isAdmin, delete: isAdmin },
  fields: [
    { name: 'code', type: 'text', required: true, unique: true },
    { name: 'name', type: 'text', required: true },
    { name: 'nativeName', type: 'text', required: true },
    { name: 'isActive', type: 'checkbox', defaultValue: true, index: true },
  ],
  timestamps: true,
})

const sentences = (): CollectionConfig => ({
  slug: 'sentences',
  admin: { useAsTitle: 'text' },
  access: { read: anyone, create: isReviewerOrAdmin, update: isReviewerOrAdmin, delete: isAdmin },
  fields: [
    { name: 'text', type: 'textarea', required: true },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, index: true, maxDepth: 1 },
    { name: 'status', type: 'select', options: [...SENTENCE_STATUSES], defaultValue: 'pending', required: true, index: true },
    { name: 'domain', type: 'text', defaultValue: 'general' },
    { name: 'source', type: 'text' },
  ],
  timestamps: true,
})

const STORED_FILE = Symbol.for('shrutik.kit.recordings.storedFile')
/** The request-context key under which `uploadRecording` hands over the fields the host's server writes. */
const SERVER_WRITTEN = 'shrutikKitServerWritten'

const recordings = (): CollectionConfig => ({
  slug: 'recordings',
  access: { create: signedIn, read: ownsOrReviews('owner'), update: isAdmin, delete: isAdmin },
  upload: {
    // Stored through the file store (below), not in a folder of Payload's.
    disableLocalStorage: true,
    pasteURL: false,
    crop: false,
    focalPoint: false,
    filesRequiredOnCreate: true,
  },
  hooks: {
    beforeOperation: [
      ({ operation, req, args }) => {
        if ((operation === 'create' || operation === 'update') && req.file) {
          req.file.name = storedName(req.file.name)
          ;(req.context as Record<symbol, string>)[STORED_FILE] = req.file.name
        }
        return args
      },
    ],
    beforeChange: [
      async ({ data, operation, req }) => {
        if (operation === 'create') {
          writeContributor('owner', data, req)
          // What the host's server writes itself (from the contributor's consent and account), as `uploadRecording` states it.
          const written = (req.context as Record<string, unknown> | undefined)?.[SERVER_WRITTEN] as Record<string, unknown> | undefined
          if (written) Object.assign(data, written)
        }
        // The file goes into the store just before the row, as Payload's own storage writes it.
        if (req.file?.data && typeof data.filename === 'string') {
          await getFileStore(req.payload).put(joinKey(RECORDINGS_FOLDER, data.filename), { stream: Readable.from([req.file.data]) }, { contentType: req.file.mimetype })
        }
        return data
      },
    ],
    afterDelete: [
      async ({ doc, req }) => {
        if (typeof doc.filename === 'string' && STORED_NAME.test(doc.filename)) await getFileStore(req.payload).delete(joinKey(RECORDINGS_FOLDER, doc.filename))
        return doc
      },
    ],
    afterError: [
      async ({ req }) => {
        // The row failed after the file was stored: nothing half-written remains.
        const stored = (req.context as Record<symbol, string | undefined>)[STORED_FILE]
        if (!stored) return
        const rows = await req.payload.count({ collection: 'recordings' as never, where: { filename: { equals: stored } } })
        if (rows.totalDocs === 0) await getFileStore(req.payload).delete(joinKey(RECORDINGS_FOLDER, stored))
      },
    ],
  },
  fields: [
    { name: 'owner', type: 'relationship', relationTo: 'users', index: true, maxDepth: 0, access: { create: fieldNobody, update: fieldIsAdmin } },
    { name: 'clientId', type: 'text', index: true, access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody } },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, index: true, maxDepth: 1 },
    { name: 'mode', type: 'select', required: true, defaultValue: 'prompt', options: ['prompt', 'long'] },
    { name: 'sentence', type: 'relationship', relationTo: 'sentences', index: true, maxDepth: 1 },
    { name: 'scriptText', type: 'textarea' },
    { name: 'consentVersion', type: 'text', access: { create: fieldNobody, update: fieldNobody } },
    { name: 'demographicsSnapshot', type: 'json', access: { create: fieldNobody, update: fieldNobody } },
    // Set when the contributor withdrew consent: from then on the recording is served, counted and exported nowhere.
    { name: 'withdrawal', type: 'relationship', relationTo: 'withdrawals', index: true, maxDepth: 0, access: { create: fieldNobody, update: fieldNobody } },
  ],
  timestamps: true,
})

export const WITHDRAWAL_KINDS = ['anonymous', 'account', 'account-deleted'] as const

/** Tombstones of withdrawals (no personal data): a recording pointing at one is withdrawn. Written by the host only. */
const withdrawals = (): CollectionConfig => ({
  slug: 'withdrawals',
  access: { create: () => false, read: isAdmin, update: () => false, delete: () => false },
  fields: [{ name: 'kind', type: 'select', options: [...WITHDRAWAL_KINDS], required: true }],
  timestamps: true,
})

const transcriptions = (): CollectionConfig => ({
  slug: 'transcriptions',
  access: { create: signedIn, read: ownsOrReviews('author'), update: ownsOrAdmin('author'), delete: isAdmin },
  indexes: [
    { fields: ['item', 'author'], unique: true },
    { fields: ['item', 'clientId'], unique: true },
  ],
  hooks: {
    beforeChange: [
      ({ data, operation, req }) => {
        if (operation === 'create') writeContributor('author', data, req)
        return data
      },
    ],
  },
  fields: [
    { name: 'item', type: 'relationship', relationTo: 'recordings', required: true, index: true, maxDepth: 1 },
    { name: 'language', type: 'relationship', relationTo: 'languages', required: true, maxDepth: 1 },
    { name: 'text', type: 'textarea', required: true },
    { name: 'author', type: 'relationship', relationTo: 'users', index: true, maxDepth: 0, access: { create: fieldNobody, update: fieldNobody } },
    { name: 'clientId', type: 'text', index: true, access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody } },
  ],
  timestamps: true,
})

/** The core collections preset: `languages`, `sentences`, `recordings`, `transcriptions`, `withdrawals` (see above). */
export const coreCollections = (): CollectionConfig[] => [languages(), sentences(), recordings(), transcriptions(), withdrawals()]

// Helpers a plugin test needs on a host with the core collections (system writes through the Local API).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents of collections the kit's types do not know
type Doc = Record<string, any>

const unique = () => randomBytes(3).toString('hex')

/** A language (a random code unless given). */
export const createLanguage = async (payload: Payload, data: { code?: string; name?: string; nativeName?: string } = {}): Promise<Doc> => {
  const code = data.code ?? `x${unique()}`
  return (await payload.create({ collection: 'languages' as never, data: { code, name: data.name ?? code, nativeName: data.nativeName ?? code } as never })) as Doc
}

/** A sentence of `language`, approved unless said otherwise. */
export const createSentence = async (
  payload: Payload,
  data: { language: number | string | Doc; text?: string; status?: (typeof SENTENCE_STATUSES)[number]; domain?: string; source?: string },
): Promise<Doc> =>
  (await payload.create({
    collection: 'sentences' as never,
    data: { text: data.text ?? `Sentence ${unique()}.`, language: idOf(data.language), status: data.status ?? 'approved', domain: data.domain, source: data.source } as never,
  })) as Doc

export interface UploadRecordingOptions {
  /** The audio (a WAV from `wav()`, or any bytes: the plugins decide what they accept). */
  audio: Buffer | Uint8Array
  language: number | string | Doc
  /** @default 'prompt' */
  mode?: 'prompt' | 'long'
  /** The sentence read (prompt mode). */
  sentence?: number | string | Doc
  /** The script read (long mode). */
  scriptText?: string
  /** Uploads as this user, with their access (`overrideAccess: false`), as a signed-in upload does. */
  user?: TypedUser | Doc
  /** Without `user`: an anonymous contributor's id, written as the host writes it. */
  clientId?: string
  /** The terms version the host's server records for the upload. */
  consentVersion?: string
  /** The account's demographics, as the host's server snapshots them onto the upload. */
  demographicsSnapshot?: Record<string, unknown> | null
  /** The client's file name (the stored name is generated). @default 'take.wav' */
  filename?: string
  /** @default 'audio/wav' */
  mimetype?: string
}

/**
 * Uploads a recording through the Local API with its file, so every hook runs as on a real upload
 * (the audio-processing plugin queues its processing, for one). Returns the created document.
 * With `user`, as that account under its access (`overrideAccess: false`); without, a system write.
 */
export const uploadRecording = async (payload: Payload, options: UploadRecordingOptions): Promise<Doc> => {
  const data = Buffer.from(options.audio)
  return (await payload.create({
    collection: 'recordings' as never,
    data: {
      language: idOf(options.language),
      mode: options.mode ?? 'prompt',
      ...(options.sentence !== undefined ? { sentence: idOf(options.sentence) } : {}),
      ...(options.scriptText !== undefined ? { scriptText: options.scriptText } : {}),
      ...(options.user ? {} : { clientId: options.clientId ?? null }),
    } as never,
    // Written as the host's server writes them (no client may set them), whoever uploads.
    context: { [SERVER_WRITTEN]: { consentVersion: options.consentVersion ?? null, demographicsSnapshot: options.demographicsSnapshot ?? null } },
    file: { data, mimetype: options.mimetype ?? 'audio/wav', name: options.filename ?? 'take.wav', size: data.length },
    ...(options.user ? { user: options.user as TypedUser, overrideAccess: false } : {}),
  })) as Doc
}

export interface TestUser {
  id: number
  email: string
  password: string
  /** The account, for `user:` in Local API calls. */
  user: Doc
  /** `Authorization` for requests through `host.fetch`. */
  headers: Record<string, string>
}

/** An account with `role` (the kit's `users`), logged in. */
export const createTestUser = async (payload: Payload, role: Role = 'contributor', label: string = role): Promise<TestUser> => {
  const email = `${label}-${unique()}@kit.test`
  const password = `pw-${randomBytes(8).toString('hex')}`
  const user = (await payload.create({ collection: 'users' as never, data: { email, password, roles: [role] } as never })) as Doc
  const { token } = await payload.login({ collection: 'users' as never, data: { email, password } })
  if (!token) throw new Error(`createTestUser: could not log ${email} in.`)
  return { id: Number(user.id), email, password, user: { ...user, collection: 'users' }, headers: { Authorization: `JWT ${token}` } }
}
