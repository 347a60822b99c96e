import type { Doc } from './doc'
import fs from 'node:fs'

import { getJobQueue, idOf } from '@shrutik/plugin-sdk'
import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, CollectionBeforeChangeHook, CollectionConfig, Field, Payload } from 'payload'

import { adminsOnly, exportersOnly, nobody } from './access'
import { BUILD_DATASET } from './jobNames'
import { DOWNLOADS, EXPORTS, type SanitizedExportOptions } from './options'
import { freshSalt, type ExportRequest } from './run'
import { deletePlan } from './planStore'
import { publishedDirOf, removeWorkDirs } from './workDir'

export const EXPORT_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export const SCHEDULES = ['none', 'daily', 'weekly'] as const

/** Written by the export jobs only. */
const systemOnly = { create: nobody, update: nobody }
/** Never leaves the server, not even to admins. */
const hidden = { read: nobody, create: nobody, update: nobody }

/** The export request a document describes (the language as its code). */
export const requestOf = async (payload: Payload, settings: SanitizedExportOptions, doc: Doc): Promise<ExportRequest> => {
  // The language's code as it was when the export was made: a deleted language leaves it (and the selection then finds nothing).
  const languageId = idOf(doc.language)
  // System read (default overrideAccess): languages are public, and jobs call this too.
  const language = languageId !== undefined ? ((await payload.findByID({ collection: settings.languagesSlug as 'languages', id: languageId, depth: 0 }).catch(() => null)) as Doc | null) : null
  const code = language?.code ?? doc.languageCode
  if (!code) throw new Error(`Export ${doc.id} has no language.`)
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
  return {
    language: String(code),
    format: doc.format,
    include: doc.include ?? 'accepted',
    minConfidence: number(doc.minConfidence),
    from: doc.recordedFrom ?? undefined,
    to: doc.recordedBefore ?? undefined,
    domains: typeof doc.domains === 'string' && doc.domains.trim() ? doc.domains.split(',').map((domain: string) => domain.trim()).filter(Boolean) : undefined,
    minDurationMs: number(doc.minDurationMs),
    maxDurationMs: number(doc.maxDurationMs),
    audio: doc.audio || undefined,
    sampleRate: number(doc.sampleRate),
    seed: number(doc.seed) ?? 0,
    speaker: doc.speaker || undefined,
    sentenceDisjoint: doc.sentenceDisjoint ?? true,
  }
}

/** The language's code is kept on the export, so an export outlives its language (the relation is then empty). */
const snapshotLanguageCode =
  (settings: SanitizedExportOptions): CollectionBeforeChangeHook =>
  async ({ data, originalDoc, req }) => {
    const languageId = idOf(data.language)
    if (languageId === undefined || languageId === idOf(originalDoc?.language)) return data
    // System read of the language the caller picked (the relationship itself was access-checked).
    // Languages are public; the hook only copies the code (system read, default overrideAccess).
    const language = (await req.payload.findByID({ collection: settings.languagesSlug as 'languages', id: languageId, depth: 0, req }).catch(() => null)) as Doc | null
    if (language) data.languageCode = language.code
    return data
  }

const prepare: CollectionBeforeChangeHook = ({ data, operation, req }) => {
  if (operation !== 'create') return data
  data.requestedBy = req.user ? req.user.id : null
  data.status = 'queued'
  // A rotated salt is kept with the export (never shown), so re-running it gives the same ids.
  data.salt = data.rotateSalt ? freshSalt() : null
  if (data.schedule && data.schedule !== 'none') data.nextRunAt = new Date().toISOString()
  return data
}

/** A new export is queued in its own transaction; a scheduled one is a template the schedule job copies. */
const enqueueBuild: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create' || (doc.schedule && doc.schedule !== 'none')) return doc
  await getJobQueue(req.payload).enqueue(BUILD_DATASET, { exportId: Number(doc.id) }, { req, dedupeKey: `export-${doc.id}` })
  return doc
}

const removeFiles =
  (settings: SanitizedExportOptions): CollectionAfterDeleteHook =>
  async ({ id, req }) => {
    await fs.promises.rm(publishedDirOf(settings, Number(id)), { recursive: true, force: true })
    await removeWorkDirs(settings, Number(id))
    await deletePlan(req.payload, { exportId: Number(id) })
  }

const progressPanel: Field = {
  name: 'exportProgress',
  type: 'ui',
  admin: { position: 'sidebar', components: { Field: '@shrutik/plugin-export/admin#ExportProgress' } },
}

