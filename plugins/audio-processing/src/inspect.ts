import fs from 'node:fs/promises'

import { checkContainer, checkSignal, DEFAULT_CHECK_OPTIONS, verdict, type AudioCheckOptions, type Check } from './core'
import { analyze, probe, ProbeError, type Analysis, type OutputSpec } from './ffmpeg'

export interface InspectResult {
  ok: boolean
  code: string
  message: string
  durationMs?: number
  sampleRate?: number
  channels?: number
  codec?: string
  container?: string
  checks: Check[]
}

/** `inspectFile` plus the measurements behind it (for the processing job: waveform, pauses). */
export interface Assessment {
  result: InspectResult
  analysis?: Analysis
}

export interface AssessSettings {
  options?: AudioCheckOptions
  timeoutMs?: number
  signal?: AbortSignal
  /** Encoded copies made by the decoding pass itself (written only when the container checks pass). */
  outputs?: OutputSpec[]
  normalizeLoudness?: boolean
  /** ffprobe's and ffmpeg's stderr, for the job log. */
  onStderr?: (tool: 'ffprobe' | 'ffmpeg', stderr: string) => void
}

export const inspectFile = async (
  file: string,
  settings: AssessSettings = {},
): Promise<InspectResult> => (await assessFile(file, settings)).result

/**
 * Everything the plugin decides about one file, without touching the database: probe, the
 * container checks, and (only if those pass) one bounded decoding pass with the signal checks.
 */
export const assessFile = async (
  file: string,
  { options = DEFAULT_CHECK_OPTIONS, timeoutMs = 120_000, signal, onStderr, outputs, normalizeLoudness }: AssessSettings = {},
): Promise<Assessment> => {
  const { size } = await fs.stat(file)
  const probed = size === 0 ? undefined : await probe(file, { timeoutMs, signal, onStderr: (text) => onStderr?.('ffprobe', text) }).catch((error) => {
    if (error instanceof ProbeError) return undefined
    throw error
  })
  const containerChecks = checkContainer(size, probed, options)
  const base = {
    sampleRate: probed?.sampleRate,
    channels: probed?.channels,
    codec: probed?.codec,
    container: probed?.formatName,
  }
  if (!probed || containerChecks.some((check) => check.severity === 'error')) {
    return { result: { ...verdict(containerChecks), ...base, durationMs: probed?.declaredDurationMs, checks: containerChecks } }
  }
  let analysis
  try {
    analysis = await analyze(file, { timeoutMs, signal, outputs, normalizeLoudness, onStderr: (text) => onStderr?.('ffmpeg', text), maxDecodeSeconds: Math.ceil(options.maxDurationMs / 1000) })
  } catch (error) {
    if ((error as Error).name === 'ToolTimeoutError' || (error as Error).name === 'ToolKilledError' || signal?.aborted) throw error
    const checks = [...containerChecks, { code: 'corrupt', severity: 'error' as const, message: 'The file is damaged: its audio could not be decoded.' }]
    return { result: { ...verdict(checks), ...base, checks } }
  }
  const checks = [...containerChecks, ...checkSignal(probed, analysis, options)]
  return { result: { ...verdict(checks), ...base, durationMs: analysis.decodedDurationMs, checks }, analysis }
}
