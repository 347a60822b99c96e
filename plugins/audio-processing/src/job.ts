import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { emit, getFileStore, getJudgmentCounters, idOf, joinKey, PermanentJobError, type FileStore, type JobDefinition } from '@shrutik/plugin-sdk'
import { commitTransaction, createLocalReq, initTransaction, killTransaction, type Payload } from 'payload'

import { findPauses, planSegments, type Span } from './core'
import { cutSegments } from './ffmpeg'
import { assessFile } from './inspect'
import type { SanitizedAudioOptions } from './options'
import { renderWaveform } from './waveform'

export const PROCESS_RECORDING = 'audio-processing.process-recording'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'audio-processing.process-recording': {
      recordingId: number
      /**
       * An admin's confirmation that this run may delete judged segments (whose spans changed),
       * taking up to this many judgments with them. Without it such a run changes nothing.
       */
      confirmDeleteJudgments?: number
    }
  }
}

/** Advisory-lock namespace of "one processing run per recording" (any constant; 'AP'). */
const RECORDING_LOCK_CLASS = 0x4150

/**
 * Runs `work` holding a PostgreSQL advisory lock on the recording, so two runs of one recording
 * (a reprocess while a run is going, a lock taken over from a stalled worker) never overlap: the
 * second waits, then re-reads the state the first committed. The lock is a session lock on a
 * connection held for the run, so it goes with a crashed process.
 */
const withRecordingLock = async <T>(
  payload: Payload,
  recordingId: number,
  { signal, touch }: { signal: AbortSignal; touch: () => Promise<void> },
  work: () => Promise<T>,
): Promise<T> => {
  const client = await (payload.db as unknown as PostgresAdapter).pool.connect()
  let locked = false
  try {
    for (let waited = 0; ; waited++) {
      const result = await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [RECORDING_LOCK_CLASS, recordingId])
      if (result.rows[0]?.locked) break
      if (signal.aborted) throw signal.reason as Error
      // Waiting counts as being alive: keep the job's own lock.
      if (waited % 20 === 19) await touch()
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    locked = true
    return await work()
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [RECORDING_LOCK_CLASS, recordingId]).catch(() => undefined)
    client.release()
  }
}

type Doc = Record<string, unknown> & { id: number | string }

const CONTENT_TYPES: Record<string, string> = { flac: 'audio/flac', ogg: 'audio/ogg', mp3: 'audio/mpeg', png: 'image/png' }

/** The last lines of an ffmpeg log: enough to diagnose, small enough for the job record. */
const tail = (stderr: string, lines = 12) => stderr.trim().split('\n').slice(-lines).join('\n')


/** Removes a recording's processed runs other than `keep` (older runs, or a run that crashed while storing). */
const removeOtherRuns = async (store: FileStore, recordingFolder: string, keep?: string) => {
  const runs = new Set<string>()
  for await (const file of store.list(`${recordingFolder}/`)) runs.add(file.key.slice(recordingFolder.length + 1).split('/')[0])
  runs.delete(keep ?? '')
  for (const run of runs) await store.deletePrefix(joinKey(recordingFolder, run))
}

/**
 * Processes one recording: assess (checks), transcode archive + playback copies, draw the
 * waveform, cut segments — all into a fresh folder — then swap the database state in one
 * transaction and only then delete the previous run's files. A crash anywhere before the commit
 * leaves the previous state (rows and files) intact; a re-run replaces, never duplicates.
 * Runs as the system: Local API calls below do not act for a user.
 */
export const createProcessRecordingJob = (settings: SanitizedAudioOptions): JobDefinition<typeof PROCESS_RECORDING> => ({
  name: PROCESS_RECORDING,
  concurrency: settings.concurrency,
  retries: 2,
  backoffMs: 5000,
  timeoutMs: settings.timeoutMs,
  lockLifetimeMs: 2 * 60_000,
  validate: (data) => {
    const { recordingId, confirmDeleteJudgments } = (data ?? {}) as { recordingId?: unknown; confirmDeleteJudgments?: unknown }
    if (!Number.isInteger(recordingId)) return 'recordingId must be an integer'
    if (confirmDeleteJudgments !== undefined && !(Number.isInteger(confirmDeleteJudgments) && (confirmDeleteJudgments as number) >= 0)) {
      return 'confirmDeleteJudgments must be a whole number ≥ 0'
    }
    return undefined
  },
  onFailed: ({ data, payload, error, attempts, log }) => recordFailure(payload, settings, data.recordingId, error, attempts, log),
  handler: ({ data, payload, signal, touch, log }) =>
    withRecordingLock(payload, data.recordingId, { signal, touch: () => touch() }, () => processRecording(settings, { data, payload, signal, touch, log })),
})

