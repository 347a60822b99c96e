import {
  DEFAULT_DECISION_SETTINGS,
  isTranscriptStrategy,
  isVoteRule,
  TRANSCRIPT_STRATEGIES,
  VOTE_RULES,
  type DecisionSettings,
  type TranscriptStrategy,
  type VoteRule,
  type VoteStrategyName,
} from './core'

import type { PayloadRequest } from 'payload'

/**
 * A contributor who judges, as the host knows them: an account, or a server-issued anonymous id, and whether they
 * accepted the current contribution terms. The host resolves it (cookies, sessions, linked
 * browsers); the plugin never reads cookies itself.
 */
export interface ContributorIdentity {
  userId?: number
  /** The browser's anonymous id (also set for a signed-in account when the browser holds one). */
  clientId?: string
  /** Accepted the current terms: judgments without consent are refused (403). */
  consented: boolean
}

/** @deprecated The old name of {@link ContributorIdentity}. */
export type JudgeIdentity = ContributorIdentity

/**
 * The default: accounts only, with no consent check of its own (a host with anonymous contributors
 * and consent passes `identify`). May throw an APIError (e.g. 401 for a forged id).
 */
export const accountsOnly = async (req: PayloadRequest): Promise<ContributorIdentity | undefined> =>
  req.user ? { userId: Number(req.user.id), consented: true } : undefined

export interface ConsensusOptions {
  /** With `false` the collections and fields stay (data and migrations are unaffected) but nothing is decided, served or enqueued. @default true */
  enabled?: boolean
  /** @default 'segments' */
  segmentsSlug?: string
  /** @default 'recordings' */
  recordingsSlug?: string
  /** @default 'transcriptions' */
  transcriptionsSlug?: string
  /** @default 'users' */
  usersSlug?: string
  /** @default 'languages' */
  languagesSlug?: string
  /**
   * How validation votes become a decision. `dawid-skene` weighs each voter by their estimated
   * accuracy and falls back to the Common Voice rule while none of a clip's voters is calibrated;
   * `common-voice` counts. Or a `VoteRule` object of your own (`{ name, decide }`, see `core/rules.ts`):
   * the live decision asks it, and falls back to Common Voice where it returns undefined.
   * @default 'dawid-skene'
   */
  voteStrategy?: VoteStrategyName | VoteRule
  /**
   * How transcriptions become one text: `reliability` (weighted ROVER), `rover` or `medoid`, or a
   * `TranscriptStrategy` object of your own (`{ name, aggregate }`). @default 'reliability'
   */
  transcriptStrategy?: string | TranscriptStrategy
  /** Dawid–Skene: accept at P(valid) ≥ this, reject at ≤ 1 − this. @default 0.95 */
  posteriorThreshold?: number
  /**
   * Where the confidence a transcription needs settles: unanimity at `minTranscriptions`, then the
   * bar falls towards this (see `transcriptConfidenceDecay`). Higher: better texts, more transcriptions
   * per segment (the curve is in the README). @default 0.65
   */
  transcriptConfidenceThreshold?: number
  /**
   * Bar = threshold + (1 − threshold) · decay^(transcriptions − minTranscriptions); `0`: the plain
   * threshold from the minimum on. @default 0.8
   */
  transcriptConfidenceDecay?: number
  /**
   * Also accept a transcription once people worth `minTranscriptions` each wrote the agreed text
   * (word for word, up to `transcriptAgreementTolerance`), whatever its confidence. `false`: the
   * confidence bar alone decides (about 5 % more transcriptions per segment, see the README). @default true
   */
  transcriptAgreement?: boolean
  /**
   * Share of the agreed text's words a transcription may differ in and still count as agreeing,
   * rounded down (0.05: word for word below 20 words). From 0 to 0.5. @default 0.05
   */
  transcriptAgreementTolerance?: number
  /** Votes before a clip can be decided (also Common Voice's votes-on-one-side). @default 2 */
  minVotes?: number
  /** Votes after which an undecided clip goes to the review queue. @default 4 */
  maxVotes?: number
  /** Transcriptions before a segment can be decided. @default 2 */
  minTranscriptions?: number
  /** Transcriptions after which an undecided segment goes to the review queue. @default 7 */
  maxTranscriptions?: number
  /** Problem reports (skips with a reason) that send a segment to the review queue. @default 2 */
  reportsForReview?: number
  /** Votes a contributor needs before their measured accuracy is used. @default 5 */
  calibrationVotes?: number
  /**
   * How often everyone's reliability is re-estimated (an Agenda interval such as '30 minutes' or
   * milliseconds); `false` runs it only when enqueued (after review decisions, or by hand). @default '1 hour'
   */
  reliabilitySchedule?: string | number | false
  /** Segments of one speaker in one batch of `next-validation` / `next-transcription`. @default 2 */
  maxPerSpeaker?: number
  /** Largest batch `next-*` hands out. @default 20 */
  maxBatch?: number
  /**
   * Who is judging, resolved by the host (accounts, server-issued anonymous ids, consent). Throw an
   * APIError to refuse a request outright (a forged id: 401).
   * @default accounts only (`req.user`), no anonymous judges
   */
  identify?: (req: PayloadRequest) => Promise<ContributorIdentity | undefined>
  /**
   * Weight of a vote, transcription or report by a judge who is neither signed in nor calibrated
   * (a fresh anonymous id), relative to 1 for an account: a burst of fresh identities needs this
   * many times more people to decide anything. @default 0.5
   */
  untrustedWeight?: number
}

