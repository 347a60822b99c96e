import fs from 'node:fs/promises'

import type { Payload } from 'payload'

import { sentenceHash } from '../../collections/Sentences/normalize'
import { logger } from '../lib/logger'

const LANGUAGES = [
  { code: 'bn', name: 'Bengali', nativeName: 'বাংলা', direction: 'ltr' as const },
  { code: 'en', name: 'English', nativeName: 'English', direction: 'ltr' as const },
]

const SOURCE = 'Written for Shrutik by its contributors (src/seed/sentences), CC0 1.0'

export interface SeedResult {
  languagesCreated: number
  sentencesCreated: number
  sentencesSkipped: number
}

const readSentences = async (code: string): Promise<string[]> => {
  const file = new URL(`./sentences/${code}.txt`, import.meta.url)
  const text = await fs.readFile(file, 'utf8')
  return text.split('\n').map((line) => line.trim()).filter(Boolean)
}

/**
 * Loads the starter languages (Bengali, English) and their CC0 sentences. Idempotent: what is
 * already there (by language code, by normalised sentence hash) is left alone, so running it
 * twice, or after admins edited the corpus, changes nothing. Runs as the system.
 */
export const seed = async (payload: Payload): Promise<SeedResult> => {
  const result: SeedResult = { languagesCreated: 0, sentencesCreated: 0, sentencesSkipped: 0 }
  for (const language of LANGUAGES) {
    const existing = await payload.find({ collection: 'languages', where: { code: { equals: language.code } }, limit: 1, depth: 0 })
    const languageDoc = existing.docs[0] ?? (await payload.create({ collection: 'languages', data: { ...language, isActive: true } }))
    if (!existing.docs[0]) result.languagesCreated += 1

    const known = await payload.find({
      collection: 'sentences',
      where: { language: { equals: languageDoc.id } },
      select: { normalizedHash: true },
      pagination: false,
      depth: 0,
    })
    const knownHashes = new Set(known.docs.map((doc) => doc.normalizedHash))
    for (const text of await readSentences(language.code)) {
      const hash = sentenceHash(text)
      if (knownHashes.has(hash)) {
        result.sentencesSkipped += 1
        continue
      }
      await payload.create({
        collection: 'sentences',
        data: { text, language: languageDoc.id, status: 'approved', domain: 'general', source: SOURCE, licence: 'CC0-1.0' },
      })
      knownHashes.add(hash)
      result.sentencesCreated += 1
    }
  }
  logger.info('seed finished', { ...result })
  return result
}

/** True when the database has no languages yet: a fresh install that should be seeded. */
export const isEmpty = async (payload: Payload): Promise<boolean> => (await payload.count({ collection: 'languages' })).totalDocs === 0
