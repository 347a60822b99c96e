import fs from 'node:fs'
import { Readable } from 'node:stream'

import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { hasRole, userOf, type RoleHolder } from '../access'
import { requireConsentingContributor } from '../access/contributor'
import { checkRules, normalizeSentence, validateRules, type SentenceRules } from '../../collections/Sentences/core'
import { CORPUS_KINDS, corpusCoverage, corpusTsv, type CorpusKind } from './coverage'
import { pendingForReview, reportQueue, resolveReports, reviewSentence, ReviewError, type Reviewer } from './review'

/**
 * Curation endpoints under /api/curation: the rules' "try a sentence" box, import reports, sentence
 * review (reviewers; contributors too when Site settings allow it), the report queue, coverage and
 * the corpus TSVs. Each checks who is asking on its first lines.
 */

const bad = (message: string, status = 400) => new APIError(message, status, undefined, true)

const requireRole = (req: PayloadRequest, ...roles: ('admin' | 'reviewer')[]): RoleHolder => {
  const user = userOf(req)
  if (!user) throw bad('Sign in first.', 401)
  if (!hasRole(user, ...roles)) throw bad(`Only ${roles.join(' and ')}s may do this.`, 403)
  return user
}

const idParam = (req: PayloadRequest): number => {
  const id = Number(req.routeParams?.id)
  if (!Number.isInteger(id) || id < 1) throw bad('The id must be a number.')
  return id
}

/** `?language=` as a code (bn) or an id. */
const languageParam = async (req: PayloadRequest, { required }: { required: boolean }): Promise<number | undefined> => {
  const value = req.searchParams.get('language')
  if (!value) {
    if (required) throw bad('Say which language: ?language=bn (a language code) or its id.')
    return undefined
  }
  const found = await req.payload.find({
    collection: 'languages',
    where: /^\d+$/u.test(value) ? { id: { equals: Number(value) } } : { code: { equals: value } },
    limit: 1,
    depth: 0,
    req,
  })
  if (!found.docs[0]) throw bad(`No language "${value}".`, 404)
  return Number(found.docs[0].id)
}

const contributorsMayReview = async (req: PayloadRequest): Promise<boolean> => {
  // System read of one flag.
  const settings = (await req.payload.findGlobal({ slug: 'site-settings', depth: 0, req }).catch(() => null)) as { contributorsReviewSentences?: boolean } | null
  return Boolean(settings?.contributorsReviewSentences)
}

/** Reviewers and admins review; contributors (accounts or consenting anonymous ids) when the admin allows it. */
const reviewerOf = async (req: PayloadRequest): Promise<Reviewer> => {
  const user = userOf(req)
  if (hasRole(user, 'admin', 'reviewer')) return { userId: Number(user!.id) }
  if (!(await contributorsMayReview(req))) throw bad('Sentence review is open to reviewers only on this site.', 403)
  const identity = await requireConsentingContributor(req, 'review sentences')
  return identity.userId ? { userId: identity.userId } : { clientId: identity.clientId }
}

const asApiError = (error: unknown): never => {
  if (error instanceof ReviewError) throw bad(error.message, error.status)
  throw error
}

