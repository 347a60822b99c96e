import { describe, expect, test } from '@jest/globals'

import { checkRules, countCharacters, countWords, dedupeKey, normalizeSentence, validateRules, type RuleId, type SentenceRules } from '../../collections/Sentences/core'

// Bengali rules as an NGO would set them: Bengali letters only, no Latin digits or symbols, danda at the end.
const bengali: SentenceRules = {
  minWords: 2,
  maxWords: 14,
  minCharacters: 5,
  maxCharacters: 125,
  allowedScripts: 'Bengali',
  bannedSymbols: '#@&*<>{}[]=_/\\|~^%$',
  allowDigits: false,
  allowAbbreviations: false,
  abbreviations: 'মি.',
  terminalPunctuation: '।?!',
}
const english: SentenceRules = {
  minWords: 2,
  maxWords: 14,
  minCharacters: 5,
  maxCharacters: 125,
  allowedScripts: 'Latin',
  bannedSymbols: '#@&*<>{}[]=_/\\|~^%$',
  allowDigits: false,
  allowAbbreviations: false,
  abbreviations: 'etc',
  terminalPunctuation: '.?!',
}

const first = (text: string, rules: SentenceRules): RuleId | 'ok' => checkRules(normalizeSentence(text), rules)[0]?.rule ?? 'ok'

describe('sentence rules, Bengali', () => {
  test.each<[string, string, RuleId | 'ok']>([
    ['a plain sentence with a danda', 'আমি বাংলায় গান গাই।', 'ok'],
    ['conjuncts with hasanta (ক্ষ, স্ত, ন্ত্র)', 'পরীক্ষা শেষে স্বতন্ত্র প্রস্তুতি নিতে হবে।', 'ok'],
    ['ZWNJ keeps a visible hasanta (ক্‌ষ)', 'ক্\u200Cষমা চাওয়া ভালো।', 'ok'],
    ['ZWJ forms a ya-phala after ra (র‍্যাব)', 'র\u200D্যাব এসেছে।', 'ok'],
    ['a question mark ends a question', 'তুমি কোথায় যাবে?', 'ok'],
    ['Bengali digits are refused', 'আমার বয়স ২৫ বছর।', 'digits'],
    ['Latin digits are refused too', 'আমার বয়স 25 বছর।', 'digits'],
    ['a full stop instead of the danda', 'আমি বাংলায় গান গাই.', 'terminal-punctuation'],
    ['no terminal punctuation', 'আমি বাংলায় গান গাই', 'terminal-punctuation'],
    ['a Latin word in a Bengali sentence', 'আমি office যাই।', 'script'],
    ['a banned symbol', 'দাম #১০০ টাকা।', 'banned-symbols'],
    ['a listed abbreviation', 'মি. রহমান এসেছেন।', 'abbreviations'],
    ['a dotted short form (ডা.) mid-sentence', 'ডা. করিম ভালো চিকিৎসক।', 'abbreviations'],
    ['one word is too few', 'হ্যাঁ।', 'min-words'],
    ['too many words', `${'শব্দ '.repeat(15)}শেষ।`, 'max-words'],
    ['empty after trimming', '   ', 'empty'],
  ])('%s', (_name, text, expected) => {
    expect(first(text, bengali)).toBe(expected)
  })

  test('ZWJ/ZWNJ do not count as characters', () => {
    expect(countCharacters('ক্\u200Cষ')).toBe(3)
    expect(countWords('র\u200D্যাব এসেছে।')).toBe(2)
  })

  test('the message says why, with the offending character', () => {
    expect(checkRules('আমার বয়স ২৫ বছর।', bengali)).toEqual([
      { rule: 'digits', message: 'The sentence has the digit "২"; write numbers out in words so everyone reads them the same way.' },
    ])
    expect(checkRules('আমি office যাই।', bengali)[0].message).toBe('The letter "o" is not in the Bengali script.')
  })
})

describe('sentence rules, English', () => {
  test.each<[string, string, RuleId | 'ok']>([
    ['a plain sentence', 'The river is wide in spring.', 'ok'],
    ["an apostrophe and a comma", "It's late, so we'll walk home.", 'ok'],
    ['a quoted ending', 'She said "come here."', 'ok'],
    ['digits', 'We met at 10 in the morning.', 'digits'],
    ['an acronym', 'The BBC reported it today.', 'abbreviations'],
    ['a title', 'Dr. Smith will see you now.', 'abbreviations'],
    ['dotted initials', 'He moved to the U.S. last year.', 'abbreviations'],
    ['a listed abbreviation', 'Bring bread, milk, etc. tomorrow.', 'abbreviations'],
    ['a Bengali word in an English sentence', 'I love ভাত very much.', 'script'],
    ['a banned symbol', 'Email me @ home tonight.', 'banned-symbols'],
    ['no full stop', 'The river is wide in spring', 'terminal-punctuation'],
    ['too short', 'Hi.', 'min-words'],
    ['too long in characters', `${'word '.repeat(13)}${'x'.repeat(80)}.`, 'max-characters'],
  ])('%s', (_name, text, expected) => {
    expect(first(text, english)).toBe(expected)
  })

  test('every failing rule is listed, in order', () => {
    expect(checkRules('Call 911 @ NASA', english).map((failure) => failure.rule)).toEqual(['banned-symbols', 'digits', 'abbreviations', 'terminal-punctuation'])
  })

  test('an explicit character set still works, joiners always allowed', () => {
    const rules = { allowedCharacters: 'a-zA-Z .' }
    expect(checkRules('Hello there.', rules)).toEqual([])
    expect(checkRules('Hello 42.', rules)[0]).toEqual({ rule: 'allowed-characters', message: 'The character "4" is not allowed in this language\'s sentences.' })
  })

  test('no rules: only emptiness is refused', () => {
    expect(checkRules('x', null)).toEqual([])
    expect(checkRules('', {})[0].rule).toBe('empty')
  })
})

describe('rules are checked when an admin saves them', () => {
  test.each<[string, SentenceRules, true | RegExp]>([
    ['good', bengali, true],
    ['unknown script', { allowedScripts: 'Bengalee' }, /"Bengalee" is not a Unicode script name/],
    ['bad character class', { allowedCharacters: 'a-' + '\\' }, /character-class body/],
    ['min above max', { minWords: 5, maxWords: 2 }, /minimum number of words/],
  ])('%s', (_name, rules, expected) => {
    const result = validateRules(rules)
    if (expected === true) expect(result).toBe(true)
    else expect(result).toMatch(expected)
  })
})

describe('the dedupe key', () => {
  test.each<[string, string, string]>([
    ['NFC and NFD', 'কোথায় যাব?', '\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC যাব?'],
    ['with and without ZWNJ', 'ক্\u200Cষমা চাই।', 'ক্ষমা চাই।'],
    ['with and without ZWJ', 'র\u200D্যাব এল।', 'র্যাব এল।'],
    ['spacing', 'আমি  বাংলায়\u00A0গান গাই।', 'আমি বাংলায় গান গাই।'],
    ['case', 'The River Is Wide.', 'the river is wide.'],
  ])('%s are one sentence', (_name, a, b) => {
    expect(dedupeKey(a)).toBe(dedupeKey(b))
  })

  test('different words stay different', () => {
    expect(dedupeKey('আমি যাব।')).not.toBe(dedupeKey('তুমি যাবে।'))
  })
})
