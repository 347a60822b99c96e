import type { Payload } from 'payload'

import type { ConsensusStatus } from './core'
import { drizzleOf, rowsOf, sql, table } from './db'
import type { SanitizedConsensusOptions } from './options'
import { AUDIO_RECORDINGS, AUDIO_SEGMENTS, DECISION_ROWS, ENUM_TASK, taskOf, type SegmentTask } from './views'

/**
 * What a segment asks of people: a prompt segment carries the sentence read (`expectedText`) and is
 * validated; a segment of a long recording has none and is transcribed.
 */
export type SegmentKind = SegmentTask

/** What the plugin needs to know about a segment, read through the core's columns and the audio-processing plugin's published views. */
export interface SegmentFacts {
  id: number
  recordingId: number
  ownerId: number | null
  ownerClientId: string | null
  kind: SegmentKind
  audioStatus: string | null
  language: string | null
  expectedText: string | null
  file: string
  durationMs: number
  consensusStatus: ConsensusStatus
  decidedBy: 'crowd' | 'reviewer' | null
  agreedText: string | null
}

interface SegmentRow {
  id: number
  recording_id: number
  owner_id: number | null
  owner_client_id: string | null
  recording_status: string | null
  language: string | null
  kind: string
  text: string | null
  file: string
  duration_ms: string | number
  consensus_status: ConsensusStatus | null
  consensus_decided_by: 'crowd' | 'reviewer' | null
  agreed_text: string | null
}

/**
 * One segment with its recording's owner, audio state, language code and decision (pending when the
 * plugin has no row for it yet); a withdrawn recording's segments are gone for this plugin. System read.
 */
export const segmentFacts = async (db: ReturnType<typeof drizzleOf>, settings: SanitizedConsensusOptions, id: number): Promise<SegmentFacts | undefined> => {
  const { recordings, languages } = settings.slugs
  const [row] = await rowsOf<SegmentRow>(
    db,
    sql`SELECT a.id, a.recording_id, r.owner_id, r.client_id AS owner_client_id, ar.status AS recording_status, l.code AS language,
               a.kind, a.text, a.file, a.duration_ms, c.status AS consensus_status, c.decided_by AS consensus_decided_by, c.agreed_text
          FROM ${AUDIO_SEGMENTS} a
          LEFT JOIN ${DECISION_ROWS} c ON c.segment_id = a.id
          JOIN ${table(recordings)} r ON r.id = a.recording_id
          JOIN ${AUDIO_RECORDINGS} ar ON ar.id = r.id
          LEFT JOIN ${table(languages)} l ON l.id = r.language_id
         WHERE a.id = ${id} AND r.withdrawal_id IS NULL`,
  )
  if (!row) return undefined
  return {
    id: row.id,
    recordingId: row.recording_id,
    ownerId: row.owner_id,
    ownerClientId: row.owner_client_id,
    kind: taskOf(row.kind),
    audioStatus: row.recording_status,
    language: row.language,
    expectedText: row.text,
    file: row.file,
    durationMs: Number(row.duration_ms),
    consensusStatus: row.consensus_status ?? 'pending',
    decidedBy: row.consensus_decided_by,
    agreedText: row.agreed_text,
  }
}

/** The task a segment of the audio plugin's kind asks for, in SQL (a prompt is validated, the rest transcribed). */
const taskOfKind = sql`CASE WHEN a.kind = 'prompt' THEN 'validation' ELSE 'transcription' END`

/**
 * Locks one segment's decision row for this transaction (evaluations and reviews of it take turns),
 * making the row first if the plugin has not heard of the segment yet; false when there is no such segment.
 */
export const lockDecision = async (db: ReturnType<typeof drizzleOf>, segmentId: number): Promise<boolean> => {
  await db.execute(
    sql`INSERT INTO ${DECISION_ROWS} (segment_id, task, changed_at)
        SELECT a.id, (${taskOfKind})::${ENUM_TASK}, now() FROM ${AUDIO_SEGMENTS} a WHERE a.id = ${segmentId}
        ON CONFLICT (segment_id) DO NOTHING`,
  )
  // FOR NO KEY UPDATE: serialises evaluations and reviews of this segment (votes refer to the segment, not this row).
  return (await rowsOf(db, sql`SELECT segment_id FROM ${DECISION_ROWS} WHERE segment_id = ${segmentId} FOR NO KEY UPDATE`)).length > 0
}

/**
 * Records what a segment asks of people when the audio plugin announces it (`segment.ready`: a
 * prompt is validated, the rest transcribed), making its decision row (pending); until then it is
 * not served. Idempotent. System write.
 */
export const learnTask = async (payload: Payload, { segmentId, kind }: { segmentId: number; kind: string }): Promise<void> => {
  const task = taskOf(kind)
  // A segment deleted (reprocessed) before its announcement arrived gets no row.
  await drizzleOf(payload).execute(
    sql`INSERT INTO ${DECISION_ROWS} (segment_id, task, changed_at)
        SELECT a.id, ${task}::${ENUM_TASK}, now() FROM ${AUDIO_SEGMENTS} a WHERE a.id = ${segmentId}
        ON CONFLICT (segment_id) DO UPDATE SET task = EXCLUDED.task, changed_at = now(), updated_at = now()
        WHERE ${DECISION_ROWS}.task IS DISTINCT FROM EXCLUDED.task`,
  )
}

/** A relationship value as an id (documents arrive populated or not); the SDK's. */
/**
 * Makes the decision rows of segments this plugin never heard of (made while it was not installed or
 * disabled, so their `segment.ready` reached nobody): pending, with the task their kind asks for,
 * so they are served. Idempotent; returns how many rows it made. System write.
 */
export const learnUnknownSegments = async (payload: Payload): Promise<number> => {
  const made = await rowsOf<{ segment_id: number }>(
    drizzleOf(payload),
    sql`INSERT INTO ${DECISION_ROWS} (segment_id, task, changed_at)
        SELECT a.id, (${taskOfKind})::${ENUM_TASK}, now() FROM ${AUDIO_SEGMENTS} a
         WHERE NOT EXISTS (SELECT 1 FROM ${DECISION_ROWS} d WHERE d.segment_id = a.id)
        ON CONFLICT (segment_id) DO NOTHING
        RETURNING segment_id`,
  )
  return made.length
}

export { idOf } from '@shrutik/plugin-sdk'

