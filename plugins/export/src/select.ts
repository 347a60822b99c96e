import type { Doc } from './doc'

import { getDecisionSource, getSegmentSource, idOf, UNDECIDED } from '@shrutik/plugin-sdk'
import type { Payload, Where } from 'payload'

import { EMPTY_DEMOGRAPHICS, type Demographics, type ExportClip } from './core'
import type { SanitizedExportOptions } from './options'

/** What to export, as the admin form and the CLI give it. */
export interface ExportRequest {
  /** Language code (BCP-47), e.g. `bn`. */
  language: string
  format: string
  /** `accepted`: validated clips only; `all`: also rejected (invalidated.tsv) and undecided (other.tsv). @default 'accepted' */
  include?: 'accepted' | 'all'
  minConfidence?: number
  /** Recordings made on or after / before this (ISO date). */
  from?: string
  to?: string
  /** Only prompt sentences of these domains. */
  domains?: string[]
  minDurationMs?: number
  maxDurationMs?: number
  audio?: 'flac' | 'wav' | 'opus' | 'copy'
  sampleRate?: number
  seed?: number
  /** One speaker (a public speaker id), e.g. for LJSpeech. */
  speaker?: string
  /** Keep sentences in one split. @default true */
  sentenceDisjoint?: boolean
}

export interface Selection {
  /** The clips, when no `onClips` took them batch by batch. */
  clips: ExportClip[]
  /** How many clips were selected. */
  selected: number
  /** Clips left out because `withdrawnRecordings` said their recording's consent was withdrawn. */
  withdrawn: number
  language: { id: number; code: string; name: string }
}


const GENDERS = new Set(['female', 'male', 'non-binary', 'other'])

/** The recording's opt-in snapshot, mapped to Common Voice's columns ('prefer-not-to-say' is no answer). */
const demographicsOf = (snapshot: unknown): Demographics => {
  if (!snapshot || typeof snapshot !== 'object') return EMPTY_DEMOGRAPHICS
  const value = snapshot as Record<string, unknown>
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string).trim() : '')
  return { age: text('ageBand'), gender: GENDERS.has(text('gender')) ? text('gender') : '', accents: text('accent'), variant: text('variant') }
}

/**
 * Documents of another collection, only the named (documented, stored) fields: a system read
 * through the database adapter. A system read has no access to check and the fields read have no
 * read hooks, and skipping the Local API's per-document work makes a batch 2–3× faster.
 */
const readDocs = async (payload: Payload, collection: string, where: Where, select: Record<string, true>, options: { sort?: string; limit?: number } = {}): Promise<Doc[]> =>
  (
    (await payload.db.find({
      collection,
      where,
      select,
      sort: options.sort,
      limit: options.limit ?? 0,
      pagination: false,
    } as never)) as { docs: Doc[] }
  ).docs

/** Every matching document, only the named fields. */
const findAll = (payload: Payload, collection: string, where: Where, fields: string[]): Promise<Doc[]> =>
  readDocs(payload, collection, where, Object.fromEntries(fields.map((field) => [field, true])))

const byId = (docs: Doc[]) => new Map(docs.map((doc) => [Number(doc.id), doc]))

export class NothingToExportError extends Error {
  override name = 'NothingToExportError'
}

/**
 * THE selection of every export (jobs and CLI): segments of ready recordings in the language whose
 * consensus status is included, filtered, minus recordings whose consent was withdrawn (the
 * `withdrawnRecordings` option, asked once per batch). Streams segments in id order, `batchSize`
 * at a time, through the database adapter on the audio plugin's documented fields, with each
 * batch's decisions from the consensus plugin's decision source (SDK `getDecisionSource`); system reads.
 */
