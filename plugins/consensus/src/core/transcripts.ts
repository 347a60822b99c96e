/**
 * Transcript consensus: from several contributors' transcriptions of one segment to one text and
 * a confidence, with contributor reliability learnt from how well each agrees with the consensus.
 */
import { alignTokenIds, GAP, Vocabulary, voteTokenIds, type IdAlignment } from './align'
import { editDistance } from './editDistance'
import { withDefaults } from './options'
import { joinTokens, resolveNormalizeOptions, tokenize, type NormalizeOptions } from './normalize'

export interface TranscriptInput {
  /** What was transcribed (a segment id). */
  item: string
  /** Who transcribed it (user or anonymous client id). */
  contributor: string
  text: string
}

export interface TranscriptConsensus {
  item: string
  /** The agreed text, normalised (see `NormalizeOptions`). */
  text: string
  /**
   * 0..1: the reliability-weighted share of transcribers whose tokens agree with `text`, slot by
   * slot (1 = everyone wrote exactly this). Low values mean the item needs more transcriptions.
   */
  confidence: number
  /** How many transcriptions the decision used. */
  judgments: number
  /** The contributor whose transcription was chosen as it stands, when one was (medoid-style choice). */
  chosenContributor?: string
}

export interface ContributorReliability {
  contributor: string
  /** Items this contributor transcribed. */
  items: number
  /** Smoothed share of tokens this contributor got wrong against the consensus without them, 0..1. */
  errorRate: number
  /** Vote weight derived from `errorRate`. */
  weight: number
}

export interface TranscriptAggregation {
  items: TranscriptConsensus[]
  contributors: ContributorReliability[]
}

export interface TranscriptOptions {
  /** Text normalisation and segmentation (words, or characters for scripts without spaces); defaults follow `normalize.language`. @default {} */
  normalize: Partial<NormalizeOptions>
  /** Consensus → reliability → consensus rounds; 1 means every contributor weighs the same. @default 3 */
  rounds: number
  /**
   * Strength of the prior on a contributor's error rate, in tokens: a contributor with fewer checked tokens
   * than this stays close to the crowd's average. @default 60
   */
  priorTokens: number
  /** Weight floor and ceiling so no single contributor can be ignored outright or outvote everyone. @default [0.05, 4] */
  weightBounds: [number, number]
  /** Multiplies "nothing here" votes in a slot. @default 1 */
  emptyVoteFactor: number
  /**
   * Choose the final text among the original transcriptions and the voted text, by least
   * reliability-weighted edit distance to all transcriptions; false returns the voted text. @default true
   */
  selectCandidate: boolean
  /** Alignment refinement passes (re-align each transcript against the others). @default 1 */
  refinementPasses: number
  /**
   * Vote weight = (log-odds of a contributor's token being right) ^ this. Above 1 lets one reliable
   * contributor outvote two average ones: crowd errors are correlated (the same mishearing), so
   * agreement among weak contributors is weaker evidence than independence would suggest. @default 2
   */
  weightPower: number
  /**
   * Error rates already known for some contributors (from an earlier run over the whole population),
   * used until this run has measured its own; with `rounds: 1` they are the weights. Unknown
   * contributors get the crowd's rate. Ignored by `rover` and `medoid`. @default {}
   */
  errorRates: Readonly<Record<string, number>>
  /**
   * Items whose text is known (a reviewer typed it): the text is that, and contributors are measured
   * against it instead of against the others' vote. @default {}
   */
  gold: Readonly<Record<string, string>>
}

export const DEFAULT_TRANSCRIPT_OPTIONS: TranscriptOptions = {
  normalize: {},
  rounds: 3,
  priorTokens: 60,
  weightBounds: [0.05, 4],
  emptyVoteFactor: 1,
  selectCandidate: true,
  refinementPasses: 1,
  weightPower: 2,
  errorRates: {},
  gold: {},
}

/** A named way of aggregating transcripts, so deployments (and benchmarks) can swap them. */
export interface TranscriptStrategy {
  name: string
  aggregate(transcripts: readonly TranscriptInput[], options?: Partial<TranscriptOptions>): TranscriptAggregation
}

interface ItemGroup {
  item: string
  contributors: string[]
  /** Token ids per transcription, in `vocabulary`. */
  tokens: number[][]
  vocabulary: Vocabulary<string>
  /** Edit distances between the transcriptions, computed once (they do not change between rounds). */
  distances?: number[][]
  /** The known text's token ids, for gold items. */
  gold?: number[]
}

