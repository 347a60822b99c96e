import { folderOf, getFileStore, getJobQueue, hasRole, joinKey, mediaTypeOf, registerCommands, registerJobs, registerMigrations, registerSegmentSource, serveStoredFile } from '@shrutik/plugin-sdk'
import { APIError, type Access, type CollectionAfterChangeHook, type CollectionAfterDeleteHook, type CollectionBeforeDeleteHook, type CollectionConfig, type Config, type Endpoint, type Field, type Where } from 'payload'

import { inspectCommand, segmentCommand } from './cli'
import { createProcessRecordingJob, PROCESS_RECORDING } from './job'
import { migrations } from './migrations'
import { sanitizeOptions, type AudioProcessingOptions, type SanitizedAudioOptions } from './options'

export const AUDIO_STATUSES = ['pending', 'processing', 'ready', 'rejected', 'failed'] as const

const readOnly = { create: () => false, update: () => false }

/** Admin UI on a recording: status, checks, waveform and player in the sidebar; segments below. */
const adminPanels: Field[] = [
  { name: 'audioPanel', type: 'ui', admin: { position: 'sidebar', components: { Field: '@shrutik/plugin-audio-processing/admin#AudioPanel' } } },
  { name: 'audioSegments', type: 'ui', admin: { components: { Field: '@shrutik/plugin-audio-processing/admin#SegmentsList' } } },
]

/** The `audio` group added to recordings: written by the processing job only. */
const audioGroup: Field = {
  name: 'audio',
  type: 'group',
  label: 'Audio processing',
  access: readOnly,
  // Shown by the audio panel; the raw group stays available under "Processing details".
  admin: { readOnly: true, position: 'sidebar', description: 'Processing details (written by the audio-processing job).' },
  fields: [
    { name: 'status', type: 'select', options: [...AUDIO_STATUSES], defaultValue: 'pending', index: true },
    { name: 'failureReason', type: 'text' },
    { name: 'durationMs', type: 'number' },
    { name: 'sampleRate', type: 'number' },
    { name: 'channels', type: 'number' },
    { name: 'codec', type: 'text' },
    { name: 'container', type: 'text' },
    { name: 'loudnessLufs', type: 'number' },
    { name: 'checks', type: 'json', admin: { components: { Field: '@shrutik/plugin-sdk/admin#ReadOnlyJson' } } },
    {
      name: 'files',
      type: 'group',
      fields: [
        { name: 'archive', type: 'text' },
        { name: 'playback', type: 'text' },
        { name: 'waveform', type: 'text' },
      ],
    },
    { name: 'processedAt', type: 'date' },
  ],
}

/** A recording's access rule, applied to its segments: a Where on recordings becomes one on `recording.*`. */
const throughRecording =
  (rule: Access | undefined, fallback: boolean): Access =>
  async (args) => {
    const result = rule ? await rule(args) : fallback
    return typeof result === 'boolean' ? result : prefixWhere(result, 'recording')
  }

const prefixWhere = (where: Where, prefix: string): Where =>
  Object.fromEntries(
    Object.entries(where).map(([key, value]) =>
      key === 'and' || key === 'or' ? [key, (value as Where[]).map((inner) => prefixWhere(inner, prefix))] : [`${prefix}.${key}`, value],
    ),
  )

const segmentsCollection = (settings: SanitizedAudioOptions, recordings: CollectionConfig | undefined): CollectionConfig => ({
  slug: settings.segmentsSlug,
  admin: { useAsTitle: 'file', defaultColumns: ['recording', 'index', 'durationMs', 'expectedText'], group: 'Contributions' },
  // Whoever may read a recording may read its segments; only the processing job writes them.
  access: {
    read: throughRecording(recordings?.access?.read, false),
    create: () => false,
    update: () => false,
    delete: throughRecording(recordings?.access?.delete, false),
  },
  indexes: [{ fields: ['recording', 'index'], unique: true }],
  hooks: {
    // Whatever refers to a segment goes with it. Other plugins (votes) add their own hook here.
    beforeDelete: [deleteTranscriptionsOf(settings)],
  },
  fields: [
    { name: 'recording', type: 'relationship', relationTo: settings.recordingsSlug as 'recordings', required: true, index: true, maxDepth: 0 },
    { name: 'index', type: 'number', required: true, min: 0 },
    { name: 'startMs', type: 'number', required: true },
    { name: 'endMs', type: 'number', required: true },
    { name: 'durationMs', type: 'number', required: true, index: true },
    { name: 'file', type: 'text', required: true, admin: { description: 'Playback audio, under the processed-media folder.' } },
    { name: 'expectedText', type: 'textarea', admin: { description: 'The sentence read, for prompt recordings.' } },
  ],
  timestamps: true,
})

