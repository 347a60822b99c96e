/**
 * Audio validation rules: pure functions from what ffprobe and the analysis pass measured to a
 * list of checks, each with a machine code and a message a contributor understands.
 */

export interface AudioCheckOptions {
  /** @default 52428800 (50 MB) */
  maxFileBytes: number
  /** @default 1800000 (30 minutes) */
  maxDurationMs: number
  /** @default 1000 */
  minDurationMs: number
  /** @default 2 */
  maxChannels: number
  /** @default 8000 */
  minSampleRate: number
  /** @default 96000 */
  maxSampleRate: number
  /** Container names as ffprobe reports them (any token of "mov,mp4,m4a,..." may match). */
  allowedContainers: string[]
  allowedCodecs: string[]
  /** Decoded shorter than declared × this (minus 0.5 s) means truncated. @default 0.9 */
  truncationRatio: number
  /** @default 0.95 */
  maxSilenceRatio: number
  /** Share of clipped samples that earns a warning. @default 0.01 */
  clippingWarnRatio: number
  /** Share of clipped samples that rejects. @default 0.1 */
  clippingRejectRatio: number
  /** Quieter than this (LUFS) rejects: nobody can hear it. @default -50 */
  minLoudnessLufs: number
  /** Quieter than this warns. @default -35 */
  quietLoudnessLufs: number
  /** Louder than this rejects: noise or distortion, not a voice. @default -5 */
  maxLoudnessLufs: number
  /** Estimated signal-to-noise below this warns. @default 10 */
  lowSnrDb: number
}

export const DEFAULT_CHECK_OPTIONS: AudioCheckOptions = {
  maxFileBytes: 50 * 1024 * 1024,
  maxDurationMs: 30 * 60 * 1000,
  minDurationMs: 1000,
  maxChannels: 2,
  minSampleRate: 8000,
  maxSampleRate: 96_000,
  allowedContainers: ['wav', 'webm', 'matroska', 'ogg', 'flac', 'mp3', 'mp4', 'm4a', 'mov'],
  allowedCodecs: ['pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_u8', 'opus', 'vorbis', 'flac', 'mp3', 'aac', 'alac'],
  truncationRatio: 0.9,
  maxSilenceRatio: 0.95,
  clippingWarnRatio: 0.01,
  clippingRejectRatio: 0.1,
  minLoudnessLufs: -50,
  quietLoudnessLufs: -35,
  maxLoudnessLufs: -5,
  lowSnrDb: 10,
}

export type Severity = 'error' | 'warning' | 'ok'

export interface Check {
  code: string
  severity: Severity
  message: string
  value?: number | string
}

export interface ProbeFacts {
  formatName: string
  declaredDurationMs?: number
  audioStreams: number
  codec?: string
  sampleRate?: number
  channels?: number
}

export interface AnalysisFacts {
  decodedDurationMs: number
  hitDecodeCap: boolean
  decodeErrors: number
  integratedLufs?: number
  silenceRatio: number
  clippingRatio: number
  snrEstimateDb: number
}

