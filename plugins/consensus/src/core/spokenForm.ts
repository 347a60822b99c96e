/**
 * Spoken form: transcripts of speech should say what was said, so "Mr. Smith paid $5 in 1895"
 * and "mister smith paid five dollars in eighteen ninety five" are the same transcript. Rules
 * exist per language; text in a language without rules passes through unchanged.
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']
const SCALES: [number, string][] = [
  [1e12, 'trillion'],
  [1e9, 'billion'],
  [1e6, 'million'],
  [1e3, 'thousand'],
]

const belowHundred = (value: number): string => (value < 20 ? ONES[value] : TENS[Math.floor(value / 10)] + (value % 10 ? ` ${ONES[value % 10]}` : ''))

const belowThousand = (value: number): string => {
  const hundreds = Math.floor(value / 100)
  const rest = value % 100
  if (hundreds === 0) return belowHundred(rest)
  return `${ONES[hundreds]} hundred${rest ? ` ${belowHundred(rest)}` : ''}`
}

/** 1234 → "one thousand two hundred thirty four" (no "and": readers differ, and omitting it costs one word at most). */
export const englishCardinal = (value: number): string => {
  if (value < 1000) return belowThousand(value)
  const parts: string[] = []
  let rest = value
  for (const [scale, name] of SCALES) {
    if (rest >= scale) {
      parts.push(`${belowThousand(Math.floor(rest / scale))} ${name}`)
      rest %= scale
    }
  }
  if (rest > 0) parts.push(belowThousand(rest))
  return parts.join(' ')
}

/** How a four-digit number that is probably a year is read: 1895 → "eighteen ninety five", 1900 → "nineteen hundred", 1905 → "nineteen oh five". */
const englishYear = (value: number): string => {
  const century = Math.floor(value / 100)
  const rest = value % 100
  if (value >= 2000 && value < 2010) return englishCardinal(value)
  if (rest === 0) return `${belowHundred(century)} hundred`
  return `${belowHundred(century)} ${rest < 10 ? `oh ${ONES[rest]}` : belowHundred(rest)}`
}

const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
}

const englishOrdinal = (value: number): string => {
  const words = englishCardinal(value).split(' ')
  const last = words[words.length - 1]
  words[words.length - 1] = ORDINAL_WORDS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`)
  return words.join(' ')
}

const digitsToWords = (digits: string): string => {
  const value = Number(digits)
  // Longer than a trillion, or a code with leading zeros ("007"): read digit by digit.
  if (!Number.isSafeInteger(value) || value >= 1e15 || (digits.length > 1 && digits.startsWith('0'))) {
    return Array.from(digits, (digit) => ONES[Number(digit)]).join(' ')
  }
  if (digits.length === 4 && value >= 1100 && value < 2100) return englishYear(value)
  return englishCardinal(value)
}

const groupedOrPlain = (digits: string): string => (digits.includes(',') ? englishCardinal(Number(digits.replace(/,/g, ''))) : digitsToWords(digits))

// Titles read in full; "st" is "saint" before a name, a street after one, so only the first is expanded.
const ENGLISH_ABBREVIATIONS: [RegExp, string][] = [
  [/\bmrs\b\.?/giu, 'missus'],
  [/\bmr\b\.?/giu, 'mister'],
  [/\bdr\b\.?(?=\s+\p{L})/giu, 'doctor'],
  [/\b[Ss]t\b\.?(?=\s+\p{Lu})/gu, 'saint'],
  [/&/gu, ' and '],
  [/%/gu, ' percent'],
]

const englishSpokenForm = (text: string): string => {
  let result = text
  for (const [pattern, replacement] of ENGLISH_ABBREVIATIONS) result = result.replace(pattern, replacement)
  result = result.replace(/([$£€])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\b/gu, (_match, currency: string, whole: string, cents?: string) => {
    const unit = currency === '$' ? 'dollars' : currency === '£' ? 'pounds' : 'euros'
    return ` ${groupedOrPlain(whole)} ${unit}${cents && Number(cents) > 0 ? ` ${digitsToWords(cents)} cents` : ''} `
  })
  // "1,250" is a count, never a year.
  result = result.replace(/\b\d{1,3}(?:,\d{3})+\b/gu, (digits) => ` ${groupedOrPlain(digits)} `)
  result = result.replace(/\b(\d+)(st|nd|rd|th)\b/giu, (_match, digits: string) => ` ${englishOrdinal(Number(digits))} `)
  result = result.replace(/\b(\d+)\.(\d+)\b/gu, (_match, whole: string, fraction: string) => ` ${digitsToWords(whole)} point ${Array.from(fraction, (digit) => ONES[Number(digit)]).join(' ')} `)
  result = result.replace(/\b(\d{1,2}):(\d{2})\b/gu, (_match, hours: string, minutes: string) =>
    minutes === '00' ? ` ${digitsToWords(hours)} o'clock ` : ` ${digitsToWords(hours)} ${Number(minutes) < 10 ? `oh ${ONES[Number(minutes)]}` : belowHundred(Number(minutes))} `,
  )
  // Plural numbers: "the 1890s" → "the eighteen nineties".
  result = result.replace(/\b(\d+)'?s\b/gu, (_match, digits: string) => {
    const words = digitsToWords(digits).split(' ')
    const last = words[words.length - 1]
    words[words.length - 1] = last.endsWith('y') ? `${last.slice(0, -1)}ies` : last === 'six' ? 'sixes' : `${last}s`
    return ` ${words.join(' ')} `
  })
  return result.replace(/\d+/gu, (digits) => ` ${digitsToWords(digits)} `)
}

const SPOKEN_FORM_RULES: Record<string, (text: string) => string> = {
  en: englishSpokenForm,
}

/** Whether `spokenForm` has rules for this primary language code. */
export const hasSpokenFormRules = (primaryLanguage: string): boolean => primaryLanguage in SPOKEN_FORM_RULES

/** Digits, currency and abbreviations written out as spoken in the language (unchanged without rules). */
export const toSpokenForm = (text: string, primaryLanguage: string): string => SPOKEN_FORM_RULES[primaryLanguage]?.(text) ?? text