type ProcessContext = Parameters<JobDefinition<typeof PROCESS_RECORDING>['handler']>[0]

const processRecording = async (settings: SanitizedAudioOptions, { data, payload, signal, touch, log }: Pick<ProcessContext, 'data' | 'payload' | 'signal' | 'touch' | 'log'>) => {
  // Adapter-level reads and writes for the job's own bookkeeping: the system reads raw rows (no
  // access rules or read hooks apply to it), and the full Local API would cost more CPU than a
  // short clip's transcoding margin allows (bench:audio). Deletions still go through Payload, so
  // every plugin's beforeDelete hook on segments runs.
  const recording = (await payload.db.findOne({ collection: settings.recordingsSlug, where: { id: { equals: data.recordingId } } })) as Doc | null
  if (!recording?.filename) {
    log('recording is gone; nothing to process', { recordingId: data.recordingId })
    return
  }
  // The upload, from the media store (a local file, or a download from S3 for ffmpeg).
  const store = getFileStore(payload)
  const upload = await store.localCopy(joinKey(settings.recordingsFolder, String(recording.filename)))
  try {
    await processUpload(settings, store, recording, upload.path, { data, payload, signal, touch, log })
  } finally {
    await upload.release()
  }
}

const processUpload = async (
  settings: SanitizedAudioOptions,
  store: FileStore,
  recording: Doc,
  input: string,
  { data, payload, signal, touch, log }: Pick<ProcessContext, 'data' | 'payload' | 'signal' | 'touch' | 'log'>,
) => {
  await markProcessing(payload, settings, recording.id)

  // Everything is written to a local work folder first, then stored under a new run folder
  // (`processed/<recording>/<run>/`) before the database points at it.
  const recordingFolder = joinKey(settings.processedFolder, String(recording.id))
  const run = randomUUID()
  const runDir = await store.scratchDir()
  const extension = settings.playbackCodec === 'opus' ? 'ogg' : 'mp3'
  const playbackName = `playback.${extension}`
  let segmentCount: number
  let lastOutput: { tool: string; stderr: string } | undefined
  try {
    // One decoding pass measures the signal for the checks and writes the archive and playback
    // copies; if the checks reject the file, those copies are thrown away with the run folder.
    const { result, analysis } = await assessFile(input, {
      options: settings.checks,
      timeoutMs: settings.timeoutMs,
      signal,
      outputs: [
        { path: path.join(runDir, 'archive.flac'), codec: 'flac' },
        { path: path.join(runDir, playbackName), codec: settings.playbackCodec },
      ],
      normalizeLoudness: settings.normalizeLoudness,
      onStderr: (tool, stderr) => {
        lastOutput = { tool, stderr }
        if (stderr.trim()) log(`${tool} output`, { stderr: tail(stderr) }, 'debug')
      },
    })
    await touch(50)
    const facts = {
      durationMs: result.durationMs ?? null,
      sampleRate: result.sampleRate ?? null,
      channels: result.channels ?? null,
      codec: result.codec ?? null,
      container: result.container ?? null,
      checks: result.checks,
      loudnessLufs: analysis?.integratedLufs ?? null,
      processedAt: new Date().toISOString(),
    }
    if (!result.ok || !analysis) {
      await fs.rm(runDir, { recursive: true, force: true })
      await swap(payload, settings, recording, [], { ...facts, status: 'rejected', failureReason: result.message, files: {} })
      await removeOtherRuns(store, recordingFolder)
      log('recording rejected', { code: result.code })
      return
    }

    const spans: Span[] =
      recording.mode === 'long'
        ? planSegments(analysis.decodedDurationMs, findPauses(analysis.frameLevelsDbfs, analysis.frameMs, settings.segmentation), settings.segmentation)
        : [{ startMs: 0, endMs: analysis.decodedDurationMs }]
    // A prompt recording is its own single segment: it plays the playback copy, no second encode.
    // A long one is cut from the archive copy (cheap to decode) in one more ffmpeg run.
    const names =
      recording.mode === 'long'
        ? (
            await cutSegments(path.join(runDir, 'archive.flac'), spans, runDir, {
              codec: settings.playbackCodec,
              timeoutMs: settings.timeoutMs,
              signal,
              onStderr: (stderr) => {
                lastOutput = { tool: 'ffmpeg', stderr }
                log('ffmpeg segments', { stderr: tail(stderr) }, 'debug')
              },
            })
          ).map((file) => path.basename(file))
        : [playbackName]
    await fs.writeFile(path.join(runDir, 'waveform.png'), await renderWaveform(analysis.peaks))
    await touch(80)
    const expectedText = recording.mode === 'long' ? null : await sentenceText(payload, settings, recording.sentence)
    const segments = spans.map((span, index) => ({
      index,
      startMs: span.startMs,
      endMs: span.endMs,
      durationMs: span.endMs - span.startMs,
      file: `${recording.id}/${run}/${names[index]}`,
      expectedText,
    }))
    const files = {
      archive: `${recording.id}/${run}/archive.flac`,
      playback: `${recording.id}/${run}/${playbackName}`,
      waveform: `${recording.id}/${run}/waveform.png`,
    }
    // Stored (the store's writes are atomic) before the database points at them.
    const written = new Set([...Object.values(files), ...segments.map((segment) => segment.file)].map((key) => key.split('/').pop()!))
    for (const name of written) {
      await store.put(joinKey(recordingFolder, run, name), { path: path.join(runDir, name), move: true }, { contentType: CONTENT_TYPES[name.split('.').pop()!] })
    }
    await touch(90)
    await swap(payload, settings, recording, segments, { ...facts, status: 'ready', failureReason: null, files }, data.confirmDeleteJudgments)
    segmentCount = segments.length
  } catch (error) {
    // A crashed, killed or hung tool: what it said last goes in the log with the failure.
    if (lastOutput) log(`${lastOutput.tool} failed or was stopped`, { recordingId: data.recordingId, error: (error as Error).message, stderr: tail(lastOutput.stderr) || '(no output)' }, 'warn')
    await store.deletePrefix(joinKey(recordingFolder, run)).catch(() => undefined)
    throw error
  } finally {
    await fs.rm(runDir, { recursive: true, force: true })
  }
  // Committed: the previous run's files (and any crashed run's) can go.
  await removeOtherRuns(store, recordingFolder, run)
  log('recording processed', { segments: segmentCount })
}