/** The file store key of a processed file named by the read API (`<recording>/<run>/<name>`), or undefined for any other name. */
const segmentAudioKey = (settings: SanitizedAudioOptions, file: string): string | undefined => {
  if (!/^\d+\/[0-9a-f-]{36}\/[a-z0-9-]+\.[a-z0-9]+$/.test(file)) return undefined
  return joinKey(settings.processedFolder, file)
}

/** New or replaced audio is queued for processing, in the upload's own transaction. */
const enqueueProcessing: CollectionAfterChangeHook = async ({ doc, previousDoc, operation, req, context }) => {
  if (context?.audioProcessing) return doc
  const fileChanged = operation === 'create' || (previousDoc && previousDoc.filename !== doc.filename)
  if (!fileChanged || !doc.filename) return doc
  await getJobQueue(req.payload).enqueue(PROCESS_RECORDING, { recordingId: Number(doc.id) }, { req, dedupeKey: `recording-${doc.id}` })
  return doc
}

const deleteTranscriptionsOf =
  (settings: SanitizedAudioOptions): CollectionBeforeDeleteHook =>
  async ({ id, req }) => {
    // System cleanup inside the delete's transaction.
    await req.payload.delete({ collection: settings.transcriptionsSlug as 'transcriptions', where: { item: { equals: id } }, req })
  }

/** Core transcriptions are "of an item"; with this plugin the item is a segment. */
const pointTranscriptionsAtSegments = (collection: CollectionConfig, settings: SanitizedAudioOptions): CollectionConfig => ({
  ...collection,
  fields: collection.fields.map((field) =>
    'name' in field && field.name === 'item' && field.type === 'relationship' ? ({ ...field, relationTo: settings.segmentsSlug } as Field) : field,
  ),
})

const deleteSegments =
  (settings: SanitizedAudioOptions): CollectionBeforeDeleteHook =>
  async ({ id, req }) => {
    // System cleanup inside the delete's transaction: the recording's own segments.
    await req.payload.delete({ collection: settings.segmentsSlug as 'segments', where: { recording: { equals: id } }, req })
  }

const deleteProcessedFiles =
  (settings: SanitizedAudioOptions): CollectionAfterDeleteHook =>
  async ({ id, req }) => {
    await getFileStore(req.payload).deletePrefix(joinKey(settings.processedFolder, String(id)))
  }

