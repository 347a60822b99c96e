import { resolveBinaries } from './binaries'
import { runTool, ToolKilledError, type RunOptions } from './run'
import { encoderArgs, type OutputSpec } from './transcode'

export const ANALYSIS_SAMPLE_RATE = 16_000
/** 20 ms frames for silence and signal-to-noise estimates. */
const FRAME = ANALYSIS_SAMPLE_RATE / 50

export interface Analysis {
  /** Measured by decoding (not what the container says), capped at the decode limit. */
  decodedDurationMs: number
  /** True when decoding stopped at the cap: the audio is at least that long. */
  hitDecodeCap: boolean
  /** Errors ffmpeg reported while decoding (corrupt or truncated data). */
  decodeErrors: number
  /** EBU R128 integrated loudness; undefined when too short or silent to measure. */
  integratedLufs?: number
  samplePeakDbfs?: number
  /** Share of 20 ms frames quieter than the silence threshold. */
  silenceRatio: number
  /** Share of samples at (or within 1 LSB of) full scale. */
  clippingRatio: number
  /** Loud frames (90th percentile) against quiet frames (10th percentile), in dB. */
  snrEstimateDb: number
  /** Peak magnitudes (0–1) in equal slices of the audio, for the waveform. */
  peaks: number[]
  /** Level of each 20 ms frame in dBFS, for finding pauses (`core/segment`). */
  frameLevelsDbfs: Float32Array
  frameMs: number
}

export interface AnalyzeOptions extends Omit<RunOptions, 'onStdout'> {
  /** Decode at most this many seconds (an hour of silence packed into a tiny file is never decoded to the end). */
  maxDecodeSeconds: number
  /** Frames quieter than this are silence. @default -45 */
  silenceThresholdDbfs?: number
  /** Waveform resolution. @default 600 */
  peakCount?: number
  /** Measure EBU R128 loudness (the checks need it; finding pauses does not). @default true */
  loudness?: boolean
  /**
   * Encoded copies written by the same ffmpeg run (one decode for everything). Written straight to
   * their paths: the caller writes into a fresh folder it discards on failure.
   */
  outputs?: OutputSpec[]
  /** EBU R128 normalisation of the `outputs`. @default false */
  normalizeLoudness?: boolean
}

const dbfs = (meanSquare: number): number => (meanSquare <= 0 ? -120 : 10 * Math.log10(meanSquare / (32768 * 32768)))

/** Pulls "I: -23.0 LUFS" and "Peak: -1.2 dBFS" out of ebur128's summary. */
export const parseLoudness = (stderr: string): { integratedLufs?: number; samplePeakDbfs?: number } => {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'))
  const integrated = /I:\s+(-?[\d.]+|-?inf|nan)\s+LUFS/.exec(summary)?.[1]
  const peak = /Peak:\s+(-?[\d.]+|-?inf|nan)\s+dBFS/.exec(summary)?.[1]
  const finite = (value?: string) => (value !== undefined && Number.isFinite(Number(value)) ? Number(value) : undefined)
  const integratedLufs = finite(integrated)
  return { integratedLufs: integratedLufs !== undefined && integratedLufs > -70 ? integratedLufs : undefined, samplePeakDbfs: finite(peak) }
}

export const countDecodeErrors = (stderr: string): number =>
  stderr.split('\n').filter((line) => /error|invalid data|corrupt|truncat|ended prematurely|could not find/i.test(line) && !/Parsed_ebur128/.test(line)).length

/**
 * One ffmpeg pass: EBU R128 loudness on the original stream, then decoded to 16 kHz mono PCM that
 * is measured here as it streams (duration, silence, clipping, SNR estimate, waveform peaks).
 * Memory stays flat: the PCM is never held whole.
 */
