import { describe, expect, test } from '@jest/globals'

import {
  assignSplits,
  commonVoiceHeldOut,
  compareC,
  csvField,
  findRareDemographics,
  flattenText,
  heldOutTarget,
  planRows,
  sampleSize,
  sentenceHashOf,
  speakerIdOf,
  suppressRows,
  type SplitItem,
} from '.'
import { clip, fixtureClips, random, shuffled } from '../../test/fixtures'

/** Random clips: `speakers` speakers with 1–30 clips each, reading from a pool of `sentences` sentences (so many repeat). */
const randomItems = (seed: number, speakers: number, sentences: number): SplitItem[] => {
  const next = random(seed)
  const items: SplitItem[] = []
  let id = 1
  for (let speaker = 0; speaker < speakers; speaker++) {
    const count = 1 + Math.floor(next() ** 2 * 30)
    for (let index = 0; index < count; index++) items.push({ id: id++, speaker: `u:${speaker}`, sentence: `s${Math.floor(next() * sentences)}` })
  }
  return items
}

describe('split sizes', () => {
  test.each([
    [100, 100],
    [10_000, 6_247],
    [1_000_000, 16_369],
  ])('sample size at 99 %% / 1 %% of %i', (population, expected) => {
    expect(Math.abs(sampleSize(population) - expected)).toBeLessThanOrEqual(1)
  })

  test.each([
    // [total, Common Voice's held-out size, ours]
    [40, 13, 10], // CV gives a third each; ours: the floor of a quarter
    [1_000, 331, 100], // ours: at most 10 %, at least the 100-clip floor
    [5_000, 1_609, 500],
    [2_000_000, 16_502, 16_502], // a large language: Common Voice's rule as is
  ])('%i clips: Common Voice holds out %i each, we hold out %i', (total, commonVoice, ours) => {
    expect(Math.abs(commonVoiceHeldOut(total) - commonVoice)).toBeLessThanOrEqual(2)
    expect(Math.abs(heldOutTarget(total) - ours)).toBeLessThanOrEqual(2)
  })
})

describe('assignSplits (property tests on random data)', () => {
  const cases = Array.from({ length: 40 }, (_, index) => [index + 1, 3 + ((index * 7) % 120), 5 + ((index * 13) % 400)] as const)

  test.each(cases)('seed %i, %i speakers, %i sentences: speaker-disjoint, sentence-disjoint, order-free', (seed, speakers, sentences) => {
    const items = randomItems(seed * 101, speakers, sentences)
    const result = assignSplits(items, { seed })
    const splitsOfSpeaker = new Map<string, Set<string>>()
    const splitsOfSentence = new Map<string, Set<string>>()
    for (const item of items) {
      const split = result.splitOf.get(item.id)
      expect(split).not.toBeUndefined()
      if (split === null) continue
      splitsOfSpeaker.set(item.speaker, (splitsOfSpeaker.get(item.speaker) ?? new Set()).add(split!))
      splitsOfSentence.set(item.sentence, (splitsOfSentence.get(item.sentence) ?? new Set()).add(split!))
    }
    for (const splits of splitsOfSpeaker.values()) expect(splits.size).toBe(1)
    for (const splits of splitsOfSentence.values()) expect(splits.size).toBe(1)
    expect(result.heldOut).toBe([...result.splitOf.values()].filter((split) => split === null).length)
    // Same seed, any input order: the same assignment.
    const again = assignSplits(shuffled(items, random(seed)), { seed })
    expect([...again.splitOf].sort((a, b) => a[0] - b[0])).toEqual([...result.splitOf].sort((a, b) => a[0] - b[0]))
  })

  test('with enough speakers every split is used, test and dev near their target, train the largest', () => {
    const items = randomItems(5, 200, 100_000)
    const { splitOf, target } = assignSplits(items, { seed: 1 })
    const count = (split: string) => [...splitOf.values()].filter((value) => value === split).length
    for (const split of ['dev', 'test']) {
      expect(count(split)).toBeGreaterThan(0.8 * target)
      expect(count(split)).toBeLessThanOrEqual(target)
    }
    expect(count('train')).toBeGreaterThan(count('dev') + count('test'))
  })

  test('another seed gives another assignment', () => {
    const items = randomItems(9, 60, 10_000)
    const a = assignSplits(items, { seed: 1 })
    const b = assignSplits(items, { seed: 2 })
    expect([...a.splitOf.values()]).not.toEqual([...b.splitOf.values()])
  })

  test('a small language (3 speakers) still gets a test and a dev speaker', () => {
    const items = [...Array(12)].map((_, index) => ({ id: index + 1, speaker: `u:${index % 3}`, sentence: `s${index}` }))
    const splits = new Set(assignSplits(items, { seed: 3 }).splitOf.values())
    expect(splits).toEqual(new Set(['train', 'dev', 'test']))
  })

  test('without sentence-disjointness nothing is held out', () => {
    const items = randomItems(11, 50, 20)
    expect(assignSplits(items, { seed: 1 }).heldOut).toBeGreaterThan(0)
    expect(assignSplits(items, { seed: 1, sentenceDisjoint: false }).heldOut).toBe(0)
  })
})

