import { describe, expect, test } from '@jest/globals'

import { decideTranscription, estimatePopulation, seededKey, simulateAdaptiveCollection, type TranscriptInput } from '.'
import { seededRandom } from '../../test/random'

/** The adaptive-collection replay: what it reads, when it stops, and that a seed fixes everything. */

const WORDS = 'the a cat dog sat ran on under mat table red blue quick slow house river bird tree green small'.split(' ')

/** A crowd: `items` sentences, each transcribed by `perItem` of `contributors` contributors with error rates 3–45 %. */
const crowd = (seed: number, items: number, perItem = 7, contributors = 25): TranscriptInput[] => {
  const random = seededRandom(seed)
  const errorRates = Array.from({ length: contributors }, () => 0.03 + random() * 0.42)
  const rows: TranscriptInput[] = []
  for (let item = 0; item < items; item++) {
    const truth = Array.from({ length: 4 + Math.floor(random() * 8) }, () => WORDS[Math.floor(random() * WORDS.length)])
    const chosen = new Set<number>()
    while (chosen.size < perItem) chosen.add(Math.floor(random() * contributors))
    for (const contributor of chosen) {
      const text = truth.map((word) => (random() < errorRates[contributor] ? WORDS[Math.floor(random() * WORDS.length)] : word)).join(' ')
      rows.push({ item: `item-${item}`, contributor: `w${contributor}`, text })
    }
  }
  return rows
}

interface Read {
  item: string
  contributor: string
}

/**
 * The same rows, with `text` behind a getter: every read is logged, and reading a row that
 * `allowed` does not admit throws.
 */
const instrumented = (rows: readonly TranscriptInput[], allowed: (row: TranscriptInput, index: number) => boolean = () => true) => {
  const reads: Read[] = []
  const input = rows.map((row, index) => {
    const { item, contributor } = row
    return {
      item,
      contributor,
      get text() {
        if (!allowed(row, index)) throw new Error(`read the unrevealed transcription of ${contributor} on ${item}`)
        reads.push({ item, contributor })
        return row.text
      },
    }
  })
  return { input, reads }
}