/** Groups by item in order of first appearance; a contributor's later transcription of an item replaces the earlier. */
const groupByItem = (transcripts: readonly TranscriptInput[], normalize: NormalizeOptions, gold: Readonly<Record<string, string>> = {}): ItemGroup[] => {
  const groups = new Map<string, Map<string, string[]>>()
  for (const { item, contributor, text } of transcripts) {
    let group = groups.get(item)
    if (!group) {
      group = new Map()
      groups.set(item, group)
    }
    group.delete(contributor)
    group.set(contributor, tokenize(text, normalize))
  }
  return Array.from(groups, ([item, byContributor]) => {
    const vocabulary = new Vocabulary<string>()
    const tokens = [...byContributor.values()].map((words) => words.map((word) => vocabulary.idOf(word)))
    const known = Object.hasOwn(gold, item) ? tokenize(gold[item], normalize).map((word) => vocabulary.idOf(word)) : undefined
    return { item, contributors: [...byContributor.keys()], tokens, vocabulary, ...(known ? { gold: known } : {}) }
  })
}

const sumOf = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)

/** Mean over slots of the weighted share of rows that put the same thing as `path` there. */
const pathAgreement = (alignment: IdAlignment, path: readonly number[], weights: readonly number[]): number => {
  const total = sumOf(weights)
  if (alignment.slotCount === 0) return 1
  if (total <= 0) return 0
  let agreement = 0
  for (let slot = 0; slot < alignment.slotCount; slot++) {
    let agreeing = 0
    for (let row = 0; row < alignment.rows.length; row++) if (alignment.rows[row][slot] === path[slot]) agreeing += weights[row]
    agreement += agreeing / total
  }
  return agreement / alignment.slotCount
}

const withoutGaps = (path: readonly number[]): number[] => path.filter((token) => token !== GAP)

const distancesOf = (group: ItemGroup): number[][] => {
  if (!group.distances) {
    const { tokens } = group
    const distances = tokens.map(() => new Array<number>(tokens.length).fill(0))
    for (let a = 0; a < tokens.length; a++) {
      for (let b = a + 1; b < tokens.length; b++) distances[a][b] = distances[b][a] = editDistance(tokens[a], tokens[b])
    }
    group.distances = distances
  }
  return group.distances
}

const sameTokens = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((token, index) => token === b[index])

/**
 * The candidate closest to all transcriptions by weighted edit distance: a transcription as
 * written (row index) or `extra` (-1). Ties go to the earlier row, and to a row over `extra`.
 */
const closestCandidate = (group: ItemGroup, weights: readonly number[], extra?: readonly number[]): number => {
  const distances = distancesOf(group)
  let bestIndex = 0
  let bestScore = Infinity
  for (let candidate = 0; candidate < group.tokens.length; candidate++) {
    let score = 0
    for (let row = 0; row < group.tokens.length; row++) score += weights[row] * distances[candidate][row]
    if (score < bestScore - 1e-9) {
      bestScore = score
      bestIndex = candidate
    }
  }
  if (extra && !group.tokens.some((tokens) => sameTokens(tokens, extra))) {
    let score = 0
    for (let row = 0; row < group.tokens.length && score < bestScore; row++) score += weights[row] * editDistance(extra, group.tokens[row])
    if (score < bestScore - 1e-9) bestIndex = -1
  }
  return bestIndex
}

interface ItemDecision {
  tokens: number[]
  confidence: number
  chosenRow?: number
  /** Per row: its errors against the consensus of the other rows, and that consensus' length. */
  rowErrors: number[]
  rowReferenceLengths: number[]
}

