import type { DatasetStats } from './stats'
import { DEMOGRAPHIC_COLUMNS, SPLITS } from './types'

export interface DatasheetMeta {
  title: string
  language: { code: string; name: string }
  format: string
  audio: string
  sampleRate: number | null
  seed: number
  k: number
  licence: string
  softwareVersion: string
  /** The selection, in words (one line per filter). */
  filters: string[]
  /** Clips removed because their contributor withdrew consent. */
  withdrawnRemoved: number
  /** How labels were decided, in words (the consensus plugin's rules and thresholds). */
  labelPolicy: string
  /** The speaker-hash salt was fresh for this export (ids do not match other exports). */
  saltRotated: boolean
  /** Extra lines a format adds (how to load it). */
  usage?: string[]
}

/** A Markdown table; a `|` or line break inside a cell (a contributor's accent, say) cannot break it. */
const cell = (value: string | number) => String(value).replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')
const table = (header: string[], rows: (string | number)[][]): string =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n')

const hours = (value: number) => value.toFixed(2)

/**
 * The datasheet (README.md) of an export: what is in it, how it was chosen and labelled, who is
 * in it (k-suppressed), under which terms. Deterministic: no timestamps, so a re-run is identical.
 */
export const renderDatasheet = (stats: DatasetStats, meta: DatasheetMeta): string => {
  const lines: string[] = []
  lines.push(`# ${meta.title}`, '')
  lines.push(
    `Speech in ${meta.language.name} (\`${meta.language.code}\`), exported from Shrutik as **${meta.format}** with ${meta.audio} audio${meta.sampleRate ? ` at ${meta.sampleRate} Hz mono` : ''}.`,
    '',
  )
  lines.push('## Contents', '')
  lines.push(
    table(
      ['', 'clips', 'hours', 'speakers'],
      [
        ['all', stats.all.clips, hours(stats.all.hours), stats.all.speakers],
        ...(['validated', 'invalidated', 'other'] as const).map((bucket) => [bucket, stats.buckets[bucket].clips, hours(stats.buckets[bucket].hours), stats.buckets[bucket].speakers]),
      ],
    ),
    '',
  )
  lines.push('## Splits', '')
  lines.push(table(['split', 'clips', 'hours', 'speakers'], SPLITS.map((split) => [split, stats.splits[split].clips, hours(stats.splits[split].hours), stats.splits[split].speakers])), '')
  lines.push(
    `Splits are speaker-disjoint and sentence-disjoint, drawn with seed **${meta.seed}**: the same data and seed give the same splits. ` +
      `Validated clips held out of every split to keep sentences disjoint: ${stats.heldOut}.`,
    '',
  )
  lines.push('## Selection', '', ...meta.filters.map((filter) => `- ${filter}`), `- Removed because consent was withdrawn: ${meta.withdrawnRemoved}`, '')
  lines.push('## How labels were decided', '', meta.labelPolicy, '')
  lines.push(table(['method', 'clips'], stats.methods.map((entry) => [entry.method, entry.clips])), '')
  const reviewer = stats.decidedBy.find((entry) => entry.by === 'reviewer')?.clips ?? 0
  const share = stats.buckets.validated.clips ? ((100 * reviewer) / stats.buckets.validated.clips).toFixed(1) : '0.0'
  lines.push(
    `Decided by a reviewer: ${reviewer} of ${stats.buckets.validated.clips} validated clips (${share} %). ` +
      `Confidence of validated clips: mean ${stats.meanConfidence ?? 'n/a'}, minimum ${stats.minConfidence ?? 'n/a'}.`,
    '',
  )
  lines.push('## Speakers and demographics', '')
  lines.push(
    `Speaker ids are salted hashes; the salt never leaves the server${meta.saltRotated ? ' and was fresh for this export, so ids do not match other exports' : ''}. ` +
      `No email, name, client id or address is included. Demographics come only from contributors who opted in, and any value shared by fewer than ${meta.k} speakers is blanked in the clip rows and left out below (${stats.suppressedValues} value(s) suppressed).`,
    '',
  )
  for (const column of DEMOGRAPHIC_COLUMNS) {
    lines.push(`### ${column}`, '')
    lines.push(
      table(
        ['value', 'speakers', 'clips'],
        [...stats.demographics[column].map((entry) => [entry.value, entry.speakers, entry.clips]), ['(not given or suppressed)', stats.unknownSpeakers[column], '']],
      ),
      '',
    )
  }
  lines.push('## Consent and licence', '')
  lines.push(`Licence: ${meta.licence}.`, '')
  lines.push(table(['consent terms version', 'clips'], stats.consentVersions.map((entry) => [entry.version, entry.clips])), '')
  if (meta.usage?.length) lines.push('## Loading it', '', ...meta.usage, '')
  lines.push('## Provenance', '')
  lines.push(`Software: ${meta.softwareVersion}. \`SHA256SUMS\` lists the SHA-256 of every other file (\`sha256sum -c SHA256SUMS\`).`, '')
  return lines.join('\n')
}
