import type { Payload } from 'payload'

import { BUILT_IN_FORMATS, type ExportFormat } from './formats'

export const EXPORTS = 'dataset-exports'
export const DOWNLOADS = 'dataset-export-downloads'
export const SETTINGS_KEY = 'shrutikExport'

export interface ExportOptions {
  /** With `false` the collections stay (data and migrations are unaffected) but no job, hook or endpoint is added. @default true */
  enabled?: boolean
  /** Where finished archives and work folders live (must be shared by every worker). Required. */
  exportsDir: string
  /** @default 'segments' */
  segmentsSlug?: string
  /** @default 'recordings' */
  recordingsSlug?: string
  /** @default 'sentences' */
  sentencesSlug?: string
  /** @default 'languages' */
  languagesSlug?: string
  /** @deprecated Ignored: votes and decisions come from the consensus plugin's decision source (SDK `getDecisionSource`). */
  votesSlug?: string
  /** @default 'users' */
  usersSlug?: string
  /** Sentence skips and reports (`sentence`, `reason`; reason `skip` is not a report): reported.tsv. Absent: reported.tsv has its header only. @default 'sentence-skips' */
  reportsSlug?: string
  /** Extra formats (or replacements, by name) besides cv, hf, kaldi, nemo and ljspeech. */
  formats?: ExportFormat[]
  /** Demographic values shared by fewer speakers are blanked. @default 5 */
  k?: number
  /** Clips per shard job. @default 1000 */
  shardSize?: number
  /** ffmpeg children at once per shard. @default the number of CPUs */
  concurrency?: number
  /** Licence of the recordings (SPDX id), written in every datasheet. @default 'CC0-1.0' */
  licence?: string
  /** How labels are decided, in words, for the datasheet. @default the consensus plugin's default rules */
  labelPolicy?: string
  /** Version string written in every datasheet. @default '@shrutik/plugin-export 0.1.0' */
  softwareVersion?: string
  /**
   * The one place withdrawn consent reaches exports: given a batch of recording ids, returns those
   * whose contributor withdrew. Every selection calls it; the datasheet counts the clips it removed.
   * @default nothing is withdrawn
   */
  withdrawnRecordings?: (recordingIds: number[], payload: Payload) => Promise<Iterable<number>>
  /** How often scheduled exports are checked (Agenda interval); `false` turns schedules off. @default '15 minutes' */
  scheduleCheck?: string | number | false
  /** Work (ffmpeg) per clip is stopped past this. @default 120000 */
  clipTimeoutMs?: number
  /** A worker that stops heartbeating for this long hands its export job to another. @default 120000 */
  lockLifetimeMs?: number
}

export type SanitizedExportOptions = Required<Omit<ExportOptions, 'formats' | 'concurrency' | 'votesSlug'>> & {
  formats: Map<string, ExportFormat>
  concurrency: number
}

export const DEFAULT_LABEL_POLICY =
  'Prompt clips are validated by listeners\' votes (consensus plugin, default rules): with calibrated voters, one-coin Dawid–Skene, accepted at P(valid) ≥ 0.95; ' +
  'otherwise the Common Voice rule, at least 2 votes on one side and more than on the other. Segments of long recordings are transcribed by several people and accepted ' +
  'when at least 3 transcriptions agree with reliability-weighted confidence ≥ 0.8. Undecided clips go to reviewers, whose decision is final.'

export const sanitizeOptions = (options: ExportOptions, cpus = 2): SanitizedExportOptions => {
  if (!options.exportsDir) throw new Error('exportPlugin needs `exportsDir`: the folder for finished exports.')
  const k = options.k ?? 5
  if (!Number.isInteger(k) || k < 1) throw new Error(`exportPlugin: \`k\` must be a whole number ≥ 1, not ${options.k}.`)
  const shardSize = options.shardSize ?? 1000
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new Error(`exportPlugin: \`shardSize\` must be a whole number ≥ 1, not ${options.shardSize}.`)
  const formats = new Map(BUILT_IN_FORMATS.map((format) => [format.name, format]))
  for (const format of options.formats ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(format.name)) throw new Error(`exportPlugin: format name "${format.name}" must be lower-case letters, digits and dashes.`)
    formats.set(format.name, format)
  }
  return {
    enabled: options.enabled ?? true,
    exportsDir: options.exportsDir,
    segmentsSlug: options.segmentsSlug ?? 'segments',
    recordingsSlug: options.recordingsSlug ?? 'recordings',
    sentencesSlug: options.sentencesSlug ?? 'sentences',
    languagesSlug: options.languagesSlug ?? 'languages',
    usersSlug: options.usersSlug ?? 'users',
    reportsSlug: options.reportsSlug ?? 'sentence-skips',
    formats,
    k,
    shardSize,
    concurrency: options.concurrency ?? Math.max(1, cpus),
    licence: options.licence ?? 'CC0-1.0',
    labelPolicy: options.labelPolicy ?? DEFAULT_LABEL_POLICY,
    softwareVersion: options.softwareVersion ?? '@shrutik/plugin-export 0.1.0',
    withdrawnRecordings: options.withdrawnRecordings ?? (async () => []),
    scheduleCheck: options.scheduleCheck ?? '15 minutes',
    clipTimeoutMs: options.clipTimeoutMs ?? 120_000,
    lockLifetimeMs: options.lockLifetimeMs ?? 120_000,
  }
}

/** The sanitized options, as the plugin stored them on the config (for jobs, endpoints and the CLI). */
export const exportSettings = (payload: Payload): SanitizedExportOptions => {
  const settings = (payload.config.custom as Record<string, unknown> | undefined)?.[SETTINGS_KEY] as SanitizedExportOptions | undefined
  if (!settings) throw new Error('The export plugin is not installed in this configuration (add exportPlugin to payload.config.ts).')
  return settings
}
