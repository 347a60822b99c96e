import { getJobQueue, type JobDefinition } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'

import { estimatePopulation, type ContributorReliabilityEstimate, type KnownReliability, type TranscriptInput, type VoteInput } from './core'
import { drizzleOf, rowsOf, sql, table, contributorKey } from './db'
import { evaluateSegment, verdictFor, type TranscriptRow, type VoteRow } from './evaluate'
import { ESTIMATE_RELIABILITY, EVALUATE_SEGMENT } from './jobNames'
import { DECISIONS, RELIABILITY, SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { learnUnknownSegments } from './segments'
import { AUDIO_SEGMENTS, DECISION_ROWS, taskOf } from './views'

const isSegmentId = (data: unknown) => Number.isInteger((data as { segmentId?: unknown } | undefined)?.segmentId)

/** `consensus.evaluate-segment`: re-decide one segment from all its judgments. */
export const createEvaluateSegmentJob = (settings: SanitizedConsensusOptions): JobDefinition<typeof EVALUATE_SEGMENT> => ({
  name: EVALUATE_SEGMENT,
  concurrency: 5,
  retries: 3,
  backoffMs: 1000,
  timeoutMs: 60_000,
  lockLifetimeMs: 60_000,
  validate: (data) => (isSegmentId(data) ? undefined : 'segmentId must be an integer'),
  async handler({ data, payload, log }) {
    const result = await evaluateSegment(payload, settings, data.segmentId)
    if ('verdict' in result) {
      const { status, judgments, method } = result.verdict
      log(`segment ${result.outcome}`, { segmentId: data.segmentId, status, judgments, method }, 'debug')
    } else if (result.outcome === 'missing') log('segment is gone; nothing to decide', { segmentId: data.segmentId }, 'debug')
    else log('segment was decided by a reviewer; left as it is', { segmentId: data.segmentId }, 'debug')
  },
})

type Drizzle = ReturnType<typeof drizzleOf>

interface Population {
  votes: VoteInput[]
  transcriptsByLanguage: Map<string, TranscriptInput[]>
  voteGold: Record<string, boolean>
  transcriptGold: Record<string, string>
}

/** Every judgment, and every reviewer decision as gold (the latest per segment). System read. */
const loadPopulation = async (db: Drizzle, settings: SanitizedConsensusOptions): Promise<Population> => {
  const { recordings, languages, transcriptions } = settings.slugs
  const votes: VoteInput[] = []
  const voteRows = await rowsOf<{ segment_id: number; voter_id: number | null; client_id: string | null; valid: boolean }>(
    db,
    sql`SELECT v.segment_id, v.voter_id, v.client_id, v.valid
          FROM ${table(VOTES)} v
          JOIN ${AUDIO_SEGMENTS} a ON a.id = v.segment_id
         WHERE a.kind = 'prompt'
         ORDER BY v.updated_at, v.id`,
  )
  for (const row of voteRows) {
    const contributor = contributorKey(row.voter_id, row.client_id)
    if (contributor) votes.push({ item: String(row.segment_id), contributor, valid: row.valid })
  }
  const transcriptsByLanguage = new Map<string, TranscriptInput[]>()
  const transcriptRows = await rowsOf<{ item_id: number; author_id: number | null; client_id: string | null; text: string; language: string | null }>(
    db,
    sql`SELECT t.item_id, t.author_id, t.client_id, t.text, l.code AS language
          FROM ${table(transcriptions)} t
          JOIN ${AUDIO_SEGMENTS} a ON a.id = t.item_id
          JOIN ${table(recordings)} r ON r.id = a.recording_id
          LEFT JOIN ${table(languages)} l ON l.id = r.language_id
         WHERE a.kind <> 'prompt'
         ORDER BY t.updated_at, t.id`,
  )
  for (const row of transcriptRows) {
    const contributor = contributorKey(row.author_id, row.client_id)
    if (!contributor) continue
    const language = row.language ?? 'und'
    const list = transcriptsByLanguage.get(language) ?? []
    list.push({ item: String(row.item_id), contributor, text: row.text })
    transcriptsByLanguage.set(language, list)
  }
  const voteGold: Record<string, boolean> = {}
  const transcriptGold: Record<string, string> = {}
  const decisions = await rowsOf<{ segment_id: number; decision: string; text: string | null; kind: string }>(
    db,
    sql`SELECT DISTINCT ON (d.segment_id) d.segment_id, d.decision, d.text, a.kind
          FROM ${table(DECISIONS)} d
          JOIN ${AUDIO_SEGMENTS} a ON a.id = d.segment_id
         ORDER BY d.segment_id, d.created_at DESC, d.id DESC`,
  )
  for (const row of decisions) {
    if (taskOf(row.kind) === 'validation') voteGold[String(row.segment_id)] = row.decision === 'accepted'
    else if (row.decision === 'accepted' && row.text) transcriptGold[String(row.segment_id)] = row.text
  }
  return { votes, transcriptsByLanguage, voteGold, transcriptGold }
}

/** Upserts the estimates in two statements (accounts, anonymous contributors). System write. */
const storeEstimates = async (db: Drizzle, settings: SanitizedConsensusOptions, estimates: readonly ContributorReliabilityEstimate[]) => {
  const shape = (estimate: ContributorReliabilityEstimate) => ({
    votes: estimate.votes,
    vote_accuracy: estimate.voteAccuracy,
    vote_weight: estimate.voteWeight,
    transcriptions: estimate.transcriptions,
    transcript_error_rate: estimate.transcriptErrorRate,
    transcript_weight: estimate.transcriptWeight,
    items_judged: estimate.itemsJudged,
  })
  const users = estimates.filter((estimate) => estimate.contributor.startsWith('u:')).map((estimate) => ({ key: Number(estimate.contributor.slice(2)), ...shape(estimate) }))
  const clients = estimates.filter((estimate) => estimate.contributor.startsWith('c:')).map((estimate) => ({ key: estimate.contributor.slice(2), ...shape(estimate) }))
  const columns = sql`votes numeric, vote_accuracy numeric, vote_weight numeric, transcriptions numeric, transcript_error_rate numeric, transcript_weight numeric, items_judged numeric`
  const values = sql`x.votes, x.vote_accuracy, x.vote_weight, x.transcriptions, x.transcript_error_rate, x.transcript_weight, x.items_judged, now(), now()`
  const updates = sql`votes = EXCLUDED.votes, vote_accuracy = EXCLUDED.vote_accuracy, vote_weight = EXCLUDED.vote_weight,
    transcriptions = EXCLUDED.transcriptions, transcript_error_rate = EXCLUDED.transcript_error_rate,
    transcript_weight = EXCLUDED.transcript_weight, items_judged = EXCLUDED.items_judged, updated_at = now()`
  const targets = sql.raw('votes, vote_accuracy, vote_weight, transcriptions, transcript_error_rate, transcript_weight, items_judged, updated_at, created_at')
  if (users.length > 0) {
    // Only accounts that still exist (a deleted user's votes keep no reliability).
    await db.execute(sql`
      INSERT INTO ${table(RELIABILITY)} (contributor_id, ${targets})
      SELECT x.key, ${values} FROM jsonb_to_recordset(${JSON.stringify(users)}::jsonb) AS x(key int, ${columns})
       WHERE EXISTS (SELECT 1 FROM ${table(settings.slugs.users)} u WHERE u.id = x.key)
      ON CONFLICT (contributor_id) DO UPDATE SET ${updates}`)
  }
  if (clients.length > 0) {
    await db.execute(sql`
      INSERT INTO ${table(RELIABILITY)} (client_id, ${targets})
      SELECT x.key, ${values} FROM jsonb_to_recordset(${JSON.stringify(clients)}::jsonb) AS x(key text, ${columns})
      ON CONFLICT (client_id) DO UPDATE SET ${updates}`)
  }
}

/** Rows grouped by their `item`, in order. */
const groupBy = <Row extends { item: string }, Out>(rows: readonly Row[], map: (row: Row) => Out): Map<string, Out[]> => {
  const groups = new Map<string, Out[]>()
  for (const row of rows) {
    const list = groups.get(row.item)
    if (list) list.push(map(row))
    else groups.set(row.item, [map(row)])
  }
  return groups
}

interface StoredConsensus {
  id: number
  kind: string
  text: string | null
  language: string | null
  consensus_status: string | null
  consensus_agreed_text: string | null
  consensus_confidence: string | null
  consensus_decided_by: string | null
  reporters: string[]
}

/**
 * Re-estimates everyone's reliability from all judgments (reviewer decisions as gold), stores it,
 * then queues a re-evaluation of every open segment (decided ones are not reopened) whose verdict
 * the new weights change. Idempotent: a second run over the same data stores the same numbers and queues nothing.
 * System job code.
 */
export const estimateReliability = async (payload: Payload, settings: SanitizedConsensusOptions) => {
  const db = drizzleOf(payload)
  const population = await loadPopulation(db, settings)
  const estimates = estimatePopulation(population, settings.decision)
  await db.transaction(async (tx) => storeEstimates(tx as unknown as Drizzle, settings, estimates))

  const known = new Map<string, KnownReliability>(estimates.map((estimate) => [estimate.contributor, { voteAccuracy: estimate.voteAccuracy, votes: estimate.votes, transcriptErrorRate: estimate.transcriptErrorRate }]))
  const votesBySegment = groupBy(population.votes, (vote): VoteRow => ({ contributor: vote.contributor, valid: vote.valid }))
  const transcriptsBySegment = groupBy([...population.transcriptsByLanguage.values()].flat(), (row): TranscriptRow => ({ contributor: row.contributor, text: row.text }))
  const judged = [...new Set([...votesBySegment.keys(), ...transcriptsBySegment.keys()])].map(Number)
  const { recordings, languages } = settings.slugs
  const stored = judged.length
    ? await rowsOf<StoredConsensus>(
        db,
        sql`SELECT a.id, a.kind, a.text, l.code AS language, c.status AS consensus_status, c.agreed_text AS consensus_agreed_text,
                   c.confidence AS consensus_confidence, c.decided_by AS consensus_decided_by,
                   ARRAY(SELECT coalesce('u:' || k.contributor_id::text, 'c:' || k.client_id) FROM ${table(SKIPS)} k WHERE k.segment_id = a.id AND k.reason IS NOT NULL) AS reporters
              FROM ${AUDIO_SEGMENTS} a
              LEFT JOIN ${DECISION_ROWS} c ON c.segment_id = a.id
              JOIN ${table(recordings)} r ON r.id = a.recording_id
              LEFT JOIN ${table(languages)} l ON l.id = r.language_id
             WHERE a.id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(judged)}::jsonb))
               AND c.decided_by IS DISTINCT FROM 'reviewer'
               AND (c.status IS NULL OR c.status::text NOT IN ('accepted', 'rejected'))`,
      )
    : []
  const affected: number[] = []
  for (const row of stored) {
    const verdict = verdictFor(
      settings,
      { kind: taskOf(row.kind), expectedText: row.text, language: row.language },
      { votes: votesBySegment.get(String(row.id)) ?? [], transcripts: transcriptsBySegment.get(String(row.id)) ?? [], reporters: row.reporters ?? [] },
      (contributor) => known.get(contributor),
    )
    const confidence = row.consensus_confidence === null ? null : Number(row.consensus_confidence)
    const changed =
      verdict.status !== row.consensus_status ||
      verdict.agreedText !== row.consensus_agreed_text ||
      confidence === null ||
      Math.abs(confidence - verdict.confidence) > 1e-9
    if (changed) affected.push(row.id)
  }
  for (const segmentId of affected) await getJobQueue(payload).enqueue(EVALUATE_SEGMENT, { segmentId }, { dedupeKey: `segment-${segmentId}` })
  const transcriptions = [...population.transcriptsByLanguage.values()].reduce((sum, list) => sum + list.length, 0)
  return { contributors: estimates.length, votes: population.votes.length, transcriptions, reevaluated: affected.length }
}

/** `consensus.estimate-reliability`: on a schedule, after review decisions, or by hand. */
export const createEstimateReliabilityJob = (settings: SanitizedConsensusOptions): JobDefinition<typeof ESTIMATE_RELIABILITY> => ({
  name: ESTIMATE_RELIABILITY,
  concurrency: 1,
  retries: 2,
  backoffMs: 30_000,
  timeoutMs: 30 * 60_000,
  lockLifetimeMs: 5 * 60_000,
  ...(settings.reliabilitySchedule === false ? {} : { every: settings.reliabilitySchedule }),
  validate: (data) => (data === undefined || data === null || typeof data === 'object' ? undefined : 'data must be an object'),
  async handler({ payload, log, touch }) {
    // Segments made while this plugin was left out are served from now on.
    const learnt = await learnUnknownSegments(payload)
    if (learnt > 0) log('segments this plugin had not heard of are now open', { segments: learnt })
    await touch(10)
    const result = await estimateReliability(payload, settings)
    log('reliability estimated', result)
  },
})
