/**
 * What adaptive redundancy saves, and what it costs: a replay of collection over transcriptions
 * that were all gathered up front (a benchmark, an import from another tool). Each item's
 * transcriptions are revealed one at a time in a seeded random order; after each, the plugin's own
 * decision (`decideTranscription`, what `consensus.evaluate-segment` calls) says whether the item is
 * settled or needs one more. Contributor reliability is what the estimate job would have stored by
 * then: `estimatePopulation` over the transcriptions revealed so far, re-run as they accumulate.
 * A transcription that is never revealed is never read. Items are collected one after another in a
 * seeded order, each item's transcriptions arrive in a seeded order; both orders come from per-name
 * keys, so an item's outcome depends only on itself and the items collected before it.
 */
import { decideTranscription, DEFAULT_DECISION_SETTINGS, estimatePopulation, type ConsensusStatus, type DecisionSettings, type KnownReliability } from './decide'
import type { NormalizeOptions } from './normalize'
import { withDefaults } from './options'
import type { TranscriptConsensus, TranscriptInput } from './transcripts'

/**
 * A seeded sort key for a name: FNV-1a over its UTF-16 units, mixed with the seed (murmur3's
 * finaliser). Orders that come from keys, not from one shared random stream, do not depend on
 * what else is in the input: removing later items changes nothing about earlier ones.
 */
export const seededKey = (seed: number, name: string): number => {
  let hash = 0x811c9dc5 ^ (seed >>> 0)
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193)
  hash ^= seed >>> 0
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return (hash ^ (hash >>> 16)) >>> 0
}

/** `values` in the seeded order of their keys (ties: input order). */
const seededOrder = <T>(values: readonly T[], keyOf: (value: T) => number): T[] =>
  values
    .map((value, index) => ({ value, index, key: keyOf(value) }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ value }) => value)

export interface AdaptiveOptions {
  /** Seeds the order items are collected in and the order each item's transcriptions arrive in. @default 1 */
  seed: number
  /**
   * The plugin's decision settings (`transcriptStrategy`, `transcriptConfidenceThreshold`,
   * `minTranscriptions`, `maxTranscriptions`); unset ones are the plugin's defaults.
   * @default {}
   */
  decision: Partial<DecisionSettings>
  /** Text normalisation; `language` also picks the normalisation of the reliability estimate. @default {} */
  normalize: Partial<NormalizeOptions>
  /**
   * Reliability is re-estimated (like the plugin's periodic estimate job) once the revealed
   * transcriptions have grown by this factor since the last estimate, and at least by
   * `reestimateMinimum`. @default 1.5
   */
  reestimateGrowth: number
  /** @default 100 */
  reestimateMinimum: number
}

export const DEFAULT_ADAPTIVE_OPTIONS: AdaptiveOptions = { seed: 1, decision: {}, normalize: {}, reestimateGrowth: 1.5, reestimateMinimum: 100 }

export interface AdaptiveConsensus extends TranscriptConsensus {
  /** The plugin's verdict when collection stopped: `accepted`, `needs-review` (cap reached), or `pending` (the item ran out of transcriptions). */
  status: ConsensusStatus
  /** The workers whose transcriptions were revealed, in the order they arrived. */
  workers: string[]
}

export interface AdaptiveSimulation {
  /** In the input's item order; `judgments` is how many transcriptions were revealed. */
  items: AdaptiveConsensus[]
  /** Transcriptions revealed in all, and available in all (one per worker and item). */
  revealed: number
  available: number
  /** Reliability estimates run during the replay. */
  estimates: number
}

/**
 * Replays adaptive collection over `transcripts`. Only `item` and `worker` of every row are read up
 * front (to know what could be asked for); a row's `text` is read when, and only when, it is revealed.
 * A worker's later row for an item replaces the earlier one, as in the plugin.
 */
export const simulateAdaptiveCollection = (transcripts: readonly TranscriptInput[], partial: Partial<AdaptiveOptions> = {}): AdaptiveSimulation => {
  const options = withDefaults(DEFAULT_ADAPTIVE_OPTIONS, partial)
  const settings = withDefaults(DEFAULT_DECISION_SETTINGS, options.decision)
  const language = options.normalize.language ?? 'und'
  // Which rows could be revealed, per item; the texts stay unread.
  const byItem = new Map<string, Map<string, number>>()
  transcripts.forEach((row, index) => {
    const { item, worker } = row
    let workers = byItem.get(item)
    if (!workers) {
      workers = new Map()
      byItem.set(item, workers)
    }
    workers.delete(worker)
    workers.set(worker, index)
  })
  const itemOrder = seededOrder([...byItem.keys()], (item) => seededKey(options.seed, item))
  const revealedRows: TranscriptInput[] = []
  let reliability = new Map<string, KnownReliability>()
  let estimatedAt = 0
  let estimates = 0
  const results = new Map<string, AdaptiveConsensus>()
  let available = 0
  for (const item of itemOrder) {
    const candidates = seededOrder([...byItem.get(item)!], ([worker]) => seededKey(options.seed, `${item}\u0000${worker}`)).map(([, index]) => index)
    available += candidates.length
    const revealed: { worker: string; text: string }[] = []
    let verdict: ReturnType<typeof decideTranscription> | undefined
    for (const index of candidates) {
      if (revealedRows.length >= estimatedAt * options.reestimateGrowth && revealedRows.length >= estimatedAt + options.reestimateMinimum) {
        // What the estimate job would have stored by now, from what has been collected so far.
        const population = estimatePopulation({ votes: [], transcriptsByLanguage: new Map([[language, revealedRows]]) }, settings)
        reliability = new Map(population.map((estimate) => [estimate.worker, { transcriptErrorRate: estimate.transcriptErrorRate }]))
        estimatedAt = revealedRows.length
        estimates++
      }
      const row = transcripts[index]
      const text = row.text
      revealed.push({ worker: row.worker, text })
      revealedRows.push({ item, worker: row.worker, text })
      verdict = decideTranscription(revealed, { reliability: (worker) => reliability.get(worker), normalize: options.normalize }, settings)
      if (verdict.status !== 'pending') break
    }
    results.set(item, {
      item,
      text: verdict?.agreedText ?? '',
      confidence: verdict?.confidence ?? 0,
      judgments: revealed.length,
      status: verdict?.status ?? 'pending',
      workers: revealed.map((row) => row.worker),
    })
  }
  const items = [...byItem.keys()].map((item) => results.get(item)!)
  return { items, revealed: revealedRows.length, available, estimates }
}
