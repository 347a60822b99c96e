/**
 * From one segment's judgments to its consensus: accepted, rejected, needs-review (a reviewer
 * should listen) or pending (ask more people). And from everybody's judgments to each
 * contributor's reliability. Pure: the plugin loads the rows and stores the results.
 */
import { editDistance } from './editDistance'
import { tokenize, type NormalizeOptions } from './normalize'
import { withDefaults } from './options'
import { reliabilityStrategy, transcriptStrategy, type TranscriptInput, type TranscriptStrategy } from './transcripts'
import { commonVoiceRule, voteRule, type VoteRule } from './rules'
import { dawidSkeneStrategy, voteWeight, type VoteInput } from './votes'

export const CONSENSUS_STATUSES = ['pending', 'accepted', 'rejected', 'needs-review'] as const
export type ConsensusStatus = (typeof CONSENSUS_STATUSES)[number]

export const VOTE_STRATEGY_NAMES = ['dawid-skene', 'common-voice'] as const
export type VoteStrategyName = (typeof VOTE_STRATEGY_NAMES)[number]

export interface DecisionSettings {
  /**
   * The vote rule (`rules.ts`): `dawid-skene` weighs each voter by their measured accuracy,
   * `common-voice` counts votes; or a `VoteRule` of a deployment's own. @default 'dawid-skene'
   */
  voteStrategy: VoteStrategyName | VoteRule
  /**
   * `reliability` (weighted ROVER), `rover` or `medoid` (see transcripts.ts), or a `TranscriptStrategy`
   * of a deployment's own. @default 'reliability'
   */
  transcriptStrategy: string | TranscriptStrategy
  /** Dawid–Skene: accept at P(valid) ≥ this, reject at ≤ 1 − this. @default 0.95 */
  posteriorThreshold: number
  /**
   * Accept a transcription once the agreed text's confidence reaches the bar: unanimity at
   * `minTranscriptions`, then, with each further transcription, `transcriptConfidenceDecay` of
   * what is left above this threshold (see `transcriptConfidenceBar`). @default 0.65
   */
  transcriptConfidenceThreshold: number
  /**
   * How fast the bar falls from unanimity to `transcriptConfidenceThreshold`: bar = threshold +
   * (1 − threshold) · decay^(transcriptions − minTranscriptions). `0` switches the start off (the
   * threshold from the minimum on). @default 0.8
   */
  transcriptConfidenceDecay: number
  /**
   * Also accept a transcription, whatever its confidence, once people worth `minTranscriptions`
   * (trusted ones count 1) each wrote the agreed text, word for word up to
   * `transcriptAgreementTolerance`: independent people typing the same text is strong evidence,
   * and on CrowdSpeech more transcriptions after that change almost nothing. @default true
   */
  transcriptAgreement: boolean
  /**
   * Share of the agreed text's words (or characters, for scripts without spaces) a transcription
   * may differ in and still count as writing it, rounded down: 0.05 is word for word below 20
   * words, one word in 20–39. @default 0.05
   */
  transcriptAgreementTolerance: number
  /** Votes needed before a clip can be decided (also Common Voice's "votes on one side"). @default 2 */
  minVotes: number
  /** Votes after which an undecided clip goes to a reviewer instead of more voters. @default 4 */
  maxVotes: number
  /** Transcriptions needed before a segment can be decided. @default 2 */
  minTranscriptions: number
  /** Transcriptions after which an undecided segment goes to a reviewer. @default 7 */
  maxTranscriptions: number
  /** Problem reports (skips with a reason) that send a segment to a reviewer whatever the votes say. @default 2 */
  reportsForReview: number
  /**
   * A voter's measured accuracy is used once it rests on this many votes; until then they count
   * with the prior accuracy, and a clip none of whose voters is calibrated yet is decided by the
   * Common Voice rule (Dawid–Skene needs data to beat counting). @default 5
   */
  calibrationVotes: number
  /** Accuracy assumed for a voter not calibrated yet (the mean of the Dawid–Skene prior). @default 0.75 */
  priorAccuracy: number
  /**
   * Weight of a judge who is neither an account nor calibrated (see `isAccount` in the context), for
   * votes, reports and the redundancy cap: 0.5 means two fresh anonymous ids count as one account.
   * @default 0.5
   */
  untrustedWeight: number
}

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  voteStrategy: 'dawid-skene',
  transcriptStrategy: 'reliability',
  posteriorThreshold: 0.95,
  transcriptConfidenceThreshold: 0.65,
  transcriptConfidenceDecay: 0.8,
  transcriptAgreement: true,
  transcriptAgreementTolerance: 0.05,
  minVotes: 2,
  maxVotes: 4,
  minTranscriptions: 2,
  maxTranscriptions: 7,
  reportsForReview: 2,
  calibrationVotes: 5,
  priorAccuracy: 0.75,
  untrustedWeight: 0.5,
}

