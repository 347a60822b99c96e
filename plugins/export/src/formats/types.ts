import type { DatasetStats, ExportRow, RowSource } from '../core'

export type AudioCodec = 'flac' | 'wav' | 'opus' | 'copy'

export interface FormatContext {
  language: { code: string; name: string }
  /** The rendered datasheet (Markdown). */
  datasheet: string
  stats: DatasetStats
  /** SPDX licence id, e.g. CC0-1.0. */
  licence: string
  title: string
}

export interface ExportFile {
  /** Relative path inside the export, `/`-separated. */
  path: string
  /** The text, or its chunks in order (written as they come, so a file of any size streams). */
  content: string | AsyncIterable<string> | Iterable<string>
}

/**
 * A dataset layout. Providers are pure: they say where each clip's audio goes and render the
 * manifests from the planned rows; the export job does the I/O. Rows come as streams (a
 * `RowSource`, in name order), so a provider never holds the dataset in memory: keep per-file
 * state to what grows with speakers, not clips. Add one with the plugin's `formats` option.
 */
export interface ExportFormat {
  /** What `--format` and the admin form call it. */
  name: string
  /** One line: what it is for. */
  description: string
  /** Audio this format needs whatever the request (LJSpeech: WAV at 22,050 Hz). */
  forcedAudio?: { codec: Exclude<AudioCodec, 'copy'>; sampleRate: number }
  /** Audio used when the request leaves it open. @default FLAC 16 kHz */
  defaultAudio?: { codec: AudioCodec; sampleRate: number }
  /** A message when this format cannot hold the selection (e.g. several speakers for LJSpeech); `source` holds the rows it would write. */
  check?(source: RowSource): Promise<string | undefined>
  /** Where a clip's audio goes, or null when this format leaves the clip out. */
  audioPath(row: ExportRow): string | null
  /** Manifests and other text files (README.md and SHA256SUMS are added by the export). */
  files(source: RowSource, context: FormatContext): AsyncIterable<ExportFile> | Iterable<ExportFile>
  /** README.md; the datasheet when absent. */
  readme?(context: FormatContext): string
  /** Lines for the datasheet's "Loading it" section. */
  usage: string[]
}
