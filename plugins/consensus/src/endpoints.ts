import { databaseFor, emit, getFileStore, getJobQueue, getSegmentSource, hasRole, mediaTypeOf, serveStoredFile } from '@shrutik/plugin-sdk'
import { APIError, commitTransaction, initTransaction, killTransaction, ValidationError, type Endpoint, type PayloadRequest } from 'payload'

import { contributorOf, userOf, type Contributor } from './access'
import { DECISION_VALUES, REASONS } from './collections'
import { drizzleOf, rowsOf, sql, table, type Drizzle } from './db'
import { ESTIMATE_RELIABILITY, EVALUATE_SEGMENT } from './jobNames'
import { DECISIONS, SKIPS, type SanitizedConsensusOptions } from './options'
import { listReviewQueue } from './review'
import { lockDecision, segmentFacts } from './segments'
import { DECISION_ROWS } from './views'
import { nextSegments, type Task } from './serving'

const fail = (message: string, status: number): never => {
  throw new APIError(message, status, undefined, true)
}

/** First lines of the contributor endpoints: an account, or a server-issued anonymous id (a forged one is refused with 401 by the host). */
const requireContributor = async (req: PayloadRequest, settings: SanitizedConsensusOptions, doing: string): Promise<Contributor> =>
  (await contributorOf(req, settings)) ?? fail(`Sign in, or accept the contribution terms, to ${doing}.`, 401)

/** First lines of the reviewer endpoints. */
const requireReviewer = (req: PayloadRequest, doing: string): void => {
  if (!req.user) fail(`Sign in as a reviewer to ${doing}.`, 401)
  if (!hasRole(req.user, 'admin', 'reviewer')) fail(`Only reviewers and admins can ${doing}.`, 403)
}

const positiveInteger = (raw: string | null | undefined, name: string, example: string): number => {
  const value = Number(raw)
  if (raw === null || raw === undefined || raw === '' || !Number.isInteger(value) || value < 1) fail(`${name} must be a positive whole number, e.g. ${example}.`, 400)
  return value
}

const limitParam = (req: PayloadRequest, max: number, fallback = 5): number => {
  const raw = req.searchParams.get('limit')
  if (raw === null || raw === '') return Math.min(fallback, max)
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > max) fail(`limit must be a whole number from 1 to ${max}.`, 400)
  return value
}

/** The JSON body of a POST, or a 400 that shows what to send. */
const jsonBody = async (req: PayloadRequest, example: string): Promise<Record<string, unknown>> => {
  let text: string
  try {
    text = (await req.text?.()) ?? ''
  } catch {
    text = ''
  }
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    fail(`The request body is not valid JSON. Send e.g. ${example}`, 400)
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail(`Send a JSON object, e.g. ${example}`, 400)
  return body as Record<string, unknown>
}

const REASON_VALUES: readonly string[] = REASONS.map((reason) => reason.value)

const serve =
  (settings: SanitizedConsensusOptions, task: Task): Endpoint['handler'] =>
  async (req) => {
    const contributor = await requireContributor(req, settings, task === 'validation' ? 'validate recordings' : 'transcribe recordings')
    const languageId = positiveInteger(req.searchParams.get('language'), 'language (the language id, see GET /api/languages)', '?language=1')
    const limit = limitParam(req, settings.maxBatch)
    const docs = await nextSegments(req.payload, settings, task, contributor, languageId, limit, contributor.clientId)
    if (docs.length === 0) {
      const [language] = await rowsOf(drizzleOf(req.payload), sql`SELECT id FROM ${table(settings.slugs.languages)} WHERE id = ${languageId}`)
      if (!language) fail(`Language ${languageId} does not exist (see GET /api/languages for the ids).`, 400)
    }
    return Response.json({ docs, language: languageId, limit })
  }

