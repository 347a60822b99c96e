import { DEMOGRAPHIC_COLUMNS, type DemographicColumn, type Demographics } from './types'

export interface SuppressionResult {
  /** Per column, the values held by fewer than k speakers (blanked everywhere). */
  blanked: Record<DemographicColumn, Set<string>>
  /** Per column, value → speakers holding it (for the datasheet; includes blanked values). */
  speakers: Record<DemographicColumn, Map<string, Set<string>>>
}

/**
 * k-anonymity for demographic cells: any value of a column that fewer than `k` distinct speakers
 * share is blanked in every clip row and left out of the datasheet's tables.
 */
export const findRareDemographics = (rows: { speakerId: string; demographics: Demographics }[], k: number): SuppressionResult => {
  const speakers = Object.fromEntries(DEMOGRAPHIC_COLUMNS.map((column) => [column, new Map<string, Set<string>>()])) as SuppressionResult['speakers']
  for (const row of rows) {
    for (const column of DEMOGRAPHIC_COLUMNS) {
      const value = row.demographics[column]
      if (!value) continue
      const holders = speakers[column].get(value) ?? new Set<string>()
      holders.add(row.speakerId)
      speakers[column].set(value, holders)
    }
  }
  const blanked = Object.fromEntries(
    DEMOGRAPHIC_COLUMNS.map((column) => [column, new Set([...speakers[column]].filter(([, holders]) => holders.size < k).map(([value]) => value))]),
  ) as SuppressionResult['blanked']
  return { blanked, speakers }
}

export const applySuppression = (demographics: Demographics, blanked: SuppressionResult['blanked']): Demographics =>
  Object.fromEntries(DEMOGRAPHIC_COLUMNS.map((column) => [column, blanked[column].has(demographics[column]) ? '' : demographics[column]])) as Demographics
