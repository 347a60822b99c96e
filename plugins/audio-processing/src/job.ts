import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { idOf, type JobDefinition } from '@shrutik/plugin-sdk'
import { commitTransaction, createLocalReq, initTransaction, killTransaction, type Payload } from 'payload'

import { findPauses, planSegments, type Span } from './core'
import { cutSegments } from './ffmpeg'
import { assessFile } from './inspect'
import type { SanitizedAudioOptions } from './options'
import { renderWaveform } from './waveform'

export const PROCESS_RECORDING = 'audio-processing.process-recording'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'audio-processing.process-recording': { recordingId: number }
  }
}

type Doc = Record<string, unknown> & { id: number | string }

/** The last lines of an ffmpeg log: enough to diagnose, small enough for the job record. */
const tail = (stderr: string, lines = 12) => stderr.trim().split('\n').slice(-lines).join('\n')


/** Removes processed folders of a recording other than `keep` (older runs, or a run that crashed). */
const removeOtherRuns = async (recordingDir: string, keep?: string) => {
  const entries = await fs.readdir(recordingDir).catch(() => [] as string[])
  await Promise.all(entries.filter((entry) => entry !== keep).map((entry) => fs.rm(path.join(recordingDir, entry), { recursive: true, force: true })))
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
  validate: (data) =>
    Number.isInteger((data as { recordingId?: unknown })?.recordingId) ? undefined : 'recordingId must be an integer',
  async handler({ data, payload, signal, touch, log }) {
    // Adapter-level reads and writes for the job's own bookkeeping: the system reads raw rows (no
    // access rules or read hooks apply to it), and the full Local API would cost more CPU than a
    // short clip's transcoding margin allows (bench:audio). Deletions still go through Payload, so
    // every plugin's beforeDelete hook on segments runs.
    const recording = (await payload.db.findOne({ collection: settings.recordingsSlug, where: { id: { equals: data.recordingId } } })) as Doc | null
    if (!recording?.filename) {
      log('recording is gone; nothing to process', { recordingId: data.recordingId })
      return
    }
    const staticDir = (payload.collections[settings.recordingsSlug as 'recordings'].config.upload as { staticDir: string }).staticDir
    const input = path.join(staticDir, String(recording.filename))
    await markProcessing(payload, settings, recording.id)

    const recordingDir = path.join(settings.derivedDir, String(recording.id))
    const run = randomUUID()
    const runDir = path.join(recordingDir, run)
    await fs.mkdir(runDir, { recursive: true })
    const extension = settings.playbackCodec === 'opus' ? 'ogg' : 'mp3'
    const playbackName = `playback.${extension}`
    let segmentCount: number
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
        onStderr: (tool, stderr) => stderr.trim() && log(`${tool} output`, { stderr: tail(stderr) }, 'debug'),
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
        await removeOtherRuns(recordingDir)
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
                onStderr: (stderr) => log('ffmpeg segments', { stderr: tail(stderr) }, 'debug'),
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
      await swap(payload, settings, recording, segments, { ...facts, status: 'ready', failureReason: null, files })
      segmentCount = segments.length
    } catch (error) {
      await fs.rm(runDir, { recursive: true, force: true })
      throw error
    }
    // Committed: the previous run's files (and any crashed run's) can go.
    await removeOtherRuns(recordingDir, run)
    log('recording processed', { segments: segmentCount })
  },
})

const sentenceText = async (payload: Payload, settings: SanitizedAudioOptions, ref: unknown): Promise<string | null> => {
  const id = idOf(ref)
  if (id === undefined) return null
  const sentence = (await payload.db.findOne({ collection: settings.sentencesSlug, where: { id: { equals: id } } })) as Doc | null
  return (sentence?.text as string | undefined) ?? null
}

/**
 * Flags the recording as being processed: one column, written directly (a full Payload update with
 * its hooks costs more CPU than the rest of a short clip's bookkeeping). System write.
 */
const markProcessing = async (payload: Payload, settings: SanitizedAudioOptions, id: number | string) => {
  const table = settings.recordingsSlug.replace(/-/g, '_')
  await (payload.db as unknown as PostgresAdapter).drizzle.execute(sql`UPDATE ${sql.identifier(table)} SET audio_status = 'processing' WHERE id = ${Number(id)}`)
}

/**
 * Replaces a recording's segments and audio state in one transaction. A segment whose span did not
 * change keeps its id, status and the judgments made on it (reprocessing with new thresholds must
 * not wipe validations); a changed or vanished one is deleted, and its judgments with it
 * (beforeDelete hooks on segments).
 */
const swap = async (payload: Payload, settings: SanitizedAudioOptions, recording: Doc, segments: Record<string, unknown>[], audio: Record<string, unknown>) => {
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
    // System job: full access; through Payload (not the adapter) so other plugins' beforeDelete hooks run.
    if (stale.length) await payload.delete({ collection: segmentsSlug, where: { id: { in: stale.map((segment) => segment.id) } }, req })
    const staleIds = new Set(stale.map((segment) => segment.id))
    for (const segment of segments) {
      const kept = byIndex.get(segment.index as number)
      if (kept && !staleIds.has(kept.id)) {
        await payload.db.updateOne({ collection: segmentsSlug, id: kept.id, data: { file: segment.file, expectedText: segment.expectedText }, req })
      } else {
        await payload.db.create({ collection: segmentsSlug, data: { ...segment, recording: recording.id, status: 'pending' }, req })
      }
    }
    // Adapter-level write: the processing result is the job's own field (read-only to everyone else); the
    // recording's hooks (recount, enqueue) have nothing to do for it, and a full update costs more CPU
    // than the rest of a short clip's bookkeeping.
    await payload.db.updateOne({ collection: settings.recordingsSlug, id: recording.id, data: { audio }, req })
    await commitTransaction(req)
  } catch (error) {
    await killTransaction(req)
    throw error
  }
}
