import { describe, expect, test } from '@jest/globals'

import { checkSentenceRules, normalizeSentence, sentenceHash } from '../../collections/Sentences/normalize'

describe('normalizeSentence', () => {
  test.each([
    ['plain', 'Hello world.', 'Hello world.'],
    ['trims and collapses spaces', '  Hello    world.  ', 'Hello world.'],
    ['tabs, newlines, no-break and ideographic spaces', 'Hello\t\n\u00A0\u3000world.', 'Hello world.'],
    ['zero-width space and BOM count as whitespace', '\uFEFFHello\u200Bworld.', 'Hello world.'],
    ['NFD Latin is composed', 'Cafe\u0301', 'Caf\u00E9'],
    ['Bengali o-kar written as two signs is composed', '\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC', '\u0995\u09CB\u09A5\u09BE\u09AF\u09BC'],
    ['ZWJ and ZWNJ are kept (they change Bengali rendering)', '\u09B0\u200D\u09CD\u09AF \u0995\u200C', '\u09B0\u200D\u09CD\u09AF \u0995\u200C'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeSentence(input)).toBe(expected)
  })

  test('is idempotent', () => {
    for (const text of ['  a  b ', 'Cafe\u0301', '\u0995\u09C7\u09BE ', 'x\u00A0\u00A0y']) {
      expect(normalizeSentence(normalizeSentence(text))).toBe(normalizeSentence(text))
    }
  })
})

describe('sentenceHash', () => {
  test('equal for Unicode-equivalent spellings, spacing and case', () => {
    expect(sentenceHash('Caf\u00E9 au lait.')).toBe(sentenceHash('  cafe\u0301   AU lait. '))
    expect(sentenceHash('\u0995\u09CB\u09A5\u09BE\u09AF\u09BC?')).toBe(sentenceHash('\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC?'))
  })

  test('different for different sentences', () => {
    expect(sentenceHash('Hello world.')).not.toBe(sentenceHash('Hello world!'))
  })
})

describe('checkSentenceRules', () => {
  const rules = { minWords: 2, maxWords: 4, minCharacters: 5, maxCharacters: 30, allowedCharacters: 'a-zA-Z .,?!' }
  test.each([
    ['ok', 'A fine sentence.', true],
    ['too few words', 'Hello.', /at least 2/],
    ['too many words', 'one two three four five', /at most 4/],
    ['too short', 'a b', /at least 5/],
    ['too long', 'abcdefghij klmnopqrstu vwxyzabcdefgh', /at most 30/],
    ['character not allowed', 'Hello 42 world', /"4" is not allowed/],
    ['empty', '', /empty/],
  ])('%s', (_name, text, expected) => {
    const result = checkSentenceRules(text, rules)
    if (expected === true) expect(result).toBe(true)
    else expect(result).toMatch(expected as RegExp)
  })

  test('counts characters, not UTF-16 units, for Bengali and other scripts', () => {
    expect(checkSentenceRules('\u0986\u09AE\u09BF \u09AD\u09BE\u09A4', { maxCharacters: 7 })).toBe(true)
  })

  test('a broken allowed-characters rule is reported, not thrown', () => {
    expect(checkSentenceRules('Hello there', { allowedCharacters: 'z-a' })).toMatch(/not a valid character class/)
  })
})
