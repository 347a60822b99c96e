import type { Payload } from 'payload'

import type { ConsensusStatus } from './core'
import { drizzleOf, rowsOf, sql, table } from './db'
import { DECISIONS, RELIABILITY, SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { audioUrlOf } from './serving'
import { AUDIO_SEGMENTS, DECISION_ROWS, taskOf } from './views'

/** Who gave a judgment, as a reviewer may see it: a display name, never an email or a client id. */
export interface Judgment {
  who: string
  userId: number | null
  /** Vote: valid or not, with the reason. Transcription: the text. Skip: the report reason. */
  valid?: boolean
  reason?: string | null
  text?: string
  /** The contributor's stored reliability, when estimated: vote accuracy or transcript error rate. */
  reliability: number | null
  at: string
}

export interface ReviewItem {
  id: number
  recordingId: number
  kind: 'validation' | 'transcription'
  audioUrl: string
  expectedText: string | null
  durationMs: number
  status: ConsensusStatus
  agreedText: string | null
  confidence: number | null
  judgments: number
  reports: number
  votes: Judgment[]
  transcriptions: Judgment[]
  skips: Judgment[]
}

export interface ReviewQueuePage {
  docs: ReviewItem[]
  totalDocs: number
  page: number
  limit: number
  totalPages: number
}

interface QueueRow {
  id: number
  recording_id: number
  kind: string
  text: string | null
  duration_ms: string
  consensus_status: ConsensusStatus
  consensus_agreed_text: string | null
  consensus_confidence: string | null
  consensus_judgments: string | null
  consensus_reports: string | null
  total: string
}

const who = (userId: number | null, name: string | null, clientTag: string | null) =>
  userId !== null ? (name ? `${name} (#${userId})` : `Contributor #${userId}`) : clientTag ? `Anonymous ${clientTag}` : 'Deleted account'

/**
 * Segments a reviewer should look at, most urgent first: those the crowd sent to review, then
 * the lowest-confidence ones (split votes, crowd decisions below the threshold, disputed texts).
 * Segments a reviewer has decided are not listed. System read for a reviewer (checked by callers).
 */
export const listReviewQueue = async (
  payload: Payload,
  settings: SanitizedConsensusOptions,
  { page = 1, limit = 20, languageId }: { page?: number; limit?: number; languageId?: number } = {},
): Promise<ReviewQueuePage> => {
  const db = drizzleOf(payload)
  const { recordings, transcriptions, users } = settings.slugs
  const inLanguage =
    languageId === undefined ? sql`TRUE` : sql`a.recording_id IN (SELECT r.id FROM ${table(recordings)} r WHERE r.language_id = ${languageId})`
  const offset = (page - 1) * limit
  const rows = await rowsOf<QueueRow>(
    db,
    sql`SELECT a.id, a.recording_id, a.kind, a.text, a.duration_ms, c.status AS consensus_status, c.agreed_text AS consensus_agreed_text,
               c.confidence AS consensus_confidence, c.judgments AS consensus_judgments, c.reports AS consensus_reports, count(*) OVER () AS total
          FROM ${DECISION_ROWS} c
          JOIN ${AUDIO_SEGMENTS} a ON a.id = c.segment_id
         WHERE c.decided_by IS DISTINCT FROM 'reviewer'
           AND ${inLanguage}
           AND (c.status = 'needs-review'
             OR (c.judgments > 0
                 AND c.confidence < CASE WHEN a.kind = 'prompt' THEN ${settings.decision.posteriorThreshold}::numeric ELSE ${settings.decision.transcriptConfidenceThreshold}::numeric END))
         ORDER BY (c.status = 'needs-review') DESC, c.confidence ASC NULLS LAST, c.segment_id
         LIMIT ${limit} OFFSET ${offset}`,
  )
  const totalDocs = rows.length > 0 ? Number(rows[0].total) : 0
  const ids = JSON.stringify(rows.map((row) => row.id))
  const inPage = sql`IN (SELECT value::int FROM jsonb_array_elements_text(${ids}::jsonb))`
  const clientTag = sql`CASE WHEN x.client_id IS NULL THEN NULL ELSE substr(md5(x.client_id), 1, 6) END`
  type JudgmentRow = { segment_id: number; user_id: number | null; name: string | null; client_tag: string | null; valid?: boolean; reason?: string | null; text?: string; reliability: string | null; at: string }
  const [voteRows, transcriptRows, skipRows] = rows.length
    ? await Promise.all([
        rowsOf<JudgmentRow>(
          db,
          sql`SELECT x.segment_id, x.voter_id AS user_id, u.name, ${clientTag} AS client_tag, x.valid, x.reason, rel.vote_accuracy AS reliability, x.updated_at AS at
                FROM ${table(VOTES)} x
                LEFT JOIN ${table(users)} u ON u.id = x.voter_id
                LEFT JOIN ${table(RELIABILITY)} rel ON (rel.contributor_id = x.voter_id OR rel.client_id = x.client_id)
               WHERE x.segment_id ${inPage} ORDER BY x.updated_at, x.id`,
        ),
        rowsOf<JudgmentRow>(
          db,
          sql`SELECT x.item_id AS segment_id, x.author_id AS user_id, u.name, ${clientTag} AS client_tag, x.text, rel.transcript_error_rate AS reliability, x.updated_at AS at
                FROM ${table(transcriptions)} x
                LEFT JOIN ${table(users)} u ON u.id = x.author_id
                LEFT JOIN ${table(RELIABILITY)} rel ON (rel.contributor_id = x.author_id OR rel.client_id = x.client_id)
               WHERE x.item_id ${inPage} ORDER BY x.updated_at, x.id`,
        ),
        rowsOf<JudgmentRow>(
          db,
          sql`SELECT x.segment_id, x.contributor_id AS user_id, u.name, ${clientTag} AS client_tag, x.reason, NULL AS reliability, x.updated_at AS at
                FROM ${table(SKIPS)} x
                LEFT JOIN ${table(users)} u ON u.id = x.contributor_id
               WHERE x.segment_id ${inPage} ORDER BY x.updated_at, x.id`,
        ),
      ])
    : [[], [], []]
  const grouped = (list: JudgmentRow[]) => {
    const bySegment = new Map<number, Judgment[]>()
    for (const row of list) {
      const judgment: Judgment = {
        who: who(row.user_id, row.name, row.client_tag),
        userId: row.user_id,
        reliability: row.reliability === null ? null : Number(row.reliability),
        at: new Date(row.at).toISOString(),
        ...(row.valid !== undefined ? { valid: row.valid } : {}),
        ...(row.reason !== undefined ? { reason: row.reason } : {}),
        ...(row.text !== undefined ? { text: row.text } : {}),
      }
      bySegment.set(row.segment_id, [...(bySegment.get(row.segment_id) ?? []), judgment])
    }
    return bySegment
  }
  const votes = grouped(voteRows)
  const texts = grouped(transcriptRows)
  const skips = grouped(skipRows)
  return {
    docs: rows.map((row) => ({
      id: row.id,
      recordingId: row.recording_id,
      kind: taskOf(row.kind),
      audioUrl: audioUrlOf(row.id),
      expectedText: row.text,
      durationMs: Number(row.duration_ms),
      status: row.consensus_status,
      agreedText: row.consensus_agreed_text,
      confidence: row.consensus_confidence === null ? null : Number(row.consensus_confidence),
      judgments: Number(row.consensus_judgments ?? 0),
      reports: Number(row.consensus_reports ?? 0),
      votes: votes.get(row.id) ?? [],
      transcriptions: texts.get(row.id) ?? [],
      skips: skips.get(row.id) ?? [],
    })),
    totalDocs,
    page,
    limit,
    totalPages: Math.max(1, Math.ceil(totalDocs / limit)),
  }
}

/** The latest reviewer decisions, for the review page's "recently decided" list. */
export const recentDecisions = async (payload: Payload, settings: SanitizedConsensusOptions, limit = 10) =>
  rowsOf<{ id: number; segment_id: number | null; decision: string; text: string | null; reviewer: string | null; at: string }>(
    drizzleOf(payload),
    sql`SELECT d.id, d.segment_id, d.decision, d.text, COALESCE(u.name, 'Reviewer #' || u.id::text) AS reviewer, d.created_at AS at
          FROM ${table(DECISIONS)} d LEFT JOIN ${table(settings.slugs.users)} u ON u.id = d.reviewer_id
         ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit}`,
  )
