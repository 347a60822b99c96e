import { describe, expect, test } from '@jest/globals'

import {
  agreeingWeight,
  decideTranscription,
  transcriptConfidenceBar,
  decideValidation,
  estimatePopulation,
  reliabilityStrategy,
  validPosterior,
  type KnownReliability,
  type TranscriptInput,
  type VoteInput,
} from '.'
import { seededRandom } from '../../test/random'

const votes = (...valid: boolean[]) => valid.map((value, index) => ({ contributor: `w${index}`, valid: value }))
const known =
  (table: Record<string, KnownReliability>) =>
  (contributor: string): KnownReliability | undefined =>
    table[contributor]

describe('validation verdicts', () => {
  test.each([
    // up/down votes in order → status under the Common Voice fallback (nobody calibrated yet)
    [[], 'pending'],
    [[true], 'pending'],
    [[false], 'pending'],
    [[true, true], 'accepted'],
    [[false, false], 'rejected'],
    [[true, false], 'pending'],
    [[true, false, true], 'accepted'],
    [[true, false, false], 'rejected'],
    [[true, false, true, false], 'needs-review'],
  ] as [boolean[], string][])('%j → %s', (valid, status) => {
    const verdict = decideValidation(votes(...valid), { expectedText: 'Read me.' })
    expect(verdict.status).toBe(status)
    expect(verdict.method).toBe('common-voice')
    expect(verdict.judgments).toBe(valid.length)
    expect(verdict.agreedText).toBe(status === 'accepted' ? 'Read me.' : null)
  })

  test('a changed vote replaces the earlier one', () => {
    const verdict = decideValidation(
      [
        { contributor: 'a', valid: false },
        { contributor: 'b', valid: true },
        { contributor: 'a', valid: true },
      ],
      {},
    )
    expect(verdict).toMatchObject({ status: 'accepted', judgments: 2, confidence: 1 })
  })

  test('calibrated voters switch to Dawid–Skene: two reliable voters decide, two poor ones do not', () => {
    const reliable = known({ w0: { voteAccuracy: 0.95, votes: 50 }, w1: { voteAccuracy: 0.95, votes: 50 } })
    const good = decideValidation(votes(true, true), { reliability: reliable })
    expect(good).toMatchObject({ status: 'accepted', method: 'dawid-skene' })
    expect(good.confidence).toBeGreaterThan(0.99)

    const poor = known({ w0: { voteAccuracy: 0.6, votes: 50 }, w1: { voteAccuracy: 0.6, votes: 50 } })
    expect(decideValidation(votes(true, true), { reliability: poor })).toMatchObject({ status: 'pending', method: 'dawid-skene' })
    // ... and at the vote cap it goes to a reviewer rather than to more voters.
    const fourPoor = known(Object.fromEntries(['w0', 'w1', 'w2', 'w3'].map((contributor) => [contributor, { voteAccuracy: 0.6, votes: 50 }])))
    expect(decideValidation(votes(true, true, true, false), { reliability: fourPoor }).status).toBe('needs-review')
  })

  test('an adversarial voter (accuracy under one half) counts in reverse', () => {
    const reliability = known({ w0: { voteAccuracy: 0.05, votes: 80 }, w1: { voteAccuracy: 0.9, votes: 80 } })
    expect(decideValidation(votes(true, false), { reliability }).status).toBe('rejected')
  })

  test('an accuracy resting on too few votes is not trusted: the clip falls back to counting', () => {
    const reliability = known({ w0: { voteAccuracy: 0.99, votes: 2 }, w1: { voteAccuracy: 0.99, votes: 2 } })
    expect(decideValidation(votes(true, false), { reliability })).toMatchObject({ status: 'pending', method: 'common-voice' })
    expect(decideValidation(votes(true, false), { reliability }, { calibrationVotes: 1 }).method).toBe('dawid-skene')
  })

  test('the Common Voice strategy ignores reliability altogether', () => {
    const reliability = known({ w0: { voteAccuracy: 0.6, votes: 50 }, w1: { voteAccuracy: 0.6, votes: 50 } })
    expect(decideValidation(votes(true, true), { reliability }, { voteStrategy: 'common-voice' })).toMatchObject({ status: 'accepted', method: 'common-voice' })
  })

  test('enough problem reports send even an accepted clip to a reviewer', () => {
    expect(decideValidation(votes(true, true), { reports: 1 }).status).toBe('accepted')
    expect(decideValidation(votes(true, true), { reports: 2 }).status).toBe('needs-review')
    expect(decideValidation([], { reports: 2 }).status).toBe('needs-review')
  })

  test('thresholds are options', () => {
    expect(decideValidation(votes(true), {}, { minVotes: 1 }).status).toBe('accepted')
    expect(decideValidation(votes(true, false, true, false), {}, { maxVotes: 6 }).status).toBe('pending')
  })
})

