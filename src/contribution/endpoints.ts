import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { sql } from '@payloadcms/db-postgres'
import { APIError, type Endpoint, type PayloadRequest, type Where } from 'payload'

import { SKIP_REASONS, type SkipReason } from '../../collections/SentenceSkips'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import { getJobQueue } from '@shrutik/plugin-sdk'

import { requireConsentingContributor, resolveContributor, type ContributorIdentity } from '../access/contributor'
import { CLIENT_ID_COOKIE, verifiedClientCookie } from '../lib/clientId'
import { claimContributions, recordConsent } from './identity'
import { BUILD_TAKEOUT, takeoutDir } from './takeout'
import { withdrawNow } from './withdrawal'
import { activeLanguageId, nextSentences, type Contributor } from './nextSentences'
import { sentencePools } from './sentencePool'
import { siteStats } from './stats'
import { CONSENT_COOKIE, TERMS_VERSION } from '../lib/terms'

const PASSAGE_MAX_SENTENCES = 250
/** Read-aloud pace, roughly the same in English and Bengali script: about 14 characters a second. */
const READING_CHARS_PER_SECOND = 14
const YEAR_SECONDS = 365 * 24 * 60 * 60

/** For serving only (no writes): the account, or the signed cookie and the account it is linked to. */
const contributorOf = (req: PayloadRequest): Contributor => {
  const cookie = verifiedClientCookie(req.payload.secret, req.headers.get('cookie'))
  return { userId: req.user ? Number(req.user.id) : cookie?.linkedUserId, clientId: cookie?.clientId }
}

const languageIdOf = async (req: PayloadRequest): Promise<number> => {
  const value = req.searchParams.get('language')
  if (!value) throw new APIError('Say which language: ?language=bn (a language code) or its id.', 400, undefined, true)
  const id = await activeLanguageId(req.payload, value)
  if (id === undefined) throw new APIError(`No language "${value}" is open for contribution.`, 404, undefined, true)
  return id
}

const cookie = (name: string, value: string, req: PayloadRequest) =>
  `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax${new URL(req.payload.config.serverURL || 'http://x').protocol === 'https:' ? '; Secure' : ''}`

/** The person behind a request for self-service (no consent needed): 401 when there is nobody. */
const requireContributor = async (req: PayloadRequest, doing: string): Promise<ContributorIdentity> => {
  const identity = await resolveContributor(req)
  if (!identity) throw new APIError(`Sign in, or use the browser you contributed with, to ${doing}.`, 401, undefined, true)
  return identity
}

/** Every browser id of this person: the request's, and for an account every browser linked to it. */
const browsersOf = async (req: PayloadRequest, identity: ContributorIdentity): Promise<string[]> => {
  const ids = new Set<string>(identity.clientId ? [identity.clientId] : [])
  if (identity.userId !== undefined) {
    const db = (req.payload.db as unknown as PostgresAdapter).drizzle
    const linked = (await db.execute(sql`SELECT client_id FROM contributors WHERE user_id = ${identity.userId}`)) as unknown as { rows: { client_id: string }[] }
    for (const row of linked.rows) ids.add(row.client_id)
  }
  return [...ids]
}

const takeoutView = (doc: { id: number | string; status?: unknown; createdAt?: unknown; expiresAt?: unknown; bytes?: unknown }) => ({
  id: doc.id,
  status: doc.status,
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt ?? null,
  bytes: doc.bytes ?? null,
  downloadUrl: doc.status === 'ready' ? `/api/site/takeout/${doc.id}/download` : null,
})

/**
 * The public site's API (`/api/site/...`): passages, skips and reports, consent, claim,
 * withdrawal, takeout, totals. The next sentences (`GET /api/site/next-sentences`) are answered by
 * the Express app ahead of Payload (src/server/app.ts, serveNextSentences.ts): the site's hottest read.
 */
