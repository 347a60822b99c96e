import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import ffmpeg from 'fluent-ffmpeg'

import { resolveBinaries } from './binaries'
import { deprioritize } from './run'

export interface OutputSpec {
  /** Final path; written under a temporary name first and renamed only when every output succeeded. */
  path: string
  codec: 'flac' | 'opus' | 'mp3'
  /** @default 16000 for flac, 48000 for opus, 44100 for mp3 */
  sampleRate?: number
  /** For lossy codecs. @default '32k' opus, '64k' mp3 */
  bitrate?: string
  /** Only this part of the input (a segment), cut after decoding so it is sample-accurate. */
  startMs?: number
  durationMs?: number
}

export interface TranscodeOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** EBU R128 loudness normalisation of every output. @default false */
  normalizeLoudness?: boolean
  /** Receives ffmpeg's stderr (for the job log), on success and on failure. */
  onStderr?: (stderr: string) => void
}

const CODECS = {
  flac: { codec: 'flac', rate: 16_000, extra: ['-sample_fmt', 's16'], format: 'flac' },
  opus: { codec: 'libopus', rate: 48_000, bitrate: '32k', extra: ['-application', 'voip'], format: 'ogg' },
  mp3: { codec: 'libmp3lame', rate: 44_100, bitrate: '64k', extra: [], format: 'mp3' },
} as const

/** Runs a prepared fluent-ffmpeg command; kills it on abort and waits for its exit before settling. */
const runCommand = (command: ffmpeg.FfmpegCommand, options: { signal?: AbortSignal; onStderr?: (stderr: string) => void }) =>
  new Promise<void>((resolve, reject) => {
    if (options.signal?.aborted) return reject((options.signal.reason as Error) ?? new Error('aborted'))
    let abortReason: Error | undefined
    // Kill, then wait for ffmpeg's exit (reported as an error) before cleaning up its files.
    const onAbort = () => {
      abortReason = (options.signal?.reason as Error) ?? new Error('aborted')
      command.kill('SIGKILL')
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    command
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        options.signal?.removeEventListener('abort', onAbort)
        if (stderr) options.onStderr?.(stderr)
        if (abortReason) return reject(abortReason)
        const detail = stderr?.trim().split('\n').slice(-2).join(' ')
        reject(new Error(`ffmpeg could not transcode the file: ${error.message}${detail ? ` (${detail})` : ''}`))
      })
      // An abort that came before ffmpeg was spawned is applied as soon as it starts.
      .on('start', () => {
        deprioritize((command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid)
        if (abortReason) command.kill('SIGKILL')
      })
      .on('end', (_stdout: string | null, stderr: string | null) => {
        options.signal?.removeEventListener('abort', onAbort)
        if (stderr) options.onStderr?.(stderr)
        if (abortReason) reject(abortReason)
        else resolve()
      })
      .run()
  })

/** The filter chain and encoder arguments of one output, for ffmpeg runs built by hand (`analyze`). */
export const encoderArgs = (output: OutputSpec, normalizeLoudness = false): { filter: string; args: string[] } => {
  const spec = CODECS[output.codec]
  const rate = output.sampleRate ?? spec.rate
  const format = output.codec === 'flac' ? 'sample_fmts=s16:' : ''
  return {
    filter: `${normalizeLoudness ? 'loudnorm=I=-23:TP=-2:LRA=11,' : ''}aresample=${rate},aformat=${format}channel_layouts=mono`,
    args: [
      '-c:a',
      spec.codec,
      ...('bitrate' in spec ? ['-b:a', output.bitrate ?? spec.bitrate] : []),
      ...spec.extra.filter((arg, index, all) => arg !== '-sample_fmt' && all[index - 1] !== '-sample_fmt'),
      '-map_metadata',
      '-1',
      '-f',
      spec.format,
    ],
  }
}

/**
 * One ffmpeg process writing every output (mono), through fluent-ffmpeg. Outputs appear at their
 * final paths all together or not at all: temp files, then renames; on any failure, timeout or
 * abort the child is killed and the temp files removed, leaving earlier outputs untouched.
 */
