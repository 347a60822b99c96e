import { seededRank } from './hash'
import type { Split } from './types'

export interface SplitItem {
  id: number
  /** Internal speaker identity (stable across salt rotations, so a rotation does not reshuffle). */
  speaker: string
  /** Sentence identity (see `sentenceHashOf`). */
  sentence: string
}

export interface SplitPolicy {
  seed: number
  /** Keep every sentence in one split only (clips that would repeat it elsewhere are held out). @default true */
  sentenceDisjoint?: boolean
  /** Largest share of the clips dev and test may each take. @default 0.1 */
  maxShare?: number
  /** Dev and test each get at least this many clips (within a quarter of the data), so a small language still gets a usable test set. @default 100 */
  floorClips?: number
}

export const DEFAULT_SPLIT_POLICY: Required<SplitPolicy> = { seed: 0, sentenceDisjoint: true, maxShare: 0.1, floorClips: 100 }

/** Sample size for 99 % confidence (z = 2.58), 1 % margin, p = 0.5, with the finite-population correction (Common Voice's rule). */
export const sampleSize = (population: number): number => {
  if (population <= 0) return 0
  const z = 2.58
  const n0 = (z * z * 0.25) / (0.01 * 0.01)
  return Math.ceil(n0 / (1 + (n0 - 1) / population))
}

/** Common Voice: the largest train set with train + 2 · sampleSize(train) ≤ total; dev and test get sampleSize(train) each. */
export const commonVoiceHeldOut = (total: number): number => {
  let low = 0
  let high = total
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (middle + 2 * sampleSize(middle) <= total) low = middle
    else high = middle - 1
  }
  return sampleSize(low)
}

/**
 * Clips each for dev and test: Common Voice's size, at most `maxShare` of the data (Common Voice
 * gives a small language a third each), at least `floorClips` as long as that is under a quarter.
 */
export const heldOutTarget = (total: number, policy: SplitPolicy = DEFAULT_SPLIT_POLICY): number => {
  const { maxShare, floorClips } = { ...DEFAULT_SPLIT_POLICY, ...policy }
  const capped = Math.min(commonVoiceHeldOut(total), Math.ceil(total * maxShare))
  return Math.max(capped, Math.min(floorClips, Math.floor(total / 4)))
}

export interface SplitAssignment {
  /** Clip id → split, or null for a clip held out to keep sentences disjoint. */
  splitOf: Map<number, Split | null>
  /** Validated clips left out of every split because their sentence is read in another split. */
  heldOut: number
  target: number
}

/**
 * Speaker-disjoint, seeded, deterministic train/dev/test assignment. Speakers are taken in the
 * order of a seeded hash of their identity (so the result depends only on the set of clips and
 * the seed, never on row order); each fills test, then dev, while the clip budget allows (an
 * empty split takes one speaker even over budget, as long as that speaker has at most a third of
 * the data); the rest is train. Sentence-disjoint: a sentence read in several splits stays in the
 * split holding most of its clips (ties: train, dev, test) and its clips elsewhere are held out.
 */
export interface SpeakerClips {
  /** The speaker's identity for ordering and lookup (any stable string). */
  speaker: string
  /** `seededRank(seed, internal speaker identity)`: the order speakers are drawn in. */
  rank: string
  /** Validated clips of this speaker. */
  clips: number
}

/**
 * The speaker half of `assignSplits`, on per-speaker counts only (small: one entry per speaker,
 * whatever the number of clips), so the export job can run it on aggregates read from its plan
 * table. Speakers are taken in rank order; each fills test, then dev, while the clip budget allows
 * (an empty split takes one speaker even over budget, as long as that speaker has at most a third
 * of the data); the rest is train.
 */
export const assignSpeakerSplits = (speakerClips: SpeakerClips[], policy: SplitPolicy): { speakerSplit: Map<string, Split>; target: number } => {
  const settings = { ...DEFAULT_SPLIT_POLICY, ...policy }
  const total = speakerClips.reduce((sum, entry) => sum + entry.clips, 0)
  const target = heldOutTarget(total, settings)
  const speakers = [...speakerClips].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : 0))
  const speakerSplit = new Map<string, Split>()
  const filled: Record<Split, number> = { train: 0, dev: 0, test: 0 }
  for (const { speaker, clips: count } of speakers) {
    const remainingSpeakers = speakers.length - speakerSplit.size
    const fits = (split: 'dev' | 'test') => filled[split] + count <= target || (filled[split] === 0 && count * 3 <= total && remainingSpeakers > 1)
    const split: Split = filled.test < target && fits('test') ? 'test' : filled.dev < target && fits('dev') ? 'dev' : 'train'
    speakerSplit.set(speaker, split)
    filled[split] += count
  }
  return { speakerSplit, target }
}

/** Sentence-disjoint owner of a sentence: the split holding most of its clips (ties: train, dev, test). */
export const ownerSplit = (counts: Record<Split, number>): Split => (['train', 'dev', 'test'] as const).reduce((best, split) => (counts[split] > counts[best] ? split : best), 'train' as Split)

/**
 * Speaker-disjoint, seeded, deterministic train/dev/test assignment. Speakers are taken in the
 * order of a seeded hash of their identity (so the result depends only on the set of clips and
 * the seed, never on row order), as `assignSpeakerSplits` says. Sentence-disjoint: a sentence read
 * in several splits stays in the split holding most of its clips (ties: train, dev, test) and its
 * clips elsewhere are held out.
 */
export const assignSplits = (items: SplitItem[], policy: SplitPolicy): SplitAssignment => {
  const settings = { ...DEFAULT_SPLIT_POLICY, ...policy }
  const clipsPerSpeaker = new Map<string, number>()
  for (const item of items) clipsPerSpeaker.set(item.speaker, (clipsPerSpeaker.get(item.speaker) ?? 0) + 1)
  const { speakerSplit, target } = assignSpeakerSplits(
    [...clipsPerSpeaker].map(([speaker, clips]) => ({ speaker, clips, rank: seededRank(settings.seed, speaker) })),
    settings,
  )
  const splitOf = new Map<number, Split | null>()
  for (const item of items) splitOf.set(item.id, speakerSplit.get(item.speaker)!)
  let heldOut = 0
  if (settings.sentenceDisjoint) {
    const perSentence = new Map<string, Record<Split, number>>()
    for (const item of items) {
      const counts = perSentence.get(item.sentence) ?? { train: 0, dev: 0, test: 0 }
      counts[speakerSplit.get(item.speaker)!]++
      perSentence.set(item.sentence, counts)
    }
    const owner = new Map<string, Split>()
    for (const [sentence, counts] of perSentence) owner.set(sentence, ownerSplit(counts))
    for (const item of items) {
      if (splitOf.get(item.id) !== owner.get(item.sentence)) {
        splitOf.set(item.id, null)
        heldOut++
      }
    }
  }
  return { splitOf, heldOut, target }
}