describe('privacy', () => {
  test('speaker ids are salted: stable per salt, different across salts, never the raw id', () => {
    const id = speakerIdOf('salt-a', 'c:2b1f6f0e-0000-4000-8000-000000000001')
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    expect(speakerIdOf('salt-a', 'c:2b1f6f0e-0000-4000-8000-000000000001')).toBe(id)
    expect(speakerIdOf('salt-b', 'c:2b1f6f0e-0000-4000-8000-000000000001')).not.toBe(id)
  })

  test('a demographic value shared by fewer than k speakers is blanked; one shared by k stays', () => {
    const rows = [
      ...[1, 2, 3, 4, 5].map((speaker) => ({ speakerId: `s${speaker}`, demographics: { age: 'twenties', gender: 'female', accents: speaker === 1 ? 'rare' : '', variant: '' } })),
      { speakerId: 's6', demographics: { age: 'eighties', gender: 'female', accents: '', variant: '' } },
      // One speaker with many clips does not make a value common.
      ...[1, 2, 3, 4, 5, 6].map(() => ({ speakerId: 's7', demographics: { age: 'sixties', gender: 'male', accents: '', variant: '' } })),
    ]
    const { blanked, speakers } = findRareDemographics(rows, 5)
    expect([...blanked.age].sort()).toEqual(['eighties', 'sixties'])
    expect([...blanked.gender]).toEqual(['male'])
    expect([...blanked.accents]).toEqual(['rare'])
    expect(speakers.gender.get('female')?.size).toBe(6)
  })

  test('planned rows carry hashed ids and suppressed demographics only', () => {
    const plan = planRows(fixtureClips(), { salt: 's', split: { seed: 1 }, extensionOf: () => 'flac' })
    const { rows } = suppressRows(plan.rows, 5)
    expect(rows.find((row) => row.id === 7)!.demographics).toEqual({ age: '', gender: '', accents: '', variant: '' })
    expect(rows.find((row) => row.id === 1)!.demographics).toEqual({ age: 'twenties', gender: 'female', accents: 'ঢাকা', variant: '' })
    for (const row of rows) expect(row.name.startsWith(row.speakerId)).toBe(true)
    expect(JSON.stringify(rows.map(({ speakerKey: _key, ...row }) => row))).not.toContain('2b1f6f0e')
  })
})

describe('text', () => {
  test.each([
    ['এক\tদুই\nতিন', 'এক দুই তিন'],
    ['  a \r\n b\u2028c  ', 'a b c'],
    ['সে বলল, "চলো"', 'সে বলল, "চলো"'],
    ['e\u0301', '\u00e9'],
  ])('flattenText(%j) = %j', (input, expected) => {
    expect(flattenText(input)).toBe(expected)
  })

  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
  ])('csvField(%j) = %j', (input, expected) => {
    expect(csvField(input)).toBe(expected)
  })

  test('C-locale order is byte order (upper case before lower case, Bengali after ASCII)', () => {
    expect(['b', 'B', 'আ', 'a', '_'].sort(compareC)).toEqual(['B', '_', 'a', 'b', 'আ'])
  })

  test('sentence identity ignores case and whitespace', () => {
    expect(sentenceHashOf('Hello  World')).toBe(sentenceHashOf('hello world'))
    expect(sentenceHashOf('hello world')).not.toBe(sentenceHashOf('hello word'))
  })

  test('clip order is deterministic whatever the input order', () => {
    const clips = [clip(3, 'u:1', 'x'), clip(1, 'u:2', 'y'), clip(2, 'u:1', 'z')]
    const a = planRows(clips, { salt: 's', split: { seed: 1 }, extensionOf: () => 'flac' }).rows.map((row) => row.name)
    const b = planRows([...clips].reverse(), { salt: 's', split: { seed: 1 }, extensionOf: () => 'flac' }).rows.map((row) => row.name)
    expect(a).toEqual(b)
    expect([...a].sort(compareC)).toEqual(a)
  })
})
