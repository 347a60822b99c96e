/**
 * The live decision's vote rules as providers. `decideValidation` (what `consensus.evaluate-segment`
 * runs on a prompt clip) weighs the votes, then asks the rule named by the `voteStrategy` setting —
 * a built-in name, or a rule object a deployment passes in its options — for a verdict; a rule that
 * cannot decide a clip yet (Dawid–Skene before any voter is calibrated) leaves it to the Common
 * Voice rule. Transcriptions have the same shape: `transcriptStrategy` names a `TranscriptStrategy`
 * (`TRANSCRIPT_STRATEGIES`) or is one.
 */
import type { ConsensusStatus, DecisionSettings } from './decide'
import { commonVoiceStatus, validPosterior, type VoteInput } from './votes'

/** One clip's counted votes (each voter's last) and what is known about the voters. */
export interface VoteRuleInput {
  votes: readonly Pick<VoteInput, 'contributor' | 'valid'>[]
  /** 1 for a trusted voter (an account, or calibrated), `untrustedWeight` for a fresh anonymous id. */
  weightOf: (contributor: string) => number
  /** A calibrated voter's measured accuracy (resting on `calibrationVotes` votes), else undefined. */
  calibratedAccuracy: (contributor: string) => number | undefined
  /** The accuracy to assume: the measured one, else `priorAccuracy` (trusted) or less (untrusted). */
  accuracyOf: (contributor: string) => number
}

export interface VoteRuleVerdict {
  /** Undefined: not decided yet (more voters, or a reviewer at `maxVotes`). */
  decided?: Extract<ConsensusStatus, 'accepted' | 'rejected'>
  /** 0..1: how sure the rule is of the leading side. */
  confidence: number
  /** Stored as the segment's `consensus.method`. */
  method: string
}

/** A rule deciding one prompt clip from its votes. `decideValidation` applies `minVotes`, `maxVotes` and reports around it. */
export interface VoteRule {
  name: string
  /** The verdict, or undefined to leave the clip to the Common Voice rule (e.g. nobody calibrated yet). */
  decide(input: VoteRuleInput, settings: DecisionSettings): VoteRuleVerdict | undefined
}

/** Common Voice: weighted votes counted; `minVotes` on one side and more than the other decide. */
export const commonVoiceRule: VoteRule = {
  name: 'common-voice',
  decide: ({ votes, weightOf }, settings) => {
    let up = 0
    let down = 0
    for (const vote of votes) {
      if (vote.valid) up += weightOf(vote.contributor)
      else down += weightOf(vote.contributor)
    }
    const status = commonVoiceStatus(up, down, settings.minVotes)
    return {
      decided: status === 'valid' ? 'accepted' : status === 'invalid' ? 'rejected' : undefined,
      confidence: up + down === 0 ? 0 : Math.max(up, down) / (up + down),
      method: 'common-voice',
    }
  },
}

/**
 * Dawid–Skene with the stored accuracies: P(valid) from every voter's accuracy; accepted at ≥
 * `posteriorThreshold`, rejected at ≤ 1 − it. Leaves a clip none of whose voters is calibrated to
 * the Common Voice rule (with no measured voter, counting is as good).
 */
export const dawidSkeneRule: VoteRule = {
  name: 'dawid-skene',
  decide: ({ votes, calibratedAccuracy, accuracyOf }, settings) => {
    if (!votes.some((vote) => calibratedAccuracy(vote.contributor) !== undefined)) return undefined
    const posterior = validPosterior(votes, accuracyOf)
    return {
      decided: posterior >= settings.posteriorThreshold ? 'accepted' : posterior <= 1 - settings.posteriorThreshold ? 'rejected' : undefined,
      confidence: Math.max(posterior, 1 - posterior),
      method: 'dawid-skene',
    }
  },
}

/** The built-in vote rules by name. */
export const VOTE_RULES: Readonly<Record<string, VoteRule>> = {
  [dawidSkeneRule.name]: dawidSkeneRule,
  [commonVoiceRule.name]: commonVoiceRule,
}

/** Whether `value` has the shape of a vote rule (a deployment's own). */
export const isVoteRule = (value: unknown): value is VoteRule =>
  typeof value === 'object' && value !== null && typeof (value as VoteRule).name === 'string' && (value as VoteRule).name !== '' && typeof (value as VoteRule).decide === 'function'

/** A built-in rule by name, or the rule object itself. */
export const voteRule = (rule: string | VoteRule): VoteRule => {
  if (typeof rule !== 'string') return rule
  if (!Object.hasOwn(VOTE_RULES, rule)) throw new Error(`Unknown vote rule "${rule}": use one of ${Object.keys(VOTE_RULES).join(', ')}.`)
  return VOTE_RULES[rule]
}
