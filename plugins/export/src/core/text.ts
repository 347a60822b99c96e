import { sha256Hex } from './hash'

/**
 * Text as it goes into a line-based file: NFC, every run of whitespace (tabs, line breaks,
 * Unicode separators) one space, trimmed. Quotes and other characters are kept as they are.
 */
export const flattenText = (text: string): string =>
  text
    .normalize('NFC')
    .replace(/[\s\u0085\u2028\u2029]+/gu, ' ')
    .trim()

/** Identity of a sentence for sentence-disjoint splits: flattened and lower-cased, then hashed. */
export const sentenceHashOf = (text: string): string => sha256Hex(flattenText(text).toLowerCase())

/** RFC 4180 field: quoted when it holds a quote, comma or line break; quotes doubled. */
export const csvField = (value: string | number): string => {
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export const csvLine = (fields: (string | number)[]): string => `${fields.map(csvField).join(',')}\n`

/** A tab-separated line; fields are flattened so a tab or line break inside one cannot break the table. */
export const tsvLine = (fields: (string | number)[]): string => `${fields.map((field) => flattenText(String(field))).join('\t')}\n`

/** Byte order of the UTF-8 encoding: what `sort` does with LC_ALL=C (Kaldi's requirement). */
export const compareC = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

export const sortC = (lines: string[]): string[] => [...lines].sort(compareC)
