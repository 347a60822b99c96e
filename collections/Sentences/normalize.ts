import { createHash } from 'node:crypto'

import { dedupeKey, firstRuleFailure, type SentenceRules } from './core'

export { normalizeSentence } from './core'
export type { SentenceRules } from './core'

/** The dedupe key (./core/normalize.ts), hashed. Unique per language in the database. */
export const sentenceHash = (text: string): string => createHash('sha256').update(dedupeKey(text)).digest('hex')

/** Checks a normalised sentence against its language's rules; returns the first failure's message or `true`. */
export const checkSentenceRules = (text: string, rules: SentenceRules | null | undefined): true | string => firstRuleFailure(text, rules)?.message ?? true
