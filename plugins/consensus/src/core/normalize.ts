/**
 * Text normalisation before transcripts are compared: two contributors who heard the same words
 * should produce the same tokens, whatever their keyboard, casing or punctuation habits.
 * Pure and idempotent: normalising normalised text changes nothing.
 */
import { withDefaults } from './options'
import { hasSpokenFormRules, toSpokenForm } from './spokenForm'

export type Segmentation = 'words' | 'characters'

export interface NormalizeOptions {
  /** BCP-47 code of the text's language; picks casing rules and the default segmentation. @default 'und' */
  language: string
  /** Lower-case with the language's own rules (Turkish "I" → "ı", "İ" → "i"). @default true */
  lowercase: boolean
  /** Drop punctuation and symbols (quotes, commas, dandas, emoji); dashes separate words. @default true */
  removePunctuation: boolean
  /**
   * Keep apostrophes inside words ("don't", "o'clock"); quotes around words still go. Every
   * apostrophe-like character (’ ‘ ʼ ′) becomes "'". @default true
   */
  keepApostrophes: boolean
  /**
   * How text splits into tokens for alignment: `words` at spaces, `characters` at grapheme
   * clusters for scripts written without spaces. @default 'characters' for Thai, Lao, Khmer,
   * Burmese, Chinese, Japanese, Tibetan; 'words' otherwise
   */
  segmentation: Segmentation
  /**
   * Write digits, currency and common abbreviations as spoken ("Mr." → "mister", "1895" →
   * "eighteen ninety five"), so a contributor typing digits agrees with one spelling them out.
   * @default true where rules exist for the language (English), false elsewhere
   */
  spokenForm: boolean
}

/** Scripts written without spaces between words: tokens are grapheme clusters for these. */
const CHARACTER_SEGMENTED_LANGUAGES = new Set(['th', 'lo', 'km', 'my', 'zh', 'ja', 'bo', 'dz', 'yue', 'wuu', 'lzh', 'shn'])

/** The language part of a BCP-47 tag, lower-cased ("zh-Hant-TW" → "zh"). */
export const primaryLanguage = (language: string): string => language.split(/[-_]/)[0].toLowerCase()

export const defaultSegmentation = (language: string): Segmentation =>
  CHARACTER_SEGMENTED_LANGUAGES.has(primaryLanguage(language)) ? 'characters' : 'words'

/** Complete options: the defaults for `overrides.language`, then every override that is set. */
export const resolveNormalizeOptions = (overrides: Partial<NormalizeOptions> = {}): NormalizeOptions => {
  const language = overrides.language ?? 'und'
  const defaults: NormalizeOptions = {
    language,
    lowercase: true,
    removePunctuation: true,
    keepApostrophes: true,
    segmentation: defaultSegmentation(language),
    spokenForm: hasSpokenFormRules(primaryLanguage(language)),
  }
  return withDefaults(defaults, overrides)
}

const APOSTROPHES = /[\u2018\u2019\u02BC\u2032\u00B4\u0060]/gu
// Dashes and connectors join words in writing ("air-tight", "snake_case") but separate them as tokens.
const WORD_JOINERS = /[\p{Pd}\p{Pc}/\\]/gu
// Everything but letters, marks (Bengali vowel signs, virama, nukta), numbers, apostrophes, spaces
// and the zero-width (non-)joiners that change how Indic conjuncts render.
const NOT_KEPT_WITH_APOSTROPHE = /[^\p{L}\p{M}\p{N}'\s\u200C\u200D]/gu
const NOT_KEPT = /[^\p{L}\p{M}\p{N}\s\u200C\u200D]/gu
// An apostrophe not between two word characters is a quotation mark.
const STRAY_APOSTROPHE = /(?<![\p{L}\p{M}\p{N}])'|'(?![\p{L}\p{M}\p{N}])/gu
// Zero-width space is a word-break hint (Thai, Khmer); other invisible formatting goes.
const SEPARATORS = /[\s\u200B\u2060\uFEFF]+/gu
const INVISIBLE_FORMATTING = /[\p{Cf}\p{Cc}]/gu

const lowerCase = (text: string, language: string): string => {
  try {
    return text.toLocaleLowerCase(language === 'und' ? undefined : language)
  } catch {
    // An invalid tag (typo in a language setting) still gets the language-neutral rules.
    return text.toLowerCase()
  }
}

const removeInvisible = (text: string): string => text.replace(INVISIBLE_FORMATTING, (char) => (char === '\u200C' || char === '\u200D' ? char : ''))

const normalizeResolved = (text: string, settings: NormalizeOptions): string => {
  const language = primaryLanguage(settings.language)
  let result = removeInvisible(text.normalize('NFC').replace(SEPARATORS, ' '))
  if (settings.keepApostrophes) result = result.replace(APOSTROPHES, "'")
  // Before casing and punctuation are gone: "$5", "3.5", "St. Paul" need them.
  if (settings.spokenForm) result = toSpokenForm(result, language)
  if (settings.lowercase) result = lowerCase(result, settings.language)
  if (settings.removePunctuation) {
    result = result.replace(WORD_JOINERS, ' ')
    if (settings.keepApostrophes) result = result.replace(NOT_KEPT_WITH_APOSTROPHE, '').replace(STRAY_APOSTROPHE, '')
    else result = result.replace(NOT_KEPT, '')
  }
  // Again on the bare words ("dr, smith" is "dr smith" now), so normalised text is a fixed point.
  if (settings.spokenForm) result = toSpokenForm(result, language)
  // Removing a character can bring a base letter and a combining mark together: compose again.
  return result.replace(SEPARATORS, ' ').trim().normalize('NFC')
}

/** Normalised text: NFC, cased, punctuation gone, one space between words, no leading/trailing space. */
export const normalizeText = (text: string, options: Partial<NormalizeOptions> = {}): string => normalizeResolved(text, resolveNormalizeOptions(options))

const segmenters = new Map<string, Intl.Segmenter>()

const graphemes = (text: string, language: string): string[] => {
  let segmenter = segmenters.get(language)
  if (!segmenter) {
    try {
      segmenter = new Intl.Segmenter(language === 'und' ? undefined : language, { granularity: 'grapheme' })
    } catch {
      segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    }
    segmenters.set(language, segmenter)
  }
  return Array.from(segmenter.segment(text), (part) => part.segment)
}

/**
 * The tokens transcripts are aligned on: words, or grapheme clusters (spaces kept as their own
 * token, so phrase breaks in Thai survive a vote) for scripts without spaces.
 */
export const tokenize = (text: string, options: Partial<NormalizeOptions> = {}): string[] => {
  const settings = resolveNormalizeOptions(options)
  const normalized = normalizeResolved(text, settings)
  if (normalized === '') return []
  if (settings.segmentation === 'words') return normalized.split(' ')
  return graphemes(normalized, settings.language)
}

/** Tokens back to text: the inverse of `tokenize` on normalised text. */
export const joinTokens = (tokens: readonly string[], segmentation: Segmentation): string =>
  segmentation === 'words' ? tokens.join(' ') : tokens.join('').replace(/ +/g, ' ').trim()
