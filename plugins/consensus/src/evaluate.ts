import { emit } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'

import { decideTranscription, decideValidation, type ConsensusStatus, type KnownReliability, type ReliabilityLookup, type SegmentVerdict } from './core'
import { drizzleOf, rowsOf, sql, table, contributorKey, type SQLQuery } from './db'
import { RELIABILITY, SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { lockDecision, segmentFacts, type SegmentFacts } from './segments'
import { DECISION_ROWS } from './views'

type Drizzle = ReturnType<typeof drizzleOf>

export interface VoteRow {
  contributor: string
  valid: boolean
}

export interface TranscriptRow {
  contributor: string
  text: string
}

/** A segment's votes (prompt) or transcriptions (long), oldest first, and its problem reports. */
export const loadJudgments = async (db: Drizzle, settings: SanitizedConsensusOptions, segment: Pick<SegmentFacts, 'id' | 'kind'>) => {
  const votes: VoteRow[] = []
  const transcripts: TranscriptRow[] = []
  if (segment.kind === 'validation') {
    const rows = await rowsOf<{ voter_id: number | null; client_id: string | null; valid: boolean }>(
      db,
      sql`SELECT voter_id, client_id, valid FROM ${table(VOTES)} WHERE segment_id = ${segment.id} ORDER BY updated_at, id`,
    )
    for (const row of rows) {
      const contributor = contributorKey(row.voter_id, row.client_id)
      if (contributor) votes.push({ contributor, valid: row.valid })
    }
  } else {
    const rows = await rowsOf<{ author_id: number | null; client_id: string | null; text: string }>(
      db,
      sql`SELECT author_id, client_id, text FROM ${table(settings.slugs.transcriptions)} WHERE item_id = ${segment.id} ORDER BY updated_at, id`,
    )
    for (const row of rows) {
      const contributor = contributorKey(row.author_id, row.client_id)
      if (contributor) transcripts.push({ contributor, text: row.text })
    }
  }
  const reporters = (
    await rowsOf<{ contributor_id: number | null; client_id: string | null }>(
      db,
      sql`SELECT contributor_id, client_id FROM ${table(SKIPS)} WHERE segment_id = ${segment.id} AND reason IS NOT NULL`,
    )
  )
    .map((row) => contributorKey(row.contributor_id, row.client_id))
    .filter((contributor): contributor is string => contributor !== undefined)
  return { votes, transcripts, reporters }
}

/** Accounts (and browsers linked to one) are judged by key `u:<id>`; a fresh anonymous id by `c:<id>`. */
export const isAccountKey = (contributor: string): boolean => contributor.startsWith('u:')

/** Stored reliability of the given contributors (keys `u:<id>` / `c:<client id>`). */
export const loadReliability = async (db: Drizzle, contributors: readonly string[]): Promise<Map<string, KnownReliability>> => {
  const userIds = contributors.filter((contributor) => contributor.startsWith('u:')).map((contributor) => Number(contributor.slice(2)))
  const clientIds = contributors.filter((contributor) => contributor.startsWith('c:')).map((contributor) => contributor.slice(2))
  const known = new Map<string, KnownReliability>()
  if (userIds.length === 0 && clientIds.length === 0) return known
  const rows = await rowsOf<{ contributor_id: number | null; client_id: string | null; vote_accuracy: string | null; votes: string | null; transcript_error_rate: string | null }>(
    db,
    sql`SELECT contributor_id, client_id, vote_accuracy, votes, transcript_error_rate FROM ${table(RELIABILITY)}
         WHERE contributor_id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))
            OR client_id IN (SELECT value FROM jsonb_array_elements_text(${JSON.stringify(clientIds)}::jsonb))`,
  )
  const number = (value: string | null) => (value === null ? null : Number(value))
  for (const row of rows) {
    const contributor = contributorKey(row.contributor_id, row.client_id)
    if (contributor) known.set(contributor, { voteAccuracy: number(row.vote_accuracy), votes: number(row.votes) ?? 0, transcriptErrorRate: number(row.transcript_error_rate) })
  }
  return known
}

/** The verdict for a segment from its judgments (pure once loaded). */
export const verdictFor = (
  settings: SanitizedConsensusOptions,
  segment: Pick<SegmentFacts, 'kind' | 'expectedText' | 'language'>,
  judgments: { votes: VoteRow[]; transcripts: TranscriptRow[]; reporters: string[] },
  reliability: ReliabilityLookup,
): SegmentVerdict => {
  const { reports, trustedReports } = weighReports(settings, judgments.reporters, reliability)
  return segment.kind === 'validation'
    ? decideValidation(judgments.votes, { expectedText: segment.expectedText, reports, trustedReports, reliability, isAccount: isAccountKey }, settings.decision)
    : decideTranscription(
        judgments.transcripts,
        { reports, reliability, isAccount: isAccountKey, normalize: segment.language ? { language: segment.language } : {} },
        settings.decision,
      )
}

/**
 * Reports weighted like judgments: an account or a calibrated judge counts 1, a fresh anonymous id
 * `untrustedWeight`, so uncalibrated reports need corroboration before a segment goes to review.
 */
export const weighReports = (settings: SanitizedConsensusOptions, reporters: readonly string[], reliability: ReliabilityLookup) => {
  let reports = 0
  let trustedReports = 0
  for (const contributor of new Set(reporters)) {
    const known = reliability(contributor)
    const calibrated = (known?.votes ?? 0) >= settings.decision.calibrationVotes || typeof known?.transcriptErrorRate === 'number'
    if (isAccountKey(contributor) || calibrated) {
      reports += 1
      trustedReports += 1
    } else reports += settings.decision.untrustedWeight
  }
  return { reports, trustedReports }
}

const DECIDED: ReadonlySet<ConsensusStatus> = new Set(['accepted', 'rejected'])
/** Statuses announced as `segment.decided`. */
const ANNOUNCED: ReadonlySet<ConsensusStatus> = new Set(['accepted', 'rejected', 'needs-review'])

/**
 * Writes a crowd verdict into the segment's decision (this plugin's `segment-decisions` row), unless
 * the segment is already decided (accepted or rejected, by the crowd or a reviewer): later
 * judgments are recorded but reopen nothing unless a reviewer reopens it. Writes nothing when
 * nothing changed. System write.
 */
const writeVerdict = (segment: SegmentFacts, verdict: SegmentVerdict, reports: number): SQLQuery => {
  const decidedAt = DECIDED.has(verdict.status) ? sql`CASE WHEN status::text = ${verdict.status} AND decided_at IS NOT NULL THEN decided_at ELSE now() END` : sql`NULL`
  return sql`
    UPDATE ${DECISION_ROWS} SET
      task = ${segment.kind},
      status = ${verdict.status},
      agreed_text = ${verdict.agreedText},
      confidence = ${verdict.confidence},
      judgments = ${verdict.judgments},
      reports = ${reports},
      method = ${verdict.method},
      decided_by = ${DECIDED.has(verdict.status) ? 'crowd' : null},
      decided_at = ${decidedAt},
      changed_at = now(),
      updated_at = now()
    WHERE segment_id = ${segment.id}
      AND decided_by IS DISTINCT FROM 'reviewer'
      AND (status IS NULL OR status::text NOT IN ('accepted', 'rejected'))
      AND (status::text IS DISTINCT FROM ${verdict.status}
        OR task::text IS DISTINCT FROM ${segment.kind}
        OR agreed_text IS DISTINCT FROM ${verdict.agreedText}
        OR confidence IS DISTINCT FROM ${verdict.confidence}::numeric
        OR judgments IS DISTINCT FROM ${verdict.judgments}::numeric
        OR reports IS DISTINCT FROM ${reports}::numeric
        OR method IS DISTINCT FROM ${verdict.method})
    RETURNING segment_id`
}

export type EvaluationOutcome = { outcome: 'missing' | 'reviewed' } | { outcome: 'unchanged' | 'updated'; verdict: SegmentVerdict }

/**
 * Re-reads every judgment of one segment and decides it with the current reliability weights.
 * Idempotent; concurrent evaluations of one segment take turns on its row lock, so the last
 * writer has read the latest judgments. System job code.
 */
export const evaluateSegment = async (payload: Payload, settings: SanitizedConsensusOptions, segmentId: number): Promise<EvaluationOutcome> =>
  drizzleOf(payload).transaction(async (tx) => {
    const db = tx as unknown as Drizzle
    if (!(await lockDecision(db, segmentId))) return { outcome: 'missing' as const }
    const segment = await segmentFacts(db, settings, segmentId)
    if (!segment) return { outcome: 'missing' as const }
    if (segment.decidedBy === 'reviewer') return { outcome: 'reviewed' as const }
    const judgments = await loadJudgments(db, settings, segment)
    const contributors = segment.kind === 'validation' ? judgments.votes.map((vote) => vote.contributor) : judgments.transcripts.map((row) => row.contributor)
    const reliability = await loadReliability(db, [...contributors, ...judgments.reporters])
    const verdict = verdictFor(settings, segment, judgments, (contributor) => reliability.get(contributor))
    const changed = (await rowsOf(db, writeVerdict(segment, verdict, judgments.reporters.length))).length > 0
    if (changed && verdict.status !== segment.consensusStatus && ANNOUNCED.has(verdict.status)) {
      // In this transaction: listeners hear of the decision only if it commits.
      const status = verdict.status as 'accepted' | 'rejected' | 'needs-review'
      await emit(payload, 'segment.decided', { segmentId, status, decidedBy: 'crowd', text: verdict.agreedText ?? null }, { db })
    }
    return { outcome: changed ? ('updated' as const) : ('unchanged' as const), verdict }
  })
