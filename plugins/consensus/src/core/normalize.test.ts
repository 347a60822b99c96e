import { describe, expect, test } from '@jest/globals'

import { defaultSegmentation, englishCardinal, joinTokens, normalizeText, resolveNormalizeOptions, tokenize } from '.'
import { seededRandom } from '../../test/random'

describe('normalizeText', () => {
  test.each([
    ['English punctuation and case', 'en', '  "Hello,   World!" she said… ', 'hello world she said'],
    ['apostrophes inside words stay, quotes go', 'en', "‘I’m’ rock'n'roll 'quoted'", "i'm rock'n'roll quoted"],
    ['dashes separate words', 'en', 'air-tight — well–known', 'air tight well known'],
    ['spoken form: titles, money, years, ordinals', 'en', 'Mr. Smith paid $5 in 1895 on the 21st', 'mister smith paid five dollars in eighteen ninety five on the twenty first'],
    ['spoken form: numbers, decimals, times, percent', 'en', 'At 10:30, 1,250 people (3.5%) & 2 dogs', 'at ten thirty one thousand two hundred fifty people three point five percent and two dogs'],
    ['Turkish dotted and dotless i', 'tr', 'İSTANBUL IŞIK', 'istanbul ışık'],
    ['German sharp s stays', 'de', 'STRAẞE Straße', 'straße straße'],
    ['Bengali keeps vowel signs, virama and nukta; drops the danda', 'bn', 'আমি বাংলায় গান গাই। রাষ্ট্র', 'আমি বাংলায় গান গাই রাষ্ট্র'],
    ['Bengali keeps the zero-width joiner in র‍্য', 'bn', 'র‍্যাব', 'র‍্যাব'],
    ['NFC composes decomposed letters', 'fr', 'Cafe\u0301 E\u0301TE\u0301', 'café été'],
    ['Thai keeps tone marks and vowels', 'th', 'สวัสดีครับ!', 'สวัสดีครับ'],
    ['Chinese punctuation goes', 'zh', '你好，世界。', '你好世界'],
    ['digits stay where no spoken-form rules exist', 'bn', 'বয়স ২৫ বছর', 'বয়স ২৫ বছর'],
  ])('%s', (_name, language, input, expected) => {
    expect(normalizeText(input, { language })).toBe(expected)
  })

  test.each([
    ['en', "Mr. O'Brien's 3rd car — \"the 1890s\" & dr, smith; St. Paul vs Baker St.; 007"],
    ['en', "'''x'' -- '' y's' 2,000.50 $3.07 £12"],
    ['tr', 'İİ ıI Iİ İSTANBUL Işık'],
    ['de', 'STRAẞE Straße MASSE Maße'],
    ['bn', 'আমি বাংলায় গান গাই। য় (U+09DF) য় ক্ষ র‍্যাব ড়'],
    ['th', 'สวัสดี ครับ ๑๒๓ ภาษาไทย!'],
    ['ja', 'こんにちは、世界！ カタカナ ｶﾀｶﾅ'],
    ['el', 'ΟΔΟΣ. Σίσυφος ΣΊΣΥΦΟΣ'],
    ['und', 'e\u0301.\u0301 \u200Bzero\u200Bwidth \uFEFFbom \u00A0nbsp'],
  ])('is idempotent (%s): %s', (language, input) => {
    const once = normalizeText(input, { language })
    expect(normalizeText(once, { language })).toBe(once)
  })

  test('is idempotent on 3,000 random strings of tricky pieces, and tokens join back to the text', () => {
    const random = seededRandom(2024)
    const pieces = ['Mr', 'mrs', 'Dr', 'St', '.', ',', ' ', '-', '—', "'", '’', '"', '$', '£', '%', '&', '0', '7', '1,000', '3.5', '10:30', '1890s', '21st', 'e', '\u0301', 'İ', 'I', 'ı', 'ß', 'Σ', 'ς', 'আ', 'ি', '়', '্', '\u200D', '\u200B', 'ส', 'ั', '你', '。', '\n', 'A']
    for (let round = 0; round < 3000; round++) {
      const input = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('')
      const language = ['en', 'tr', 'bn', 'th', 'el', 'und'][round % 6]
      const once = normalizeText(input, { language })
      expect([input, normalizeText(once, { language })]).toEqual([input, once])
      expect(joinTokens(tokenize(input, { language }), resolveNormalizeOptions({ language }).segmentation)).toBe(once)
    }
  })

  test('options switch steps off', () => {
    expect(normalizeText('Mr. Smith, 5', { language: 'en', spokenForm: false })).toBe('mr smith 5')
    expect(normalizeText('Hello, World', { lowercase: false })).toBe('Hello World')
    expect(normalizeText('Hello, World', { removePunctuation: false })).toBe('hello, world')
    expect(normalizeText("don't", { keepApostrophes: false })).toBe('dont')
  })

  test('an unknown language tag still normalises and segments', () => {
    expect(normalizeText('ÀB, c', { language: 'not a tag!' })).toBe('àb c')
    expect(tokenize('ÀB, c', { language: 'not a tag!', segmentation: 'characters' })).toEqual(['à', 'b', ' ', 'c'])
  })
})

describe('englishCardinal', () => {
  test.each([
    [0, 'zero'],
    [13, 'thirteen'],
    [40, 'forty'],
    [99, 'ninety nine'],
    [105, 'one hundred five'],
    [1000, 'one thousand'],
    [2_000_017, 'two million seventeen'],
  ])('%i', (value, expected) => {
    expect(englishCardinal(value)).toBe(expected)
  })
})

describe('segmentation', () => {
  test.each([
    ['en', 'words'],
    ['bn', 'words'],
    ['th', 'characters'],
    ['zh-Hant-TW', 'characters'],
    ['ja', 'characters'],
    ['ko', 'words'],
    ['my', 'characters'],
  ])('%s defaults to %s', (language, expected) => {
    expect(defaultSegmentation(language)).toBe(expected)
  })

  test('Thai splits into grapheme clusters, keeping combining vowels and tone marks with their consonant', () => {
    expect(tokenize('สวัสดี', { language: 'th' })).toEqual(['ส', 'วั', 'ส', 'ดี'])
  })

  test('spaces are tokens in character mode, so phrase breaks survive', () => {
    const tokens = tokenize('ไป ไหน', { language: 'th' })
    expect(tokens).toContain(' ')
    expect(joinTokens(tokens, 'characters')).toBe('ไป ไหน')
  })

  test('Bengali words are whole words, marks included', () => {
    expect(tokenize('আমি বাংলায় গান গাই।', { language: 'bn' })).toEqual(['আমি', 'বাংলায়', 'গান', 'গাই'])
  })

  test('empty and punctuation-only text has no tokens', () => {
    expect(tokenize('')).toEqual([])
    expect(tokenize(' ?! … ')).toEqual([])
  })
})
