import { describe, expect, test } from '@jest/globals'

import {
  commonVoiceRule,
  dawidSkeneRule,
  decideTranscription,
  decideValidation,
  DEFAULT_DECISION_SETTINGS,
  TRANSCRIPT_STRATEGIES,
  VOTE_RULES,
  VOTE_STRATEGY_NAMES,
  voteRule,
  type KnownReliability,
  type TranscriptStrategy,
  type VoteRule,
  type VoteRuleInput,
} from '.'
import { sanitizeOptions } from '../options'

/** The live decision's rules are providers: each built-in one on its own table, and a deployment's own through the live path. */

const settings = DEFAULT_DECISION_SETTINGS
/** A rule's input for votes `valid[i]` by `w<i>`, with weights and calibrated accuracies per voter. */
const input = (valid: boolean[], weights: number[] = [], accuracies: (number | undefined)[] = []): VoteRuleInput => {
  const index = (contributor: string) => Number(contributor.slice(1))
  const calibratedAccuracy = (contributor: string) => accuracies[index(contributor)]
  return {
    votes: valid.map((value, position) => ({ contributor: `w${position}`, valid: value })),
    weightOf: (contributor) => weights[index(contributor)] ?? 1,
    calibratedAccuracy,
    accuracyOf: (contributor) => calibratedAccuracy(contributor) ?? settings.priorAccuracy,
  }
}

describe('vote rules', () => {
  test('the built-in names are the registry', () => {
    expect(Object.keys(VOTE_RULES).sort()).toEqual([...VOTE_STRATEGY_NAMES].sort())
    for (const name of VOTE_STRATEGY_NAMES) expect(voteRule(name).name).toBe(name)
    expect(() => voteRule('majority')).toThrow(/Unknown vote rule "majority": use one of dawid-skene, common-voice/)
    // Only the registry's own names: nothing inherited from Object.prototype.
    expect(() => voteRule('toString')).toThrow(/Unknown vote rule/)
  })

  test.each([
    // votes, weights → decided, confidence
    [[true, true], [], 'accepted', 1],
    [[true, false], [], undefined, 0.5],
    [[false, false, true], [], 'rejected', 2 / 3],
    [[true, true, false, false], [], undefined, 0.5],
    [[true, true], [0.5, 0.5], undefined, 1],
    [[true, true, true, true], [0.5, 0.5, 0.5, 0.5], 'accepted', 1],
    [[true, true, false], [1, 1, 0.5], 'accepted', 0.8],
    [[], [], undefined, 0],
  ] as const)('commonVoice: votes %j weighing %j → %s (confidence %f)', (valid, weights, decided, confidence) => {
    const verdict = commonVoiceRule.decide(input([...valid], [...weights]), settings)!
    expect(verdict.decided).toBe(decided)
    expect(verdict.confidence).toBeCloseTo(confidence, 10)
    expect(verdict.method).toBe('common-voice')
  })

  test.each([
    // votes, calibrated accuracies → decided (undefined: pending; 'fallback': left to Common Voice)
    [[true, true], [undefined, undefined], 'fallback'],
    [[true, true], [0.99, undefined], 'accepted'],
    [[false, false], [0.99, 0.99], 'rejected'],
    [[true, false], [0.99, 0.6], 'accepted'],
    [[true, false], [0.9, 0.9], undefined],
    [[true, true], [0.6, 0.6], undefined],
    [[true, false], [0.05, 0.9], 'rejected'],
  ] as const)('dawidSkene: votes %j with accuracies %j → %s', (valid, accuracies, decided) => {
    const verdict = dawidSkeneRule.decide(input([...valid], [], [...accuracies]), settings)
    if (decided === 'fallback') {
      expect(verdict).toBeUndefined()
      return
    }
    expect(verdict?.method).toBe('dawid-skene')
    expect(verdict?.decided).toBe(decided)
    expect(verdict?.confidence).toBeGreaterThanOrEqual(0.5)
  })

  test('a rule of a deployment\'s own is chosen in the settings and used by the live decision; where it cannot decide, Common Voice does', () => {
    const seen: VoteRuleInput[] = []
    // Unanimity: any "no" rejects, all "yes" accepts; it declines to judge a single vote.
    const unanimous: VoteRule = {
      name: 'unanimous',
      decide: (rule) => {
        seen.push(rule)
        if (rule.votes.length < 2) return undefined
        return { decided: rule.votes.every((vote) => vote.valid) ? 'accepted' : 'rejected', confidence: 1, method: 'unanimous' }
      },
    }
    const votes = (...valid: boolean[]) => valid.map((value, index) => ({ contributor: `w${index}`, valid: value }))
    expect(decideValidation(votes(true, true, false), { expectedText: 'hello' }, { voteStrategy: unanimous })).toMatchObject({ status: 'rejected', method: 'unanimous' })
    expect(decideValidation(votes(true, true), { expectedText: 'hello' }, { voteStrategy: unanimous })).toMatchObject({ status: 'accepted', method: 'unanimous', agreedText: 'hello' })
    // Declined: the Common Voice fallback, and minVotes still applies around any rule.
    expect(decideValidation(votes(true), {}, { voteStrategy: unanimous, minVotes: 1 })).toMatchObject({ status: 'accepted', method: 'common-voice' })
    expect(decideValidation(votes(true, true), {}, { voteStrategy: unanimous, minVotes: 3 })).toMatchObject({ status: 'pending', method: 'unanimous' })
    // The rule sees the counted votes (a changed mind counts once) and the weights.
    seen.length = 0
    decideValidation([...votes(false, true), { contributor: 'w0', valid: true }], { isAccount: (contributor) => contributor !== 'w1' }, { voteStrategy: unanimous })
    // First the trusted voters alone (w1 is a fresh anonymous id), then, as they do not decide, everyone.
    expect(seen.map((rule) => rule.votes)).toEqual([
      [{ contributor: 'w0', valid: true }],
      [
        { contributor: 'w1', valid: true },
        { contributor: 'w0', valid: true },
      ],
    ])
    expect(seen.at(-1)!.weightOf('w1')).toBe(settings.untrustedWeight)
    expect(seen.at(-1)!.weightOf('w0')).toBe(1)
  })

  test('the plugin options take a rule object, and refuse what is not one', () => {
    const rule: VoteRule = { name: 'mine', decide: () => undefined }
    expect(sanitizeOptions({ voteStrategy: rule }).decision.voteStrategy).toBe(rule)
    expect(() => sanitizeOptions({ voteStrategy: { name: 'mine' } as never })).toThrow(/voteStrategy must be one of dawid-skene, common-voice, or a rule object/)
    expect(() => sanitizeOptions({ voteStrategy: { name: '', decide: () => undefined } })).toThrow(/voteStrategy/)
    expect(() => sanitizeOptions({ voteStrategy: 'constructor' as never })).toThrow(/voteStrategy/)
  })
})

