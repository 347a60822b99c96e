import { randomBytes } from 'node:crypto'
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'

import { resolveBinaries, runTool } from '@shrutik/plugin-audio-processing/ffmpeg'
import type { FileStore } from '@shrutik/plugin-sdk'

import { sha256File } from './archive'
import type { ClipAudioSource } from './core'
import type { AudioCodec } from './formats'

export interface AudioTarget {
  codec: AudioCodec
  /** Ignored for `copy`. */
  sampleRate: number
}

const EXTENSIONS = { flac: 'flac', wav: 'wav', opus: 'opus' } as const

/** The extension a clip's file gets: the codec's, or the stored file's own for `copy`. */
export const extensionFor = (source: ClipAudioSource, target: AudioTarget): string =>
  target.codec === 'copy' ? path.extname(source.segmentFile).slice(1) || 'bin' : EXTENSIONS[target.codec]

const ENCODERS = {
  flac: ['-c:a', 'flac', '-sample_fmt', 's16', '-f', 'flac'],
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-f', 'ogg'],
} as const

/**
 * The ffmpeg arguments for one clip: decode (the archival FLAC, cut sample-accurately, or the
 * stored segment), resample to mono at the target rate, encode bit-exactly (no encoder version,
 * no metadata, fixed Ogg serials) so a re-run writes the same bytes.
 */
export const encodeArgs = (source: ClipAudioSource, target: Exclude<AudioTarget['codec'], 'copy'>, sampleRate: number, output: string): string[] => {
  const input = source.archive
    ? [...(source.wholeRecording ? [] : ['-ss', (source.startMs / 1000).toFixed(3), '-t', ((source.endMs - source.startMs) / 1000).toFixed(3)]), '-i', source.archive]
    : ['-i', source.segmentFile]
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-threads',
    '1',
    ...input,
    '-map',
    '0:a:0',
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    ...ENCODERS[target],
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-y',
    output,
  ]
}

/**
 * Writes one clip's audio to `output` from the media store (the host's, `getFileStore(payload)`):
 * on a local store ffmpeg reads the stored files where they are; from S3 the one file the clip
 * needs is downloaded to a temporary copy.
 */
export const writeClipAudio = async (
  store: FileStore,
  source: ClipAudioSource,
  target: AudioTarget,
  output: string,
  options: Parameters<typeof writeClipAudioFrom>[3],
): Promise<{ how: 'copied' | 'encoded'; sha256: string }> => {
  const fromArchive = target.codec !== 'copy' && Boolean(source.archive)
  const copy = await store.localCopy(fromArchive ? source.archive! : source.segmentFile)
  try {
    const local = fromArchive ? { ...source, archive: copy.path } : { ...source, archive: undefined, segmentFile: copy.path }
    // A hard link only to a file the store keeps in place (a download goes with `release`).
    return await writeClipAudioFrom(local, target, output, { ...options, link: options.link && store.kind === 'local' })
  } finally {
    await copy.release()
  }
}

/**
 * Writes one clip's audio from local files to `output` (temp name, then rename, so a file that exists is whole).
 * No re-encode when nothing would change: `copy` copies the stored segment; FLAC 16 kHz of a whole
 * prompt recording copies its archival FLAC (already 16 kHz mono 16-bit). Returns the file's
 * SHA-256 (read once, right after it is written, while it is in the page cache).
 */
const writeClipAudioFrom = async (
  source: ClipAudioSource,
  target: AudioTarget,
  output: string,
  options: {
    timeoutMs: number
    signal?: AbortSignal
    tempDir: string
    /** A file copied as is may be hard-linked (only into a work folder that is archived, then removed: nobody edits it). */
    link?: boolean
  },
): Promise<{ how: 'copied' | 'encoded'; sha256: string }> => {
  // A unique temp name outside the export's folder: an ffmpeg orphaned by a killed worker can
  // neither collide with the retry nor leave a partial file among the outputs.
  const temporary = path.join(options.tempDir, `${path.basename(output)}.${randomBytes(4).toString('hex')}.part`)
  // Metadata calls on a local disk take microseconds: done synchronously, they skip libuv's thread
  // pool, whose queue is what made copying thousands of clips slow on a busy machine.
  fsSync.mkdirSync(path.dirname(output), { recursive: true })
  fsSync.mkdirSync(options.tempDir, { recursive: true })
  try {
    if (target.codec === 'copy' || (target.codec === 'flac' && target.sampleRate === 16_000 && source.archive && source.wholeRecording)) {
      const from = target.codec === 'copy' ? source.segmentFile : source.archive!
      // A hard link costs no copy; across file systems (or where links are refused) the bytes are copied.
      let linked = false
      if (options.link) {
        try {
          fsSync.linkSync(from, temporary)
          linked = true
        } catch {
          linked = false
        }
      }
      if (!linked) await fs.copyFile(from, temporary)
      const sha256 = await sha256File(temporary)
      fsSync.renameSync(temporary, output)
      return { how: 'copied', sha256 }
    }
    const result = await runTool(resolveBinaries().ffmpeg, encodeArgs(source, target.codec, target.sampleRate, temporary), { timeoutMs: options.timeoutMs, signal: options.signal })
    if (result.code !== 0) throw new Error(`ffmpeg could not encode ${path.basename(output)}: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`)
    const sha256 = await sha256File(temporary)
    await fs.rename(temporary, output)
    return { how: 'encoded', sha256 }
  } catch (error) {
    await fs.rm(temporary, { force: true })
    throw error
  }
}

/** Runs `task` over `items` with at most `limit` at once; the first failure stops new work and is rethrown. */
export const forEachLimit = async <T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> => {
  let next = 0
  let failure: unknown
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++
      try {
        await task(items[index], index)
      } catch (error) {
        failure ??= error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
  if (failure !== undefined) throw failure
}
