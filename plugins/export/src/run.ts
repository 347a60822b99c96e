import { createHash, randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { getFileStore } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'

import { writeArchive, sha256File } from './archive'
import { extensionFor, forEachLimit, writeClipAudio, type AudioTarget } from './audio'
import {
  bucketOf,
  clipName,
  compareC,
  renderDatasheet,
  seededRank,
  sentenceHashOf,
  sha256Hex,
  speakerIdOf,
  StatsAccumulator,
  type DatasetStats,
  type DemographicColumn,
  type ExportRow,
  type ReportedSentence,
  type Split,
  type SuppressionResult,
} from './core'
import type { ExportFormat } from './formats'
import { exportSettings, type SanitizedExportOptions } from './options'
import {
  analyzePlan,
  assignPlanSplits,
  audioFiles,
  deletePlan,
  insertPlanRows,
  PLAN_BATCH,
  planSource,
  rareDemographics,
  reportName,
  scanPlan,
  writeAudioPaths,
  writeClipHashes,
  writtenCount,
  type PlanEntry,
} from './planStore'
import { NothingToExportError, selectClips, selectReports, type ExportRequest } from './select'

export { NothingToExportError, selectClips, type ExportRequest } from './select'

/** A request the chosen format cannot satisfy (a clear sentence for the admin). */
export class ExportRefusedError extends Error {
  override name = 'ExportRefusedError'
}

export type Phase = 'selecting' | 'encoding' | 'writing' | 'archiving' | 'done'

export interface Progress {
  phase: Phase
  done: number
  total: number
}

/** The plan of one run: its rows are in the plan table (`planStore`), this is the rest (small). */
export interface PlanHeader {
  runId: string
  target: AudioTarget
  heldOut: number
  withdrawn: number
  language: { id: number; code: string; name: string }
  request: ExportRequest
  saltRotated: boolean
  /** Per demographic column, values blanked because fewer than k speakers share them. */
  blanked: Record<DemographicColumn, string[]>
  /** Demographic values blanked (for the datasheet). */
  suppressedValues: number
  /** Clips written. */
  clips: number
  shards: number
}

export interface ExportSummary {
  clips: number
  hours: number
  speakers: number
  splits: Record<Split, { clips: number; hours: number; speakers: number }>
  /** SHA-256 of the archive, or of SHA256SUMS for a folder. */
  sha256: string
  bytes?: number
}

export const formatOf = (settings: SanitizedExportOptions, name: string): ExportFormat => {
  const format = settings.formats.get(name)
  if (!format) throw new ExportRefusedError(`Unknown format "${name}"; choose one of ${[...settings.formats.keys()].join(', ')}.`)
  return format
}

export const audioTargetOf = (format: ExportFormat, request: ExportRequest): AudioTarget =>
  format.forcedAudio ?? {
    codec: request.audio ?? format.defaultAudio?.codec ?? 'flac',
    sampleRate: request.sampleRate ?? format.defaultAudio?.sampleRate ?? 16_000,
  }

/** The instance's speaker salt: derived from the server secret, so it is stable and never stored in an export. */
export const instanceSalt = (payload: Payload): string => sha256Hex(`shrutik-export-speaker-salt\u0000${payload.secret}`)

export const freshSalt = (): string => randomBytes(32).toString('hex')

/**
 * Selection → plan, in the plan table: the selection is streamed in batches straight into it (the
 * clips' public ids, buckets, names and audio extensions are per clip); then SQL over it gives the
 * speakers' validated clip counts (one row per speaker, for the seeded speaker split), the
 * sentence-disjoint hold-outs, the written rows and their audio paths, the rare demographic values
 * and the shards, in name order. Memory does not grow with the dataset. Throws
 * NothingToExportError (nothing matches) or ExportRefusedError (the format cannot hold it) with a
 * sentence for the user.
 */
export const planExport = async (
  payload: Payload,
  request: ExportRequest,
  {
    salt,
    saltRotated = false,
    runId,
    exportId = null,
    onProgress,
  }: { salt: string; saltRotated?: boolean; runId: string; exportId?: number | null; onProgress?: (progress: Progress) => void | Promise<void> },
): Promise<PlanHeader> => {
  const settings = exportSettings(payload)
  const format = formatOf(settings, request.format)
  const target = audioTargetOf(format, request)
  const seed = request.seed ?? 0
  let stepStarted = performance.now()
  const step = (name: string) => {
    payload.logger.debug({ msg: 'export plan step', step: name, ms: Math.round(performance.now() - stepStarted), runId })
    stepStarted = performance.now()
  }
  await deletePlan(payload, { runId })
  const selection = await selectClips(payload, settings, request, {
    onBatch: (count) => onProgress?.({ phase: 'selecting', done: count, total: 0 }),
    onClips: async (clips) => {
      const entries: PlanEntry[] = []
      for (const clip of clips) {
        const speakerId = speakerIdOf(salt, clip.speakerKey)
        if (request.speaker && speakerId !== request.speaker) continue
        const name = clipName(speakerId, clip.id)
        const sentenceHash = sentenceHashOf(clip.text)
        const bucket = bucketOf(clip.status)
        // The internal identity is not stored: only its seeded rank (for the split) and its salted hash.
        const row: ExportRow = { ...clip, speakerKey: '', speakerId, sentenceHash, bucket, name, split: null, extension: extensionFor(clip.audio, target) }
        entries.push({ name, speakerRank: seededRank(seed, clip.speakerKey), speakerId, sentenceHash, bucket, row })
      }
      await insertPlanRows(payload, runId, exportId, entries)
    },
  })
  step('selection')
  await selectReports(payload, settings, selection.language, async (reports) => {
    const entries = reports.map((report) => {
      const reported: ReportedSentence = { sentenceHash: sentenceHashOf(report.text), text: report.text, locale: selection.language.code, reason: report.reason }
      return { name: reportName(reported, report.id), speakerRank: '', speakerId: '', sentenceHash: reported.sentenceHash, bucket: 'reported', row: reported }
    })
    await insertPlanRows(payload, runId, exportId, entries)
  })
  await analyzePlan(payload)
  step('reports')
  // Splits: per-speaker counts (small) in memory, then sentence ownership by SQL.
  const { heldOut } = await assignPlanSplits(payload, runId, { seed, sentenceDisjoint: request.sentenceDisjoint ?? true })
  step('splits')
  // Which rows this format writes, and where their audio goes.
  // Shards are numbered on the way: consecutive written rows in name order, shardSize each.
  let paths: { id: number; path: string; shard: number }[] = []
  let written = 0
  for await (const stored of scanPlan(payload, runId)) {
    const audioPath = format.audioPath({ ...stored.row, split: stored.split ?? null })
    if (audioPath !== null) paths.push({ id: stored.id, path: audioPath, shard: Math.floor(written++ / settings.shardSize) })
    if (paths.length >= PLAN_BATCH) {
      await writeAudioPaths(payload, paths)
      paths = []
    }
  }
  await writeAudioPaths(payload, paths)
  step('audio paths')
  const clips = await writtenCount(payload, runId)
  if (clips === 0) {
    throw new NothingToExportError(
      `Nothing to export: no ${request.include === 'all' ? '' : 'accepted '}clip of ${selection.language.name} (${request.language}) matches this selection${request.format === 'cv' || request.include === 'all' ? '' : ' in a split'}.`,
    )
  }
  step('count')
  const blanked = await rareDemographics(payload, runId, settings.k)
  step('rare demographics')
  const refusal = await format.check?.(planSource(payload, runId, blanked))
  if (refusal) throw new ExportRefusedError(refusal)
  step('check')
  const shards = Math.ceil(clips / settings.shardSize)
  return {
    runId,
    target,
    heldOut,
    withdrawn: selection.withdrawn,
    language: selection.language,
    request,
    saltRotated,
    blanked,
    suppressedValues: Object.values(blanked).reduce((sum, values) => sum + values.length, 0),
    clips,
    shards,
  }
}

/**
 * Encodes one shard of the plan into `filesDir` with bounded parallel ffmpeg children (a clip
 * already there, from a retried shard, is kept), hashing each file as it is written; the hashes go
 * to the plan table for SHA256SUMS. Returns the number of clips.
 */
export const encodeShard = async (
  payload: Payload,
  settings: SanitizedExportOptions,
  header: PlanHeader,
  shard: number,
  filesDir: string,
  options: { signal?: AbortSignal; onClip?: () => void | Promise<void>; tempDir: string; link?: boolean },
): Promise<number> => {
  const store = getFileStore(payload)
  const items: { id: number; audioPath: string; row: ExportRow }[] = []
  for await (const stored of scanPlan(payload, header.runId, { written: true, shard })) items.push({ id: stored.id, audioPath: stored.audio_path!, row: stored.row })
  const hashes: { id: number; sha256: string }[] = []
  // Copying is I/O, not CPU: more lanes than CPUs keep the disk busy.
  const lanes = header.target.codec === 'copy' ? Math.max(8, settings.concurrency) : settings.concurrency
  await forEachLimit(items, lanes, async (item) => {
    options.signal?.throwIfAborted()
    const output = path.join(filesDir, item.audioPath)
    const sha256 = fs.existsSync(output)
      ? await sha256File(output)
      : (await writeClipAudio(store, item.row.audio, header.target, output, { timeoutMs: settings.clipTimeoutMs, signal: options.signal, tempDir: options.tempDir, link: options.link })).sha256
    hashes.push({ id: item.id, sha256 })
    await options.onClip?.()
  })
  await writeClipHashes(payload, hashes)
  return items.length
}

const describeFilters = (request: ExportRequest): string[] => [
  request.include === 'all' ? 'Clips: accepted (validated), rejected (invalidated) and undecided (other).' : 'Clips: accepted by consensus (validated).',
  ...(request.minConfidence !== undefined ? [`Minimum consensus confidence: ${request.minConfidence}.`] : []),
  ...(request.from || request.to ? [`Recorded ${request.from ? `from ${request.from}` : ''}${request.from && request.to ? ' ' : ''}${request.to ? `before ${request.to}` : ''}.`] : []),
  ...(request.domains?.length ? [`Sentence domains: ${[...request.domains].sort().join(', ')}.`] : []),
  ...(request.minDurationMs !== undefined || request.maxDurationMs !== undefined
    ? [`Duration: ${request.minDurationMs !== undefined ? `≥ ${request.minDurationMs} ms` : ''}${request.minDurationMs !== undefined && request.maxDurationMs !== undefined ? ' and ' : ''}${request.maxDurationMs !== undefined ? `≤ ${request.maxDurationMs} ms` : ''}.`]
    : []),
  ...(request.speaker ? [`One speaker: ${request.speaker}.`] : []),
  `Sentences ${request.sentenceDisjoint === false ? 'may repeat' : 'never repeat'} across splits.`,
]

/** Writes one file from its chunks (streamed), hashing it on the way; returns its SHA-256. */
const writeHashed = async (target: string, content: string | AsyncIterable<string> | Iterable<string>): Promise<string> => {
  await fs.promises.mkdir(path.dirname(target), { recursive: true })
  const hash = createHash('sha256')
  const temporary = `${target}.part`
  const stream = fs.createWriteStream(temporary)
  const write = async (chunk: string) => {
    hash.update(chunk)
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve))
  }
  try {
    if (typeof content === 'string') await write(content)
    else for await (const chunk of content) await write(chunk)
  } finally {
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
  }
  await fs.promises.rename(temporary, target)
  return hash.digest('hex')
}