export const transcode = async (input: string, outputs: OutputSpec[], options: TranscodeOptions): Promise<void> => {
  if (outputs.length === 0) return
  const { ffmpeg: binary } = resolveBinaries()
  const suffix = `.tmp-${randomBytes(4).toString('hex')}`
  const temps = outputs.map((output) => `${output.path}${suffix}`)
  const command = ffmpeg(input, { timeout: Math.ceil(options.timeoutMs / 1000) }).setFfmpegPath(binary)
  outputs.forEach((output, index) => {
    const spec = CODECS[output.codec]
    command
      .output(temps[index])
      .noVideo()
      .audioCodec(spec.codec)
      .audioChannels(1)
      .audioFrequency(output.sampleRate ?? spec.rate)
      .format(spec.format)
      .outputOptions([...spec.extra, '-map_metadata', '-1'])
    // Output-side -ss/-t: the input is decoded once and every segment is cut from that one decode.
    if (output.startMs !== undefined) command.outputOptions(['-ss', (output.startMs / 1000).toFixed(3)])
    if (output.durationMs !== undefined) command.outputOptions(['-t', (output.durationMs / 1000).toFixed(3)])
    if ('bitrate' in spec) command.audioBitrate(output.bitrate ?? spec.bitrate)
    if (options.normalizeLoudness) command.audioFilters('loudnorm=I=-23:TP=-2:LRA=11')
  })
  const removeTemps = () => Promise.all(temps.map((temp) => fs.rm(temp, { force: true })))
  try {
    await runCommand(command, options)
    await Promise.all(outputs.map((output, index) => fs.rename(temps[index], output.path)))
  } catch (error) {
    await removeTemps()
    throw error
  }
}

export interface CutOptions {
  timeoutMs: number
  signal?: AbortSignal
  codec: OutputSpec['codec']
  /** File names are `<prefix>-000.<ext>`, ... @default 'segment' */
  prefix?: string
  onStderr?: (stderr: string) => void
}

const EXTENSIONS = { flac: 'flac', opus: 'ogg', mp3: 'mp3' } as const

/**
 * Writes contiguous spans of the input as separate files with one ffmpeg run: the stretch from the
 * first start to the last end is decoded and encoded once, and the segment muxer starts a new file
 * at each cut (packet-accurate: 20 ms). Files appear in `dir` all together or not at all.
 * Returns their paths, in span order.
 */
export const cutSegments = async (input: string, spans: { startMs: number; endMs: number }[], dir: string, options: CutOptions): Promise<string[]> => {
  if (spans.length === 0) return []
  for (let index = 1; index < spans.length; index++) {
    if (spans[index].startMs !== spans[index - 1].endMs) throw new Error('cutSegments needs contiguous spans (each starting where the previous one ends).')
  }
  const { ffmpeg: binary } = resolveBinaries()
  const spec = CODECS[options.codec]
  const extension = EXTENSIONS[options.codec]
  const prefix = options.prefix ?? 'segment'
  const staging = path.join(dir, `.tmp-${randomBytes(4).toString('hex')}`)
  await fs.mkdir(staging, { recursive: true })
  const first = spans[0].startMs
  const cuts = spans.slice(1).map((span) => ((span.startMs - first) / 1000).toFixed(3))
  const command = ffmpeg(input, { timeout: Math.ceil(options.timeoutMs / 1000) })
    .setFfmpegPath(binary)
    .seekInput(first / 1000)
    .duration((spans.at(-1)!.endMs - first) / 1000)
    .output(path.join(staging, `${prefix}-%03d.${extension}`))
    .noVideo()
    .audioCodec(spec.codec)
    .audioChannels(1)
    .audioFrequency(spec.rate)
    .outputOptions([
      ...spec.extra,
      // Small FLAC frames so a cut can fall every 20 ms, as with Opus.
      ...(options.codec === 'flac' ? ['-frame_size', String(spec.rate / 50)] : []),
      '-map_metadata',
      '-1',
      '-f',
      'segment',
      '-segment_format',
      spec.format,
      '-reset_timestamps',
      '1',
      // One span: one file (without cut times the muxer would fall back to 2-second pieces).
      ...(cuts.length ? ['-segment_times', cuts.join(',')] : ['-segment_time', '999999']),
    ])
  if ('bitrate' in spec) command.audioBitrate(spec.bitrate)
  try {
    await runCommand(command, options)
    const written = (await fs.readdir(staging)).sort()
    if (written.length !== spans.length) throw new Error(`ffmpeg wrote ${written.length} segments where ${spans.length} were planned.`)
    const targets = written.map((name) => path.join(dir, name))
    await Promise.all(written.map((name, index) => fs.rename(path.join(staging, name), targets[index])))
    return targets
  } finally {
    await fs.rm(staging, { recursive: true, force: true })
  }
}
