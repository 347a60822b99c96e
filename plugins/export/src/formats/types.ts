import type { DatasetStats, ExportRow } from '../core'

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
  content: string
}

/**
 * A dataset layout. Providers are pure: they say where each clip's audio goes and render the
 * manifests from the planned rows; the export job does the I/O. Add one with the plugin's
 * `formats` option.
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
  /** A message when this format cannot hold the selection (e.g. several speakers for LJSpeech). */
  check?(rows: ExportRow[]): string | undefined
  /** Where a clip's audio goes, or null when this format leaves the clip out. */
  audioPath(row: ExportRow): string | null
  /** Manifests and other text files (README.md and SHA256SUMS are added by the export). */
  files(rows: ExportRow[], context: FormatContext): ExportFile[]
  /** README.md; the datasheet when absent. */
  readme?(context: FormatContext): string
  /** Lines for the datasheet's "Loading it" section. */
  usage: string[]
}