const decideItem = (group: ItemGroup, errorRates: readonly number[], options: TranscriptOptions, measureRows: boolean): ItemDecision => {
  if (group.tokens.length === 0) return { tokens: [], confidence: 0, rowErrors: [], rowReferenceLengths: [] }
  if (group.gold) return decideGoldItem(group, group.gold)
  const weights = errorRates.map((rate) => weightForErrorRate(rate, options))
  const alignment = alignTokenIds(group.tokens, weights, { refinementPasses: options.refinementPasses })
  const vote = (weights: readonly number[]) => voteTokenIds(alignment, weights, options.emptyVoteFactor).map((decision) => decision.token)
  const rowErrors: number[] = []
  const rowReferenceLengths: number[] = []
  if (measureRows && group.tokens.length > 1) {
    // Leave-one-out: a contributor is judged against what the others agreed on, never against their own vote.
    for (let row = 0; row < group.tokens.length; row++) {
      const reference = withoutGaps(vote(weights.map((weight, index) => (index === row ? 0 : weight))))
      rowErrors.push(editDistance(group.tokens[row], reference))
      rowReferenceLengths.push(Math.max(reference.length, 1))
    }
  }
  const votedPath = vote(weights)
  const voted = withoutGaps(votedPath)
  let tokens = voted
  let path = votedPath
  let chosenRow: number | undefined
  if (options.selectCandidate && group.tokens.length > 1) {
    const index = closestCandidate(group, weights, voted)
    if (index >= 0) {
      chosenRow = index
      tokens = group.tokens[index]
      path = alignment.rows[index]
    }
  }
  return { tokens, confidence: pathAgreement(alignment, path, weights), chosenRow, rowErrors, rowReferenceLengths }
}

/** A gold item: its text is known, and every transcription is measured against it. */
const decideGoldItem = (group: ItemGroup, gold: number[]): ItemDecision => {
  const rowErrors = group.tokens.map((tokens) => editDistance(tokens, gold))
  const agreeing = group.tokens.filter((tokens) => sameTokens(tokens, gold)).length
  return {
    tokens: gold,
    confidence: 1,
    chosenRow: agreeing > 0 ? group.tokens.findIndex((tokens) => sameTokens(tokens, gold)) : undefined,
    rowErrors,
    rowReferenceLengths: group.tokens.map(() => Math.max(gold.length, 1)),
  }
}

/** Turns an error rate into a vote weight: log-odds of a token being right, bounded, sharpened. */
const weightForErrorRate = (errorRate: number, options: Pick<TranscriptOptions, 'weightBounds' | 'weightPower'>): number => {
  const clamped = Math.min(Math.max(errorRate, 1e-3), 0.999)
  const [floor, ceiling] = options.weightBounds
  return Math.min(Math.max(Math.log((1 - clamped) / clamped), floor), ceiling) ** options.weightPower
}

const estimateReliability = (
  groups: readonly ItemGroup[],
  decisions: readonly ItemDecision[],
  options: TranscriptOptions,
): { reliability: Map<string, ContributorReliability>; crowdErrorRate: number } => {
  const errors = new Map<string, { errors: number; tokens: number; items: number }>()
  let totalErrors = 0
  let totalTokens = 0
  groups.forEach((group, index) => {
    const decision = decisions[index]
    group.contributors.forEach((contributor, row) => {
      const tally = errors.get(contributor) ?? { errors: 0, tokens: 0, items: 0 }
      tally.items++
      if (decision.rowErrors.length > 0) {
        tally.errors += decision.rowErrors[row]
        tally.tokens += decision.rowReferenceLengths[row]
        totalErrors += decision.rowErrors[row]
        totalTokens += decision.rowReferenceLengths[row]
      }
      errors.set(contributor, tally)
    })
  })
  const crowdErrorRate = totalTokens > 0 ? totalErrors / totalTokens : 0.5
  const reliability = new Map<string, ContributorReliability>()
  for (const [contributor, tally] of errors) {
    const errorRate = (tally.errors + options.priorTokens * crowdErrorRate) / (tally.tokens + options.priorTokens)
    reliability.set(contributor, { contributor, items: tally.items, errorRate, weight: weightForErrorRate(errorRate, options) })
  }
  return { reliability, crowdErrorRate }
}

const aggregateWithReliability = (transcripts: readonly TranscriptInput[], partial: Partial<TranscriptOptions>): TranscriptAggregation => {
  const options = withDefaults(DEFAULT_TRANSCRIPT_OPTIONS, partial)
  const normalize = resolveNormalizeOptions(options.normalize)
  const groups = groupByItem(transcripts, normalize, options.gold)
  let reliability = new Map<string, ContributorReliability>()
  let crowdErrorRate = 0.25
  const errorRatesOf = (group: ItemGroup) =>
    group.contributors.map((contributor) => reliability.get(contributor)?.errorRate ?? (Object.hasOwn(options.errorRates, contributor) ? options.errorRates[contributor] : crowdErrorRate))
  let decisions: ItemDecision[] = []
  for (let round = 0; round < Math.max(1, options.rounds); round++) {
    const last = round === Math.max(1, options.rounds) - 1
    decisions = groups.map((group) => decideItem(group, errorRatesOf(group), options, !last))
    if (!last) ({ reliability, crowdErrorRate } = estimateReliability(groups, decisions, options))
  }
  const items = groups.map((group, index): TranscriptConsensus => {
    const decision = decisions[index]
    return {
      item: group.item,
      text: joinTokens(
        decision.tokens.map((id) => group.vocabulary.tokens[id]),
        normalize.segmentation,
      ),
      confidence: decision.confidence,
      judgments: group.tokens.length,
      ...(decision.chosenRow === undefined ? {} : { chosenContributor: group.contributors[decision.chosenRow] }),
    }
  })
  const contributors = [...reliability.values()]
  return { items, contributors }
}

