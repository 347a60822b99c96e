import { describe, expect, test } from '@jest/globals'

import {
  editDistance,
  medoidStrategy,
  needsMoreJudgments,
  reliabilityStrategy,
  roverStrategy,
  transcriptStrategy,
  type TranscriptInput,
} from '.'
import { sample, seededRandom } from '../../test/random'

const rows = (item: string, texts: string[]): TranscriptInput[] => texts.map((text, index) => ({ item, contributor: `w${index + 1}`, text }))
const textOf = (items: { item: string; text: string }[], item: string) => items.find((result) => result.item === item)?.text

describe('transcript strategies on one item', () => {
  const input = rows('s1', ['The cat sat on the mat.', 'the cat sat on a mat', 'The cat, sat on the mat', 'the hat sat on the mat!', 'cat sat on the mat'])

  test.each([
    ['reliability', 'the cat sat on the mat'],
    ['rover', 'the cat sat on the mat'],
    ['medoid', 'the cat sat on the mat'],
  ])('%s agrees on the text most people wrote', (name, expected) => {
    expect(textOf(transcriptStrategy(name).aggregate(input).items, 's1')).toBe(expected)
  })

  test('confidence is 1 when everyone wrote the same words, lower when they did not', () => {
    const unanimous = reliabilityStrategy.aggregate(rows('s', ['Hello there.', 'hello there', 'HELLO, there!'])).items[0]
    expect(unanimous).toMatchObject({ text: 'hello there', confidence: 1, judgments: 3 })
    const split = reliabilityStrategy.aggregate(input).items[0]
    expect(split.confidence).toBeGreaterThan(0.5)
    expect(split.confidence).toBeLessThan(1)
  })

  test('voting can build a text nobody wrote in full', () => {
    const result = roverStrategy.aggregate(rows('s', ['x cat sat on', 'the y sat on', 'the cat z on', 'the cat sat'])).items[0]
    expect(result.text).toBe('the cat sat on')
  })

  test('the medoid names whose transcription it chose', () => {
    const result = medoidStrategy.aggregate(rows('s', ['a b c d', 'a b c e', 'x y'])).items[0]
    expect(result).toMatchObject({ text: 'a b c d', chosenContributor: 'w1' })
  })

  test('a contributor’s later transcription of an item replaces the earlier one', () => {
    const result = reliabilityStrategy.aggregate([
      { item: 's', contributor: 'a', text: 'wrong words here' },
      { item: 's', contributor: 'b', text: 'right words here' },
      { item: 's', contributor: 'a', text: 'right words here' },
    ]).items[0]
    expect(result).toMatchObject({ text: 'right words here', judgments: 2, confidence: 1 })
  })

  test('items keep the order they first appear in; one transcription is its own consensus', () => {
    const { items } = roverStrategy.aggregate([...rows('b', ['only one']), ...rows('a', ['x', 'x'])])
    expect(items.map((result) => [result.item, result.text])).toEqual([
      ['b', 'only one'],
      ['a', 'x'],
    ])
  })

  test('an unknown strategy name is refused with the known ones', () => {
    expect(() => transcriptStrategy('magic')).toThrow('Unknown transcript strategy "magic": use one of reliability, rover, medoid.')
  })
})

describe('scripts without spaces align character by character', () => {
  test.each([
    ['zh', ['我们今天去公园', '我们今天去公圆', '我们今天去公园', '我门今天去公园'], '我们今天去公园'],
    ['th', ['ฉันไปตลาด', 'ฉันไปตลาด', 'ฉันไปตราด'], 'ฉันไปตลาด'],
    ['ja', ['きょうはいいてんき', 'きょうわいいてんき', 'きょうはいいてんき'], 'きょうはいいてんき'],
  ])('%s', (language, texts, expected) => {
    expect(roverStrategy.aggregate(rows('s', texts), { normalize: { language } }).items[0].text).toBe(expected)
  })
})