/** What is known about one contributor from the last population run. */
export interface KnownReliability {
  voteAccuracy?: number | null
  /** Votes the accuracy rests on. */
  votes?: number
  transcriptErrorRate?: number | null
}

export type ReliabilityLookup = (contributor: string) => KnownReliability | undefined

/**
 * Whether a judge is an account (signed in, or a browser linked to one). Judges who are neither an
 * account nor calibrated count with `untrustedWeight`. Without it every judge is trusted (offline use).
 */
export type AccountLookup = (contributor: string) => boolean

export interface SegmentVerdict {
  status: ConsensusStatus
  /** Accepted prompt clip: the sentence; transcription: the (provisional) agreed text. */
  agreedText: string | null
  /** 0..1: for votes the probability of the leading side, for transcripts the agreement with the text. */
  confidence: number
  /** Distinct contributors who judged (votes or transcriptions). */
  judgments: number
  /** How the verdict was reached: `dawid-skene`, `common-voice` or the transcript strategy's name. */
  method: string
}

/** The last judgment of each contributor (a changed mind replaces the earlier one). */
const lastPerContributor = <T extends { contributor: string }>(rows: readonly T[]): T[] => {
  const byContributor = new Map<string, T>()
  for (const row of rows) {
    byContributor.delete(row.contributor)
    byContributor.set(row.contributor, row)
  }
  return [...byContributor.values()]
}

/**
 * A prompt clip from its validation votes. Dawid–Skene (with stored accuracies) when at least one
 * voter is calibrated, else the Common Voice rule. Undecided at `maxVotes`, or reported often
 * enough, it needs a reviewer.
 *
 * Against one person acting as many: what trusted judges (accounts and calibrated voters) decide
 * among themselves stands, whatever untrusted ones (fresh anonymous ids) add; only when the trusted
 * judges have not decided do the untrusted votes count, each with `untrustedWeight`.
 */
export const decideValidation = (
  votes: readonly Pick<VoteInput, 'contributor' | 'valid'>[],
  context: {
    expectedText?: string | null
    /** Problem reports, weighted like votes (an untrusted reporter counts `untrustedWeight`). */
    reports?: number
    /** The reports of trusted judges alone (default: `reports`): a burst of fresh ids cannot send what trusted judges agreed on to review. */
    trustedReports?: number
    reliability?: ReliabilityLookup
    isAccount?: AccountLookup
  },
  partial: Partial<DecisionSettings> = {},
): SegmentVerdict => {
  const settings = withDefaults(DEFAULT_DECISION_SETTINGS, partial)
  const counted = lastPerContributor(votes)
  const calibrated = (contributor: string) => {
    const known = context.reliability?.(contributor)
    return typeof known?.voteAccuracy === 'number' && (known.votes ?? 0) >= settings.calibrationVotes ? known.voteAccuracy : undefined
  }
  const trusted = (contributor: string) => calibrated(contributor) !== undefined || (context.isAccount?.(contributor) ?? true)
  const weightOf = (contributor: string) => (trusted(contributor) ? 1 : settings.untrustedWeight)
  // An untrusted voter's vote moves the posterior as far as `untrustedWeight` of a prior voter's.
  const untrustedAccuracy = 0.5 + (settings.priorAccuracy - 0.5) * settings.untrustedWeight
  const rule = voteRule(settings.voteStrategy)
  const accuracyOf = (contributor: string) => calibrated(contributor) ?? (trusted(contributor) ? settings.priorAccuracy : untrustedAccuracy)
  const decideAmong = (rows: readonly Pick<VoteInput, 'contributor' | 'valid'>[]) => {
    const weight = rows.reduce((sum, row) => sum + weightOf(row.contributor), 0)
    const input = { votes: rows, weightOf, calibratedAccuracy: calibrated, accuracyOf }
    // The configured rule, or Common Voice where it cannot decide yet.
    const verdict = rule.decide(input, settings) ?? commonVoiceRule.decide(input, settings)!
    const decided: ConsensusStatus | undefined = weight < settings.minVotes ? undefined : verdict.decided
    return { decided, confidence: verdict.confidence, method: verdict.method, weight }
  }
  const trustedOnly = counted.filter((vote) => trusted(vote.contributor))
  const byTrusted = trustedOnly.length < counted.length ? decideAmong(trustedOnly) : undefined
  const result = byTrusted?.decided ? byTrusted : decideAmong(counted)
  const status = byTrusted?.decided
    ? settle(byTrusted.decided, byTrusted.weight, settings.maxVotes, context.trustedReports ?? context.reports ?? 0, settings.reportsForReview)
    : settle(result.decided, result.weight, settings.maxVotes, context.reports ?? 0, settings.reportsForReview)
  return { status, agreedText: status === 'accepted' ? (context.expectedText ?? null) : null, confidence: result.confidence, judgments: counted.length, method: result.method }
}