/** Two ascending (C locale) streams of paths, merged. */
async function* mergeSorted<T extends { path: string }>(a: AsyncIterable<T>, b: AsyncIterable<T>): AsyncGenerator<T> {
  const left = a[Symbol.asyncIterator]()
  const right = b[Symbol.asyncIterator]()
  let x = await left.next()
  let y = await right.next()
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compareC(x.value.path, y.value.path) <= 0)) {
      yield x.value as T
      x = await left.next()
    } else {
      yield y.value as T
      y = await right.next()
    }
  }
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items
}

export interface WrittenManifests {
  stats: DatasetStats
  /** SHA-256 of SHA256SUMS. */
  manifestSha256: string
  datasheet: string
  /** Every file of the export in C order (manifests and audio), as `/`-separated relative paths. */
  files: () => AsyncIterable<string>
}

/**
 * Manifests, README.md (datasheet) and SHA256SUMS into `filesDir`, once every clip is there, all
 * from the plan table a batch at a time: the figures by one pass of a bounded accumulator, each
 * manifest streamed to disk and hashed as it is written; SHA256SUMS merges those hashes with the
 * clips' (taken when they were written), so no file is read again.
 */
export const writeManifests = async (payload: Payload, settings: SanitizedExportOptions, header: PlanHeader, filesDir: string): Promise<WrittenManifests> => {
  const format = formatOf(settings, header.request.format)
  const source = planSource(payload, header.runId, header.blanked)
  const accumulator = new StatsAccumulator()
  for await (const row of source.rows()) accumulator.add(row)
  const blankedSets = Object.fromEntries(Object.entries(header.blanked).map(([column, values]) => [column, new Set(values)])) as SuppressionResult['blanked']
  const stats = { ...accumulator.result(header.heldOut, blankedSets), suppressedValues: header.suppressedValues }
  const title = `Shrutik ${header.language.name} (${header.language.code}) — ${format.name}`
  const datasheet = renderDatasheet(stats, {
    title,
    language: { code: header.language.code, name: header.language.name },
    format: format.name,
    audio: header.target.codec === 'copy' ? 'the stored (original) segment' : header.target.codec.toUpperCase(),
    sampleRate: header.target.codec === 'copy' ? null : header.target.sampleRate,
    seed: header.request.seed ?? 0,
    k: settings.k,
    licence: settings.licence,
    softwareVersion: settings.softwareVersion,
    filters: describeFilters(header.request),
    withdrawnRemoved: header.withdrawn,
    labelPolicy: settings.labelPolicy,
    saltRotated: header.saltRotated,
    usage: format.usage,
  })
  const context = { language: { code: header.language.code, name: header.language.name }, datasheet, stats, licence: settings.licence, title }
  const manifests: { path: string; sha256: string }[] = []
  // A few files are written at once (each its own read of the plan), so database round trips overlap.
  const writing = new Set<Promise<void>>()
  for await (const file of format.files(source, context)) {
    const done: Promise<void> = writeHashed(path.join(filesDir, file.path), file.content).then((sha256) => {
      manifests.push({ path: file.path, sha256 })
      writing.delete(done)
    })
    writing.add(done)
    if (writing.size >= 3) await Promise.race(writing)
  }
  await Promise.all(writing)
  manifests.push({ path: 'README.md', sha256: await writeHashed(path.join(filesDir, 'README.md'), format.readme ? format.readme(context) : datasheet) })
  manifests.sort((a, b) => compareC(a.path, b.path))
  const sumLines = async function* () {
    for await (const file of mergeSorted(fromArray(manifests), audioFiles(payload, header.runId))) {
      yield `${file.sha256 ?? (await sha256File(path.join(filesDir, file.path)))}  ${file.path}\n`
    }
  }
  const manifestSha256 = await writeHashed(path.join(filesDir, 'SHA256SUMS'), sumLines())
  const listed = [...manifests.map((file) => file.path), 'SHA256SUMS'].sort(compareC).map((file) => ({ path: file }))
  const files = async function* () {
    for await (const file of mergeSorted(fromArray(listed), audioFiles(payload, header.runId))) yield file.path
  }
  return { stats, manifestSha256, datasheet, files }
}