export const analyze = async (file: string, options: AnalyzeOptions): Promise<Analysis> => {
  const { ffmpeg } = resolveBinaries()
  const threshold = options.silenceThresholdDbfs ?? -45
  const frames: number[] = []
  let frameSum = 0
  let frameCount = 0
  let samples = 0
  let clipped = 0
  // Per 20 ms frame: mean square energy and peak magnitude (90 000 frames for 30 minutes).
  const framePeaks: number[] = []
  let framePeak = 0
  let carry: Buffer | undefined

  const onStdout = (chunk: Buffer) => {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk
    const usable = data.length - (data.length % 2)
    carry = usable < data.length ? data.subarray(usable) : undefined
    for (let offset = 0; offset < usable; offset += 2) {
      const value = data.readInt16LE(offset)
      const magnitude = Math.abs(value)
      if (magnitude >= 32_766) clipped++
      if (magnitude > framePeak) framePeak = magnitude
      frameSum += value * value
      frameCount++
      if (frameCount === FRAME) {
        frames.push(frameSum / FRAME)
        framePeaks.push(framePeak)
        frameSum = 0
        frameCount = 0
        framePeak = 0
      }
      samples++
    }
  }
  const loudness = options.loudness === false ? '' : 'ebur128=peak=sample:framelog=40,'
  const measure = `${loudness}aresample=${ANALYSIS_SAMPLE_RATE},aformat=sample_fmts=s16:channel_layouts=mono`
  const outputs = options.outputs ?? []
  const graph =
    outputs.length === 0
      ? `[0:a:0]${measure}[pcm]`
      : [
          `[0:a:0]asplit=${outputs.length + 1}[measure]${outputs.map((_, index) => `[copy${index}]`).join('')}`,
          `[measure]${measure}[pcm]`,
          ...outputs.map((output, index) => `[copy${index}]${encoderArgs(output, options.normalizeLoudness).filter}[out${index}]`),
        ].join(';')
  const result = await runTool(
    ffmpeg,
    [
      '-hide_banner', '-nostats', '-v', 'info', '-y',
      '-t', String(options.maxDecodeSeconds + 1),
      '-i', file,
      '-filter_complex', graph,
      '-map', '[pcm]', '-f', 's16le', 'pipe:1',
      ...outputs.flatMap((output, index) => ['-map', `[out${index}]`, ...encoderArgs(output).args, output.path]),
    ],
    { ...options, onStdout },
  )
  if (result.signal) {
    throw new ToolKilledError(`ffmpeg was killed (${result.signal}) while decoding: ${result.stderr.trim().split('\n').slice(-2).join(' ') || 'no output'}`)
  }
  if (result.code !== 0) {
    throw new Error(`ffmpeg could not decode the file: ${result.stderr.trim().split('\n').slice(-2).join(' ') || `exit ${result.code}`}`)
  }
  if (frameCount > 0) {
    frames.push(frameSum / frameCount)
    framePeaks.push(framePeak)
  }

  const peakCount = options.peakCount ?? 600
  const peaks: number[] = []
  const slice = Math.max(1, Math.ceil(framePeaks.length / peakCount))
  for (let start = 0; start < framePeaks.length; start += slice) {
    let max = 0
    for (let i = start; i < Math.min(framePeaks.length, start + slice); i++) if (framePeaks[i] > max) max = framePeaks[i]
    peaks.push(Number((max / 32768).toFixed(4)))
  }
  const frameLevelsDbfs = Float32Array.from(frames, dbfs)
  const levels = Array.from(frameLevelsDbfs).sort((a, b) => a - b)
  const at = (p: number) => (levels.length ? levels[Math.min(levels.length - 1, Math.floor(p * levels.length))] : -120)
  const decodedDurationMs = Math.round((samples / ANALYSIS_SAMPLE_RATE) * 1000)
  return {
    decodedDurationMs,
    hitDecodeCap: decodedDurationMs >= options.maxDecodeSeconds * 1000,
    decodeErrors: countDecodeErrors(result.stderr),
    ...parseLoudness(result.stderr),
    silenceRatio: frames.length ? frameLevelsDbfs.filter((level) => level < threshold).length / frames.length : 1,
    clippingRatio: samples ? clipped / samples : 0,
    snrEstimateDb: Number((at(0.9) - at(0.1)).toFixed(1)),
    peaks,
    frameLevelsDbfs,
    frameMs: (FRAME / ANALYSIS_SAMPLE_RATE) * 1000,
  }
}