export const exportsCollection = (settings: SanitizedExportOptions): CollectionConfig => ({
  slug: EXPORTS,
  labels: { singular: 'Dataset export', plural: 'Dataset exports' },
  admin: { useAsTitle: 'format', defaultColumns: ['id', 'language', 'format', 'status', 'clipsDone', 'createdAt'], group: 'Datasets' },
  access: { create: exportersOnly, read: exportersOnly, update: exportersOnly, delete: exportersOnly },
  hooks: settings.enabled
    ? { beforeChange: [prepare, snapshotLanguageCode(settings)], afterChange: [enqueueBuild], afterDelete: [removeFiles(settings)] }
    : { beforeChange: [prepare, snapshotLanguageCode(settings)] },
  fields: [
    {
      name: 'language',
      type: 'relationship',
      relationTo: settings.languagesSlug as 'languages',
      maxDepth: 0,
      // Required when an export is made; empty later if the language is deleted (ON DELETE SET NULL), when `languageCode` still says which it was.
      validate: (value: unknown, { operation }: { operation?: string }) => (operation === 'create' && (value === null || value === undefined || value === '') ? 'Choose a language.' : true),
      admin: { description: 'Empty when the language was deleted after this export; see the language code.' },
    },
    { name: 'languageCode', type: 'text', access: systemOnly, admin: { readOnly: true, description: 'The language code when the export was made.' } },
    { name: 'format', type: 'select', required: true, defaultValue: 'cv', options: [...settings.formats.values()].map((format) => ({ label: `${format.name} — ${format.description}`, value: format.name })) },
    {
      name: 'include',
      type: 'select',
      defaultValue: 'accepted',
      options: [
        { label: 'Accepted clips', value: 'accepted' },
        { label: 'All (also rejected → invalidated, needs-review/pending → other)', value: 'all' },
      ],
    },
    { name: 'minConfidence', type: 'number', min: 0, max: 1, admin: { description: 'Leave empty for every accepted clip.' } },
    { name: 'recordedFrom', type: 'date' },
    { name: 'recordedBefore', type: 'date' },
    { name: 'domains', type: 'text', admin: { description: 'Sentence domains, comma-separated (empty: all).' } },
    { name: 'minDurationMs', type: 'number', min: 0 },
    { name: 'maxDurationMs', type: 'number', min: 0 },
    {
      name: 'audio',
      type: 'select',
      options: [
        { label: 'FLAC (lossless)', value: 'flac' },
        { label: 'WAV (PCM 16-bit)', value: 'wav' },
        { label: 'Opus', value: 'opus' },
        { label: 'Original bytes (copy)', value: 'copy' },
      ],
      admin: { description: "Empty: the format's default (FLAC 16 kHz; WAV for Kaldi and LJSpeech)." },
    },
    { name: 'sampleRate', type: 'number', min: 8000, max: 48_000, admin: { description: 'Hz, empty for 16000.' } },
    { name: 'speaker', type: 'text', admin: { description: 'One speaker id (as in an earlier export), e.g. for LJSpeech.' } },
    { name: 'sentenceDisjoint', type: 'checkbox', defaultValue: true, label: 'Keep each sentence in one split' },
    { name: 'seed', type: 'number', required: true, defaultValue: 0, admin: { description: 'Same data and seed give the same splits and a byte-identical archive.' } },
    { name: 'rotateSalt', type: 'checkbox', defaultValue: false, label: 'Fresh speaker ids (not linkable to other exports)' },
    { name: 'schedule', type: 'select', defaultValue: 'none', options: [...SCHEDULES], admin: { description: 'daily/weekly: this entry is a template; a new export is made on that schedule.' } },
    { name: 'nextRunAt', type: 'date', access: systemOnly, admin: { readOnly: true, condition: (data) => data?.schedule && data.schedule !== 'none' } },
    { name: 'scheduledFrom', type: 'relationship', relationTo: EXPORTS as 'dataset-exports', access: systemOnly, maxDepth: 0, admin: { readOnly: true } },
    { name: 'status', type: 'select', options: [...EXPORT_STATUSES], defaultValue: 'queued', index: true, access: systemOnly, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'phase', type: 'text', access: systemOnly, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'clipsDone', type: 'number', defaultValue: 0, access: systemOnly, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'clipsTotal', type: 'number', defaultValue: 0, access: systemOnly, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'shardsTotal', type: 'number', defaultValue: 0, access: systemOnly, admin: { readOnly: true, hidden: true } },
    { name: 'doneShards', type: 'json', access: hidden, admin: { hidden: true } },
    { name: 'shardProgress', type: 'json', access: hidden, admin: { hidden: true } },
    { name: 'runId', type: 'text', access: hidden, admin: { hidden: true } },
    { name: 'salt', type: 'text', access: hidden, admin: { hidden: true } },
    { name: 'error', type: 'textarea', access: systemOnly, admin: { readOnly: true } },
    { name: 'archiveFile', type: 'text', access: systemOnly, admin: { readOnly: true } },
    { name: 'archiveBytes', type: 'number', access: systemOnly, admin: { readOnly: true } },
    { name: 'sha256', type: 'text', access: systemOnly, admin: { readOnly: true } },
    { name: 'summary', type: 'json', access: systemOnly, admin: { readOnly: true, components: { Field: '@shrutik/plugin-sdk/admin#ReadOnlyJson' } } },
    { name: 'datasheet', type: 'textarea', access: systemOnly, admin: { readOnly: true } },
    { name: 'requestedBy', type: 'relationship', relationTo: settings.usersSlug as 'users', access: systemOnly, maxDepth: 0, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'finishedAt', type: 'date', access: systemOnly, admin: { readOnly: true, position: 'sidebar' } },
    progressPanel,
  ],
  timestamps: true,
})

/** Who downloaded which export, when (written by the download endpoint; admins read it). */
export const downloadsCollection = (settings: SanitizedExportOptions): CollectionConfig => ({
  slug: DOWNLOADS,
  labels: { singular: 'Export download', plural: 'Export downloads' },
  admin: { defaultColumns: ['export', 'user', 'range', 'createdAt'], group: 'Datasets' },
  access: { read: adminsOnly, create: nobody, update: nobody, delete: nobody },
  fields: [
    { name: 'export', type: 'relationship', relationTo: EXPORTS as 'dataset-exports', index: true, maxDepth: 0 },
    { name: 'user', type: 'relationship', relationTo: settings.usersSlug as 'users', maxDepth: 0 },
    { name: 'range', type: 'text', admin: { description: 'The byte range asked for, if any.' } },
  ],
  timestamps: true,
})