describe('transcript strategies in the live decision', () => {
  const rows = (...texts: string[]) => texts.map((text, index) => ({ contributor: `w${index}`, text }))
  const known =
    (table: Record<string, KnownReliability>) =>
    (contributor: string): KnownReliability | undefined =>
      table[contributor]

  test.each([
    // strategy, texts, stored error rates → agreed text
    ['reliability', ['the cat sat', 'the cat sat', 'a dog ran'], {}, 'the cat sat'],
    ['reliability', ['the right words', 'the wrong words', 'the wrong words'], { w0: 0.01, w1: 0.6, w2: 0.6 }, 'the right words'],
    ['rover', ['the right words', 'the wrong words', 'the wrong words'], { w0: 0.01, w1: 0.6, w2: 0.6 }, 'the wrong words'],
    ['rover', ['the big cat sat', 'the cat sat down', 'a big cat sat down'], {}, 'the big cat sat down'],
    // Written by nobody: the medoid cannot say it; it says the transcription closest to the others.
    ['medoid', ['the big cat sat', 'the cat sat down', 'a big cat sat down', 'the cat sat down'], {}, 'the cat sat down'],
    ['medoid', ['the cat sat', 'the cat sat down', 'the dog sat down'], { w1: 0.6 }, 'the cat sat down'],
    ['medoid', ['Mr. Smith', 'mister smith', 'miss smith'], {}, 'mister smith'],
  ] as const)('%s: %j → %s', (name, texts, rates, text) => {
    const reliability = known(Object.fromEntries(Object.entries(rates).map(([contributor, rate]) => [contributor, { transcriptErrorRate: rate }])))
    const verdict = decideTranscription(rows(...texts), { reliability, normalize: { language: 'en' } }, { transcriptStrategy: name })
    expect(verdict).toMatchObject({ agreedText: text, method: name })
  })

  test('every built-in strategy is reachable by name from the options', () => {
    for (const name of Object.keys(TRANSCRIPT_STRATEGIES)) expect(sanitizeOptions({ transcriptStrategy: name }).decision.transcriptStrategy).toBe(name)
    expect(() => sanitizeOptions({ transcriptStrategy: 'hasOwnProperty' })).toThrow(/transcriptStrategy must be one of reliability, rover, medoid/)
  })

  test('a strategy of a deployment\'s own decides the segment, and the stopping rule still applies', () => {
    // The longest transcription, as written (lower-cased), with full confidence.
    const longest: TranscriptStrategy = {
      name: 'longest',
      aggregate: (transcripts) => {
        const best = [...transcripts].sort((a, b) => b.text.length - a.text.length)[0]
        return { items: [{ item: best.item, text: best.text.toLowerCase(), confidence: 1, judgments: transcripts.length }], contributors: [] }
      },
    }
    expect(decideTranscription(rows('a cat', 'A big cat'), {}, { transcriptStrategy: longest })).toMatchObject({ status: 'accepted', agreedText: 'a big cat', method: 'longest' })
    expect(decideTranscription(rows('A big cat'), {}, { transcriptStrategy: longest })).toMatchObject({ status: 'pending', method: 'longest' })
    expect(sanitizeOptions({ transcriptStrategy: longest }).decision.transcriptStrategy).toBe(longest)
    expect(() => sanitizeOptions({ transcriptStrategy: { name: 'x' } as never })).toThrow(/transcriptStrategy must be one of .*or a strategy object/)
  })
})