const skip =
  (settings: SanitizedConsensusOptions): Endpoint['handler'] =>
  async (req) => {
    const contributor = await requireContributor(req, settings, 'skip segments')
    if (!contributor.consented) fail('Accept the current contribution terms before you skip or report recordings.', 403)
    const example = `{"segment": 123, "reason": "noisy"} (reason is optional: ${REASON_VALUES.join(', ')})`
    const body = await jsonBody(req, example)
    const segment = positiveInteger(body.segment === undefined ? undefined : String(body.segment), '"segment" (the segment id)', example)
    const reason = body.reason === undefined || body.reason === null || body.reason === '' ? null : body.reason
    if (reason !== null && (typeof reason !== 'string' || !REASON_VALUES.includes(reason))) fail(`"reason" must be one of ${REASON_VALUES.join(', ')} (or left out).`, 400)
    const mine = contributor.userId !== undefined ? sql`contributor_id = ${contributor.userId}` : sql`client_id = ${contributor.clientId}`
    const alreadySkipped = async () =>
      (await rowsOf<{ id: number }>(drizzleOf(req.payload), sql`SELECT id FROM ${table(SKIPS)} WHERE segment_id = ${segment} AND ${mine}`))[0]
    const existing = await alreadySkipped()
    if (existing) return Response.json({ ok: true, id: existing.id, alreadySkipped: true })
    try {
      // For the contributor: their own access rules apply.
      const doc = await req.payload.create({ collection: SKIPS as 'votes', data: { segment, reason } as never, req, overrideAccess: false, depth: 0 })
      return Response.json({ ok: true, id: doc.id, alreadySkipped: false }, { status: 201 })
    } catch (error) {
      // Two skips of the same segment at once: the database kept one.
      const raced = error instanceof ValidationError ? await alreadySkipped() : undefined
      if (raced) return Response.json({ ok: true, id: raced.id, alreadySkipped: true })
      throw error
    }
  }

const decide =
  (settings: SanitizedConsensusOptions): Endpoint['handler'] =>
  async (req) => {
    requireReviewer(req, 'decide segments')
    const segmentId = positiveInteger(req.routeParams?.id as string | undefined, 'The segment id', '/api/consensus/segments/123/decide')
    const example = '{"decision": "accepted"} or {"decision": "accepted", "text": "the transcript"} or {"decision": "rejected"} or {"decision": "reopened"}'
    const body = await jsonBody(req, example)
    const aliases: Record<string, (typeof DECISION_VALUES)[number]> = {
      accept: 'accepted',
      accepted: 'accepted',
      reject: 'rejected',
      rejected: 'rejected',
      reopen: 'reopened',
      reopened: 'reopened',
    }
    const decision = typeof body.decision === 'string' ? aliases[body.decision] : undefined
    if (!decision) fail(`"decision" must be "accepted", "rejected" or "reopened". Send e.g. ${example}`, 400)
    let text: string | null = null
    if (body.text !== undefined && body.text !== null) {
      if (typeof body.text !== 'string') fail('"text" must be a string (the transcript).', 400)
      text = (body.text as string).normalize('NFC').replace(/\s+/g, ' ').trim()
      if (text.length === 0) fail('"text" is empty: type the transcript, or leave "text" out.', 400)
      if (text.length > 5000) fail('"text" is longer than 5000 characters.', 400)
      if (decision !== 'accepted') fail(`A ${decision} segment has no transcript: leave "text" out.`, 400)
    }

    const startedHere = await initTransaction(req)
    try {
      const db = await databaseFor<Drizzle>(req)
      const segment = (await lockDecision(db, segmentId)) ? await segmentFacts(db, settings, segmentId) : undefined
      if (!segment) fail(`Segment ${segmentId} does not exist (it may have been reprocessed or deleted).`, 404)
      const previousText = segment!.agreedText
      let agreedText: string | null = null
      if (decision === 'accepted') {
        agreedText = text ?? (segment!.kind === 'validation' ? segment!.expectedText : previousText)
        if (!agreedText) fail('This segment has no agreed text yet: type the transcript ("text") to accept it.', 400)
      }
      if (decision === 'reopened') {
        // Back to the crowd: judgments made while it was decided count from the next evaluation on.
        await db.execute(sql`
          UPDATE ${DECISION_ROWS} SET
            status = 'pending', agreed_text = NULL, confidence = NULL, method = NULL, decided_by = NULL, decided_at = NULL, changed_at = now(), updated_at = now()
          WHERE segment_id = ${segmentId}`)
        await getJobQueue(req.payload).enqueue(EVALUATE_SEGMENT, { segmentId }, { req, dedupeKey: `segment-${segmentId}` })
      } else {
        await db.execute(sql`
          UPDATE ${DECISION_ROWS} SET
            status = ${decision}, agreed_text = ${agreedText}, confidence = 1, method = 'reviewer', decided_by = 'reviewer', decided_at = now(), changed_at = now(), updated_at = now()
          WHERE segment_id = ${segmentId}`)
        await emit(req.payload, 'segment.decided', { segmentId, status: decision as 'accepted' | 'rejected', decidedBy: 'reviewer', text: agreedText }, { req })
      }
      // System write of the audit record: the reviewer's right to decide was checked above.
      const record = await req.payload.create({
        collection: DECISIONS as 'votes',
        data: { segment: segmentId, reviewer: userOf(req)!.id, decision, text: agreedText, previousStatus: segment!.consensusStatus, previousText } as never,
        req,
        depth: 0,
      })
      if (startedHere) await commitTransaction(req)
      // The decision is gold for everyone who judged this segment: re-estimate reliability soon (one run
      // for a burst of reviews). The decision stands even if this fails; the hourly run catches up.
      try {
        await getJobQueue(req.payload).enqueue(ESTIMATE_RELIABILITY, { reason: 'review' }, { dedupeKey: 'after-review', delayMs: 60_000 })
      } catch (error) {
        req.payload.logger.warn({ msg: 'could not queue a reliability estimate after a review', error: (error as Error).message })
      }
      return Response.json({ ok: true, decision: record.id, segment: { id: segmentId, status: decision === 'reopened' ? 'pending' : decision, agreedText } })
    } catch (error) {
      if (startedHere) await killTransaction(req)
      throw error
    }
  }

