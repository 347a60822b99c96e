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

const totals = (rows: ExportRow[]): Totals => ({
  clips: rows.length,
  hours: hours(rows.reduce((sum, row) => sum + row.durationMs, 0)),
  speakers: new Set(rows.map((row) => row.speakerId)).size,
})

const countBy = <K extends string>(rows: ExportRow[], key: (row: ExportRow) => string, name: K) => {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1)
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, clips]) => ({ [name]: value, clips }) as Record<K, string> & { clips: number })
}

/** Counts, hours and speakers per bucket and split, k-suppressed demographics, label provenance. */
export const summarize = (rows: ExportRow[], heldOut: number, suppression: SuppressionResult): DatasetStats => {
  const validated = rows.filter((row) => row.bucket === 'validated')
  const demographics = {} as DatasetStats['demographics']
  const unknownSpeakers = {} as DatasetStats['unknownSpeakers']
  const allSpeakers = new Set(rows.map((row) => row.speakerId))
  let suppressedValues = 0
  for (const column of DEMOGRAPHIC_COLUMNS) {
    suppressedValues += suppression.blanked[column].size
    const known = new Set<string>()
    demographics[column] = [...suppression.speakers[column]]
      .filter(([value]) => !suppression.blanked[column].has(value))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([value, holders]) => {
        holders.forEach((speaker) => known.add(speaker))
        return { value, speakers: holders.size, clips: rows.filter((row) => row.demographics[column] === value).length }
      })
    unknownSpeakers[column] = [...allSpeakers].filter((speaker) => !known.has(speaker)).length
  }
  const confidences = validated.map((row) => row.confidence).filter((value): value is number => typeof value === 'number')
  return {
    all: totals(rows),
    buckets: { validated: totals(validated), invalidated: totals(rows.filter((row) => row.bucket === 'invalidated')), other: totals(rows.filter((row) => row.bucket === 'other')) },
    splits: Object.fromEntries(SPLITS.map((split) => [split, totals(rows.filter((row) => row.split === split))])) as Record<Split, Totals>,
    heldOut,
    demographics,
    suppressedValues,
    unknownSpeakers,
    consentVersions: countBy(rows, (row) => row.consentVersion || '(not recorded)', 'version'),
    methods: countBy(validated, (row) => row.method || '(unknown)', 'method'),
    decidedBy: countBy(validated, (row) => row.decidedBy || '(unknown)', 'by'),
    meanConfidence: confidences.length ? Math.round((confidences.reduce((a, b) => a + b, 0) / confidences.length) * 10_000) / 10_000 : null,
    minConfidence: confidences.length ? confidences.reduce((a, b) => Math.min(a, b)) : null,
  }
}
