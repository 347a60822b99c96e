import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type pg from 'pg'

import { sentencePools } from '../contribution/sentencePool'

/**
 * Sentence review: approve/reject votes on pending sentences, decided by Common Voice's rule (N
 * votes on one side that outnumber the other), N per language. The host's own rule: sentence
 * curation must work without the consensus plugin (which applies the same rule to clips).
 * And the report queue: sentences contributors reported (the skip reasons other than "skip"),
 * which a reviewer keeps or retires. Retiring never deletes: recordings keep their sentence.
 */

export const REPORT_REASONS = ['offensive', 'grammar-spelling', 'different-language', 'hard-to-pronounce'] as const

export class ReviewError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

const poolOf = (payload: Payload): pg.Pool => (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

export interface Reviewer {
  userId?: number
  clientId?: string
}

export interface ReviewOutcome {
  sentence: number
  status: 'pending' | 'approved' | 'rejected'
  approvals: number
  rejections: number
  approvalsNeeded: number
}

/** "Is this sentence good?": approved or rejected once one side has N votes and outnumbers the other. */
const statusOf = (approvals: number, rejections: number, approvalsNeeded: number): ReviewOutcome['status'] => {
  if (approvals >= approvalsNeeded && approvals > rejections) return 'approved'
  if (rejections >= approvalsNeeded && rejections > approvals) return 'rejected'
  return 'pending'
}

/**
 * Records one person's vote (a second vote by the same person replaces the first) and decides the
 * sentence, in one transaction holding the sentence's row lock, so concurrent votes count once each.
 * Only pending sentences are reviewed: a decided sentence is not reopened by the crowd.
 */
export const reviewSentence = async (payload: Payload, sentenceId: number, reviewer: Reviewer, vote: { approve: boolean; reason?: string }): Promise<ReviewOutcome> => {
  if (!reviewer.userId && !reviewer.clientId) throw new ReviewError('Sign in, or accept the contribution terms, to review sentences.', 403)
  const client = await poolOf(payload).connect()
  let outcome: ReviewOutcome & { languageId: number }
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ status: string; language_id: number; approvals_needed: number | null }>(
      `SELECT s.status, s.language_id, l.approvals_needed FROM sentences s JOIN languages l ON l.id = s.language_id WHERE s.id = $1 FOR UPDATE OF s`,
      [sentenceId],
    )
    const sentence = rows[0]
    if (!sentence) throw new ReviewError(`Sentence ${sentenceId} does not exist.`, 404)
    if (sentence.status !== 'pending') throw new ReviewError(`Sentence ${sentenceId} is already ${sentence.status}; only pending sentences are reviewed.`, 409)
    const reason = vote.approve ? null : (vote.reason ?? '').trim().slice(0, 500) || null
    if (reviewer.userId) {
      await client.query(
        `INSERT INTO sentence_reviews (sentence_id, approve, reason, user_id, updated_at, created_at) VALUES ($1, $2, $3, $4, now(), now())
         ON CONFLICT (sentence_id, user_id) DO UPDATE SET approve = EXCLUDED.approve, reason = EXCLUDED.reason, updated_at = now()`,
        [sentenceId, vote.approve, reason, reviewer.userId],
      )
    } else {
      await client.query(
        `INSERT INTO sentence_reviews (sentence_id, approve, reason, client_id, updated_at, created_at) VALUES ($1, $2, $3, $4, now(), now())
         ON CONFLICT (sentence_id, client_id) DO UPDATE SET approve = EXCLUDED.approve, reason = EXCLUDED.reason, updated_at = now()`,
        [sentenceId, vote.approve, reason, reviewer.clientId],
      )
    }
    const counted = await client.query<{ up: number; down: number; reason: string | null }>(
      `SELECT count(*) FILTER (WHERE approve)::int AS up, count(*) FILTER (WHERE NOT approve)::int AS down,
              (SELECT reason FROM sentence_reviews WHERE sentence_id = $1 AND NOT approve AND reason IS NOT NULL ORDER BY updated_at DESC LIMIT 1) AS reason
         FROM sentence_reviews WHERE sentence_id = $1`,
      [sentenceId],
    )
    const { up, down } = counted.rows[0]
    const approvalsNeeded = Number(sentence.approvals_needed ?? 2)
    const status = statusOf(up, down, approvalsNeeded)
    await client.query(
      `UPDATE sentences SET approvals = $2, rejections = $3, status = $4::enum_sentences_status, rejection_reason = $5, updated_at = now() WHERE id = $1`,
      [sentenceId, up, down, status, status === 'rejected' ? counted.rows[0].reason : null],
    )
    await client.query('COMMIT')
    outcome = { sentence: sentenceId, status, approvals: up, rejections: down, approvalsNeeded, languageId: sentence.language_id }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
  // An approved sentence becomes servable: the site's pool for its language reloads.
  if (outcome.status === 'approved') sentencePools(payload).noteSentenceChanged(sentenceId, outcome.languageId, true)
  const { languageId: _languageId, ...result } = outcome
  return result
}

