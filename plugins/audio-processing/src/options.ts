import { DEFAULT_CHECK_OPTIONS, DEFAULT_SEGMENT_OPTIONS, type AudioCheckOptions, type SegmentOptions } from './core'

export interface AudioProcessingOptions {
  /** With `false` the schema stays (so data and migrations are unaffected) but nothing is processed. @default true */
  enabled?: boolean
  /**
   * The file-store folder (see `getFileStore` in the plugin SDK) holding the recordings
   * collection's uploads as `<folder>/<filename>`. @default 'recordings'
   */
  recordingsFolder?: string
  /** The file-store folder derived audio is written to: `<folder>/<recordingId>/<run>/<file>`. @default 'processed' */
  processedFolder?: string
  /** @default 'recordings' */
  recordingsSlug?: string
  /** @default 'sentences' */
  sentencesSlug?: string
  /** @default 'segments' */
  segmentsSlug?: string
  /** Core transcriptions, whose `item` this plugin points at segments. @default 'transcriptions' */
  transcriptionsSlug?: string
  /** Thresholds of the validation checks (see core/checks.ts for each default). */
  checks?: Partial<AudioCheckOptions>
  /** Segment bounds for long recordings. @default 1–15 s, pauses ≥ 250 ms under −45 dBFS */
  segmentation?: Partial<SegmentOptions>
  /** Playback copy codec. @default 'opus' */
  playbackCodec?: 'opus' | 'mp3'
  /** EBU R128 normalisation of the archive and playback copies. @default false */
  normalizeLoudness?: boolean
  /** Hard limit for one recording's processing. @default 900000 (15 minutes) */
  timeoutMs?: number
  /** Recordings processed at once per worker process. @default 2 */
  concurrency?: number
}

export type SanitizedAudioOptions = Required<Omit<AudioProcessingOptions, 'checks' | 'segmentation'>> & {
  checks: AudioCheckOptions
  segmentation: SegmentOptions
}

const FOLDER = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/

export const sanitizeOptions = (options: AudioProcessingOptions = {}): SanitizedAudioOptions => {
  const recordingsFolder = options.recordingsFolder ?? 'recordings'
  const processedFolder = options.processedFolder ?? 'processed'
  for (const [name, value] of Object.entries({ recordingsFolder, processedFolder })) {
    if (!FOLDER.test(value)) throw new Error(`audioProcessingPlugin: \`${name}\` must be a relative folder name such as "processed", got ${JSON.stringify(value)}.`)
  }
  return {
    enabled: options.enabled ?? true,
    recordingsFolder,
    processedFolder,
    recordingsSlug: options.recordingsSlug ?? 'recordings',
    sentencesSlug: options.sentencesSlug ?? 'sentences',
    segmentsSlug: options.segmentsSlug ?? 'segments',
    transcriptionsSlug: options.transcriptionsSlug ?? 'transcriptions',
    checks: { ...DEFAULT_CHECK_OPTIONS, ...options.checks },
    segmentation: { ...DEFAULT_SEGMENT_OPTIONS, ...options.segmentation },
    playbackCodec: options.playbackCodec ?? 'opus',
    normalizeLoudness: options.normalizeLoudness ?? false,
    timeoutMs: options.timeoutMs ?? 15 * 60_000,
    concurrency: options.concurrency ?? 2,
  }
}
