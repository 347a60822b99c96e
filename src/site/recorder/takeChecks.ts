/**
 * Checks on a take in the browser, before anything is uploaded (the server checks again, fully).
 * Pure: fed with 20 ms frame measurements from the level meter.
 */
export interface TakeMeasurements {
  durationMs: number
  /** Level of each 20 ms frame in dBFS. */
  frameDbfs: number[]
  /** Share of samples at full scale. */
  clippedRatio: number
}

export interface TakeLimits {
  minMs: number
  maxMs: number
  /** A frame under this is silence. */
  silenceDbfs: number
  /** More than this share of silent frames, or no frame above `voiceDbfs`: nobody spoke. */
  maxSilentShare: number
  voiceDbfs: number
  maxClippedRatio: number
}

export const PROMPT_LIMITS: TakeLimits = { minMs: 1000, maxMs: 15_000, silenceDbfs: -50, maxSilentShare: 0.95, voiceDbfs: -40, maxClippedRatio: 0.01 }
export const LONG_LIMITS: TakeLimits = { ...PROMPT_LIMITS, minMs: 10_000, maxMs: 11 * 60_000 }

export type TakeProblem = 'tooShort' | 'tooLong' | 'silent' | 'clipped'

export const checkTake = (take: TakeMeasurements, limits: TakeLimits = PROMPT_LIMITS): TakeProblem | undefined => {
  if (take.durationMs < limits.minMs) return 'tooShort'
  if (take.durationMs > limits.maxMs) return 'tooLong'
  const frames = take.frameDbfs.length
  const silent = take.frameDbfs.filter((level) => level < limits.silenceDbfs).length
  const loudest = frames ? Math.max(...take.frameDbfs) : -Infinity
  if (frames === 0 || silent / frames > limits.maxSilentShare || loudest < limits.voiceDbfs) return 'silent'
  if (take.clippedRatio > limits.maxClippedRatio) return 'clipped'
  return undefined
}

export const toDbfs = (meanSquare: number): number => (meanSquare <= 0 ? -120 : 10 * Math.log10(meanSquare))