describe('learnt reliability', () => {
  // A simulated crowd as real ones behave: every sentence has a few hard words that people
  // mishear the same way, careful contributors rarely do, sloppy ones often, and a spammer types noise.
  const random = seededRandom(42)
  const vocabulary = Array.from({ length: 400 }, (_, index) => `w${index}`)
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)]
  const contributors = [
    ...Array.from({ length: 4 }, (_, index) => ({ id: `careful${index}`, hardMiss: 0.15, slip: 0.02, errorRate: 0.04 })),
    ...Array.from({ length: 6 }, (_, index) => ({ id: `sloppy${index}`, hardMiss: 0.7, slip: 0.1, errorRate: 0.25 })),
    { id: 'spammer', hardMiss: 1, slip: 0.9, errorRate: 0.9 },
  ]
  const HARD_WORDS = 3
  const transcribe = (words: string[], mishearings: Map<number, string>, contributor: (typeof contributors)[number]) =>
    words.flatMap((word, position) => {
      const misheard = mishearings.get(position)
      if (misheard !== undefined && random() < contributor.hardMiss) return [random() < 0.8 ? misheard : pick()]
      if (random() >= contributor.slip) return [word]
      const kind = random()
      if (kind < 0.5) return [pick()]
      if (kind < 0.75) return []
      return [word, pick()]
    })
  const truth = new Map<string, string[]>()
  const input: TranscriptInput[] = []
  for (let item = 0; item < 150; item++) {
    const words = Array.from({ length: 12 }, pick)
    const mishearings = new Map(sample(random, words.length, HARD_WORDS).map((position) => [position, pick()]))
    truth.set(`item${item}`, words)
    for (const index of sample(random, contributors.length, 5)) input.push({ item: `item${item}`, contributor: contributors[index].id, text: transcribe(words, mishearings, contributors[index]).join(' ') })
  }
  const meanWer = (items: { item: string; text: string }[]) =>
    items.reduce((sum, result) => sum + editDistance(result.text.split(' ').filter(Boolean), truth.get(result.item) ?? []) / 12, 0) / items.length

  const weighted = reliabilityStrategy.aggregate(input)
  const plain = roverStrategy.aggregate(input)

  test('beats unweighted ROVER and the medoid', () => {
    const medoid = medoidStrategy.aggregate(input)
    expect(meanWer(weighted.items)).toBeLessThan(meanWer(plain.items) * 0.7)
    expect(meanWer(weighted.items)).toBeLessThan(meanWer(medoid.items))
  })

  test('estimates each contributor’s error rate within 0.1 of their real one', () => {
    const real = new Map<string, { errors: number; words: number }>()
    for (const { item, contributor, text } of input) {
      const tally = real.get(contributor) ?? { errors: 0, words: 0 }
      tally.errors += editDistance(text.split(' ').filter(Boolean), truth.get(item) ?? [])
      tally.words += 12
      real.set(contributor, tally)
    }
    // Careful contributors read a little worse than they are: where the sloppy majority shares a
    // mishearing, the consensus of the others is wrong and the careful contributor disagrees with it.
    for (const { id } of contributors) {
      const tally = real.get(id) ?? { errors: NaN, words: 1 }
      const estimate = weighted.contributors.find((contributor) => contributor.contributor === id)?.errorRate ?? NaN
      expect(Math.abs(estimate - tally.errors / tally.words)).toBeLessThan(0.1)
    }
  })

  test('careful contributors weigh more than sloppy ones, the spammer least', () => {
    const weightOf = (id: string) => weighted.contributors.find((contributor) => contributor.contributor === id)?.weight ?? NaN
    expect(Math.min(...contributors.filter((contributor) => contributor.id.startsWith('careful')).map((contributor) => weightOf(contributor.id)))).toBeGreaterThan(
      Math.max(...contributors.filter((contributor) => contributor.id.startsWith('sloppy')).map((contributor) => weightOf(contributor.id))),
    )
    expect(weightOf('spammer')).toBeLessThan(Math.min(...contributors.filter((contributor) => contributor.id !== 'spammer').map((contributor) => weightOf(contributor.id))))
  })

  test('a contributor with one item stays near the crowd average', () => {
    const newcomer = reliabilityStrategy.aggregate([...input, { item: 'item0', contributor: 'newcomer', text: 'completely different words' }])
    const crowdAverage = newcomer.contributors.reduce((sum, contributor) => sum + contributor.errorRate, 0) / newcomer.contributors.length
    const estimate = newcomer.contributors.find((contributor) => contributor.contributor === 'newcomer')?.errorRate ?? NaN
    expect(estimate).toBeLessThan(0.6)
    expect(Math.abs(estimate - crowdAverage)).toBeLessThan(0.35)
  })
})

describe('needsMoreJudgments', () => {
  const options = { confidenceThreshold: 0.8, minJudgments: 3, maxJudgments: 6 }
  test.each([
    ['too few judgments, however confident', 1, 2, true],
    ['enough judgments and confident', 0.9, 3, false],
    ['enough judgments but unsure', 0.7, 4, true],
    ['exactly at the threshold is confident enough', 0.8, 3, false],
    ['unsure but at the maximum', 0.2, 6, false],
    ['unsure beyond the maximum', 0.2, 9, false],
  ])('%s', (_name, confidence, count, expected) => {
    expect(needsMoreJudgments({ confidence }, count, options)).toBe(expected)
  })

  test('defaults: at least 3, at most 7, threshold 0.8', () => {
    expect(needsMoreJudgments({ confidence: 1 }, 2)).toBe(true)
    expect(needsMoreJudgments({ confidence: 0.79 }, 6)).toBe(true)
    expect(needsMoreJudgments({ confidence: 0.79 }, 7)).toBe(false)
  })
})
