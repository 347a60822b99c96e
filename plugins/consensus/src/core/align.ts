/**
 * Multiple alignment of token sequences into a word transition network (ROVER): a table whose
 * columns ("slots") hold, for every transcript, the token it put there or `null` (it said nothing
 * there). Voting per slot then picks the text most transcribers agree on.
 *
 * Sequences are added one at a time and aligned to the whole table so far (a profile alignment):
 * putting a token in a slot costs the weighted share of earlier transcripts that wrote something
 * else there, so the order of adding matters far less than in pairwise-chained ROVER. Refinement
 * passes then take each sequence out and align it again against all the others.
 */

export type Slot<T> = (T | null)[]

export interface Alignment<T> {
  /** `rows[r][s]`: the token sequence `r` put in slot `s`, or null. */
  rows: Slot<T>[]
  slotCount: number
}

export interface AlignOptions {
  /** Re-align each sequence against all the others this many times after the first pass. @default 1 */
  refinementPasses: number
}

/** No token in this slot (the id form of `null`). */
export const GAP = -1

/** An alignment over interned tokens (non-negative integers), the form the consensus engine works on. */
export interface IdAlignment {
  rows: number[][]
  slotCount: number
}

// Scratch buffers reused across calls (alignment is synchronous, so never shared mid-use).
let costBuffer = new Float64Array(4096)
let moveBuffer = new Uint8Array(4096)
let profileTokens = new Int32Array(1024)
let profileWeights = new Float64Array(1024)
let profileCounts = new Int32Array(128)
let filledWeights = new Float64Array(128)

const MOVE_MATCH = 0
const MOVE_SKIP_SLOT = 1
const MOVE_NEW_SLOT = 2

/**
 * Aligns `tokens` against the table (every row but `skipRow`), then rebuilds the table with row
 * `skipRow` holding the new placement and new slots opened where its tokens fit nowhere.
 */