export interface PendingSentence {
  id: number
  text: string
  domain: string | null
  source: string | null
  approvals: number
  rejections: number
}

/** Pending sentences of a language this person has not reviewed yet, oldest first. */
export const pendingForReview = async (payload: Payload, languageId: number, reviewer: Reviewer, limit: number): Promise<PendingSentence[]> => {
  const { rows } = await poolOf(payload).query<PendingSentence>(
    `SELECT s.id, s.text, s.domain, s.source, COALESCE(s.approvals, 0)::int AS approvals, COALESCE(s.rejections, 0)::int AS rejections
       FROM sentences s
      WHERE s.language_id = $1 AND s.status = 'pending'
        AND NOT EXISTS (SELECT 1 FROM sentence_reviews r WHERE r.sentence_id = s.id AND (r.user_id = $2 OR r.client_id = $3))
      ORDER BY s.id LIMIT $4`,
    [languageId, reviewer.userId ?? null, reviewer.clientId ?? null, limit],
  )
  return rows
}

export interface ReportedSentence {
  id: number
  text: string
  status: string
  language: string
  recordingCount: number
  reports: number
  reasons: Record<string, number>
}

/** The report queue: sentences with reports nobody has handled yet, most reported first. */
export const reportQueue = async (payload: Payload, { languageId, limit }: { languageId?: number; limit: number }): Promise<ReportedSentence[]> => {
  const { rows } = await poolOf(payload).query(
    `SELECT s.id, s.text, s.status, l.code AS language, s.recording_count::int AS "recordingCount", count(*)::int AS reports,
            jsonb_object_agg(k.reason, k.n) AS reasons
       FROM (SELECT sentence_id, reason::text AS reason, count(*)::int AS n FROM sentence_skips
              WHERE reason <> 'skip' AND resolution IS NULL GROUP BY sentence_id, reason) k
       JOIN sentences s ON s.id = k.sentence_id JOIN languages l ON l.id = s.language_id
      WHERE s.status <> 'retired' AND ($1::int IS NULL OR s.language_id = $1)
      GROUP BY s.id, l.code ORDER BY sum(k.n) DESC, s.id LIMIT $2`,
    [languageId ?? null, limit],
  )
  return rows.map((row) => ({ ...row, reports: Object.values(row.reasons as Record<string, number>).reduce((sum, n) => sum + n, 0) }))
}

/**
 * A reviewer's decision on a reported sentence: `retire` takes it out of serving for good (its
 * recordings keep it), `keep` leaves it as it is. Either way its open reports are marked handled.
 */
export const resolveReports = async (payload: Payload, sentenceId: number, action: 'keep' | 'retire', reviewerId: number): Promise<{ sentence: number; status: string; resolved: number }> => {
  const client = await poolOf(payload).connect()
  let result: { sentence: number; status: string; resolved: number; languageId: number }
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ status: string; language_id: number }>('SELECT status, language_id FROM sentences WHERE id = $1 FOR UPDATE', [sentenceId])
    if (!rows[0]) throw new ReviewError(`Sentence ${sentenceId} does not exist.`, 404)
    const status = action === 'retire' ? 'retired' : rows[0].status
    if (action === 'retire') await client.query(`UPDATE sentences SET status = 'retired', updated_at = now() WHERE id = $1`, [sentenceId])
    const resolved = await client.query(
      `UPDATE sentence_skips SET resolution = $2, resolved_by_id = $3, updated_at = now() WHERE sentence_id = $1 AND reason <> 'skip' AND resolution IS NULL`,
      [sentenceId, action === 'retire' ? 'retired' : 'kept', reviewerId],
    )
    await client.query('COMMIT')
    result = { sentence: sentenceId, status, resolved: resolved.rowCount ?? 0, languageId: rows[0].language_id }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
  if (action === 'retire') sentencePools(payload).noteSentenceChanged(sentenceId, result.languageId, false)
  return { sentence: result.sentence, status: result.status, resolved: result.resolved }
}