const sentenceText = async (payload: Payload, settings: SanitizedAudioOptions, ref: unknown): Promise<string | null> => {
  const id = idOf(ref)
  if (id === undefined) return null
  const sentence = (await payload.db.findOne({ collection: settings.sentencesSlug, where: { id: { equals: id } } })) as Doc | null
  return (sentence?.text as string | undefined) ?? null
}

const recordingsTable = (settings: SanitizedAudioOptions) => sql.identifier(settings.recordingsSlug.replace(/-/g, '_'))

/**
 * Flags the recording as being processed: one column, written directly (a full Payload update with
 * its hooks costs more CPU than the rest of a short clip's bookkeeping). System write. A recording
 * with a result (ready or rejected) keeps it while it is reprocessed: it stays served until the new
 * result is committed, and stays as it was if the new run fails.
 */
const markProcessing = async (payload: Payload, settings: SanitizedAudioOptions, id: number | string) => {
  await (payload.db as unknown as PostgresAdapter).drizzle.execute(
    sql`UPDATE ${recordingsTable(settings)} SET audio_status = 'processing'
         WHERE id = ${Number(id)} AND audio_status IS DISTINCT FROM 'ready' AND audio_status IS DISTINCT FROM 'rejected'`,
  )
}

/**
 * The job failed for good. A recording never processed before ends `failed` with the reason; one
 * with a result (a failed *re*process) keeps that result, and the reason is noted beside it.
 * System write.
 */
const recordFailure = async (
  payload: Payload,
  settings: SanitizedAudioOptions,
  id: number,
  error: Error,
  attempts: number,
  log: ProcessContext['log'],
) => {
  const refused = error instanceof PermanentJobError || error.name === 'PermanentJobError'
  const reason = refused ? error.message : `Processing failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error.message}`.slice(0, 2000)
  const result = await (payload.db as unknown as PostgresAdapter).drizzle.execute(
    sql`UPDATE ${recordingsTable(settings)}
           SET audio_status = CASE WHEN audio_status IN ('ready', 'rejected') THEN audio_status ELSE 'failed' END,
               audio_failure_reason = CASE WHEN audio_status IN ('ready', 'rejected')
                                           THEN ${`Reprocessing did not complete; the previous result is kept. ${reason}`}
                                           ELSE ${reason} END
         WHERE id = ${id}
     RETURNING audio_status AS status`,
  )
  const status = (result as unknown as { rows: { status: string }[] }).rows[0]?.status
  log('recording processing failed for good', { recordingId: id, status, reason }, 'error')
}

/**
 * What deleting these segments would take with it: judged segments and their judgments, counted
 * now inside the swap's transaction: transcriptions (a core collection) here, and whatever other
 * plugins hold (the consensus plugin's votes) through the counters they register with the SDK.
 */
