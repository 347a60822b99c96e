/**
 * Validation votes: is this recording of this sentence good? From contributors' up/down votes to a
 * decision per item — `valid`, `invalid`, or `pending` (ask more people).
 */
import { withDefaults } from './options'

export interface VoteInput {
  item: string
  contributor: string
  /** true = "yes, the recording matches the sentence". */
  valid: boolean
}

export type VoteStatus = 'valid' | 'invalid' | 'pending'

export interface VoteDecision {
  item: string
  status: VoteStatus
  up: number
  down: number
  /** Estimated probability that the item is valid, when the strategy has one. */
  posterior?: number
}

export interface ContributorAccuracy {
  contributor: string
  votes: number
  /** Estimated probability that this contributor votes the true label. */
  accuracy: number
}

export interface VoteAggregation {
  items: VoteDecision[]
  contributors: ContributorAccuracy[]
}

export interface VoteOptions {
  /** Common Voice: votes on one side needed to decide. @default 2 */
  minVotes: number
  /** Dawid–Skene: decide valid at posterior ≥ this, invalid at ≤ 1 − this. @default 0.95 */
  threshold: number
  /**
   * Dawid–Skene: Beta prior on every contributor's accuracy, as pseudo-votes right and wrong; it keeps
   * a contributor with a handful of votes near "usually right". @default { right: 3, wrong: 1 }
   */
  accuracyPrior: { right: number; wrong: number }
  /** Dawid–Skene: items whose label is known (admin-reviewed); they anchor contributor accuracies. @default {} */
  gold: Readonly<Record<string, boolean>>
  /** Dawid–Skene: EM stops after this many iterations or when nothing moves by 1e-6. @default 100 */
  maxIterations: number
}

export const DEFAULT_VOTE_OPTIONS: VoteOptions = {
  minVotes: 2,
  threshold: 0.95,
  accuracyPrior: { right: 3, wrong: 1 },
  gold: {},
  maxIterations: 100,
}

/** A named way of deciding items from votes, chosen in the plugin's options. */
export interface VoteStrategy {
  name: string
  decide(votes: readonly VoteInput[], options?: Partial<VoteOptions>): VoteAggregation
}

interface ItemVotes {
  item: string
  /** Contributor indexes and their votes; a contributor's last vote on an item counts. */
  contributors: number[]
  valid: boolean[]
  up: number
  down: number
}

const collect = (votes: readonly VoteInput[]) => {
  const contributorIndex = new Map<string, number>()
  const byItem = new Map<string, Map<number, boolean>>()
  for (const { item, contributor, valid } of votes) {
    let index = contributorIndex.get(contributor)
    if (index === undefined) {
      index = contributorIndex.size
      contributorIndex.set(contributor, index)
    }
    let itemVotes = byItem.get(item)
    if (!itemVotes) {
      itemVotes = new Map()
      byItem.set(item, itemVotes)
    }
    itemVotes.delete(index)
    itemVotes.set(index, valid)
  }
  const items: ItemVotes[] = Array.from(byItem, ([item, byContributor]) => {
    const valid = [...byContributor.values()]
    const up = valid.filter(Boolean).length
    return { item, contributors: [...byContributor.keys()], valid, up, down: valid.length - up }
  })
  return { items, contributors: [...contributorIndex.keys()] }
}

/** Common Voice's rule as a pure function: two votes that outnumber the other side decide. */
export const commonVoiceStatus = (up: number, down: number, minVotes = DEFAULT_VOTE_OPTIONS.minVotes): VoteStatus => {
  if (up >= minVotes && up > down) return 'valid'
  if (down >= minVotes && down > up) return 'invalid'
  return 'pending'
}

export const commonVoiceStrategy: VoteStrategy = {
  name: 'common-voice',
  decide: (votes, options = {}) => {
    const { minVotes } = withDefaults(DEFAULT_VOTE_OPTIONS, options)
    const { items } = collect(votes)
    return { items: items.map(({ item, up, down }) => ({ item, status: commonVoiceStatus(up, down, minVotes), up, down })), contributors: [] }
  },
}

const logit = (probability: number) => Math.log(probability / (1 - probability))
const sigmoid = (logOdds: number) => 1 / (1 + Math.exp(-logOdds))
const clampProbability = (probability: number) => Math.min(Math.max(probability, 1e-6), 1 - 1e-6)