export interface SanitizedConsensusOptions {
  enabled: boolean
  slugs: { segments: string; recordings: string; transcriptions: string; users: string; languages: string }
  decision: DecisionSettings
  reliabilitySchedule: string | number | false
  maxPerSpeaker: number
  maxBatch: number
  identify: (req: PayloadRequest) => Promise<ContributorIdentity | undefined>
}

const check = (condition: boolean, message: string) => {
  if (!condition) throw new Error(`consensusPlugin: ${message}`)
}

const isCount = (value: number) => Number.isInteger(value) && value >= 1

/** Defaults merged and every value checked once, at config time, with a message naming the option. */
export const sanitizeOptions = (options: ConsensusOptions = {}): SanitizedConsensusOptions => {
  const pick = <K extends keyof DecisionSettings>(key: K, value: DecisionSettings[K] | undefined): DecisionSettings[K] => value ?? DEFAULT_DECISION_SETTINGS[key]
  const decision: DecisionSettings = {
    ...DEFAULT_DECISION_SETTINGS,
    voteStrategy: pick('voteStrategy', options.voteStrategy),
    transcriptStrategy: pick('transcriptStrategy', options.transcriptStrategy),
    posteriorThreshold: pick('posteriorThreshold', options.posteriorThreshold),
    transcriptConfidenceThreshold: pick('transcriptConfidenceThreshold', options.transcriptConfidenceThreshold),
    transcriptConfidenceDecay: pick('transcriptConfidenceDecay', options.transcriptConfidenceDecay),
    transcriptAgreement: pick('transcriptAgreement', options.transcriptAgreement),
    transcriptAgreementTolerance: pick('transcriptAgreementTolerance', options.transcriptAgreementTolerance),
    minVotes: pick('minVotes', options.minVotes),
    maxVotes: pick('maxVotes', options.maxVotes),
    minTranscriptions: pick('minTranscriptions', options.minTranscriptions),
    maxTranscriptions: pick('maxTranscriptions', options.maxTranscriptions),
    reportsForReview: pick('reportsForReview', options.reportsForReview),
    calibrationVotes: pick('calibrationVotes', options.calibrationVotes),
    untrustedWeight: pick('untrustedWeight', options.untrustedWeight),
  }
  check(
    typeof decision.voteStrategy === 'string' ? Object.hasOwn(VOTE_RULES, decision.voteStrategy) : isVoteRule(decision.voteStrategy),
    `voteStrategy must be one of ${Object.keys(VOTE_RULES).join(', ')}, or a rule object with a name and a decide function.`,
  )
  check(
    typeof decision.transcriptStrategy === 'string' ? Object.hasOwn(TRANSCRIPT_STRATEGIES, decision.transcriptStrategy) : isTranscriptStrategy(decision.transcriptStrategy),
    `transcriptStrategy must be one of ${Object.keys(TRANSCRIPT_STRATEGIES).join(', ')}, or a strategy object with a name and an aggregate function.`,
  )
  check(decision.posteriorThreshold > 0.5 && decision.posteriorThreshold < 1, 'posteriorThreshold must be between 0.5 and 1 (exclusive).')
  check(decision.transcriptConfidenceThreshold > 0 && decision.transcriptConfidenceThreshold <= 1, 'transcriptConfidenceThreshold must be in (0, 1].')
  check(decision.transcriptConfidenceDecay >= 0 && decision.transcriptConfidenceDecay < 1, 'transcriptConfidenceDecay must be in [0, 1).')
  check(typeof decision.transcriptAgreement === 'boolean', 'transcriptAgreement must be true or false.')
  check(
    typeof decision.transcriptAgreementTolerance === 'number' && decision.transcriptAgreementTolerance >= 0 && decision.transcriptAgreementTolerance <= 0.5,
    'transcriptAgreementTolerance must be in [0, 0.5].',
  )
  for (const key of ['minVotes', 'maxVotes', 'minTranscriptions', 'maxTranscriptions', 'reportsForReview', 'calibrationVotes'] as const) {
    check(isCount(decision[key]), `${key} must be a whole number ≥ 1.`)
  }
  check(decision.untrustedWeight > 0 && decision.untrustedWeight <= 1, 'untrustedWeight must be in (0, 1].')
  check(decision.minVotes <= decision.maxVotes, 'minVotes must not exceed maxVotes.')
  check(decision.minTranscriptions <= decision.maxTranscriptions, 'minTranscriptions must not exceed maxTranscriptions.')
  const maxPerSpeaker = options.maxPerSpeaker ?? 2
  const maxBatch = options.maxBatch ?? 20
  check(isCount(maxPerSpeaker), 'maxPerSpeaker must be a whole number ≥ 1.')
  check(isCount(maxBatch) && maxBatch <= 100, 'maxBatch must be a whole number from 1 to 100.')
  return {
    enabled: options.enabled ?? true,
    slugs: {
      segments: options.segmentsSlug ?? 'segments',
      recordings: options.recordingsSlug ?? 'recordings',
      transcriptions: options.transcriptionsSlug ?? 'transcriptions',
      users: options.usersSlug ?? 'users',
      languages: options.languagesSlug ?? 'languages',
    },
    decision,
    reliabilitySchedule: options.reliabilitySchedule ?? '1 hour',
    maxPerSpeaker,
    maxBatch,
    identify: options.identify ?? accountsOnly,
  }
}

/** Where the sanitised options sit in `config.custom`, for the admin view. */
export const SETTINGS_KEY = 'consensusPlugin'

/** Collections this plugin owns (fixed: the migration's tables, triggers and indexes use them). */
export const VOTES = 'votes'
export const SKIPS = 'consensus-skips'
export const RELIABILITY = 'contributor-reliability'
export const DECISIONS = 'consensus-decisions'
/** One row per segment: its decision (status, agreed text, confidence, …), published as the view `consensus_segments`. */
export const SEGMENT_DECISIONS = 'segment-decisions'

/** Table name of a collection slug, as the Postgres adapter names it. */
export const tableOf = (slug: string): string => slug.replace(/-/g, '_')
