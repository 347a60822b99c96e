/**
 * Cutting long recordings into segments at pauses: pure functions over per-frame levels, so the
 * one decoding pass that measures the audio also finds where to cut.
 */

export interface Span {
  startMs: number
  endMs: number
}

export interface SegmentOptions {
  /** @default 1000 */
  minSegmentMs: number
  /** @default 15000 */
  maxSegmentMs: number
  /** A pause must be at least this long to cut in. @default 250 */
  minPauseMs: number
  /** Frames quieter than this are pause. @default -45 */
  pauseThresholdDbfs: number
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = { minSegmentMs: 1000, maxSegmentMs: 15_000, minPauseMs: 250, pauseThresholdDbfs: -45 }

/** Runs of quiet frames at least `minPauseMs` long. */
export const findPauses = (frameLevelsDbfs: ArrayLike<number>, frameMs: number, options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): Span[] => {
  const pauses: Span[] = []
  let start = -1
  for (let i = 0; i <= frameLevelsDbfs.length; i++) {
    const quiet = i < frameLevelsDbfs.length && frameLevelsDbfs[i] < options.pauseThresholdDbfs
    if (quiet && start < 0) start = i
    if (!quiet && start >= 0) {
      if ((i - start) * frameMs >= options.minPauseMs) pauses.push({ startMs: start * frameMs, endMs: i * frameMs })
      start = -1
    }
  }
  return pauses
}

/**
 * Segments covering the speech, each between min and max length where the audio allows. Cuts go in
 * the middle of the longest pause in range, never mid-speech when a pause exists; a stretch with
 * no pause in range is split evenly. Leading and trailing pauses are left out.
 */
export const planSegments = (durationMs: number, pauses: Span[], options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): Span[] => {
  const lead = pauses[0]?.startMs === 0 ? pauses[0].endMs : 0
  const last = pauses.at(-1)
  const tail = last && last.endMs >= durationMs ? last.startMs : durationMs
  if (tail - lead <= 0) return []
  const inner = pauses.filter((pause) => pause.startMs > lead && pause.endMs < tail)
  const segments: Span[] = []
  let start = lead
  while (tail - start > options.maxSegmentMs) {
    const candidates = inner.filter((pause) => {
      const cut = (pause.startMs + pause.endMs) / 2
      return cut - start >= options.minSegmentMs && cut - start <= options.maxSegmentMs
    })
    let cutAt: number
    let resumeAt: number
    if (candidates.length > 0) {
      const best = candidates.reduce((a, b) => (b.endMs - b.startMs > a.endMs - a.startMs ? b : a))
      cutAt = Math.round((best.startMs + best.endMs) / 2)
      resumeAt = cutAt
    } else {
      // No pause in range: split this stretch into equal parts no longer than the maximum.
      const nextPause = inner.find((pause) => pause.startMs > start)
      const stretchEnd = nextPause ? (nextPause.startMs + nextPause.endMs) / 2 : tail
      const parts = Math.ceil((stretchEnd - start) / options.maxSegmentMs)
      cutAt = Math.round(start + (stretchEnd - start) / parts)
      resumeAt = cutAt
    }
    segments.push({ startMs: Math.round(start), endMs: cutAt })
    start = resumeAt
  }
  segments.push({ startMs: Math.round(start), endMs: Math.round(tail) })
  // A short last piece joins the one before it when the two still fit.
  if (segments.length > 1) {
    const final = segments.at(-1)!
    const previous = segments.at(-2)!
    if (final.endMs - final.startMs < options.minSegmentMs && final.endMs - previous.startMs <= options.maxSegmentMs) {
      segments.splice(-2, 2, { startMs: previous.startMs, endMs: final.endMs })
    }
  }
  return segments
}