const placeRow = (alignment: IdAlignment, weights: readonly number[], tokens: readonly number[], row: number): IdAlignment => {
  const { rows, slotCount } = alignment
  // Weighted profile of the other rows, per slot: the distinct tokens written there with their
  // summed weight (at most one entry per row), and the weight that wrote anything at all.
  const rowCount = rows.length
  const profileSize = slotCount * rowCount
  if (profileTokens.length < profileSize) {
    profileTokens = new Int32Array(profileSize * 2)
    profileWeights = new Float64Array(profileSize * 2)
  }
  if (profileCounts.length < slotCount) {
    profileCounts = new Int32Array(slotCount * 2)
    filledWeights = new Float64Array(slotCount * 2)
  }
  profileCounts.fill(0, 0, slotCount)
  filledWeights.fill(0, 0, slotCount)
  let total = 0
  for (let other = 0; other < rowCount; other++) {
    const weight = weights[other]
    if (other === row || weight <= 0) continue
    total += weight
    const cells = rows[other]
    for (let slot = 0; slot < slotCount; slot++) {
      const token = cells[slot]
      if (token === GAP) continue
      filledWeights[slot] += weight
      const base = slot * rowCount
      const count = profileCounts[slot]
      let entry = 0
      while (entry < count && profileTokens[base + entry] !== token) entry++
      if (entry === count) {
        profileTokens[base + entry] = token
        profileWeights[base + entry] = weight
        profileCounts[slot] = count + 1
      } else {
        profileWeights[base + entry] += weight
      }
    }
  }
  const width = tokens.length + 1
  const size = (slotCount + 1) * width
  if (costBuffer.length < size) {
    costBuffer = new Float64Array(size * 2)
    moveBuffer = new Uint8Array(size * 2)
  }
  const cost = costBuffer
  const move = moveBuffer
  const inverseTotal = total > 0 ? 1 / total : 0
  cost[0] = 0
  for (let j = 1; j <= tokens.length; j++) {
    cost[j] = j
    move[j] = MOVE_NEW_SLOT
  }
  for (let i = 1; i <= slotCount; i++) {
    const base = (i - 1) * rowCount
    const entries = profileCounts[i - 1]
    // Leaving a slot empty costs the share that wrote something there; a token costs the share that wrote anything else.
    const skip = total > 0 ? filledWeights[i - 1] * inverseTotal : 0
    const row0 = i * width
    const previousRow = (i - 1) * width
    cost[row0] = cost[previousRow] + skip
    move[row0] = MOVE_SKIP_SLOT
    for (let j = 1; j <= tokens.length; j++) {
      const token = tokens[j - 1]
      let agreeing = 0
      for (let entry = 0; entry < entries; entry++) {
        if (profileTokens[base + entry] === token) {
          agreeing = profileWeights[base + entry]
          break
        }
      }
      const match = total > 0 ? 1 - agreeing * inverseTotal : 1
      // Ties prefer a match, then leaving the slot empty: both keep the table short.
      let best = cost[previousRow + j - 1] + match
      let bestMove = MOVE_MATCH
      const skipped = cost[previousRow + j] + skip
      if (skipped < best - 1e-12) {
        best = skipped
        bestMove = MOVE_SKIP_SLOT
      }
      const opened = cost[row0 + j - 1] + 1
      if (opened < best - 1e-12) {
        best = opened
        bestMove = MOVE_NEW_SLOT
      }
      cost[row0 + j] = best
      move[row0 + j] = bestMove
    }
  }

  const placed = new Array<number>(slotCount).fill(GAP)
  // insertedBefore[s]: tokens that open new slots just before slot s (s = slotCount: at the end).
  const insertedBefore: number[][] = []
  let inserted = 0
  let i = slotCount
  let j = tokens.length
  while (i > 0 || j > 0) {
    const step = move[i * width + j]
    if (i > 0 && j > 0 && step === MOVE_MATCH) {
      placed[--i] = tokens[--j]
    } else if (i > 0 && (j === 0 || step === MOVE_SKIP_SLOT)) {
      i--
    } else {
      ;(insertedBefore[i] ??= []).unshift(tokens[--j])
      inserted++
    }
  }
  if (inserted === 0) {
    const next = rows.slice()
    next[row] = placed
    return { rows: next, slotCount }
  }
  const next: number[][] = rows.map(() => [])
  const openSlots = (slot: number) => {
    for (const token of insertedBefore[slot] ?? []) {
      for (let r = 0; r < rows.length; r++) next[r].push(r === row ? token : GAP)
    }
  }
  for (let slot = 0; slot < slotCount; slot++) {
    openSlots(slot)
    for (let r = 0; r < rows.length; r++) next[r].push(r === row ? placed[slot] : rows[r][slot])
  }
  openSlots(slotCount)
  return { rows: next, slotCount: slotCount + inserted }
}

/** Drops slots nobody uses any more (left behind when a refinement pass moves a token). */
const withoutEmptySlots = (alignment: IdAlignment): IdAlignment => {
  const used: number[] = []
  for (let slot = 0; slot < alignment.slotCount; slot++) {
    if (alignment.rows.some((row) => row[slot] !== GAP)) used.push(slot)
  }
  if (used.length === alignment.slotCount) return alignment
  return { rows: alignment.rows.map((row) => used.map((slot) => row[slot])), slotCount: used.length }
}

/**
 * Aligns sequences of token ids (non-negative integers) into one table. Sequences are added
 * heaviest first, so reliable transcribers shape the table; row `r` is always sequence `r`.
 */
export const alignTokenIds = (sequences: readonly (readonly number[])[], weights: readonly number[], options: Partial<AlignOptions> = {}): IdAlignment => {
  if (weights.length !== sequences.length) throw new Error(`alignTokenIds: ${sequences.length} sequences but ${weights.length} weights.`)
  const refinementPasses = options.refinementPasses ?? 1
  const order = sequences.map((_, index) => index).sort((a, b) => weights[b] - weights[a] || a - b)
  let alignment: IdAlignment = { rows: sequences.map(() => []), slotCount: 0 }
  // Rows not yet added weigh nothing, so they do not pull the profile.
  const active = sequences.map(() => 0)
  for (const row of order) {
    alignment = placeRow(alignment, active, sequences[row], row)
    active[row] = Math.max(weights[row], 1e-9)
  }
  for (let pass = 0; pass < refinementPasses && sequences.length > 2; pass++) {
    for (const row of order) alignment = withoutEmptySlots(placeRow(alignment, active, sequences[row], row))
  }
  return withoutEmptySlots(alignment)
}