export const selectClips = async (
  payload: Payload,
  settings: SanitizedExportOptions,
  request: ExportRequest,
  {
    batchSize = 1000,
    onBatch,
    onClips,
  }: {
    batchSize?: number
    onBatch?: (selected: number) => void | Promise<void>
    /** Takes each batch as it is selected (then nothing is kept in memory, and `clips` stays empty). */
    onClips?: (clips: ExportClip[]) => Promise<void>
  } = {},
): Promise<Selection> => {
  // System read (default overrideAccess) from a job or the CLI; languages are public.
  const languages = await payload.find({ collection: settings.languagesSlug as 'languages', where: { code: { equals: request.language } }, limit: 1, depth: 0 })
  const language = languages.docs[0] as Doc | undefined
  if (!language) throw new NothingToExportError(`There is no language with the code "${request.language}".`)
  // The segment source (the audio-processing plugin) says where each clip's audio is.
  const source = getSegmentSource(payload.config)
  if (!source || !payload.collections[settings.segmentsSlug as 'segments']) {
    throw new NothingToExportError('There are no clips: this installation has no audio-processing plugin, which cuts recordings into clips.')
  }
  const audioKey = (file: string): string => {
    const key = source.audioKey(file)
    if (!key) throw new Error(`The audio-processing plugin does not know the file "${file}".`)
    return key
  }
  // Without the consensus plugin nothing is decided: every clip is unvalidated (status `pending`, no votes).
  const decisions = getDecisionSource(payload.config)
  const judged = decisions !== undefined
  if (!judged && (request.include ?? 'accepted') !== 'all') {
    throw new NothingToExportError('No clip is validated: this installation has no consensus plugin. Ask for include "all" to export every clip as unvalidated.')
  }
  if (!judged && request.minConfidence !== undefined) {
    throw new NothingToExportError('No clip has a confidence: this installation has no consensus plugin. Leave out the minimum confidence.')
  }
  const statuses = new Set<string>(request.include === 'all' ? ['accepted', 'rejected', 'needs-review', 'pending'] : ['accepted'])
  const from = request.from ? new Date(request.from).getTime() : undefined
  const to = request.to ? new Date(request.to).getTime() : undefined
  const domains = request.domains?.length ? new Set(request.domains) : undefined
  const clips: ExportClip[] = []
  let selected = 0
  let withdrawn = 0
  // System read: the export job and the CLI act for an admin who asked for the whole language.
  const fetchSegments = async (afterId: number): Promise<Doc[]> => {
    const conditions: Where[] = [
      { id: { greater_than: afterId } },
      { 'recording.language': { equals: language.id } },
    ]
    if (request.minDurationMs !== undefined) conditions.push({ durationMs: { greater_than_equal: request.minDurationMs } })
    if (request.maxDurationMs !== undefined) conditions.push({ durationMs: { less_than_equal: request.maxDurationMs } })
    return readDocs(
      payload,
      settings.segmentsSlug,
      { and: conditions },
      { recording: true, startMs: true, endMs: true, durationMs: true, file: true, expectedText: true },
      { sort: 'id', limit: batchSize },
    )
  }
  // The next batch is fetched while this one is completed and handed on (two batches at most in memory).
  let next = fetchSegments(0)
  for (;;) {
    const segments = await next
    if (segments.length === 0) break
    const more = segments.length >= batchSize
    next = more ? fetchSegments(Number(segments.at(-1)!.id)) : Promise.resolve([])
    // A failure of the prefetch surfaces when it is awaited.
    next.catch(() => undefined)
    const recordingIds = [...new Set(segments.map((segment) => idOf(segment.recording)!))]
    const segmentIds = segments.map((segment) => Number(segment.id))
    const [recordings, withdrawnIds, decided] = await Promise.all([
      findAll(payload, settings.recordingsSlug, { id: { in: recordingIds } }, ['owner', 'clientId', 'mode', 'sentence', 'consentVersion', 'demographicsSnapshot', 'createdAt', 'audio']).then(byId),
      settings.withdrawnRecordings(recordingIds, payload),
      decisions ? decisions.decisionsOf({ payload, segmentIds }) : Promise.resolve(undefined),
    ])
    const gone = new Set([...withdrawnIds].map(Number))
    const sentenceIds = [...new Set([...recordings.values()].map((recording) => idOf(recording.sentence)).filter((id): id is number => id !== undefined))]
    const sentences = byId(sentenceIds.length ? await findAll(payload, settings.sentencesSlug, { id: { in: sentenceIds } }, ['text', 'domain', 'source']) : [])
    const batchClips: ExportClip[] = []
    for (const segment of segments) {
      const decision = decided?.get(Number(segment.id)) ?? UNDECIDED
      if (!statuses.has(decision.status)) continue
      if (request.minConfidence !== undefined && (decision.confidence === null || decision.confidence < request.minConfidence)) continue
      const recording = recordings.get(idOf(segment.recording)!)
      if (!recording || recording.audio?.status !== 'ready') continue
      if (gone.has(Number(recording.id))) {
        withdrawn++
        continue
      }
      const recordedAt = new Date(recording.createdAt).getTime()
      if ((from !== undefined && recordedAt < from) || (to !== undefined && recordedAt >= to)) continue
      const sentence = sentences.get(idOf(recording.sentence) ?? -1)
      const domain = (sentence?.domain as string | undefined) ?? ''
      if (domains && !domains.has(domain)) continue
      const text = String(decision.agreedText ?? segment.expectedText ?? sentence?.text ?? '')
      const speakerKey = idOf(recording.owner) !== undefined ? `u:${idOf(recording.owner)}` : recording.clientId ? `c:${recording.clientId}` : `r:${recording.id}`
      const archive = recording.audio?.files?.archive as string | undefined
      batchClips.push({
        id: Number(segment.id),
        recordingId: Number(recording.id),
        speakerKey,
        text,
        sentenceId: sentence ? Number(sentence.id) : undefined,
        domain,
        source: (sentence?.source as string | undefined) ?? '',
        status: decision.status,
        confidence: decision.confidence,
        method: decision.method ?? '',
        decidedBy: decision.decidedBy ?? '',
        upVotes: decision.upVotes,
        downVotes: decision.downVotes,
        durationMs: Number(segment.durationMs),
        recordedAt: new Date(recording.createdAt).toISOString(),
        demographics: demographicsOf(recording.demographicsSnapshot),
        consentVersion: (recording.consentVersion as string | undefined) ?? '',
        locale: String(language.code),
        audio: {
          archive: archive ? audioKey(archive) : undefined,
          segmentFile: audioKey(String(segment.file)),
          startMs: Number(segment.startMs),
          endMs: Number(segment.endMs),
          wholeRecording: recording.mode !== 'long',
        },
      })
    }
    selected += batchClips.length
    if (onClips) await onClips(batchClips)
    else clips.push(...batchClips)
    await onBatch?.(selected)
    if (!more) break
  }
  return { clips, selected, withdrawn, language: { id: Number(language.id), code: String(language.code), name: String(language.name ?? language.code) } }
}