describe('transcription verdicts', () => {
  const rows = (...texts: string[]) => texts.map((text, index) => ({ contributor: `w${index}`, text }))

  test('accepted once enough people agree; provisional text before that', () => {
    const one = decideTranscription(rows('The cat sat.'), {})
    expect(one).toMatchObject({ status: 'pending', agreedText: 'the cat sat', confidence: 1, judgments: 1 })
    expect(decideTranscription(rows('The cat sat.', 'the cat sat'), {})).toMatchObject({ status: 'accepted', agreedText: 'the cat sat', judgments: 2 })
    expect(decideTranscription(rows('The cat sat.', 'the cat sat'), {}, { minTranscriptions: 3 })).toMatchObject({ status: 'pending' })
    expect(decideTranscription(rows('The cat sat.', 'the cat sat', 'the cat sat!'), {}, { minTranscriptions: 3 })).toMatchObject({ status: 'accepted', agreedText: 'the cat sat' })
  })

  test.each([
    // weight, threshold, decay, minimum → bar
    [2, 0.75, 0.7, 2, 1],
    [3, 0.75, 0.7, 2, 0.925],
    [4, 0.75, 0.7, 2, 0.8725],
    [7, 0.75, 0.7, 2, 0.75 + 0.25 * 0.7 ** 5],
    [1, 0.75, 0.7, 2, 1],
    [3, 0.8, 0, 3, 0.8],
    [5, 0.8, 0, 3, 0.8],
    [2.5, 0.75, 0.5, 2, 0.75 + 0.25 * 0.5 ** 0.5],
  ])('transcriptConfidenceBar(%f) with threshold %f, decay %f, minimum %i = %f', (weight, threshold, decay, minTranscriptions, bar) => {
    expect(transcriptConfidenceBar(weight, { transcriptConfidenceThreshold: threshold, transcriptConfidenceDecay: decay, minTranscriptions })).toBeCloseTo(bar, 10)
  })

  test('the bar (threshold 0.75, decay 0.7): two who differ in a word are not enough, three where two agree can be; decay 0 is the plain threshold', () => {
    const settings = { transcriptConfidenceThreshold: 0.75, transcriptConfidenceDecay: 0.7, transcriptAgreement: false }
    const differ = rows('the cat sat on the mat today', 'the cat sat on a mat today')
    const verdict = decideTranscription(differ, {}, settings)
    expect(verdict.confidence).toBeGreaterThan(0.9)
    expect(verdict.status).toBe('pending')
    expect(decideTranscription(differ, {}, { transcriptConfidenceDecay: 0, transcriptConfidenceThreshold: 0.9 }).status).toBe('accepted')
    const three = decideTranscription(rows('the cat sat on the mat today', 'the cat sat on a mat today', 'the cat sat on the mat today'), {}, settings)
    expect(three.confidence).toBeGreaterThanOrEqual(0.925)
    expect(three).toMatchObject({ status: 'accepted', agreedText: 'the cat sat on the mat today' })
  })

  const twenty = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
  const twentyOneOff = twenty.replace('seven', 'heaven')
  const nineteen = twenty.replace(' twenty', '')
  const nineteenOneOff = nineteen.replace('seven', 'heaven')
  const anonymous = (): boolean => false

  test.each([
    // texts, settings, isAccount → status (and what the confidence bar alone would say)
    ['two of three write the same text, the third differs in three words', ['the cat sat on the mat today', 'a dog sat on a mat today', 'The cat sat on the mat today!'], {}, undefined, 'accepted', 'pending'],
    ['three who all differ from each other', ['the cat sat on the mat', 'the cat sat on a mat', 'a cat sat on the mat'], {}, undefined, 'pending', 'pending'],
    ['two of 20 words, one word apart, tolerance 0.05 (one word in 20)', [twenty, twentyOneOff], {}, undefined, 'accepted', 'pending'],
    ['two of 20 words, one word apart, tolerance 0 (word for word)', [twenty, twentyOneOff], { transcriptAgreementTolerance: 0 }, undefined, 'pending', 'pending'],
    ['two of 19 words, one word apart: 5 % of 19 rounds down to 0', [nineteen, nineteenOneOff], {}, undefined, 'pending', 'pending'],
    ['two fresh anonymous ids writing the same text weigh one account', ['the cat sat', 'the cat sat'], {}, anonymous, 'pending', 'pending'],
    ['three fresh anonymous ids of four agree, weight 1.5 of 2 needed', ['the cat sat on the mat', 'the cat sat on the mat', 'the cat sat on the mat', 'a dog ran'], {}, anonymous, 'pending', 'pending'],
    ['four fresh anonymous ids agree: weight 2', ['the cat sat', 'the cat sat', 'the cat sat', 'the cat sat'], {}, anonymous, 'accepted', 'accepted'],
    ['minTranscriptions 3: two who agree are not enough', ['the cat sat on the mat today', 'a dog sat on a mat today', 'the cat sat on the mat today'], { minTranscriptions: 3 }, undefined, 'pending', 'pending'],
  ] as const)('agreement: %s', (_name, texts, settings, isAccount, status, barAlone) => {
    const input = rows(...texts)
    expect(decideTranscription(input, { isAccount }, settings).status).toBe(status)
    expect(decideTranscription(input, { isAccount }, { ...settings, transcriptAgreement: false }).status).toBe(barAlone)
  })

  test.each([
    // transcriptions, agreed text, tolerance → agreeing weight
    [['the cat sat', 'The cat sat.', 'the cat sat down'], 'the cat sat', 0, 2],
    [['the cat sat', 'The cat sat.', 'the cat sat down'], 'the cat sat', 0.34, 3],
    [['the cat sat', 'the cat'], 'the cat sat', 0.5, 2],
    [[], 'the cat sat', 0.5, 0],
    [['', ''], '', 0, 2],
    [['Mr. Smith paid $5', 'mister smith paid five dollars'], 'mister smith paid five dollars', 0, 2],
  ] as const)('agreeingWeight(%j, %s, tolerance %f) = %f', (texts, agreed, tolerance, weight) => {
    expect(agreeingWeight(rows(...texts), agreed, { language: 'en' }, tolerance)).toBe(weight)
  })

  test('agreeingWeight counts each transcriber with their weight', () => {
    const weightOf = (contributor: string) => (contributor === 'w0' ? 1 : 0.5)
    expect(agreeingWeight(rows('the cat sat', 'the cat sat', 'a dog'), 'the cat sat', {}, 0, weightOf)).toBe(1.5)
  })

  test('disagreement asks for more transcriptions, and at the cap for a reviewer', () => {
    const split = ['one two three', 'four five six', 'seven eight nine']
    expect(decideTranscription(rows(...split), {}).status).toBe('pending')
    const many = ['a b c', 'd e f', 'g h i', 'j k l', 'm n o', 'p q r', 's t u']
    const capped = decideTranscription(rows(...many), {})
    expect(capped.status).toBe('needs-review')
    expect(capped.confidence).toBeLessThan(0.8)
  })

  test('stored error rates weigh the transcribers: a reliable one outvotes two unreliable ones', () => {
    const input = rows('the right words', 'the wrong words', 'the wrong words')
    expect(decideTranscription(input, {}).agreedText).toBe('the wrong words')
    const reliability = known({ w0: { transcriptErrorRate: 0.01 }, w1: { transcriptErrorRate: 0.6 }, w2: { transcriptErrorRate: 0.6 } })
    expect(decideTranscription(input, { reliability }).agreedText).toBe('the right words')
  })

  test('no transcriptions: pending with no text', () => {
    expect(decideTranscription([], {})).toMatchObject({ status: 'pending', agreedText: null, judgments: 0 })
  })
})

