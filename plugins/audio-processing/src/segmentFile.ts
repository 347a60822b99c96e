import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import { DEFAULT_SEGMENT_OPTIONS, findPauses, planSegments, type SegmentOptions } from './core'
import { analyze, transcode } from './ffmpeg'

export interface WrittenSegment {
  index: number
  startMs: number
  endMs: number
  durationMs: number
  file: string
}

/**
 * Cuts a recording at its pauses and writes each segment as 16 kHz mono FLAC into `outDir`
 * (`segment-000.flac`, ...). One decoding pass finds the cuts; one more ffmpeg run writes every segment.
 */
export const segmentFile = async (
  input: string,
  outDir: string,
  { options = DEFAULT_SEGMENT_OPTIONS, timeoutMs = 600_000, maxDecodeSeconds = 1800, signal }: { options?: SegmentOptions; timeoutMs?: number; maxDecodeSeconds?: number; signal?: AbortSignal } = {},
): Promise<WrittenSegment[]> => {
  await fs.mkdir(outDir, { recursive: true })
  // The measuring pass also keeps a 16 kHz mono copy: cutting from it needs no resampling per segment.
  const source = path.join(outDir, `.source-${randomBytes(4).toString('hex')}.flac`)
  try {
    const analysis = await analyze(input, {
      timeoutMs,
      signal,
      maxDecodeSeconds,
      loudness: false,
      silenceThresholdDbfs: options.pauseThresholdDbfs,
      outputs: [{ path: source, codec: 'flac' }],
    })
    const spans = planSegments(analysis.decodedDurationMs, findPauses(analysis.frameLevelsDbfs, analysis.frameMs, options), options)
    const written = spans.map((span, index) => ({
      index,
      startMs: span.startMs,
      endMs: span.endMs,
      durationMs: span.endMs - span.startMs,
      file: path.join(outDir, `segment-${String(index).padStart(3, '0')}.flac`),
    }))
    // One more run writes every segment (FLAC headers need one muxer per file, hence not the segment muxer).
    await transcode(
      source,
      written.map((segment) => ({ path: segment.file, codec: 'flac' as const, startMs: segment.startMs, durationMs: segment.durationMs })),
      { timeoutMs, signal },
    )
    return written
  } finally {
    await fs.rm(source, { force: true })
  }
}
