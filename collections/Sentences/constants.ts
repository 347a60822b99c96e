/** Sentence statuses and licences, in a module of their own so lean processes (the import child) can use them without Payload. */
export const SENTENCE_STATUSES = ['pending', 'approved', 'rejected', 'retired'] as const
export const SENTENCE_LICENCES = ['CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'public-domain'] as const
/**
 * The longest sentence, in UTF-16 code units (what JavaScript's `length` and Payload's `maxLength`
 * count; at most 3 bytes of UTF-8 each). 800 keeps every sentence under 2,400 bytes, so the
 * B-tree index that sorts the admin list by text (at most 2,704 bytes an entry) can hold any of them.
 * A language's own rules are usually far stricter (a sentence is read aloud in one breath).
 */
export const SENTENCE_MAX_CHARACTERS = 800