/** Reasons that make a skip a report (a plain `skip` is not one). */
const NOT_A_REPORT = 'skip'

/**
 * Sentences of the language that contributors reported (skips with a reason), streamed by id a
 * batch at a time: the sentence's text and the reason, never who reported it. Reads the
 * `reportsSlug` collection's documented fields (`sentence`, `reason`); nothing when the host has
 * no such collection.
 */
export const selectReports = async (
  payload: Payload,
  settings: SanitizedExportOptions,
  language: { id: number; code: string },
  onReports: (reports: { id: number; text: string; reason: string }[]) => Promise<void>,
  batchSize = 1000,
): Promise<void> => {
  if (!payload.collections[settings.reportsSlug as 'sentence-skips']) return
  let lastId = 0
  for (;;) {
    // System read: reports are exported without their authors.
    const batch = await readDocs(
      payload,
      settings.reportsSlug,
      { and: [{ id: { greater_than: lastId } }, { reason: { not_equals: NOT_A_REPORT } }, { 'sentence.language': { equals: language.id } }] },
      { sentence: true, reason: true },
      { sort: 'id', limit: batchSize },
    )
    if (batch.length === 0) return
    lastId = Number(batch.at(-1)!.id)
    const sentenceIds = [...new Set(batch.map((report) => idOf(report.sentence)).filter((id): id is number => id !== undefined))]
    const sentences = byId(sentenceIds.length ? await findAll(payload, settings.sentencesSlug, { id: { in: sentenceIds } }, ['text']) : [])
    await onReports(
      batch.flatMap((report) => {
        const sentence = sentences.get(idOf(report.sentence) ?? -1)
        return sentence ? [{ id: Number(report.id), text: String(sentence.text), reason: String(report.reason) }] : []
      }),
    )
    if (batch.length < batchSize) return
  }
}
