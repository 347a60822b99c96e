/**
 * What adaptive redundancy saves, and what it costs: a replay of collection over transcriptions
 * that were all gathered up front (a benchmark, an import from another tool). Each item's
 * transcriptions are revealed one at a time in a seeded random order; after each, the plugin's own
 * decision (`decideTranscription`, what `consensus.evaluate-segment` calls) says whether the item is
 * settled or needs one more. Contributor reliability is what the estimate job would have stored by
 * then: `estimatePopulation` over the transcriptions revealed so far, re-run as they accumulate.
 * After collection the estimate job's re-evaluation is replayed too: reliability from everything
 * revealed, every item decided again, and an item that falls back to pending collected further.
 * A transcription that is never revealed is never read. Items are collected one after another in a
 * seeded order, each item's transcriptions arrive in a seeded order; both orders come from per-name
 * keys, so without re-evaluation (`reevaluationRounds: 0`) an item's outcome depends only on itself
 * and the items collected before it; with it, also on the reliability learnt from later items (as
 * in the plugin, where a later estimate re-decides earlier segments).
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
  /**
   * Re-evaluations after collection, like the estimate job's: each re-estimates reliability from
   * everything revealed and decides every item again (a reopened item is collected further); they
   * stop early once nothing reopens. `0`: each item keeps the verdict it stopped with. @default 3
   */
  reevaluationRounds: number
}

export const DEFAULT_ADAPTIVE_OPTIONS: AdaptiveOptions = { seed: 1, decision: {}, normalize: {}, reestimateGrowth: 1.5, reestimateMinimum: 100, reevaluationRounds: 3 }

export interface AdaptiveConsensus extends TranscriptConsensus {
  /** The plugin's verdict when collection stopped: `accepted`, `needs-review` (cap reached), or `pending` (the item ran out of transcriptions). */
  status: ConsensusStatus
  /** The contributors whose transcriptions were revealed, in the order they arrived. */
  contributors: string[]
}

export interface AdaptiveSimulation {
  /** In the input's item order; `judgments` is how many transcriptions were revealed. */
  items: AdaptiveConsensus[]
  /** Transcriptions revealed in all, and available in all (one per contributor and item). */
  revealed: number
  available: number
  /** Reliability estimates run during the replay. */
  estimates: number
  /** Items the re-evaluations sent back to collection (their verdict fell back to pending). */
  reopened: number
}

/**
 * Replays adaptive collection over `transcripts`. Only `item` and `contributor` of every row are read up
 * front (to know what could be asked for); a row's `text` is read when, and only when, it is revealed.
 * A contributor's later row for an item replaces the earlier one, as in the plugin.
 */
export const simulateAdaptiveCollection = (transcripts: readonly TranscriptInput[], partial: Partial<AdaptiveOptions> = {}): AdaptiveSimulation => {
  const options = withDefaults(DEFAULT_ADAPTIVE_OPTIONS, partial)
  const settings = withDefaults(DEFAULT_DECISION_SETTINGS, options.decision)
  const language = options.normalize.language ?? 'und'
  // Which rows could be revealed, per item; the texts stay unread.
  const byItem = new Map<string, Map<string, number>>()
  transcripts.forEach((row, index) => {
    const { item, contributor } = row
    let contributors = byItem.get(item)
    if (!contributors) {
      contributors = new Map()
      byItem.set(item, contributors)
    }
    contributors.delete(contributor)
    contributors.set(contributor, index)
  })
  const itemOrder = seededOrder([...byItem.keys()], (item) => seededKey(options.seed, item))
  const revealedRows: TranscriptInput[] = []
  let reliability = new Map<string, KnownReliability>()
  let estimatedAt = 0
  let estimates = 0
  /** What the estimate job would store now, from what has been collected so far. */
  const estimate = () => {
    const population = estimatePopulation({ votes: [], transcriptsByLanguage: new Map([[language, revealedRows]]) }, settings)
    reliability = new Map(population.map((entry) => [entry.contributor, { transcriptErrorRate: entry.transcriptErrorRate }]))
    estimatedAt = revealedRows.length
    estimates++
  }
  const decide = (revealed: readonly { contributor: string; text: string }[]) =>
    decideTranscription(revealed, { reliability: (contributor) => reliability.get(contributor), normalize: options.normalize }, settings)
  interface Collection {
    candidates: number[]
    revealed: { contributor: string; text: string }[]
    verdict?: ReturnType<typeof decideTranscription>
  }
  const collections = new Map<string, Collection>()
  let available = 0
  /** Reveals the item's next transcriptions until the live rule stops asking (or they run out). */
  const collect = (item: string, collection: Collection) => {
    while (collection.revealed.length < collection.candidates.length && (!collection.verdict || collection.verdict.status === 'pending')) {
      if (revealedRows.length >= estimatedAt * options.reestimateGrowth && revealedRows.length >= estimatedAt + options.reestimateMinimum) estimate()
      const row = transcripts[collection.candidates[collection.revealed.length]]
      const text = row.text
      collection.revealed.push({ contributor: row.contributor, text })
      revealedRows.push({ item, contributor: row.contributor, text })
      collection.verdict = decide(collection.revealed)
    }
  }
  for (const item of itemOrder) {
    const candidates = seededOrder([...byItem.get(item)!], ([contributor]) => seededKey(options.seed, `${item}\u0000${contributor}`)).map(([, index]) => index)
    available += candidates.length
    const collection: Collection = { candidates, revealed: [] }
    collections.set(item, collection)
    collect(item, collection)
  }
  // The estimate job's re-evaluation once everything is collected: every item decided again with
  // reliability from all that was revealed; an item that falls back to pending is collected further
  // (it would return to the contributors' queue), then the job runs again, until nothing reopens.
  let reopened = 0
  for (let round = 0; round < options.reevaluationRounds; round++) {
    estimate()
    let reopenedNow = 0
    for (const item of itemOrder) {
      const collection = collections.get(item)!
      if (collection.revealed.length === 0) continue
      const before = collection.verdict!.status
      collection.verdict = decide(collection.revealed)
      if (collection.verdict.status === 'pending' && before !== 'pending' && collection.revealed.length < collection.candidates.length) {
        reopenedNow++
        collect(item, collection)
      }
    }
    reopened += reopenedNow
    if (reopenedNow === 0) break
  }
  const items = [...byItem.keys()].map((item): AdaptiveConsensus => {
    const { revealed, verdict } = collections.get(item)!
    return {
      item,
      text: verdict?.agreedText ?? '',
      confidence: verdict?.confidence ?? 0,
      judgments: revealed.length,
      status: verdict?.status ?? 'pending',
      contributors: revealed.map((row) => row.contributor),
    }
  })
  return { items, revealed: revealedRows.length, available, estimates, reopened }
}
