import { randomUUID } from 'node:crypto'

import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { sql } from '@payloadcms/db-postgres'
import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { SKIP_REASONS, type SkipReason } from '../../collections/SentenceSkips'
import { CLIENT_ID_COOKIE, clientIdFromHeaders } from '../lib/clientId'
import { activeLanguageId, nextSentences, type Contributor } from './nextSentences'
import { sentencePools } from './sentencePool'
import { serveNextSentences, SiteRequestError } from './serveNextSentences'
import { siteStats } from './stats'
import { CONSENT_COOKIE, TERMS_VERSION } from './terms'

const PASSAGE_MAX_SENTENCES = 250
/** Read-aloud pace, roughly the same in English and Bengali script: about 14 characters a second. */
const READING_CHARS_PER_SECOND = 14
const YEAR_SECONDS = 365 * 24 * 60 * 60

const contributorOf = (req: PayloadRequest): Contributor => ({
  userId: req.user ? Number(req.user.id) : undefined,
  clientId: clientIdFromHeaders(req.headers),
})

const languageIdOf = async (req: PayloadRequest): Promise<number> => {
  const value = req.searchParams.get('language')
  if (!value) throw new APIError('Say which language: ?language=bn (a language code) or its id.', 400, undefined, true)
  const id = await activeLanguageId(req.payload, value)
  if (id === undefined) throw new APIError(`No language "${value}" is open for contribution.`, 404, undefined, true)
  return id
}

const cookie = (name: string, value: string, req: PayloadRequest) =>
  `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax${new URL(req.payload.config.serverURL || 'http://x').protocol === 'https:' ? '; Secure' : ''}`