const tsvResponse = (chunks: AsyncIterable<string>, fileName: string): Response =>
  new Response(Readable.toWeb(Readable.from(chunks)) as ReadableStream, {
    headers: {
      'Content-Type': 'text/tab-separated-values; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  })

export const curationEndpoints: Endpoint[] = [
  {
    // "Try a sentence" on the language form: which rules fail, and why, for rules as edited (unsaved).
    path: '/curation/try-rules',
    method: 'post',
    handler: async (req) => {
      requireRole(req, 'admin', 'reviewer')
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { text?: unknown; rules?: unknown; language?: unknown }
      if (typeof body.text !== 'string' || body.text.length > 5000) throw bad('Send the sentence as "text" (at most 5000 characters).')
      let rules = body.rules as SentenceRules | undefined
      if (!rules && body.language !== undefined) {
        const language = await req.payload.findByID({ collection: 'languages', id: Number(body.language), depth: 0, req }).catch(() => null)
        if (!language) throw bad('No such language.', 404)
        rules = language.sentenceRules as SentenceRules
      }
      if (rules && typeof rules !== 'object') throw bad('"rules" must be an object.')
      const rulesProblem = rules ? validateRules(rules) : true
      const normalized = normalizeSentence(body.text)
      return Response.json({ normalized, ok: rulesProblem === true && checkRules(normalized, rules).length === 0, rulesProblem: rulesProblem === true ? null : rulesProblem, failures: checkRules(normalized, rules) })
    },
  },
  {
    // An import's report (TSV), for whoever may read the import.
    path: '/curation/imports/:id/report',
    method: 'get',
    handler: async (req) => {
      requireRole(req, 'admin', 'reviewer')
      const id = idParam(req)
      const doc = (await req.payload
        .findByID({ collection: 'sentence-imports', id, depth: 0, overrideAccess: false, req })
        .catch(() => null)) as { state?: string } | null
      if (!doc) throw bad(`Import ${id} does not exist.`, 404)
      if (doc.state !== 'done') throw bad(`Import ${id} is ${doc.state ?? 'queued'}; its report is ready when it is done.`, 409)
      // System read of the internal path (never exposed by the API).
      const internal = (await req.payload.findByID({ collection: 'sentence-imports', id, depth: 0, showHiddenFields: true, req })) as { reportPath?: string | null }
      if (!internal.reportPath || !fs.existsSync(internal.reportPath)) throw bad(`The report of import ${id} is missing.`, 410)
      return new Response(Readable.toWeb(fs.createReadStream(internal.reportPath)) as ReadableStream, {
        headers: {
          'Content-Type': 'text/tab-separated-values; charset=utf-8',
          'Content-Disposition': `attachment; filename="import-${id}-report.tsv"`,
          'X-Content-Type-Options': 'nosniff',
        },
      })
    },
  },
  {
    // Pending sentences to review, which this person has not reviewed yet.
    path: '/curation/review/next',
    method: 'get',
    handler: async (req) => {
      const reviewer = await reviewerOf(req)
      const languageId = await languageParam(req, { required: true })
      const limit = Math.min(Math.max(Number(req.searchParams.get('limit') ?? 10) || 10, 1), 50)
      const sentences = await pendingForReview(req.payload, languageId!, reviewer, limit)
      return Response.json({ sentences }, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  {
    // Approve or reject a pending sentence: { approve: boolean, reason?: string } (a reason is required to reject).
    path: '/curation/sentences/:id/review',
    method: 'post',
    handler: async (req) => {
      const reviewer = await reviewerOf(req)
      const id = idParam(req)
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { approve?: unknown; reason?: unknown }
      if (typeof body.approve !== 'boolean') throw bad('Send { "approve": true } or { "approve": false, "reason": "why" }.')
      const reason = typeof body.reason === 'string' ? body.reason.trim() : ''
      if (!body.approve && !reason) throw bad('Say why the sentence should be rejected ("reason").')
      return Response.json(await reviewSentence(req.payload, id, reviewer, { approve: body.approve, reason }).catch(asApiError))
    },
  },
  {
    // The report queue: reported sentences nobody has handled yet.
    path: '/curation/reports',
    method: 'get',
    handler: async (req) => {
      requireRole(req, 'admin', 'reviewer')
      const languageId = await languageParam(req, { required: false })
      const limit = Math.min(Math.max(Number(req.searchParams.get('limit') ?? 50) || 50, 1), 200)
      return Response.json({ sentences: await reportQueue(req.payload, { languageId, limit }) }, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  {
    // A reviewer's decision on a reported sentence: { action: "keep" | "retire" }.
    path: '/curation/sentences/:id/reports',
    method: 'post',
    handler: async (req) => {
      const user = requireRole(req, 'admin', 'reviewer')
      const id = idParam(req)
      const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { action?: unknown }
      if (body.action !== 'keep' && body.action !== 'retire') throw bad('Send { "action": "keep" } or { "action": "retire" }.')
      return Response.json(await resolveReports(req.payload, id, body.action, Number(user.id)).catch(asApiError))
    },
  },
  {
    path: '/curation/coverage',
    method: 'get',
    handler: async (req) => {
      requireRole(req, 'admin', 'reviewer')
      const languageId = await languageParam(req, { required: true })
      const coverage = await corpusCoverage(req.payload, languageId!)
      return Response.json(coverage, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  {
    // validated_sentences.tsv / unvalidated_sentences.tsv, as Common Voice publishes them.
    path: '/curation/corpus/:kind',
    method: 'get',
    handler: async (req) => {
      requireRole(req, 'admin')
      const kind = String(req.routeParams?.kind ?? '').replace(/_sentences\.tsv$/u, '') as CorpusKind
      if (!CORPUS_KINDS.includes(kind)) throw bad('Ask for validated_sentences.tsv or unvalidated_sentences.tsv.', 404)
      const languageId = await languageParam(req, { required: true })
      return tsvResponse(corpusTsv(req.payload, languageId!, kind), `${kind}_sentences.tsv`)
    },
  },
]