describe('engine options used by the plugin', () => {
  test('validPosterior: fixed accuracies, one E-step', () => {
    expect(validPosterior([], () => 0.9)).toBeCloseTo(0.5)
    expect(validPosterior([{ contributor: 'a', valid: true }], () => 0.9)).toBeCloseTo(0.9)
    expect(validPosterior([{ contributor: 'a', valid: true }, { contributor: 'b', valid: false }], () => 0.8)).toBeCloseTo(0.5)
    // 0.9 · 0.9 / (0.9 · 0.9 + 0.1 · 0.1)
    expect(validPosterior([{ contributor: 'a', valid: true }, { contributor: 'b', valid: true }], () => 0.9)).toBeCloseTo(0.81 / 0.82)
    // A changed vote counts once.
    expect(validPosterior([{ contributor: 'a', valid: false }, { contributor: 'a', valid: true }], () => 0.9)).toBeCloseTo(0.9)
  })

  test('gold transcripts fix the text and measure everyone against it', () => {
    const input: TranscriptInput[] = [
      { item: 'x', contributor: 'a', text: 'wrong text here' },
      { item: 'x', contributor: 'b', text: 'wrong text here' },
      { item: 'x', contributor: 'c', text: 'right text here' },
    ]
    const plain = reliabilityStrategy.aggregate(input)
    expect(plain.items[0].text).toBe('wrong text here')
    const withGold = reliabilityStrategy.aggregate(input, { gold: { x: 'Right text here.' } })
    expect(withGold.items[0]).toMatchObject({ text: 'right text here', confidence: 1, chosenContributor: 'c' })
    const rate = (contributor: string) => withGold.contributors.find((entry) => entry.contributor === contributor)!.errorRate
    expect(rate('c')).toBeLessThan(rate('a'))
  })
})

