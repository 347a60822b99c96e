import type { Payload } from 'payload'

import { activeLanguageId, type Contributor, type ServedSentence } from './nextSentences'
import { sentencePools } from './sentencePool'

export const MAX_BATCH = 20

export class SiteRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** `GET /api/site/next-sentences?language=&limit=`, checked and answered (mounted by the Express app, src/server/app.ts). */
export const serveNextSentences = async (
  payload: Payload,
  params: URLSearchParams,
  contributor: Contributor,
): Promise<{ language: number; sentences: ServedSentence[] }> => {
  const value = params.get('language')
  if (!value) throw new SiteRequestError('Say which language: ?language=bn (a language code) or its id.', 400)
  const limit = Number(params.get('limit') ?? 5)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCH) throw new SiteRequestError(`limit must be a whole number from 1 to ${MAX_BATCH}.`, 400)
  const languageId = await activeLanguageId(payload, value)
  if (languageId === undefined) throw new SiteRequestError(`No language "${value}" is open for contribution.`, 404)
  return { language: languageId, sentences: await sentencePools(payload).next(languageId, limit, contributor) }
}