/** The file store key of a segment's audio, from the segment source (the audio plugin); undefined unless it names an audio file. */
const audioKeyOf = (req: PayloadRequest, file: string): string | undefined =>
  mediaTypeOf(file).startsWith('audio/') ? getSegmentSource(req.payload.config)?.audioKey(file) : undefined

/**
 * A segment's audio, for whoever may judge it: reviewers and admins, its speaker, and any
 * contributor (account or consent cookie) while it is not rejected. Supports byte ranges
 * (Safari plays audio only with them).
 */
const audio =
  (settings: SanitizedConsensusOptions): Endpoint['handler'] =>
  async (req) => {
    const contributor = await requireContributor(req, settings, 'listen to recordings')
    const id = Number(req.routeParams?.id)
    if (!Number.isInteger(id) || id < 1) fail('No such segment.', 404)
    const segment = await segmentFacts(drizzleOf(req.payload), settings, id)
    const key = segment ? audioKeyOf(req, segment.file) : undefined
    if (!segment || !key) fail('No such segment.', 404)
    const own = (contributor.userId !== undefined && contributor.userId === segment!.ownerId) || (contributor.clientId !== undefined && contributor.clientId === segment!.ownerClientId)
    const open = segment!.audioStatus === 'ready' && segment!.consensusStatus !== 'rejected'
    if (!own && !open && !hasRole(req.user, 'admin', 'reviewer')) fail('No such segment.', 404)
    // From the media store (local folder or S3), with byte ranges.
    return serveStoredFile(getFileStore(req.payload), key!, {
      range: req.headers.get('range'),
      contentType: mediaTypeOf(segment!.file),
      headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, max-age=3600' },
      notFound: () => Response.json({ errors: [{ message: 'The audio of this segment is missing (it may be being reprocessed); try again shortly.' }] }, { status: 404 }),
    })
  }

export const consensusEndpoints = (settings: SanitizedConsensusOptions): Endpoint[] => [
  { path: '/consensus/next-validation', method: 'get', handler: serve(settings, 'validation') },
  { path: '/consensus/next-transcription', method: 'get', handler: serve(settings, 'transcription') },
  { path: '/consensus/skip', method: 'post', handler: skip(settings) },
  { path: '/consensus/segments/:id/decide', method: 'post', handler: decide(settings) },
  { path: '/consensus/segments/:id/audio', method: 'get', handler: audio(settings) },
  {
    path: '/consensus/review-queue',
    method: 'get',
    handler: async (req) => {
      requireReviewer(req, 'see the review queue')
      const page = req.searchParams.get('page') ? positiveInteger(req.searchParams.get('page'), 'page', '?page=2') : 1
      const limit = limitParam(req, 100, 20)
      const language = req.searchParams.get('language')
      const languageId = language ? positiveInteger(language, 'language (the language id)', '?language=1') : undefined
      return Response.json(await listReviewQueue(req.payload, settings, { page, limit, languageId }))
    },
  },
  {
    // Admins: re-estimate everyone's reliability now (it also runs on a schedule and after reviews).
    path: '/consensus/estimate-reliability',
    method: 'post',
    handler: async (req) => {
      if (!req.user) fail('Sign in as an admin to re-estimate reliability.', 401)
      if (!hasRole(req.user, 'admin')) fail('Only admins can re-estimate reliability.', 403)
      const queued = await getJobQueue(req.payload).enqueue(ESTIMATE_RELIABILITY, { reason: 'admin' }, { dedupeKey: 'manual' })
      return Response.json({ ok: true, jobId: queued.jobId, alreadyQueued: queued.deduplicated })
    },
  },
]
