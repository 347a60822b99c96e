import type { SuppressionResult } from './privacy'
import { DEMOGRAPHIC_COLUMNS, SPLITS, type Bucket, type DemographicColumn, type ExportRow, type Split } from './types'

export interface Totals {
  clips: number
  hours: number
  speakers: number
}

export interface DatasetStats {
  all: Totals
  buckets: Record<Bucket, Totals>
  splits: Record<Split, Totals>
  heldOut: number
  /** Per column, values shared by at least k speakers (rarer ones are not listed). */
  demographics: Record<DemographicColumn, { value: string; speakers: number; clips: number }[]>
  /** Distinct values left out of the tables (and blanked in rows) because fewer than k speakers share them. */
  suppressedValues: number
  /** Speakers with no (or suppressed) value for a column are counted here. */
  unknownSpeakers: Record<DemographicColumn, number>
  consentVersions: { version: string; clips: number }[]
  methods: { method: string; clips: number }[]
  decidedBy: { by: string; clips: number }[]
  meanConfidence: number | null
  minConfidence: number | null
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10_000) / 10_000

class TotalsCounter {
  private clips = 0
  private ms = 0
  private speakers = new Set<string>()
  add(row: ExportRow) {
    this.clips++
    this.ms += row.durationMs
    this.speakers.add(row.speakerId)
  }
  result(): Totals {
    return { clips: this.clips, hours: hours(this.ms), speakers: this.speakers.size }
  }
}

const sortedCounts = <K extends string>(counts: Map<string, number>, name: K) =>
  [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([value, clips]) => ({ [name]: value, clips }) as Record<K, string> & { clips: number })

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)

/**
 * The datasheet's figures, one row at a time: what it keeps grows with the number of speakers and
 * distinct values, never with the number of clips, so an export of any size is summarised in a
 * bounded memory. Feed it the rows as written (already k-suppressed).
 */
export class StatsAccumulator {
  private all = new TotalsCounter()
  private buckets: Record<Bucket, TotalsCounter> = { validated: new TotalsCounter(), invalidated: new TotalsCounter(), other: new TotalsCounter() }
  private splits: Record<Split, TotalsCounter> = { train: new TotalsCounter(), dev: new TotalsCounter(), test: new TotalsCounter() }
  private values = Object.fromEntries(DEMOGRAPHIC_COLUMNS.map((column) => [column, new Map<string, { speakers: Set<string>; clips: number }>()])) as Record<
    DemographicColumn,
    Map<string, { speakers: Set<string>; clips: number }>
  >
  private speakers = new Set<string>()
  private consentVersions = new Map<string, number>()
  private methods = new Map<string, number>()
  private decidedBy = new Map<string, number>()
  private confidenceSum = 0
  private confidenceCount = 0
  private confidenceMin = Infinity

  add(row: ExportRow): void {
    this.all.add(row)
    this.buckets[row.bucket].add(row)
    if (row.split) this.splits[row.split].add(row)
    this.speakers.add(row.speakerId)
    for (const column of DEMOGRAPHIC_COLUMNS) {
      const value = row.demographics[column]
      if (!value) continue
      const entry = this.values[column].get(value) ?? { speakers: new Set<string>(), clips: 0 }
      entry.speakers.add(row.speakerId)
      entry.clips++
      this.values[column].set(value, entry)
    }
    bump(this.consentVersions, row.consentVersion || '(not recorded)')
    if (row.bucket !== 'validated') return
    bump(this.methods, row.method || '(unknown)')
    bump(this.decidedBy, row.decidedBy || '(unknown)')
    if (typeof row.confidence === 'number') {
      this.confidenceSum += row.confidence
      this.confidenceCount++
      this.confidenceMin = Math.min(this.confidenceMin, row.confidence)
    }
  }

  /** The figures; `blanked` values (fewer than k speakers) are left out of the tables. */
  result(heldOut: number, blanked: SuppressionResult['blanked']): DatasetStats {
    const demographics = {} as DatasetStats['demographics']
    const unknownSpeakers = {} as DatasetStats['unknownSpeakers']
    let suppressedValues = 0
    for (const column of DEMOGRAPHIC_COLUMNS) {
      suppressedValues += blanked[column].size
      const known = new Set<string>()
      demographics[column] = [...this.values[column]]
        .filter(([value]) => !blanked[column].has(value))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([value, { speakers, clips }]) => {
          speakers.forEach((speaker) => known.add(speaker))
          return { value, speakers: speakers.size, clips }
        })
      unknownSpeakers[column] = [...this.speakers].filter((speaker) => !known.has(speaker)).length
    }
    return {
      all: this.all.result(),
      buckets: { validated: this.buckets.validated.result(), invalidated: this.buckets.invalidated.result(), other: this.buckets.other.result() },
      splits: Object.fromEntries(SPLITS.map((split) => [split, this.splits[split].result()])) as Record<Split, Totals>,
      heldOut,
      demographics,
      suppressedValues,
      unknownSpeakers,
      consentVersions: sortedCounts(this.consentVersions, 'version'),
      methods: sortedCounts(this.methods, 'method'),
      decidedBy: sortedCounts(this.decidedBy, 'by'),
      meanConfidence: this.confidenceCount ? Math.round((this.confidenceSum / this.confidenceCount) * 10_000) / 10_000 : null,
      minConfidence: this.confidenceCount ? this.confidenceMin : null,
    }
  }
}

/** Counts, hours and speakers per bucket and split, k-suppressed demographics, label provenance. */
export const summarize = (rows: Iterable<ExportRow>, heldOut: number, suppression: Pick<SuppressionResult, 'blanked'>): DatasetStats => {
  const accumulator = new StatsAccumulator()
  for (const row of rows) accumulator.add(row)
  return accumulator.result(heldOut, suppression.blanked)
}
