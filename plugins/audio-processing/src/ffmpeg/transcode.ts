import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'

import ffmpeg from 'fluent-ffmpeg'

import { resolveBinaries } from './binaries'

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
    await new Promise<void>((resolve, reject) => {
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
    await Promise.all(outputs.map((output, index) => fs.rename(temps[index], output.path)))
  } catch (error) {
    await removeTemps()
    throw error
  }
}