/** Maps tokens of any type to dense ids and back. */
export class Vocabulary<T> {
  readonly tokens: T[] = []
  private readonly ids = new Map<T, number>()

  idOf(token: T): number {
    let id = this.ids.get(token)
    if (id === undefined) {
      id = this.tokens.length
      this.ids.set(token, id)
      this.tokens.push(token)
    }
    return id
  }

  get size(): number {
    return this.tokens.length
  }
}

/**
 * Aligns token sequences into one table. `weights` (default all 1) say how much each sequence's
 * tokens count when another is placed.
 */
export const alignSequences = <T>(sequences: readonly (readonly T[])[], weights?: readonly number[], options: Partial<AlignOptions> = {}): Alignment<T> => {
  const vocabulary = new Vocabulary<T>()
  const ids = sequences.map((tokens) => tokens.map((token) => vocabulary.idOf(token)))
  const aligned = alignTokenIds(ids, weights ?? sequences.map(() => 1), options)
  return { rows: aligned.rows.map((row) => row.map((id) => (id === GAP ? null : vocabulary.tokens[id]))), slotCount: aligned.slotCount }
}

export interface SlotDecision<T> {
  /** The winning token, or null when "nothing here" won. */
  token: T | null
  /** The winner's share of the total weight in this slot, 0..1. */
  agreement: number
}

export interface SlotVoteOptions {
  /** Multiplies the weight of "nothing here" votes; below 1 favours keeping words. @default 1 */
  emptyVoteFactor: number
}

/**
 * Weighted vote per slot over token ids. Ties go to the option of the heaviest row that chose it
 * (an equal split follows the most reliable transcriber), then to a token over nothing.
 */
export const voteTokenIds = (alignment: IdAlignment, weights: readonly number[], emptyVoteFactor = 1): { token: number; agreement: number }[] => {
  const decisions: { token: number; agreement: number }[] = []
  const { rows } = alignment
  const options: number[] = []
  const scores: number[] = []
  const heaviest: number[] = []
  for (let slot = 0; slot < alignment.slotCount; slot++) {
    options.length = 0
    scores.length = 0
    heaviest.length = 0
    let total = 0
    for (let row = 0; row < rows.length; row++) {
      const token = rows[row][slot]
      const weight = token === GAP ? weights[row] * emptyVoteFactor : weights[row]
      total += weight
      let index = options.indexOf(token)
      if (index < 0) {
        index = options.push(token) - 1
        scores.push(0)
        heaviest.push(0)
      }
      scores[index] += weight
      if (weights[row] > heaviest[index]) heaviest[index] = weights[row]
    }
    let winner = 0
    for (let index = 1; index < options.length; index++) {
      const difference = scores[index] - scores[winner]
      const heavier = heaviest[index] - heaviest[winner]
      const tied = Math.abs(difference) <= 1e-12
      if (difference > 1e-12 || (tied && (heavier > 1e-12 || (Math.abs(heavier) <= 1e-12 && options[winner] === GAP)))) winner = index
    }
    decisions.push({ token: options.length > 0 ? options[winner] : GAP, agreement: total > 0 ? scores[winner] / total : 0 })
  }
  return decisions
}

/** Weighted vote per slot; see `voteTokenIds` for tie rules. */
export const voteSlots = <T>(alignment: Alignment<T>, weights?: readonly number[], options: Partial<SlotVoteOptions> = {}): SlotDecision<T>[] => {
  const vocabulary = new Vocabulary<T>()
  const rows = alignment.rows.map((row) => row.map((token) => (token === null ? GAP : vocabulary.idOf(token))))
  return voteTokenIds({ rows, slotCount: alignment.slotCount }, weights ?? alignment.rows.map(() => 1), options.emptyVoteFactor ?? 1).map(({ token, agreement }) => ({
    token: token === GAP ? null : vocabulary.tokens[token],
    agreement,
  }))
}