export const contributionEndpoints: Endpoint[] = [
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
      const contributor = await requireConsentingContributor(req, 'skip or report sentences')
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
    // Consent: the server records the accepted terms version and, for a browser that has none (or
    // one it did not issue), mints a new anonymous id: an HttpOnly, signed cookie. New ids per
    // network address are capped (Express, RATE_LIMIT_NEW_IDENTITY).
    path: '/site/consent',
    method: 'post',
    handler: async (req) => {
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { termsVersion?: string }
      if (body.termsVersion !== TERMS_VERSION) {
        throw new APIError(`These terms have changed (now version ${TERMS_VERSION}): read and accept the current ones.`, 409, undefined, true)
      }
      const { cookies } = await recordConsent(req)
      const headers = new Headers({ 'Cache-Control': 'no-store' })
      for (const value of cookies) headers.append('Set-Cookie', value)
      headers.append('Set-Cookie', cookie(CONSENT_COOKIE, TERMS_VERSION, req))
      return Response.json({ ok: true, termsVersion: TERMS_VERSION }, { headers })
    },
  },
  {
    // After signing up or logging in: what this browser contributed anonymously becomes the
    // account's (recordings, transcriptions, votes, skips, reliability), and the browser is linked
    // to the account for good. Conflicts are dropped and counted, never a reason to fail.
    path: '/site/claim',
    method: 'post',
    handler: async (req) => {
      if (!req.user) throw new APIError('Sign in to keep what you contributed.', 401, undefined, true)
      const { cookies, ...moved } = await claimContributions(req)
      const headers = new Headers({ 'Cache-Control': 'no-store' })
      for (const value of cookies) headers.append('Set-Cookie', value)
      return Response.json({ ok: true, ...moved }, { headers })
    },
  },
  {
    // Withdrawal: everything this person contributed stops counting at once (serving, totals,
    // exports); a job deletes the recordings and their files; a tombstone keeps the counts.
    path: '/site/withdraw',
    method: 'post',
    handler: async (req) => {
      const identity = await requireContributor(req, 'withdraw your contributions')
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { confirm?: unknown }
      if (body.confirm !== true) {
        throw new APIError('Withdrawing deletes your recordings, votes and transcriptions for good. Send {"confirm": true} to go ahead.', 400, undefined, true)
      }
      const result = await withdrawNow(req.payload, {
        kind: identity.userId !== undefined ? 'account' : 'anonymous',
        userId: identity.userId,
        clientIds: await browsersOf(req, identity),
      })
      const headers = new Headers({ 'Cache-Control': 'no-store' })
      // This browser's id no longer works: forget it, and the consent with it.
      headers.append('Set-Cookie', `${CLIENT_ID_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly`)
      headers.append('Set-Cookie', `${CONSENT_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`)
      return Response.json({ ok: true, ...result }, { status: 202, headers })
    },
  },
  {
    // A copy of everything held about this person, built by a job; the profile shows the link.
    path: '/site/takeout',
    method: 'post',
    handler: async (req) => {
      const identity = await requireContributor(req, 'download your data')
      const owner: Where = identity.userId !== undefined ? { user: { equals: identity.userId } } : { clientId: { equals: identity.clientId } }
      // System reads and writes: the person was identified above.
      const waiting = await req.payload.find({ collection: 'takeouts', where: { and: [owner, { status: { equals: 'queued' } }] }, limit: 1, depth: 0 })
      if (waiting.docs[0]) return Response.json({ ok: true, takeout: takeoutView(waiting.docs[0]), alreadyQueued: true }, { status: 202 })
      const doc = await req.payload.create({
        collection: 'takeouts',
        data: identity.userId !== undefined ? { user: identity.userId, status: 'queued' } : { clientId: identity.clientId, status: 'queued' },
        depth: 0,
      })
      await getJobQueue().enqueue(BUILD_TAKEOUT, { takeoutId: Number(doc.id) })
      return Response.json({ ok: true, takeout: takeoutView(doc) }, { status: 202 })
    },
  },
  {
    path: '/site/takeout',
    method: 'get',
    handler: async (req) => {
      const identity = await requireContributor(req, 'see your data downloads')
      const owner: Where = identity.userId !== undefined ? { user: { equals: identity.userId } } : { clientId: { equals: identity.clientId } }
      const found = await req.payload.find({ collection: 'takeouts', where: owner, sort: '-createdAt', limit: 10, depth: 0 })
      return Response.json({ docs: found.docs.map(takeoutView) }, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  {
    path: '/site/takeout/:id/download',
    method: 'get',
    handler: async (req) => {
      const identity = await requireContributor(req, 'download your data')
      const id = Number(req.routeParams?.id)
      const doc = Number.isInteger(id) && id > 0 ? await req.payload.findByID({ collection: 'takeouts', id, depth: 0 }).catch(() => null) : null
      const mine =
        doc &&
        ((identity.userId !== undefined && Number(doc.user) === identity.userId) || (identity.clientId !== undefined && doc.clientId === identity.clientId))
      if (!doc || !mine) throw new APIError('No such download.', 404, undefined, true)
      if (doc.status !== 'ready' || !doc.file) throw new APIError('This download is still being prepared; try again in a minute.', 409, undefined, true)
      if (doc.expiresAt && new Date(String(doc.expiresAt)).getTime() < Date.now()) throw new APIError('This download has expired: ask for a new one.', 410, undefined, true)
      const file = path.join(takeoutDir(), path.basename(String(doc.file)))
      const stat = await fs.promises.stat(file).catch(() => undefined)
      if (!stat) throw new APIError('This download is gone: ask for a new one.', 410, undefined, true)
      return new Response(Readable.toWeb(fs.createReadStream(file)) as unknown as ReadableStream, {
        headers: {
          'Content-Type': 'application/zip',
          'Content-Length': String(stat.size),
          'Content-Disposition': 'attachment; filename="shrutik-my-data.zip"',
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        },
      })
    },
  },
  {
    path: '/site/stats',
    method: 'get',
    handler: async (req) => Response.json(await siteStats(req.payload), { headers: { 'Cache-Control': 'public, max-age=30' } }),
  },
]
