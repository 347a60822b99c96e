import { describe, expect, test } from '@jest/globals'

import { DEFAULT_SEGMENT_OPTIONS, findPauses, planSegments, type Span } from '.'

/** Frame levels for speech (-20 dBFS) and pauses (-70 dBFS) laid out in seconds. */
const levels = (layout: [number, 'speech' | 'pause'][], frameMs = 20): number[] =>
  layout.flatMap(([seconds, kind]) => Array.from({ length: Math.round((seconds * 1000) / frameMs) }, () => (kind === 'speech' ? -20 : -70)))

const lengths = (spans: Span[]) => spans.map((span) => span.endMs - span.startMs)

describe('findPauses', () => {
  test('finds quiet runs long enough to cut in, ignores short gaps', () => {
    const frames = levels([[2, 'speech'], [0.5, 'pause'], [1, 'speech'], [0.1, 'pause'], [1, 'speech']])
    expect(findPauses(frames, 20)).toEqual([{ startMs: 2000, endMs: 2500 }])
  })
})

describe('planSegments', () => {
  test('a prompt recording shorter than the maximum is one segment, trimmed of leading and trailing silence', () => {
    const frames = levels([[0.4, 'pause'], [3, 'speech'], [0.6, 'pause']])
    expect(planSegments(4000, findPauses(frames, 20))).toEqual([{ startMs: 400, endMs: 3400 }])
  })

  test('cuts in the middle of pauses, every segment within 1–15 s', () => {
    const layout: [number, 'speech' | 'pause'][] = []
    for (let i = 0; i < 8; i++) layout.push([6, 'speech'], [0.6, 'pause'])
    const frames = levels(layout)
    const duration = frames.length * 20
    const segments = planSegments(duration, findPauses(frames, 20))
    expect(segments.length).toBeGreaterThan(2)
    for (const length of lengths(segments)) {
      expect(length).toBeGreaterThanOrEqual(DEFAULT_SEGMENT_OPTIONS.minSegmentMs)
      expect(length).toBeLessThanOrEqual(DEFAULT_SEGMENT_OPTIONS.maxSegmentMs)
    }
    // Every cut is in a pause (pause k spans 6.6k+6.0 .. 6.6k+6.6 s); its middle is 6.6k + 6.3 s.
    for (const { endMs } of segments.slice(0, -1)) {
      const k = Math.round((endMs - 6300) / 6600)
      expect(Math.abs(endMs - (6600 * k + 6300))).toBeLessThanOrEqual(50)
    }
  })

  test('prefers the longest pause in range', () => {
    const frames = levels([[4, 'speech'], [0.3, 'pause'], [4, 'speech'], [1.2, 'pause'], [4, 'speech'], [0.3, 'pause'], [4, 'speech']])
    const segments = planSegments(frames.length * 20, findPauses(frames, 20))
    expect(Math.abs(segments[0].endMs - 8900)).toBeLessThanOrEqual(50)
  })

  test('a stretch with no pause is split evenly, never longer than the maximum', () => {
    const frames = levels([[40, 'speech']])
    const segments = planSegments(40_000, findPauses(frames, 20))
    expect(segments).toHaveLength(3)
    expect(segments.at(-1)!.endMs).toBe(40_000)
    for (const length of lengths(segments)) expect(Math.abs(length - 13_333)).toBeLessThanOrEqual(1)
  })

  test('all silence yields no segments', () => {
    const frames = levels([[5, 'pause']])
    expect(planSegments(5000, findPauses(frames, 20))).toEqual([])
  })

  test('a short last piece joins the previous one when they fit together', () => {
    const frames = levels([[9, 'speech'], [0.4, 'pause'], [7, 'speech'], [0.4, 'pause'], [0.5, 'speech']])
    const segments = planSegments(frames.length * 20, findPauses(frames, 20))
    expect(segments.length).toBe(2)
    expect(segments.at(-1)!.endMs).toBe(17_300)
  })
})
