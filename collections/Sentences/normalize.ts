import { createHash } from 'node:crypto'

/**
 * The canonical form of a sentence: Unicode NFC (so composed and decomposed spellings of the same
 * letters are one string — e.g. Bengali ো as U+09CB or as U+09C7 U+09BE), every run of whitespace
 * (including no-break and other Unicode spaces) collapsed to one space, trimmed.
 * ZWJ/ZWNJ are kept: they change how Bengali and other Indic scripts render.
 */
export const normalizeSentence = (text: string): string =>
  text
    .normalize('NFC')
    .replace(/[\s\u200B\uFEFF]+/gu, ' ')
    .trim()

/** The dedupe key: the normalised text, case-folded, hashed. Unique per language in the database. */
export const sentenceHash = (text: string): string =>
  createHash('sha256').update(normalizeSentence(text).toLocaleLowerCase('und')).digest('hex')

export interface SentenceRules {
  minWords?: number | null
  maxWords?: number | null
  minCharacters?: number | null
  maxCharacters?: number | null
  allowedCharacters?: string | null
}

/** Checks a normalised sentence against its language's rules; returns a message or `true`. */
export const checkSentenceRules = (text: string, rules: SentenceRules | null | undefined): true | string => {
  if (text.length === 0) return 'The sentence is empty.'
  if (!rules) return true
  const words = text.split(' ').filter(Boolean).length
  const characters = [...text].length
  if (rules.minWords && words < rules.minWords) return `The sentence has ${words} words; this language needs at least ${rules.minWords}.`
  if (rules.maxWords && words > rules.maxWords) return `The sentence has ${words} words; this language allows at most ${rules.maxWords}.`
  if (rules.minCharacters && characters < rules.minCharacters)
    return `The sentence has ${characters} characters; this language needs at least ${rules.minCharacters}.`
  if (rules.maxCharacters && characters > rules.maxCharacters)
    return `The sentence has ${characters} characters; this language allows at most ${rules.maxCharacters}.`
  if (rules.allowedCharacters) {
    let pattern: RegExp
    try {
      pattern = new RegExp(`[^${rules.allowedCharacters}]`, 'u')
    } catch {
      return 'The language\'s allowed-characters rule is not a valid character class; ask an admin to fix it.'
    }
    const bad = text.match(pattern)
    if (bad) return `The character "${bad[0]}" is not allowed in this language's sentences.`
  }
  return true
}
