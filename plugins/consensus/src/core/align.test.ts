import { describe, expect, test } from '@jest/globals'

import { alignSequences, editDistance, errorRate, voteSlots } from '.'

const words = (text: string) => (text === '' ? [] : text.split(' '))
/** The table as one string per row, "_" for an empty cell, for readable expectations. */
const table = (sequences: string[], weights?: number[]) =>
  alignSequences(sequences.map(words), weights).rows.map((row) => row.map((token) => token ?? '_').join(' '))
const voted = (sequences: string[], weights?: number[]) =>
  voteSlots(alignSequences(sequences.map(words), weights), weights)
    .map((decision) => decision.token)
    .filter((token) => token !== null)
    .join(' ')

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['a b c', '', 3],
    ['', 'a b', 2],
    ['a b c', 'a b c', 0],
    ['a b c', 'a x c', 1],
    ['a b c', 'a c', 1],
    ['a c', 'a b c', 1],
    ['the cat sat', 'cat sat on the mat', 4],
  ])('"%s" → "%s" = %i', (a, b, expected) => {
    expect(editDistance(words(a), words(b))).toBe(expected)
    expect(editDistance(words(b), words(a))).toBe(expected)
  })

  test('error rate is relative to the reference', () => {
    expect(errorRate(words('a x c d'), words('a b c'))).toBeCloseTo(2 / 3)
    expect(errorRate([], [])).toBe(0)
  })
})

describe('alignSequences', () => {
  test.each([
    ['identical transcripts share every slot', ['the cat sat', 'the cat sat'], ['the cat sat', 'the cat sat']],
    ['a substitution shares the slot', ['the cat sat', 'the hat sat'], ['the cat sat', 'the hat sat']],
    ['a deletion leaves an empty cell', ['the black cat sat', 'the cat sat'], ['the black cat sat', 'the _ cat sat']],
    ['an insertion opens a slot', ['the cat sat', 'the cat has sat'], ['the cat _ sat', 'the cat has sat']],
    ['an empty transcript is all empty cells', ['a b', ''], ['a b', '_ _']],
    [
      'three transcripts with all three kinds of error',
      ['the quick brown fox jumps', 'the quick fox jumps', 'a quick brown fox jumps high'],
      ['the quick brown fox jumps _', 'the quick _ fox jumps _', 'a quick brown fox jumps high'],
    ],
  ])('%s', (_name, sequences, expected) => {
    expect(table(sequences)).toEqual(expected)
  })

  test('row r is always sequence r, whatever order the weights add them in', () => {
    const rows = table(['a b c', 'a c', 'a b d c'], [1, 5, 2])
    expect(rows.map((row) => row.replace(/_ ?/g, '').trim())).toEqual(['a b c', 'a c', 'a b d c'])
  })

  test('rejects a weight list of the wrong length', () => {
    expect(() => alignSequences([['a']], [1, 2])).toThrow(/1 sequences but 2 weights/)
  })
})

describe('voteSlots', () => {
  test.each([
    ['the majority corrects a substitution', ['the cat sat', 'the hat sat', 'the cat sat'], undefined, 'the cat sat'],
    ['the majority drops an insertion', ['the cat sat', 'the cat has sat', 'the cat sat'], undefined, 'the cat sat'],
    ['the majority restores a deletion', ['the black cat', 'the cat', 'the black cat'], undefined, 'the black cat'],
    ['errors in different places all get corrected', ['x cat sat on', 'the y sat on', 'the cat z on', 'the cat sat'], undefined, 'the cat sat on'],
    ['a heavy contributor outvotes two light ones', ['the cat sat', 'the hat sat', 'the hat sat'], [5, 1, 1], 'the cat sat'],
    ['an even split follows the heavier contributor', ['the cat', 'the hat'], [1, 2], 'the hat'],
  ])('%s', (_name, sequences, weights, expected) => {
    expect(voted(sequences, weights)).toBe(expected)
  })

  test('agreement is the winner’s share of the weight', () => {
    const decisions = voteSlots(alignSequences([words('a b'), words('a c'), words('a b')]))
    expect(decisions.map((decision) => decision.agreement)).toEqual([1, 2 / 3])
  })

  test('"nothing here" can be discounted', () => {
    const alignment = alignSequences([words('a b'), words('a'), words('a')])
    expect(voteSlots(alignment).map((decision) => decision.token)).toEqual(['a', null])
    expect(voteSlots(alignment, undefined, { emptyVoteFactor: 0.4 }).map((decision) => decision.token)).toEqual(['a', 'b'])
  })
})