const judgmentsOn = async (payload: Payload, settings: SanitizedAudioOptions, segments: Doc[], req: Parameters<Payload['db']['count']>[0]['req']) => {
  if (segments.length === 0) return { segments: 0, judgments: 0 }
  const segmentIds = segments.map((segment) => segment.id as number | string)
  const transcriptions = (
    await payload.db.find({
      collection: settings.transcriptionsSlug as 'transcriptions',
      where: { item: { in: segmentIds } },
      pagination: false,
      limit: 0,
      req,
    })
  ).docs as Doc[]
  const counted = new Map<unknown, number>()
  const add = (id: unknown, n: number) => counted.set(id, (counted.get(id) ?? 0) + n)
  for (const row of transcriptions) add(idOf(row.item), 1)
  for (const counter of getJudgmentCounters(payload.config)) {
    for (const [id, n] of await counter.count({ payload, segmentIds, req })) add(idOf(id), n)
  }
  let judged = 0
  let judgments = 0
  for (const segment of segments) {
    const count = counted.get(idOf(segment.id)) ?? 0
    if (count > 0) judged++
    judgments += count
  }
  return { segments: judged, judgments }
}

/**
 * Replaces a recording's segments and audio state in one transaction. A segment whose span did not
 * change keeps its id, status and the judgments made on it (reprocessing with new thresholds must
 * not wipe validations); a changed or vanished one is deleted, and its judgments with it
 * (beforeDelete hooks on segments) — if it was judged, only with `confirmDeleteJudgments`.
 */
const swap = async (
  payload: Payload,
  settings: SanitizedAudioOptions,
  recording: Doc,
  segments: Record<string, unknown>[],
  audio: Record<string, unknown>,
  confirmDeleteJudgments?: number,
) => {
  const req = await createLocalReq({ context: { audioProcessing: true } }, payload)
  await initTransaction(req)
  try {
    const segmentsSlug = settings.segmentsSlug as 'segments'
    const existing = (await payload.db.find({ collection: segmentsSlug, where: { recording: { equals: recording.id } }, pagination: false, limit: 0, req })).docs as Doc[]
    const byIndex = new Map(existing.map((segment) => [segment.index as number, segment]))
    const stale = existing.filter((segment) => {
      const next = segments[segment.index as number]
      return !next || next.startMs !== segment.startMs || next.endMs !== segment.endMs
    })
    // Judged segments go only with an admin's confirmation covering every judgment they carry.
    const judged = await judgmentsOn(payload, settings, stale, req)
    if (judged.segments > 0 && !(confirmDeleteJudgments !== undefined && confirmDeleteJudgments >= judged.judgments)) {
      throw new PermanentJobError(
        `Reprocessing would delete ${judged.segments} judged segment${judged.segments === 1 ? '' : 's'} with ${judged.judgments} judgment${judged.judgments === 1 ? '' : 's'} ` +
          `(votes, transcriptions), because their spans changed. Nothing was changed. To replace them, reprocess again confirming ${judged.judgments} judgment${judged.judgments === 1 ? '' : 's'} may be deleted.`,
      )
    }
    // System job: full access; through Payload (not the adapter) so other plugins' beforeDelete hooks run.
    // System job: Local API with the default overrideAccess, so the cascade hooks run for every stale segment.
    if (stale.length) await payload.delete({ collection: segmentsSlug, where: { id: { in: stale.map((segment) => segment.id) } }, req })
    const staleIds = new Set(stale.map((segment) => segment.id))
    const written: { id: number; kind: 'prompt' | 'transcription' }[] = []
    for (const segment of segments) {
      const kept = byIndex.get(segment.index as number)
      const kind = segment.expectedText ? ('prompt' as const) : ('transcription' as const)
      if (kept && !staleIds.has(kept.id)) {
        await payload.db.updateOne({ collection: segmentsSlug, id: kept.id, data: { file: segment.file, expectedText: segment.expectedText }, req })
        written.push({ id: Number(kept.id), kind })
      } else {
        const created = await payload.db.create({ collection: segmentsSlug, data: { ...segment, recording: recording.id }, req })
        written.push({ id: Number(created.id), kind })
      }
    }
    // Adapter-level write: the processing result is the job's own field (read-only to everyone else); the
    // recording's hooks (recount, enqueue) have nothing to do for it, and a full update costs more CPU
    // than the rest of a short clip's bookkeeping.
    await payload.db.updateOne({ collection: settings.recordingsSlug, id: recording.id, data: { audio }, req })
    // Announced in the same transaction: listeners hear of it only if it commits (adapter writes run no hooks).
    const recordingId = Number(recording.id)
    for (const segment of written) await emit(payload, 'segment.ready', { segmentId: segment.id, recordingId, kind: segment.kind }, { req })
    const status = audio.status === 'ready' ? 'ready' : 'rejected'
    const durationMs = typeof audio.durationMs === 'number' ? audio.durationMs : null
    await emit(payload, 'recording.processed', { recordingId, status, durationMs, segmentIds: written.map((segment) => segment.id) }, { req })
    await commitTransaction(req)
  } catch (error) {
    await killTransaction(req)
    throw error
  }
}