/** "4.2 s" under a minute, "12:05" (minutes:seconds) above. */
const minutes = (ms: number): string => {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const total = Math.round(ms / 1000)
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`
}

const error = (code: string, message: string, value?: number | string): Check => ({ code, severity: 'error', message, value })
const warning = (code: string, message: string, value?: number | string): Check => ({ code, severity: 'warning', message, value })

/** Before any decoding: size, container, codec, channels, sample rate, declared length. */
export const checkContainer = (fileSizeBytes: number, probe: ProbeFacts | undefined, options: AudioCheckOptions = DEFAULT_CHECK_OPTIONS): Check[] => {
  if (fileSizeBytes === 0) return [error('empty', 'The file is empty. Record again and re-upload.')]
  if (fileSizeBytes > options.maxFileBytes) {
    return [error('too-large', `The file is larger than the ${Math.round(options.maxFileBytes / 1024 / 1024)} MB limit.`, fileSizeBytes)]
  }
  if (!probe || probe.audioStreams === 0) return [error('not-audio', 'The file is not audio (no sound could be read from it).')]
  const checks: Check[] = []
  const containers = probe.formatName.split(',')
  if (!containers.some((name) => options.allowedContainers.includes(name))) {
    checks.push(error('container-not-allowed', `Audio in a ${probe.formatName} file is not accepted. Use WebM, Ogg, WAV, FLAC, MP3 or M4A.`, probe.formatName))
  }
  if (!probe.codec || !options.allowedCodecs.includes(probe.codec)) {
    checks.push(error('codec-not-allowed', `The ${probe.codec ?? 'unknown'} audio codec is not accepted. Use Opus, Vorbis, PCM, FLAC, MP3 or AAC.`, probe.codec ?? 'unknown'))
  }
  if (probe.channels && probe.channels > options.maxChannels) {
    checks.push(error('too-many-channels', `The recording has ${probe.channels} channels; at most ${options.maxChannels} are accepted.`, probe.channels))
  }
  if (probe.sampleRate && probe.sampleRate > options.maxSampleRate) {
    checks.push(error('sample-rate-too-high', `The sample rate is ${probe.sampleRate} Hz; at most ${options.maxSampleRate} Hz is accepted.`, probe.sampleRate))
  }
  if (probe.sampleRate && probe.sampleRate < options.minSampleRate) {
    checks.push(error('sample-rate-too-low', `The sample rate is ${probe.sampleRate} Hz; at least ${options.minSampleRate} Hz is needed for speech.`, probe.sampleRate))
  }
  if (probe.declaredDurationMs && probe.declaredDurationMs > options.maxDurationMs) {
    checks.push(error('too-long', `The recording is ${minutes(probe.declaredDurationMs)} long, over the ${minutes(options.maxDurationMs)} limit.`, probe.declaredDurationMs))
  }
  return checks
}

/** After decoding: true length, truncation, corruption, silence, clipping, loudness, noise. */
export const checkSignal = (probe: ProbeFacts, analysis: AnalysisFacts, options: AudioCheckOptions = DEFAULT_CHECK_OPTIONS): Check[] => {
  const checks: Check[] = []
  const decoded = analysis.decodedDurationMs
  if (analysis.hitDecodeCap || decoded > options.maxDurationMs) {
    checks.push(error('too-long', `The recording is longer than the ${minutes(options.maxDurationMs)} limit.`, decoded))
  }
  // Many decoding errors: damaged data. A few and too little sound for what the header claims: cut short.
  if (analysis.decodeErrors > 3) {
    checks.push(error('corrupt', `The file is damaged: ${analysis.decodeErrors} parts of it could not be decoded.`, analysis.decodeErrors))
  } else if (probe.declaredDurationMs && decoded < probe.declaredDurationMs * options.truncationRatio - 500) {
    checks.push(
      error('truncated', `The file is cut short: it says it is ${minutes(probe.declaredDurationMs)} long but holds only ${minutes(decoded)} of sound. Upload it again.`, decoded),
    )
  } else if (analysis.decodeErrors > 0 && decoded < options.minDurationMs) {
    checks.push(error('corrupt', 'The file is damaged: its audio could not be decoded.', analysis.decodeErrors))
  }
  if (decoded < options.minDurationMs) {
    checks.push(error('too-short', `The recording is ${(decoded / 1000).toFixed(1)} s long; at least ${(options.minDurationMs / 1000).toFixed(1)} s is needed.`, decoded))
  }
  if (analysis.silenceRatio > options.maxSilenceRatio || (analysis.integratedLufs === undefined && decoded >= options.minDurationMs)) {
    checks.push(error('silent', 'The recording is silent. Check that the right microphone is selected and speak close to it.', analysis.silenceRatio))
  } else if (analysis.integratedLufs !== undefined) {
    if (analysis.integratedLufs < options.minLoudnessLufs) {
      checks.push(error('too-quiet', 'The recording is too quiet to hear. Speak closer to the microphone.', analysis.integratedLufs))
    } else if (analysis.integratedLufs < options.quietLoudnessLufs) {
      checks.push(warning('quiet', 'The recording is quiet; it may be hard to hear.', analysis.integratedLufs))
    } else if (analysis.integratedLufs > options.maxLoudnessLufs) {
      checks.push(error('too-loud', 'The recording is so loud it sounds like noise or distortion, not a voice.', analysis.integratedLufs))
    }
  }
  if (analysis.clippingRatio > options.clippingRejectRatio) {
    checks.push(error('clipped', 'The recording is badly distorted (clipped). Move a little further from the microphone.', analysis.clippingRatio))
  } else if (analysis.clippingRatio > options.clippingWarnRatio) {
    checks.push(warning('clipping', 'Parts of the recording are distorted (clipped).', analysis.clippingRatio))
  }
  if (analysis.snrEstimateDb < options.lowSnrDb && !checks.some((check) => check.code === 'silent')) {
    checks.push(warning('noisy', 'There is a lot of background noise compared with the voice.', analysis.snrEstimateDb))
  }
  return checks
}

export interface Verdict {
  ok: boolean
  code: string
  message: string
}

/** The first error decides; otherwise accepted (warnings are kept for reviewers). */
export const verdict = (checks: Check[]): Verdict => {
  const first = checks.find((check) => check.severity === 'error')
  return first ? { ok: false, code: first.code, message: first.message } : { ok: true, code: 'ok', message: 'The recording is usable.' }
}