/** The public site's API (`/api/site/...`): serving sentences, skips and reports, consent, totals. */
export const siteEndpoints: Endpoint[] = [
  {
    // The next sentences to read. Anyone may ask; a known contributor never gets what they already
    // recorded, skipped or reported.
    path: '/site/next-sentences',
    method: 'get',
    handler: async (req) => {
      try {
        return Response.json(await serveNextSentences(req.payload, req.searchParams, contributorOf(req)), { headers: { 'Cache-Control': 'no-store' } })
      } catch (error) {
        if (error instanceof SiteRequestError) throw new APIError(error.message, error.status, undefined, true)
        throw error
      }
    },
  },
  {
    // A passage for long-script mode: enough unread sentences for about 2, 5 or 10 minutes of reading.
    path: '/site/passage',
    method: 'get',
    handler: async (req) => {
      const languageId = await languageIdOf(req)
      const minutes = Number(req.searchParams.get('minutes') ?? 5)
      if (![2, 5, 10].includes(minutes)) throw new APIError('minutes must be 2, 5 or 10.', 400, undefined, true)
      const candidates = await nextSentences(req.payload, { languageId, limit: PASSAGE_MAX_SENTENCES, contributor: contributorOf(req) })
      const target = minutes * 60 * READING_CHARS_PER_SECOND
      const chosen = []
      let length = 0
      for (const sentence of candidates) {
        if (length >= target) break
        chosen.push(sentence)
        length += sentence.text.length + 1
      }
      return Response.json(
        { language: languageId, minutes, estimatedMinutes: Math.round((length / READING_CHARS_PER_SECOND / 60) * 10) / 10, sentences: chosen, text: chosen.map((sentence) => sentence.text).join(' ') },
        { headers: { 'Cache-Control': 'no-store' } },
      )
    },
  },
  {
    // Skip (never show me this again) or report (tell the reviewers why).
    path: '/site/sentences/:id/skip',
    method: 'post',
    handler: async (req) => {
      const contributor = contributorOf(req)
      if (!contributor.userId && !contributor.clientId) throw new APIError('Accept the contribution terms first.', 403, undefined, true)
      const id = Number(req.routeParams?.id)
      if (!Number.isInteger(id) || id < 1) throw new APIError('The sentence id must be a number.', 400, undefined, true)
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { reason?: string }
      const reason = (body.reason ?? 'skip') as SkipReason
      if (!SKIP_REASONS.includes(reason)) throw new APIError(`reason must be one of: ${SKIP_REASONS.join(', ')}.`, 400, undefined, true)
      const sentence = await req.payload.findByID({ collection: 'sentences', id, depth: 0, overrideAccess: false, req }).catch(() => null)
      if (!sentence) throw new APIError(`Sentence ${id} does not exist.`, 404, undefined, true)
      // One row per sentence and contributor (unique indexes): a repeat updates the reason.
      const db = (req.payload.db as unknown as PostgresAdapter).drizzle
      const user = contributor.userId ?? null
      const client = contributor.userId ? null : (contributor.clientId ?? null)
      await db.execute(sql`
        INSERT INTO sentence_skips (sentence_id, reason, user_id, client_id, updated_at, created_at)
        VALUES (${id}, ${reason}, ${user}, ${client}, now(), now())
        ON CONFLICT (${sql.raw(user ? 'user_id' : 'client_id')}, sentence_id) DO UPDATE SET reason = EXCLUDED.reason, updated_at = now()`)
      sentencePools(req.payload).noteSkipped(id, { userId: user ?? undefined, clientId: client ?? undefined })
      return Response.json({ ok: true, sentence: id, reason })
    },
  },
  {
    // Consent: records the accepted terms version in a cookie and gives an anonymous visitor a
    // client id, so their contributions can be told apart (and claimed after signing up).
    path: '/site/consent',
    method: 'post',
    handler: async (req) => {
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { termsVersion?: string }
      if (body.termsVersion !== TERMS_VERSION) {
        throw new APIError(`These terms have changed (now version ${TERMS_VERSION}): read and accept the current ones.`, 409, undefined, true)
      }
      const clientId = clientIdFromHeaders(req.headers) ?? randomUUID()
      const headers = new Headers({ 'Cache-Control': 'no-store' })
      headers.append('Set-Cookie', `${cookie(CLIENT_ID_COOKIE, clientId, req)}; HttpOnly`)
      headers.append('Set-Cookie', cookie(CONSENT_COOKIE, TERMS_VERSION, req))
      if (req.user) {
        await req.payload.update({
          collection: 'users',
          id: req.user.id,
          data: { consent: { termsVersion: TERMS_VERSION, acceptedAt: new Date().toISOString() } },
          user: req.user,
          overrideAccess: false,
          req,
        })
      }
      return Response.json({ ok: true, termsVersion: TERMS_VERSION }, { headers })
    },
  },
  {
    // After signing up or logging in: what this browser contributed anonymously becomes the account's.
    path: '/site/claim',
    method: 'post',
    handler: async (req) => {
      if (!req.user) throw new APIError('Sign in to keep what you contributed.', 401, undefined, true)
      const clientId = clientIdFromHeaders(req.headers)
      if (!clientId) return Response.json({ ok: true, recordings: 0, transcriptions: 0, skips: 0 })
      const userId = Number(req.user.id)
      const db = (req.payload.db as unknown as PostgresAdapter).drizzle
      const moved = await db.transaction(async (tx) => {
        const recordings = await tx.execute(sql`UPDATE recordings SET owner_id = ${userId}, client_id = NULL WHERE client_id = ${clientId} AND owner_id IS NULL`)
        const transcriptions = await tx.execute(sql`
          UPDATE transcriptions t SET author_id = ${userId}, client_id = NULL WHERE t.client_id = ${clientId} AND t.author_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM transcriptions o WHERE o.item_id = t.item_id AND o.author_id = ${userId})`)
        const skips = await tx.execute(sql`
          UPDATE sentence_skips k SET user_id = ${userId}, client_id = NULL WHERE k.client_id = ${clientId}
          AND NOT EXISTS (SELECT 1 FROM sentence_skips o WHERE o.sentence_id = k.sentence_id AND o.user_id = ${userId})`)
        return { recordings: recordings.rowCount ?? 0, transcriptions: transcriptions.rowCount ?? 0, skips: skips.rowCount ?? 0 }
      })
      sentencePools(req.payload).noteClaimed(clientId, userId)
      return Response.json({ ok: true, ...moved })
    },
  },
  {
    path: '/site/stats',
    method: 'get',
    handler: async (req) => Response.json(await siteStats(req.payload), { headers: { 'Cache-Control': 'public, max-age=30' } }),
  },
]