/**
 * The confidence a transcription needs with `weight` transcriptions (trusted ones count 1): unanimity
 * at `minTranscriptions`, falling towards `transcriptConfidenceThreshold` by `transcriptConfidenceDecay`
 * per further transcription. Few transcriptions that agree only mostly are weak evidence (two people
 * disagreeing on a word is a coin toss); many that mostly agree are not.
 */
export const transcriptConfidenceBar = (
  weight: number,
  settings: Pick<DecisionSettings, 'transcriptConfidenceThreshold' | 'transcriptConfidenceDecay' | 'minTranscriptions'>,
): number => {
  const { transcriptConfidenceThreshold: threshold, transcriptConfidenceDecay: decay, minTranscriptions } = settings
  if (decay <= 0) return threshold
  return threshold + (1 - threshold) * decay ** Math.max(0, weight - minTranscriptions)
}

/**
 * The weight (trusted transcribers count 1, others `weightOf`) of the transcriptions that say the
 * agreed text, each differing from it in at most ⌊`tolerance` · its length⌋ tokens.
 */
export const agreeingWeight = (
  transcripts: readonly Pick<TranscriptInput, 'contributor' | 'text'>[],
  agreedText: string,
  normalize: Partial<NormalizeOptions>,
  tolerance: number,
  weightOf: (contributor: string) => number = () => 1,
): number => {
  const agreed = tokenize(agreedText, normalize)
  const allowed = Math.floor(tolerance * agreed.length + 1e-9)
  let weight = 0
  for (const { contributor, text } of transcripts) {
    const tokens = tokenize(text, normalize)
    if (Math.abs(tokens.length - agreed.length) <= allowed && editDistance(tokens, agreed) <= allowed) weight += weightOf(contributor)
  }
  return weight
}

/**
 * A segment of a long recording from its transcriptions: the chosen strategy with the stored
 * error rates as weights. Accepted with at least `minTranscriptions` once the confidence reaches
 * `transcriptConfidenceBar`, or once enough people wrote the agreed text (`transcriptAgreement`);
 * at `maxTranscriptions` still neither, a reviewer decides.
 */
export const decideTranscription = (
  transcripts: readonly Pick<TranscriptInput, 'contributor' | 'text'>[],
  context: { reports?: number; reliability?: ReliabilityLookup; normalize?: Partial<NormalizeOptions>; isAccount?: AccountLookup },
  partial: Partial<DecisionSettings> = {},
): SegmentVerdict => {
  const settings = withDefaults(DEFAULT_DECISION_SETTINGS, partial)
  const counted = lastPerContributor(transcripts)
  const trustedWeight = (contributor: string) =>
    typeof context.reliability?.(contributor)?.transcriptErrorRate === 'number' || (context.isAccount?.(contributor) ?? true) ? 1 : settings.untrustedWeight
  const weight = counted.reduce((sum, row) => sum + trustedWeight(row.contributor), 0)
  const strategy = transcriptStrategy(settings.transcriptStrategy)
  if (counted.length === 0) {
    const status = settle(undefined, 0, settings.maxTranscriptions, context.reports ?? 0, settings.reportsForReview)
    return { status, agreedText: null, confidence: 0, judgments: 0, method: strategy.name }
  }
  const errorRates: Record<string, number> = {}
  for (const { contributor } of counted) {
    const rate = context.reliability?.(contributor)?.transcriptErrorRate
    if (typeof rate === 'number') errorRates[contributor] = rate
    // A fresh anonymous id counts as an error-prone transcriber until measured (the crowd's prior is 0.25).
    else if (trustedWeight(contributor) < 1) errorRates[contributor] = 0.25 + 0.25 * (1 - settings.untrustedWeight)
  }
  // One item: the weights come from the population run, not from this item alone.
  const [result] = strategy.aggregate(
    counted.map(({ contributor, text }) => ({ item: 'segment', contributor, text })),
    { normalize: context.normalize ?? {}, rounds: 1, errorRates },
  ).items
  // Adaptive redundancy: confident enough with enough people, or enough people wrote the agreed
  // text → decided; else ask more, up to the cap.
  // (1e-9: a unanimous vote's confidence is 1 up to rounding of the weight sums.)
  const confident = result.confidence >= transcriptConfidenceBar(weight, settings) - 1e-9
  const agreed =
    settings.transcriptAgreement &&
    agreeingWeight(counted, result.text, context.normalize ?? {}, settings.transcriptAgreementTolerance, trustedWeight) >= settings.minTranscriptions - 1e-9
  const decided = weight >= settings.minTranscriptions && (confident || agreed) ? 'accepted' : undefined
  const status = settle(decided, weight, settings.maxTranscriptions, context.reports ?? 0, settings.reportsForReview)
  return { status, agreedText: result.text, confidence: result.confidence, judgments: counted.length, method: strategy.name }
}

