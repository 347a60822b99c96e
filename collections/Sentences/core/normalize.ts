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

/**
 * What two spellings of one sentence share: the normalised text without ZWJ/ZWNJ (the same words
 * with or without a joiner are one sentence to a reader), case-folded. Hashed, it is the unique key
 * per language.
 */
export const dedupeKey = (text: string): string =>
  normalizeSentence(text)
    .replace(/[\u200C\u200D]/gu, '')
    .replace(/ {2,}/gu, ' ')
    .toLocaleLowerCase('und')
