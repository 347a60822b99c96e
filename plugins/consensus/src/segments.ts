import type { Payload } from 'payload'

import type { ConsensusStatus } from './core'
import { drizzleOf, rowsOf, sql, table } from './db'
import type { SanitizedConsensusOptions } from './options'
import { AUDIO_RECORDINGS, AUDIO_SEGMENTS, CONSENSUS_SEGMENTS, taskOf, type SegmentTask } from './views'

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

/** One segment with its recording's owner, audio state and language code; a withdrawn recording's segments are gone for this plugin. System read. */
export const segmentFacts = async (db: ReturnType<typeof drizzleOf>, settings: SanitizedConsensusOptions, id: number): Promise<SegmentFacts | undefined> => {
  const { recordings, languages } = settings.slugs
  const [row] = await rowsOf<SegmentRow>(
    db,
    sql`SELECT a.id, a.recording_id, r.owner_id, r.client_id AS owner_client_id, ar.status AS recording_status, l.code AS language,
               a.kind, a.text, a.file, a.duration_ms, c.status AS consensus_status, c.decided_by AS consensus_decided_by, c.agreed_text
          FROM ${AUDIO_SEGMENTS} a
          JOIN ${CONSENSUS_SEGMENTS} c ON c.segment_id = a.id
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

/** Locks one segment's decision row for this transaction (evaluations and reviews of it take turns); false when there is no such segment. */
export const lockDecision = async (db: ReturnType<typeof drizzleOf>, segmentId: number): Promise<boolean> =>
  // FOR NO KEY UPDATE: serialises evaluations and reviews of this segment without blocking new votes (their foreign key takes KEY SHARE).
  (await rowsOf(db, sql`SELECT segment_id FROM ${CONSENSUS_SEGMENTS} WHERE segment_id = ${segmentId} FOR NO KEY UPDATE`)).length > 0

/**
 * Records what a segment asks of people when the audio plugin announces it (`segment.ready`: a
 * prompt is validated, the rest transcribed); until then it is not served. Idempotent. System write.
 */
export const learnTask = async (payload: Payload, { segmentId, kind }: { segmentId: number; kind: string }): Promise<void> => {
  const task = taskOf(kind)
  await drizzleOf(payload).execute(
    sql`UPDATE ${CONSENSUS_SEGMENTS} SET task = ${task}, changed_at = now() WHERE segment_id = ${segmentId} AND task IS DISTINCT FROM ${task}`,
  )
}

/** A relationship value as an id (documents arrive populated or not); the SDK's. */
export { idOf } from '@shrutik/plugin-sdk'