/** Reports win (a person should look), then a decision, then the redundancy cap. */
const settle = (decided: ConsensusStatus | undefined, judgments: number, maxJudgments: number, reports: number, reportsForReview: number): ConsensusStatus => {
  if (reports >= reportsForReview) return 'needs-review'
  if (decided) return decided
  return judgments >= maxJudgments ? 'needs-review' : 'pending'
}

export interface PopulationInput {
  /** Validation votes; `item` is the segment, `contributor` the contributor key. */
  votes: readonly VoteInput[]
  /** Reviewer decisions on validated segments: accepted = true. */
  voteGold?: Readonly<Record<string, boolean>>
  /** Transcriptions, grouped by the language whose normalisation applies (BCP-47 code). */
  transcriptsByLanguage: ReadonlyMap<string, readonly TranscriptInput[]>
  /** Reviewer texts of transcribed segments. */
  transcriptGold?: Readonly<Record<string, string>>
}

export interface ContributorReliabilityEstimate {
  contributor: string
  /** Validation votes counted, and the estimated chance a vote of theirs is right. */
  votes: number
  voteAccuracy: number | null
  /** Log-odds of the accuracy: a vote's weight in Dawid–Skene. */
  voteWeight: number | null
  /** Transcriptions counted, their smoothed token error rate and their weight in the text vote. */
  transcriptions: number
  transcriptErrorRate: number | null
  transcriptWeight: number | null
  itemsJudged: number
}

/**
 * Everyone's reliability from everyone's judgments: one-coin Dawid–Skene over all votes (reviewer
 * decisions pinned as gold), and the reliability strategy's error rates over all transcriptions,
 * language by language (a contributor in several languages gets the item-weighted mean).
 */
export const estimatePopulation = (input: PopulationInput, partial: Partial<DecisionSettings> = {}): ContributorReliabilityEstimate[] => {
  const settings = withDefaults(DEFAULT_DECISION_SETTINGS, partial)
  const estimates = new Map<string, ContributorReliabilityEstimate>()
  const entry = (contributor: string) => {
    let found = estimates.get(contributor)
    if (!found) {
      found = { contributor, votes: 0, voteAccuracy: null, voteWeight: null, transcriptions: 0, transcriptErrorRate: null, transcriptWeight: null, itemsJudged: 0 }
      estimates.set(contributor, found)
    }
    return found
  }
  if (input.votes.length > 0) {
    const { contributors } = dawidSkeneStrategy.decide(input.votes, { gold: input.voteGold ?? {}, threshold: settings.posteriorThreshold })
    for (const contributor of contributors) {
      const estimate = entry(contributor.contributor)
      estimate.votes = contributor.votes
      estimate.voteAccuracy = contributor.accuracy
      estimate.voteWeight = voteWeight(contributor.accuracy)
    }
  }
  const gold = input.transcriptGold ?? {}
  for (const [language, transcripts] of input.transcriptsByLanguage) {
    if (transcripts.length === 0) continue
    const { contributors } = reliabilityStrategy.aggregate(transcripts, { normalize: { language }, gold })
    for (const contributor of contributors) {
      const estimate = entry(contributor.contributor)
      const before = estimate.transcriptions
      const total = before + contributor.items
      estimate.transcriptErrorRate = ((estimate.transcriptErrorRate ?? 0) * before + contributor.errorRate * contributor.items) / total
      estimate.transcriptWeight = ((estimate.transcriptWeight ?? 0) * before + contributor.weight * contributor.items) / total
      estimate.transcriptions = total
    }
  }
  for (const estimate of estimates.values()) estimate.itemsJudged = estimate.votes + estimate.transcriptions
  return [...estimates.values()]
}