export const summaryOf = (stats: DatasetStats, sha256: string, bytes?: number): ExportSummary => ({
  clips: stats.all.clips,
  hours: stats.all.hours,
  speakers: stats.all.speakers,
  splits: stats.splits,
  sha256,
  ...(bytes !== undefined ? { bytes } : {}),
})

export const archiveKind = (out: string): 'tar' | 'tar.gz' | 'dir' => (out.endsWith('.tar.gz') || out.endsWith('.tgz') ? 'tar.gz' : out.endsWith('.tar') ? 'tar' : 'dir')

/** The folder name inside an archive: the archive's own name without its extension. */
export const topFolderOf = (out: string): string => path.basename(out).replace(/\.(tar\.gz|tgz|tar)$/, '') || 'dataset'

export class OutputError extends Error {
  override name = 'OutputError'
}

/**
 * The whole export in this process (the CLI): plan, encode with bounded parallel ffmpeg children,
 * write manifests, then publish: a `.tar`/`.tar.gz` path gets an archive written to a temp name
 * and renamed; any other path a folder, built beside it and renamed into place. Nothing partial
 * is ever left at `out`.
 */
export const runExport = async (
  payload: Payload,
  request: ExportRequest,
  { out, onProgress, signal }: { out: string; onProgress?: (progress: Progress) => void; signal?: AbortSignal },
): Promise<ExportSummary> => {
  const settings = exportSettings(payload)
  const kind = archiveKind(out)
  const parent = path.dirname(path.resolve(out))
  if (fs.existsSync(out)) throw new OutputError(`${out} already exists; choose a new path (exports never overwrite).`)
  // The work folder is made first, beside the target (same file system, so the final rename is
  // atomic): a path that cannot be written fails before any work is done.
  const work = path.join(parent, `.${path.basename(out)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`)
  const filesDir = path.join(work, 'files')
  const parentStat = await fs.promises.stat(parent).catch(() => undefined)
  if (!parentStat?.isDirectory()) throw new OutputError(`cannot write ${out}: ${parentStat ? `${parent} is not a folder` : `the folder ${parent} does not exist`}.`)
  try {
    await fs.promises.mkdir(work)
    await fs.promises.mkdir(filesDir, { recursive: true })
  } catch (error) {
    throw new OutputError(`cannot write ${out}: ${(error as Error).message}`)
  }
  const runId = randomUUID()
  try {
    const header = await planExport(payload, request, { salt: instanceSalt(payload), runId, onProgress })
    let done = 0
    const total = header.clips
    onProgress?.({ phase: 'encoding', done, total })
    for (let shard = 0; shard < header.shards; shard++) {
      await encodeShard(payload, settings, header, shard, filesDir, { signal, tempDir: path.join(work, 'tmp'), link: kind !== 'dir', onClip: () => onProgress?.({ phase: 'encoding', done: ++done, total }) })
    }
    onProgress?.({ phase: 'writing', done: total, total })
    const { stats, manifestSha256, files } = await writeManifests(payload, settings, header, filesDir)
    if (kind === 'dir') {
      await fs.promises.rename(filesDir, out)
      return summaryOf(stats, manifestSha256)
    }
    onProgress?.({ phase: 'archiving', done: total, total })
    const archive = path.join(work, 'archive')
    const { sha256, bytes } = await writeArchive(filesDir, files(), topFolderOf(out), archive, kind === 'tar.gz', signal)
    await fs.promises.rename(archive, out)
    return summaryOf(stats, sha256, bytes)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code!)) {
      throw new OutputError(`cannot write ${out}: ${(error as Error).message}`)
    }
    throw error
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true })
    await deletePlan(payload, { runId })
  }
}

export { sha256File }
