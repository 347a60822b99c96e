/**
 * Per-language sentence rules as pure functions: what an admin sets on a language, what the import
 * and the sentence form enforce, and what the "try a sentence" box explains. No I/O here.
 */

export const RULE_IDS = [
  'empty',
  'min-words',
  'max-words',
  'min-characters',
  'max-characters',
  'script',
  'allowed-characters',
  'banned-symbols',
  'digits',
  'abbreviations',
  'terminal-punctuation',
  'invalid-rule',
] as const
export type RuleId = (typeof RULE_IDS)[number]

export interface SentenceRules {
  minWords?: number | null
  maxWords?: number | null
  minCharacters?: number | null
  maxCharacters?: number | null
  /** Unicode scripts a letter may belong to, e.g. "Bengali" or "Latin"; comma-separated. Marks, punctuation, spaces and ZWJ/ZWNJ are always allowed. */
  allowedScripts?: string | null
  /** A regular-expression character-class body, e.g. "\\u0980-\\u09FF ।,?!-": every character must match it. */
  allowedCharacters?: string | null
  /** Characters refused anywhere in a sentence, e.g. "#@&*<>{}[]". */
  bannedSymbols?: string | null
  /** When false, a sentence with a digit (any script: 0-9, ০-৯, ...) is refused: it reads ambiguously. */
  allowDigits?: boolean | null
  /** When false, abbreviations are refused: all-capital words (BBC), dotted short forms (Dr., ডা.) and the listed ones. */
  allowAbbreviations?: boolean | null
  /** Extra abbreviations to refuse, one per line or comma-separated (e.g. "etc, মি."). */
  abbreviations?: string | null
  /** When set, a sentence must end with one of these characters, e.g. ".?!" or "।?!". */
  terminalPunctuation?: string | null
}

export interface RuleFailure {
  rule: RuleId
  message: string
}

const ZERO_WIDTH_JOINERS = /[\u200C\u200D]/gu

/** Words are runs between spaces (the text is already normalised: one space between words). */
export const countWords = (text: string): number => text.split(' ').filter((word) => /[\p{L}\p{N}]/u.test(word)).length

/** Characters as a reader counts them: code points, without the invisible ZWJ/ZWNJ. */
export const countCharacters = (text: string): number => [...text.replace(ZERO_WIDTH_JOINERS, '')].length

const scriptPattern = (scripts: string[]): RegExp => new RegExp(`^[${scripts.map((script) => `\\p{Script=${script}}`).join('')}]$`, 'u')

/** The script names an admin typed, checked: returns the list or a message naming the bad one. */
export const parseScripts = (value: string | null | undefined): string[] | string => {
  const scripts = (value ?? '')
    .split(/[,\s]+/u)
    .map((name) => name.trim())
    .filter(Boolean)
  for (const script of scripts) {
    try {
      scriptPattern([script])
    } catch {
      return `"${script}" is not a Unicode script name; use names such as Bengali, Latin, Devanagari.`
    }
  }
  return scripts
}

const parseList = (value: string | null | undefined): string[] =>
  (value ?? '')
    .split(/[\n,]+/u)
    .map((item) => item.trim())
    .filter(Boolean)

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')

/** Finds one of the listed abbreviations in a sentence (case-insensitive, as a whole word), or undefined. */
export const findListedAbbreviation = (text: string, listed: readonly string[]): string | undefined =>
  listed.find((abbreviation) => new RegExp(`(^|[\\s\\p{P}])${escapeRegExp(abbreviation)}(?=$|[\\s\\p{P}])`, 'iu').test(text))