/** Classic ROVER: one alignment, one vote per transcriber. */
export const roverStrategy: TranscriptStrategy = {
  name: 'rover',
  aggregate: (transcripts, options = {}) =>
    aggregateWithReliability(transcripts, { emptyVoteFactor: 1, ...options, rounds: 1, selectCandidate: false, errorRates: {} }),
}

/** The transcription closest (least summed edit distance) to all the others, as written. */
export const medoidStrategy: TranscriptStrategy = {
  name: 'medoid',
  aggregate: (transcripts, options = {}) => {
    const normalize = resolveNormalizeOptions(options.normalize)
    const groups = groupByItem(transcripts, normalize)
    const items = groups.map((group): TranscriptConsensus => {
      const weights = group.tokens.map(() => 1)
      if (group.tokens.length === 0) return { item: group.item, text: '', confidence: 0, judgments: 0 }
      const index = closestCandidate(group, weights)
      const alignment = alignTokenIds(group.tokens, weights)
      return {
        item: group.item,
        text: joinTokens(
          group.tokens[index].map((id) => group.vocabulary.tokens[id]),
          normalize.segmentation,
        ),
        confidence: pathAgreement(alignment, alignment.rows[index], weights),
        judgments: group.tokens.length,
        chosenContributor: group.contributors[index],
      }
    })
    return { items, contributors: [] }
  },
}

/**
 * The default: reliability-weighted ROVER, iterated with contributor reliability learnt against the
 * leave-one-out consensus, then the candidate (a transcription as written, or the voted text)
 * closest to all transcriptions by reliability-weighted edit distance.
 */
export const reliabilityStrategy: TranscriptStrategy = {
  name: 'reliability',
  aggregate: (transcripts, options = {}) => aggregateWithReliability(transcripts, options),
}

export const TRANSCRIPT_STRATEGIES: Record<string, TranscriptStrategy> = {
  [reliabilityStrategy.name]: reliabilityStrategy,
  [roverStrategy.name]: roverStrategy,
  [medoidStrategy.name]: medoidStrategy,
}

/** Whether `value` has the shape of a transcript strategy (a deployment's own). */
export const isTranscriptStrategy = (value: unknown): value is TranscriptStrategy =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as TranscriptStrategy).name === 'string' &&
  (value as TranscriptStrategy).name !== '' &&
  typeof (value as TranscriptStrategy).aggregate === 'function'

/** A built-in strategy by name, or the strategy object itself. */
export const transcriptStrategy = (name: string | TranscriptStrategy): TranscriptStrategy => {
  if (typeof name !== 'string') return name
  const strategy = Object.hasOwn(TRANSCRIPT_STRATEGIES, name) ? TRANSCRIPT_STRATEGIES[name] : undefined
  if (!strategy) throw new Error(`Unknown transcript strategy "${name}": use one of ${Object.keys(TRANSCRIPT_STRATEGIES).join(', ')}.`)
  return strategy
}

export interface RedundancyOptions {
  /** Below this confidence an item asks for another transcription. @default 0.8 */
  confidenceThreshold: number
  /** Never decide on fewer. @default 3 */
  minJudgments: number
  /** Stop asking at this many, however uncertain. @default 7 */
  maxJudgments: number
}

export const DEFAULT_REDUNDANCY_OPTIONS: RedundancyOptions = { confidenceThreshold: 0.8, minJudgments: 3, maxJudgments: 7 }

/** Adaptive redundancy: whether an item should be shown to one more contributor. */
export const needsMoreJudgments = (result: Pick<TranscriptConsensus, 'confidence'>, count: number, options: Partial<RedundancyOptions> = {}): boolean => {
  const { confidenceThreshold, minJudgments, maxJudgments } = withDefaults(DEFAULT_REDUNDANCY_OPTIONS, options)
  if (count >= maxJudgments) return false
  if (count < minJudgments) return true
  return result.confidence < confidenceThreshold
}
