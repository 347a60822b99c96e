import type { Config, Payload, SanitizedConfig } from 'payload'

/** Where a segment stands with the plugin that judges segments (the consensus plugin). */
export type DecisionStatus = 'pending' | 'accepted' | 'rejected' | 'needs-review'

/** One segment's decision, as the judging plugin publishes it. */
export interface SegmentDecision {
  status: DecisionStatus
  /** The agreed transcript (for a prompt clip: what was said, when reviewers corrected it), or null. */
  agreedText: string | null
  /** 0–1, or null while nobody has judged it. */
  confidence: number | null
  /** The rule that decided (`common-voice`, `dawid-skene`, …, `reviewer`), or null. */
  method: string | null
  decidedBy: 'crowd' | 'reviewer' | null
  /** Validation votes saying the clip is valid, and not valid. */
  upVotes: number
  downVotes: number
}

/**
 * What the plugin that judges segments (the consensus plugin) offers the plugins that export or
 * report on them, besides its published SQL views (`consensus_segments`): each segment's decision,
 * read in batches. A plugin that needs decisions looks the source up at run time; none registered
 * means nothing is judged (every segment pending, no votes).
 */
export interface DecisionSource {
  /** The registering plugin's slug. */
  plugin: string
  /** The decisions of these segments, one entry per id asked (an undecided or unknown segment is pending). A system read. */
  decisionsOf(args: { payload: Payload; segmentIds: number[] }): Promise<Map<number, SegmentDecision>>
}

const KEY = 'shrutikDecisionSource'

/** Registers the one decision source (from the plugin's `(config) => config`). */
export const registerDecisionSource = <C extends Config>(config: C, source: DecisionSource): C => {
  const existing = getDecisionSource(config)
  if (existing) throw new Error(`A decision source is registered twice (by "${existing.plugin}" and "${source.plugin}"); list one plugin that judges segments.`)
  return { ...config, custom: { ...config.custom, [KEY]: source } }
}

/** The decision source of this configuration, or undefined when no plugin judges segments. */
export const getDecisionSource = (config: Config | SanitizedConfig): DecisionSource | undefined =>
  (config.custom as Record<string, unknown> | undefined)?.[KEY] as DecisionSource | undefined

/** A segment nobody has decided. */
export const UNDECIDED: Readonly<SegmentDecision> = Object.freeze({ status: 'pending', agreedText: null, confidence: null, method: null, decidedBy: null, upVotes: 0, downVotes: 0 })
