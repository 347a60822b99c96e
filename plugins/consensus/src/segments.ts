import type { ConsensusStatus } from './core'
import { rowsOf, sql, table, type drizzleOf } from './db'
import type { SanitizedConsensusOptions } from './options'

/**
 * What a segment asks of people: a prompt segment carries the sentence read (`expectedText`) and is
 * validated; a segment of a long recording has none and is transcribed.
 */
export type SegmentKind = 'validation' | 'transcription'

export const kindOf = (expectedText: string | null | undefined): SegmentKind => (expectedText ? 'validation' : 'transcription')

/** What the plugin needs to know about a segment, read through the documented columns of the core and audio-processing collections. */
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
}

interface SegmentRow {
  id: number
  recording_id: number
  owner_id: number | null
  owner_client_id: string | null
  audio_status: string | null
  language: string | null
  expected_text: string | null
  file: string
  duration_ms: string | number
  consensus_status: ConsensusStatus | null
  consensus_decided_by: 'crowd' | 'reviewer' | null
}

/** One segment with its recording's owner, audio state and language code; a withdrawn recording's segments are gone for this plugin. System read. */
export const segmentFacts = async (db: ReturnType<typeof drizzleOf>, settings: SanitizedConsensusOptions, id: number): Promise<SegmentFacts | undefined> => {
  const { segments, recordings, languages } = settings.slugs
  const [row] = await rowsOf<SegmentRow>(
    db,
    sql`SELECT s.id, s.recording_id, r.owner_id, r.client_id AS owner_client_id, r.audio_status, l.code AS language,
               s.expected_text, s.file, s.duration_ms, s.consensus_status, s.consensus_decided_by
          FROM ${table(segments)} s
          JOIN ${table(recordings)} r ON r.id = s.recording_id
          LEFT JOIN ${table(languages)} l ON l.id = r.language_id
         WHERE s.id = ${id} AND r.withdrawal_id IS NULL`,
  )
  if (!row) return undefined
  return {
    id: row.id,
    recordingId: row.recording_id,
    ownerId: row.owner_id,
    ownerClientId: row.owner_client_id,
    kind: kindOf(row.expected_text),
    audioStatus: row.audio_status,
    language: row.language,
    expectedText: row.expected_text,
    file: row.file,
    durationMs: Number(row.duration_ms),
    consensusStatus: row.consensus_status ?? 'pending',
    decidedBy: row.consensus_decided_by,
  }
}

/** A relationship value as an id (documents arrive populated or not); the SDK's. */
export { idOf } from '@shrutik/plugin-sdk'
