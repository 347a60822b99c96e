import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import type { Payload } from 'payload'

import { writeClipAudio, extensionFor, forEachLimit, type AudioTarget } from './audio'
import { writeArchive, writeChecksums, sha256File } from './archive'
import { planRows, renderDatasheet, sha256Hex, speakerIdOf, suppressRows, summarize, type DatasetStats, type ExportRow, type Split } from './core'
import type { ExportFormat } from './formats'
import { exportSettings, type SanitizedExportOptions } from './options'
import { NothingToExportError, selectClips, type ExportRequest } from './select'

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

export interface PlannedExport {
  rows: ExportRow[]
  /** Each row's audio path in the export (same order as rows). */
  audioPaths: string[]
  target: AudioTarget
  heldOut: number
  withdrawn: number
  language: { id: number; code: string; name: string }
  request: ExportRequest
  saltRotated: boolean
  /** Demographic values blanked because fewer than k speakers share them (for the datasheet). */
  suppressedValues: number
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
 * Selection → plan: which clips, their public ids, buckets, splits, audio paths, suppressed
 * demographics. Throws NothingToExportError (nothing matches) or ExportRefusedError (the format
 * cannot hold it) with a sentence for the user.
 */
export const planExport = async (
  payload: Payload,
  request: ExportRequest,
  { salt, saltRotated = false, onProgress }: { salt: string; saltRotated?: boolean; onProgress?: (progress: Progress) => void | Promise<void> },
): Promise<PlannedExport> => {
  const settings = exportSettings(payload)
  const format = formatOf(settings, request.format)
  const target = audioTargetOf(format, request)
  const selection = await selectClips(payload, settings, request, { onBatch: (count) => onProgress?.({ phase: 'selecting', done: count, total: 0 }) })
  const clips = request.speaker ? selection.clips.filter((clip) => speakerIdOf(salt, clip.speakerKey) === request.speaker) : selection.clips
  const plan = planRows(clips, { salt, split: { seed: request.seed ?? 0, sentenceDisjoint: request.sentenceDisjoint ?? true }, extensionOf: (clip) => extensionFor(clip.audio, target) })
  const included = plan.rows.filter((row) => format.audioPath(row) !== null)
  if (included.length === 0) {
    throw new NothingToExportError(
      `Nothing to export: no ${request.include === 'all' ? '' : 'accepted '}clip of ${selection.language.name} (${request.language}) matches this selection${request.format === 'cv' || request.include === 'all' ? '' : ' in a split'}.`,
    )
  }
  const refusal = format.check?.(included)
  if (refusal) throw new ExportRefusedError(refusal)
  const { rows, suppression } = suppressRows(included, settings.k)
  return {
    rows,
    audioPaths: rows.map((row) => format.audioPath(row)!),
    target,
    heldOut: plan.heldOut,
    withdrawn: selection.withdrawn,
    language: selection.language,
    request,
    saltRotated,
    suppressedValues: Object.values(suppression.blanked).reduce((sum, values) => sum + values.size, 0),
  }
}

/** Encodes rows [from, to) into `filesDir`; a clip already there (a retried shard) is kept. */
export const encodeRange = async (
  settings: SanitizedExportOptions,
  planned: Pick<PlannedExport, 'rows' | 'audioPaths' | 'target'>,
  filesDir: string,
  {
    from = 0,
    to = planned.rows.length,
    signal,
    onClip,
    tempDir,
    link = false,
  }: { from?: number; to?: number; signal?: AbortSignal; onClip?: () => void | Promise<void>; tempDir: string; link?: boolean },
): Promise<void> => {
  const indexes = Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset)
  await forEachLimit(indexes, settings.concurrency, async (index) => {
    signal?.throwIfAborted()
    const output = path.join(filesDir, planned.audioPaths[index])
    if (!fs.existsSync(output)) await writeClipAudio(planned.rows[index].audio, planned.target, output, { timeoutMs: settings.clipTimeoutMs, signal, tempDir, link })
    await onClip?.()
  })
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

/** Manifests, README.md (datasheet) and SHA256SUMS into `filesDir`, once every clip is there. Returns the stats and the SHA256SUMS digest. */
export const writeManifests = async (settings: SanitizedExportOptions, planned: PlannedExport, filesDir: string): Promise<{ stats: DatasetStats; manifestSha256: string; datasheet: string }> => {
  const format = formatOf(settings, planned.request.format)
  const { suppression } = suppressRows(planned.rows, settings.k)
  // The rows are already suppressed: the count of what was blanked comes from the plan.
  const stats = { ...summarize(planned.rows, planned.heldOut, suppression), suppressedValues: planned.suppressedValues }
  const title = `Shrutik ${planned.language.name} (${planned.language.code}) — ${format.name}`
  const datasheet = renderDatasheet(stats, {
    title,
    language: { code: planned.language.code, name: planned.language.name },
    format: format.name,
    audio: planned.target.codec === 'copy' ? 'the stored (original) segment' : planned.target.codec.toUpperCase(),
    sampleRate: planned.target.codec === 'copy' ? null : planned.target.sampleRate,
    seed: planned.request.seed ?? 0,
    k: settings.k,
    licence: settings.licence,
    softwareVersion: settings.softwareVersion,
    filters: describeFilters(planned.request),
    withdrawnRemoved: planned.withdrawn,
    labelPolicy: settings.labelPolicy,
    saltRotated: planned.saltRotated,
    usage: format.usage,
  })
  const context = { language: { code: planned.language.code, name: planned.language.name }, datasheet, stats, licence: settings.licence, title }
  for (const file of format.files(planned.rows, context)) {
    const target = path.join(filesDir, file.path)
    await fs.promises.mkdir(path.dirname(target), { recursive: true })
    await fs.promises.writeFile(target, file.content)
  }
  await fs.promises.writeFile(path.join(filesDir, 'README.md'), format.readme ? format.readme(context) : datasheet)
  const sums = await writeChecksums(filesDir)
  return { stats, manifestSha256: sha256Hex(sums), datasheet }
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
  try {
    const planned = await planExport(payload, request, { salt: instanceSalt(payload), onProgress })
    let done = 0
    const total = planned.rows.length
    onProgress?.({ phase: 'encoding', done, total })
    await encodeRange(settings, planned, filesDir, { signal, tempDir: path.join(work, 'tmp'), link: kind !== 'dir', onClip: () => onProgress?.({ phase: 'encoding', done: ++done, total }) })
    onProgress?.({ phase: 'writing', done: total, total })
    const { stats, manifestSha256 } = await writeManifests(settings, planned, filesDir)
    if (kind === 'dir') {
      await fs.promises.rename(filesDir, out)
      return summaryOf(stats, manifestSha256)
    }
    onProgress?.({ phase: 'archiving', done: total, total })
    const archive = path.join(work, 'archive')
    const { sha256, bytes } = await writeArchive(filesDir, topFolderOf(out), archive, kind === 'tar.gz', signal)
    await fs.promises.rename(archive, out)
    return summaryOf(stats, sha256, bytes)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code!)) {
      throw new OutputError(`cannot write ${out}: ${(error as Error).message}`)
    }
    throw error
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true })
  }
}

export { sha256File }