const endpoints = (settings: SanitizedAudioOptions): Endpoint[] => [
  {
    // Admins re-run processing (after changing thresholds, or for a failed recording).
    path: '/audio-processing/recordings/:id/reprocess',
    method: 'post',
    handler: async (req) => {
      if (!req.user) throw new APIError('Sign in as an admin to reprocess recordings.', 401, undefined, true)
      if (!hasRole(req.user, 'admin')) throw new APIError('Only admins can reprocess recordings.', 403, undefined, true)
      const id = Number(req.routeParams?.id)
      if (!Number.isInteger(id)) throw new APIError('The recording id must be a number.', 400, undefined, true)
      const recording = await req.payload.findByID({ collection: settings.recordingsSlug as 'recordings', id, depth: 0, user: req.user, overrideAccess: false }).catch(() => null)
      if (!recording) throw new APIError(`Recording ${id} does not exist.`, 404, undefined, true)
      // Judged segments whose spans change are deleted only with `confirmDeleteJudgments` (the number
      // of judgments the admin agrees to lose); without it such a run keeps everything and says how many.
      const body = ((await req.json?.().catch(() => undefined)) ?? {}) as { confirmDeleteJudgments?: unknown }
      const confirm = body.confirmDeleteJudgments
      if (confirm !== undefined && !(Number.isInteger(confirm) && (confirm as number) >= 0)) {
        throw new APIError('confirmDeleteJudgments must be the number of judgments you agree to delete (a whole number ≥ 0).', 400, undefined, true)
      }
      const data = confirm === undefined ? { recordingId: id } : { recordingId: id, confirmDeleteJudgments: confirm as number }
      const queued = await getJobQueue(req.payload).enqueue(PROCESS_RECORDING, data, { dedupeKey: confirm === undefined ? `recording-${id}` : `recording-${id}-confirm-${String(confirm)}` })
      return Response.json({ ok: true, jobId: queued.jobId, alreadyQueued: queued.deduplicated })
    },
  },
  {
    // Processed files, for whoever may read the recording they belong to.
    path: '/audio-processing/files/:recordingId/:run/:name',
    method: 'get',
    handler: async (req) => {
      const { recordingId, run, name } = (req.routeParams ?? {}) as Record<string, string>
      if (!/^\d+$/.test(recordingId) || !/^[0-9a-f-]{36}$/.test(run) || !/^[a-z0-9-]+\.(flac|ogg|mp3|png)$/.test(name)) {
        throw new APIError('No such file.', 404, undefined, true)
      }
      const recording = await req.payload
        .findByID({ collection: settings.recordingsSlug as 'recordings', id: Number(recordingId), depth: 0, user: req.user, overrideAccess: false })
        .catch(() => null)
      if (!recording) throw new APIError('No such file.', 404, undefined, true)
      // Streamed from the media store, with byte ranges: an archive copy can be tens of megabytes.
      return serveStoredFile(getFileStore(req.payload), joinKey(settings.processedFolder, recordingId, run, name), {
        range: req.headers.get('range'),
        contentType: mediaTypeOf(name),
        headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, max-age=3600' },
        notFound: () => Response.json({ errors: [{ message: 'No such file.' }] }, { status: 404 }),
      })
    },
  },
]

/**
 * `audioProcessingPlugin(options)`: adds the `segments` collection and the `audio` group on
 * recordings, queues processing for new or replaced files, registers the processing job and the
 * admin reprocess endpoint. With `enabled: false` only the schema is added.
 */
export const audioProcessingPlugin =
  (options: AudioProcessingOptions) =>
  (config: Config): Config => {
    const settings = sanitizeOptions(options)
    const collections = config.collections ?? []
    const recordings = collections.find((collection) => collection.slug === settings.recordingsSlug)
    if (!recordings) throw new Error(`audioProcessingPlugin: no "${settings.recordingsSlug}" collection to process.`)
    const withSchema: Config = {
      ...config,
      collections: [
        ...collections.map((collection) =>
          collection.slug === settings.transcriptionsSlug
            ? pointTranscriptionsAtSegments(collection, settings)
            : collection.slug !== settings.recordingsSlug
            ? collection
            : {
                ...collection,
                fields: [...collection.fields, audioGroup, ...adminPanels],
                hooks: {
                  ...collection.hooks,
                  // Segments and processed files go with their recording (schema-level: always on).
                  beforeDelete: [...(collection.hooks?.beforeDelete ?? []), deleteSegments(settings)],
                  afterDelete: [...(collection.hooks?.afterDelete ?? []), deleteProcessedFiles(settings)],
                  afterChange: [...(collection.hooks?.afterChange ?? []), ...(settings.enabled ? [enqueueProcessing] : [])],
                },
              },
        ),
        segmentsCollection(settings, recordings),
      ],
    }
    // Its schema (segments, the `audio` group on recordings) is created and changed by its own migrations.
    const withMigrations = registerMigrations(withSchema, {
      plugin: 'audio-processing',
      migrations,
      owns: { collections: [settings.segmentsSlug], fields: { [settings.recordingsSlug]: ['audio'] } },
      directory: folderOf(import.meta.url, 'migrations'),
    })
    // Where a segment's audio lives, for the plugins that judge and export segments (schema-level: the files exist either way).
    const withSource = registerSegmentSource(withMigrations, { plugin: 'audio-processing', audioKey: (file) => segmentAudioKey(settings, file) })
    // `shrutik audio inspect|segment`: the checks and the cutter on a file, offline.
    const withCommands = registerCommands(withSource, 'audio', [inspectCommand, segmentCommand])
    if (!settings.enabled) return withCommands
    return registerJobs({ ...withCommands, endpoints: [...(withCommands.endpoints ?? []), ...endpoints(settings)] }, [createProcessRecordingJob(settings)])
  }