describe('population reliability', () => {
  test('Dawid–Skene finds the careless voter; reviewer gold rescues a misled majority', () => {
    const random = seededRandom(7)
    const truth = Array.from({ length: 60 }, () => random() < 0.7)
    const voteRows: VoteInput[] = []
    truth.forEach((valid, index) => {
      const item = `s${index}`
      voteRows.push({ item, contributor: 'careful', valid })
      voteRows.push({ item, contributor: 'good', valid: random() < 0.9 ? valid : !valid })
      voteRows.push({ item, contributor: 'random', valid: random() < 0.5 })
    })
    const estimates = estimatePopulation({ votes: voteRows, transcriptsByLanguage: new Map() })
    const accuracy = (contributor: string) => estimates.find((entry) => entry.contributor === contributor)!.voteAccuracy!
    expect(accuracy('careful')).toBeGreaterThan(0.9)
    expect(accuracy('random')).toBeLessThan(0.7)
    expect(estimates.find((entry) => entry.contributor === 'careful')).toMatchObject({ votes: 60, transcriptions: 0, itemsJudged: 60, transcriptErrorRate: null })

    // Two colluders always vote the opposite of the truth; one honest voter; reviewers know 20 items.
    const misled: VoteInput[] = []
    const gold: Record<string, boolean> = {}
    truth.forEach((valid, index) => {
      const item = `m${index}`
      misled.push({ item, contributor: 'liar1', valid: !valid }, { item, contributor: 'liar2', valid: !valid }, { item, contributor: 'honest', valid })
      if (index < 20) gold[item] = valid
    })
    const withGold = estimatePopulation({ votes: misled, voteGold: gold, transcriptsByLanguage: new Map() })
    const of = (contributor: string) => withGold.find((entry) => entry.contributor === contributor)!
    expect(of('honest').voteAccuracy!).toBeGreaterThan(0.9)
    expect(of('liar1').voteAccuracy!).toBeLessThan(0.1)
    expect(of('liar1').voteWeight!).toBeLessThan(0)
  })

  test('transcription error rates are measured per language and merged per contributor', () => {
    const transcriptsByLanguage = new Map<string, TranscriptInput[]>([
      [
        'en',
        Array.from({ length: 10 }, (_, index) => [
          { item: `e${index}`, contributor: 'good', text: `the words number ${index}` },
          { item: `e${index}`, contributor: 'other', text: `the words number ${index}` },
          { item: `e${index}`, contributor: 'sloppy', text: `a word num ${index}` },
        ]).flat(),
      ],
      ['bn', [{ item: 'b0', contributor: 'good', text: 'আমি ভাত খাই' }, { item: 'b0', contributor: 'other', text: 'আমি ভাত খাই' }]],
    ])
    const estimates = estimatePopulation({ votes: [], transcriptsByLanguage })
    const of = (contributor: string) => estimates.find((entry) => entry.contributor === contributor)!
    expect(of('good').transcriptions).toBe(11)
    expect(of('sloppy').transcriptions).toBe(10)
    expect(of('sloppy').transcriptErrorRate!).toBeGreaterThan(of('good').transcriptErrorRate!)
    expect(of('sloppy').transcriptWeight!).toBeLessThan(of('good').transcriptWeight!)
    expect(of('good').voteAccuracy).toBeNull()
  })
})
