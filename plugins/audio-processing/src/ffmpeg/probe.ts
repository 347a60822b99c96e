import { resolveBinaries } from './binaries'
import { runTool, type RunOptions } from './run'

export interface ProbeResult {
  /** ffprobe's container name, e.g. "wav", "matroska,webm", "ogg", "flac", "mp3", "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string
  /** What the container claims; absent when it does not say (browser WebM has no duration header). */
  declaredDurationMs?: number
  audioStreams: number
  videoStreams: number
  /** The first audio stream. */
  codec?: string
  sampleRate?: number
  channels?: number
}

export class ProbeError extends Error {
  override name = 'ProbeError'
}

/** Parses `ffprobe -show_format -show_streams -of json` output; never throws on odd JSON. */
export const parseProbe = (json: string): ProbeResult | undefined => {
  let parsed: { format?: Record<string, unknown>; streams?: Record<string, unknown>[] }
  try {
    parsed = JSON.parse(json)
  } catch {
    return undefined
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.format) return undefined
  const streams = Array.isArray(parsed.streams) ? parsed.streams : []
  const audio = streams.filter((stream) => stream?.codec_type === 'audio')
  const first = audio[0]
  const number = (value: unknown): number | undefined => {
    const result = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN
    return Number.isFinite(result) && result > 0 ? result : undefined
  }
  const durationSeconds = number(parsed.format.duration)
  return {
    formatName: String(parsed.format.format_name ?? 'unknown'),
    declaredDurationMs: durationSeconds === undefined ? undefined : Math.round(durationSeconds * 1000),
    audioStreams: audio.length,
    videoStreams: streams.filter((stream) => stream?.codec_type === 'video' && stream?.disposition && !(stream.disposition as Record<string, number>).attached_pic).length,
    codec: first ? String(first.codec_name ?? 'unknown') : undefined,
    sampleRate: first ? number(first.sample_rate) : undefined,
    channels: first ? number(first.channels) : undefined,
  }
}

/** ffprobe a file (bounded by a timeout); throws ProbeError when ffprobe cannot read it at all. */
export const probe = async (file: string, options: Omit<RunOptions, 'onStdout'>): Promise<ProbeResult> => {
  const { ffprobe } = resolveBinaries()
  const result = await runTool(ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], options)
  const parsed = result.code === 0 ? parseProbe(result.stdout.toString('utf8')) : undefined
  if (!parsed) throw new ProbeError(result.stderr.trim().split('\n').pop() || 'ffprobe could not read the file')
  return parsed
}