/**
 * One-coin Dawid–Skene: every contributor has one accuracy (the chance their vote is the true label),
 * estimated jointly with the items' labels by expectation–maximisation. Contributors who vote at
 * random get weight near zero; contributors who vote the opposite of the truth get their votes turned
 * around. Gold items keep their known label throughout.
 */
export const dawidSkeneStrategy: VoteStrategy = {
  name: 'dawid-skene',
  decide: (votes, options = {}) => {
    const { threshold, accuracyPrior, gold, maxIterations } = withDefaults(DEFAULT_VOTE_OPTIONS, options)
    const { items, contributors } = collect(votes)
    const priorAccuracy = accuracyPrior.right / (accuracyPrior.right + accuracyPrior.wrong)
    const accuracy = contributors.map(() => priorAccuracy)
    const posterior = items.map(() => 0.5)
    let validShare = 0.5
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      // E-step: each item's probability of being valid, given the current accuracies.
      let moved = 0
      const contributorLogOdds = accuracy.map((value) => logit(clampProbability(value)))
      const priorLogOdds = logit(clampProbability(validShare))
      items.forEach((entry, index) => {
        const known = Object.hasOwn(gold, entry.item) ? gold[entry.item] : undefined
        let next: number
        if (known !== undefined) next = known ? 1 : 0
        else {
          let logOdds = priorLogOdds
          entry.contributors.forEach((contributor, vote) => (logOdds += entry.valid[vote] ? contributorLogOdds[contributor] : -contributorLogOdds[contributor]))
          next = sigmoid(logOdds)
        }
        moved = Math.max(moved, Math.abs(next - posterior[index]))
        posterior[index] = next
      })
      // M-step: accuracies and the share of valid items, smoothed by the prior.
      const right = contributors.map(() => accuracyPrior.right)
      const seen = contributors.map(() => accuracyPrior.right + accuracyPrior.wrong)
      items.forEach((entry, index) => {
        entry.contributors.forEach((contributor, vote) => {
          right[contributor] += entry.valid[vote] ? posterior[index] : 1 - posterior[index]
          seen[contributor] += 1
        })
      })
      right.forEach((value, contributor) => {
        const next = value / seen[contributor]
        moved = Math.max(moved, Math.abs(next - accuracy[contributor]))
        accuracy[contributor] = next
      })
      validShare = (posterior.reduce((sum, value) => sum + value, 0) + 1) / (items.length + 2)
      if (moved < 1e-6) break
    }
    const decisions = items.map(({ item, up, down }, index): VoteDecision => {
      const probability = posterior[index]
      const status: VoteStatus = probability >= threshold ? 'valid' : probability <= 1 - threshold ? 'invalid' : 'pending'
      return { item, status, up, down, posterior: probability }
    })
    const voteCounts = contributors.map(() => 0)
    for (const entry of items) for (const contributor of entry.contributors) voteCounts[contributor]++
    return { items: decisions, contributors: contributors.map((contributor, index) => ({ contributor, votes: voteCounts[index], accuracy: accuracy[index] })) }
  },
}

/**
 * The probability that one item is valid, from its votes and each voter's known accuracy (the
 * E-step of Dawid–Skene with accuracies fixed by an earlier run over the whole population).
 * A contributor's last vote counts; `priorValid` is the chance an item is valid before any vote.
 */
export const validPosterior = (
  votes: readonly Pick<VoteInput, 'contributor' | 'valid'>[],
  accuracyOf: (contributor: string) => number,
  priorValid = 0.5,
): number => {
  const last = new Map<string, boolean>()
  for (const { contributor, valid } of votes) {
    last.delete(contributor)
    last.set(contributor, valid)
  }
  let logOdds = logit(clampProbability(priorValid))
  for (const [contributor, valid] of last) {
    const weight = logit(clampProbability(accuracyOf(contributor)))
    logOdds += valid ? weight : -weight
  }
  return sigmoid(logOdds)
}

/** A voter's weight in `validPosterior`: the log-odds of their accuracy (0 for a coin flip). */
export const voteWeight = (accuracy: number): number => logit(clampProbability(accuracy))

export const VOTE_STRATEGIES: Record<string, VoteStrategy> = {
  [commonVoiceStrategy.name]: commonVoiceStrategy,
  [dawidSkeneStrategy.name]: dawidSkeneStrategy,
}

export const voteStrategy = (name: string): VoteStrategy => {
  const strategy = VOTE_STRATEGIES[name]
  if (!strategy) throw new Error(`Unknown vote strategy "${name}": use one of ${Object.keys(VOTE_STRATEGIES).join(', ')}.`)
  return strategy
}