/** Finds an abbreviation in a sentence by its shape or from the list, or undefined. */
export const findAbbreviation = (text: string, listed: readonly string[] = []): string | undefined => {
  const words = text.split(' ')
  for (const [index, raw] of words.entries()) {
    const word = raw.replace(/^[\p{P}\p{S}]+|[,;:!?।॥"'”’)\]]+$/gu, '')
    if (!word) continue
    // All-capital Latin words of two or more letters (BBC, NASA), possibly dotted (U.S.A.).
    if (/^(\p{Lu}\.?){2,}$/u.test(word) && /\p{Lu}.*\p{Lu}/u.test(word)) return word
    // A short word closed by a period in the middle of the sentence: "Dr. Rahman", "ডা. রহমান".
    // (At the end, a period closes the sentence.) Bengali uses the danda, so a period there is a short form.
    const last = index === words.length - 1
    if (/^[\p{L}\p{M}]{1,3}\.$/u.test(word) && !last) return word
    if (/^\p{L}(\.\p{L})+\.?$/u.test(word)) return word
  }
  return findListedAbbreviation(text, listed)
}

/**
 * Checks a normalised sentence against its language's rules and returns every failure, in the
 * order above (an empty list means it passes). The first failure is the one reported on import.
 */
export const checkRules = (text: string, rules: SentenceRules | null | undefined): RuleFailure[] => {
  if (text.trim().length === 0) return [{ rule: 'empty', message: 'The sentence is empty.' }]
  if (!rules) return []
  const failures: RuleFailure[] = []
  const words = countWords(text)
  const characters = countCharacters(text)
  if (rules.minWords && words < rules.minWords) failures.push({ rule: 'min-words', message: `The sentence has ${words} words; this language needs at least ${rules.minWords}.` })
  if (rules.maxWords && words > rules.maxWords) failures.push({ rule: 'max-words', message: `The sentence has ${words} words; this language allows at most ${rules.maxWords}.` })
  if (rules.minCharacters && characters < rules.minCharacters)
    failures.push({ rule: 'min-characters', message: `The sentence has ${characters} characters; this language needs at least ${rules.minCharacters}.` })
  if (rules.maxCharacters && characters > rules.maxCharacters)
    failures.push({ rule: 'max-characters', message: `The sentence has ${characters} characters; this language allows at most ${rules.maxCharacters}.` })

  if (rules.allowedScripts) {
    const scripts = parseScripts(rules.allowedScripts)
    if (typeof scripts === 'string') failures.push({ rule: 'invalid-rule', message: `The language's script rule is wrong: ${scripts} Ask an admin to fix it.` })
    else if (scripts.length > 0) {
      const allowed = scriptPattern(scripts)
      // Letters must be in an allowed script; digits, marks, punctuation, spaces and joiners are judged by other rules.
      const stray = [...text].find((character) => /\p{L}/u.test(character) && !allowed.test(character))
      if (stray) failures.push({ rule: 'script', message: `The letter "${stray}" is not in the ${scripts.join(' or ')} script.` })
    }
  }

  if (rules.allowedCharacters) {
    let pattern: RegExp | undefined
    try {
      pattern = new RegExp(`[^${rules.allowedCharacters}\\u200C\\u200D]`, 'u')
    } catch {
      failures.push({ rule: 'invalid-rule', message: "The language's allowed-characters rule is not a valid character class; ask an admin to fix it." })
    }
    const bad = pattern ? text.match(pattern) : null
    if (bad) failures.push({ rule: 'allowed-characters', message: `The character "${bad[0]}" is not allowed in this language's sentences.` })
  }

  if (rules.bannedSymbols) {
    const banned = new Set([...rules.bannedSymbols.replace(/\s/gu, '')])
    const found = [...text].find((character) => banned.has(character))
    if (found) failures.push({ rule: 'banned-symbols', message: `The symbol "${found}" is not allowed in this language's sentences.` })
  }

  if (rules.allowDigits === false) {
    const digit = /\p{Nd}/u.exec(text)
    if (digit) failures.push({ rule: 'digits', message: `The sentence has the digit "${digit[0]}"; write numbers out in words so everyone reads them the same way.` })
  }

  const listed = parseList(rules.abbreviations)
  if (rules.allowAbbreviations === false || listed.length > 0) {
    const found = rules.allowAbbreviations === false ? findAbbreviation(text, listed) : findListedAbbreviation(text, listed)
    if (found) failures.push({ rule: 'abbreviations', message: `"${found}" looks like an abbreviation; write it out in full so everyone reads it the same way.` })
  }

  if (rules.terminalPunctuation) {
    const endings = [...rules.terminalPunctuation.replace(/\s/gu, '')]
    const last = [...text.replace(/["'”’)\]»]+$/u, '')].at(-1) ?? ''
    if (endings.length > 0 && !endings.includes(last)) {
      failures.push({ rule: 'terminal-punctuation', message: `The sentence must end with one of ${endings.join(' ')}; it ends with "${last}".` })
    }
  }
  return failures
}


/** The first failure's message, or true: the form the sentence hook and the import use. */
export const firstRuleFailure = (text: string, rules: SentenceRules | null | undefined): RuleFailure | undefined => checkRules(text, rules)[0]

/** Checks the rules themselves (for the language form): a message for the first broken one. */
export const validateRules = (rules: SentenceRules): true | string => {
  const scripts = parseScripts(rules.allowedScripts)
  if (typeof scripts === 'string') return scripts
  if (rules.allowedCharacters) {
    try {
      new RegExp(`[${rules.allowedCharacters}]`, 'u')
    } catch {
      return 'Allowed characters must be a regular-expression character-class body, e.g. "\\u0980-\\u09FF ।,?!-".'
    }
  }
  if (rules.minWords && rules.maxWords && rules.minWords > rules.maxWords) return 'The minimum number of words is larger than the maximum.'
  if (rules.minCharacters && rules.maxCharacters && rules.minCharacters > rules.maxCharacters) return 'The minimum number of characters is larger than the maximum.'
  return true
}
