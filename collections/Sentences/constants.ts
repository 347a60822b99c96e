/** Sentence statuses and licences, in a module of their own so lean processes (the import child) can use them without Payload. */
export const SENTENCE_STATUSES = ['pending', 'approved', 'rejected', 'retired'] as const
export const SENTENCE_LICENCES = ['CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'public-domain'] as const