describe('simulateAdaptiveCollection', () => {
  const rows = crowd(7, 120)

  test.each([0, 3])(
    'reads a transcription only when it reveals it: exactly `judgments` per item, each once; an item is finished before the next starts, and only a reopened one is read again (re-evaluation rounds %i)',
    (reevaluationRounds) => {
      const { input, reads } = instrumented(rows)
      const { items, revealed, available, reopened } = simulateAdaptiveCollection(input, { seed: 3, reevaluationRounds })
      expect(available).toBe(rows.length)
      expect(reads).toHaveLength(revealed)
      expect(new Set(reads.map((read) => `${read.item}/${read.contributor}`)).size).toBe(reads.length)
      for (const result of items) expect(reads.filter((read) => read.item === result.item)).toHaveLength(result.judgments)
      // Contiguous: once another item's reads begin, an item is read again only when a re-evaluation reopened it.
      const finished = new Set<string>()
      const readAgain = new Set<string>()
      reads.forEach((read, index) => {
        if (finished.has(read.item)) readAgain.add(read.item)
        if (index > 0 && reads[index - 1].item !== read.item) finished.add(reads[index - 1].item)
      })
      expect(readAgain.size).toBeLessThanOrEqual(reopened)
      if (reevaluationRounds === 0) expect(reopened).toBe(0)
      else expect(readAgain.size).toBeGreaterThan(0)
      expect(revealed).toBeLessThan(available)
    },
  )

  test('a transcription that is never revealed cannot be read: the same replay over rows that throw when read gives the same result', () => {
    const first = instrumented(rows)
    const expected = simulateAdaptiveCollection(first.input, { seed: 3 })
    const read = new Set(first.reads.map(({ item, contributor }) => `${item}/${contributor}`))
    const guarded = instrumented(rows, (row) => read.has(`${row.item}/${row.contributor}`))
    expect(simulateAdaptiveCollection(guarded.input, { seed: 3 })).toEqual(expected)
    // The guard is real: a different seed reveals other rows and trips it.
    expect(() => simulateAdaptiveCollection(instrumented(rows, (row) => read.has(`${row.item}/${row.contributor}`)).input, { seed: 4 })).toThrow(/unrevealed/)
  })

  test('no peeking at later items: without re-evaluation, dropping every item collected after X leaves X and everything before it unchanged', () => {
    const { input, reads } = instrumented(rows)
    const full = simulateAdaptiveCollection(input, { seed: 5, reevaluationRounds: 0 })
    const collected = [...new Set(reads.map((read) => read.item))]
    const kept = new Set(collected.slice(0, 60))
    const truncated = simulateAdaptiveCollection(
      rows.filter((row) => kept.has(row.item)),
      { seed: 5, reevaluationRounds: 0 },
    )
    expect(truncated.items).toEqual(full.items.filter((result) => kept.has(result.item)))
  })

  test('each step is the live rule: before the first reliability estimate, an item is decideTranscription over what was read', () => {
    const { input, reads } = instrumented(rows)
    const { items } = simulateAdaptiveCollection(input, { seed: 2, reevaluationRounds: 0 })
    const early = reads.slice(0, 100)
    const earlyItems = [...new Set(early.map((read) => read.item))].slice(0, -1)
    expect(earlyItems.length).toBeGreaterThan(5)
    for (const item of earlyItems) {
      const seen = early.filter((read) => read.item === item).map(({ contributor }) => ({ contributor, text: rows.find((row) => row.item === item && row.contributor === contributor)!.text }))
      const verdict = decideTranscription(seen, {})
      expect(items.find((result) => result.item === item)).toMatchObject({ text: verdict.agreedText, confidence: verdict.confidence, judgments: seen.length, status: verdict.status })
    }
  })

  test('re-evaluation is the live rule with the last estimate: every item is decideTranscription over what it revealed, with reliability from everything revealed', () => {
    const { input, reads } = instrumented(rows)
    const simulation = simulateAdaptiveCollection(input, { seed: 2, reevaluationRounds: 5 })
    const revealed = reads.map(({ item, contributor }) => ({ item, contributor, text: rows.find((row) => row.item === item && row.contributor === contributor)!.text }))
    const reliability = new Map(estimatePopulation({ votes: [], transcriptsByLanguage: new Map([['und', revealed]]) }).map((entry) => [entry.contributor, { transcriptErrorRate: entry.transcriptErrorRate }]))
    for (const result of simulation.items) {
      const seen = revealed.filter((row) => row.item === result.item)
      expect(seen.map((row) => row.contributor)).toEqual(result.contributors)
      const verdict = decideTranscription(seen, { reliability: (contributor) => reliability.get(contributor) })
      expect(result).toMatchObject({ text: verdict.agreedText, confidence: verdict.confidence, status: verdict.status, judgments: seen.length })
    }
    // It changes something here: texts and verdicts move with the better estimate, and some items reopen.
    const without = simulateAdaptiveCollection(rows, { seed: 2, reevaluationRounds: 0 })
    expect(without.reopened).toBe(0)
    expect(simulation.items.filter((result, index) => result.text !== without.items[index].text).length).toBeGreaterThan(0)
    expect(simulation.reopened).toBeGreaterThan(0)
    expect(simulation.revealed).toBeGreaterThan(without.revealed)
  })

  test('the same seed gives the same output; another seed another collection', () => {
    const a = simulateAdaptiveCollection(rows, { seed: 11 })
    expect(simulateAdaptiveCollection(crowd(7, 120), { seed: 11 })).toEqual(a)
    const b = simulateAdaptiveCollection(rows, { seed: 12 })
    expect(b.items.map((result) => result.judgments)).not.toEqual(a.items.map((result) => result.judgments))
    expect(seededKey(1, 'x')).toBe(seededKey(1, 'x'))
    expect(seededKey(1, 'x')).not.toBe(seededKey(2, 'x'))
  })

  test.each([
    [1, 1],
    [2, 2],
    [2, 3],
    [3, 5],
    [2, 7],
    [3, 20],
  ])('min %i, max %i: never more than max (nor than the item has), never fewer than min unless the item runs out', (min, max) => {
    const { items } = simulateAdaptiveCollection(rows, { seed: 1, decision: { minTranscriptions: min, maxTranscriptions: max } })
    const available = Math.min(max, 7)
    for (const result of items) {
      expect(result.judgments).toBeLessThanOrEqual(available)
      expect(result.judgments).toBeGreaterThanOrEqual(Math.min(min, 7))
      if (result.status === 'pending') expect(result.judgments).toBe(7)
      if (result.status === 'needs-review') expect(result.judgments).toBe(max)
      if (result.judgments < available) expect(result.status).toBe('accepted')
    }
    if (min === max) expect(items.every((result) => result.judgments === min)).toBe(true)
  })

  test.each([
    ['three people write the same: stops at the minimum', ['the cat sat', 'The cat sat.', 'the cat sat', 'the cat sat', 'the cat sat'], 2, 2, 'accepted', 'the cat sat'],
    ['everyone differs: asks up to the cap, then review', ['one two', 'three four', 'five six', 'seven eight', 'nine ten'], 2, 4, 'needs-review', undefined],
    ['fewer transcriptions than the minimum: all read, still pending', ['the cat sat', 'the cat sat'], 3, 7, 'pending', 'the cat sat'],
    ['no transcriptions of an item are not items', [], 2, 7, undefined, undefined],
  ] as const)('%s', (_name, texts, min, max, status, text) => {
    const input = texts.map((value, index) => ({ item: 's', contributor: `w${index}`, text: value }))
    const { items } = simulateAdaptiveCollection(input, { decision: { minTranscriptions: min, maxTranscriptions: max } })
    if (status === undefined) {
      expect(items).toEqual([])
      return
    }
    expect(items).toHaveLength(1)
    expect(items[0].status).toBe(status)
    expect(items[0].judgments).toBe(status === 'accepted' ? min : status === 'needs-review' ? max : texts.length)
    if (text) expect(items[0].text).toBe(text)
  })

  test('a contributor who wrote twice counts once (the later text), as in the plugin', () => {
    const input = [
      { item: 's', contributor: 'a', text: 'wrong words' },
      { item: 's', contributor: 'a', text: 'the cat sat' },
      { item: 's', contributor: 'b', text: 'the cat sat' },
    ]
    const { items, available } = simulateAdaptiveCollection(input, { decision: { minTranscriptions: 2 } })
    expect(available).toBe(2)
    expect(items[0]).toMatchObject({ text: 'the cat sat', judgments: 2, status: 'accepted' })
  })
})
