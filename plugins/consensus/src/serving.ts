import { drizzleOf, rowsOf, sql, table, type SQLQuery } from './db'
import type { Contributor } from './access'
import { SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { AUDIO_RECORDINGS, AUDIO_SEGMENTS, DECISION_ROWS } from './views'

export type Task = 'validation' | 'transcription'

export interface ServedSegment {
  id: number
  /** Plays the segment for whoever may judge it (GET, same cookie or session). */
  audioUrl: string
  expectedText: string | null
  durationMs: number
}

/** How many open segments one request looks at before choosing (bounded work, whatever the backlog). */
export const CANDIDATE_POOL = 400

export const audioUrlOf = (segmentId: number): string => `/api/consensus/segments/${segmentId}/audio`

/**
 * The next segments for one contributor to validate (segments of prompt recordings, which carry
 * their sentence) or transcribe (segments of long recordings), in ONE query: open segments (crowd
 * status pending) of ready recordings in the language, not the contributor's own, not judged or
 * skipped by them. From the oldest, most-judged candidates
 * (closest to a decision; the partial indexes `consensus_open_validation_idx` and
 * `consensus_open_transcription_idx` walk them in that order)
 * at most `maxPerSpeaker` per speaker are taken, speakers interleaved, random among equals.
 */
export const nextSegmentsQuery = (settings: SanitizedConsensusOptions, task: Task, contributor: Contributor, languageId: number, limit: number, cookieClientId?: string): SQLQuery => {
  const { recordings, transcriptions } = settings.slugs
  // Not one's own: by account, and by the cookie a signed-in contributor may have recorded with before.
  const ownerClient = contributor.clientId ?? cookieClientId
  const notOwn = sql.join(
    [
      contributor.userId !== undefined ? sql`r.owner_id IS DISTINCT FROM ${contributor.userId}` : sql`TRUE`,
      ownerClient !== undefined ? sql`r.client_id IS DISTINCT FROM ${ownerClient}` : sql`TRUE`,
    ],
    sql` AND `,
  )
  const byJudge = (alias: string, userColumn: string) =>
    contributor.userId !== undefined ? sql`${sql.identifier(alias)}.${sql.identifier(userColumn)} = ${contributor.userId}` : sql`${sql.identifier(alias)}.client_id = ${contributor.clientId}`
  const judged =
    task === 'validation'
      ? sql`NOT EXISTS (SELECT 1 FROM ${table(VOTES)} v WHERE v.segment_id = d.segment_id AND ${byJudge('v', 'voter_id')})`
      : sql`NOT EXISTS (SELECT 1 FROM ${table(transcriptions)} t WHERE t.item_id = d.segment_id AND ${byJudge('t', 'author_id')})`
  // Open decisions of the task walk one of the two partial indexes; the audio plugin's views give the clip and its recording's state.
  return sql`
    SELECT c.id, c.file, c.text, c.duration_ms
      FROM (
        SELECT p.*, row_number() OVER (PARTITION BY p.speaker_key ORDER BY p.shuffle) AS turn
          FROM (
            SELECT a.id, a.file, a.text, a.duration_ms,
                   COALESCE('u' || r.owner_id::text, 'c' || r.client_id, 'r' || r.id::text) AS speaker_key,
                   random() AS shuffle
              FROM ${DECISION_ROWS} d
              JOIN ${AUDIO_SEGMENTS} a ON a.id = d.segment_id
              JOIN ${table(recordings)} r ON r.id = a.recording_id
              JOIN ${AUDIO_RECORDINGS} ar ON ar.id = r.id
             WHERE d.status = 'pending'
               AND d.task = ${task}
               AND ar.ready
               AND r.withdrawal_id IS NULL
               AND r.language_id = ${languageId}
               AND ${notOwn}
               AND ${judged}
               AND NOT EXISTS (SELECT 1 FROM ${table(SKIPS)} k WHERE k.segment_id = d.segment_id AND ${byJudge('k', 'contributor_id')})
             ORDER BY d.judgments DESC, d.segment_id
             LIMIT ${CANDIDATE_POOL}
          ) p
      ) c
     WHERE c.turn <= ${settings.maxPerSpeaker}
     ORDER BY c.turn, c.shuffle
     LIMIT ${limit}`
}

export const nextSegments = async (
  payload: Parameters<typeof drizzleOf>[0],
  settings: SanitizedConsensusOptions,
  task: Task,
  contributor: Contributor,
  languageId: number,
  limit: number,
  cookieClientId?: string,
): Promise<ServedSegment[]> => {
  const rows = await rowsOf<{ id: number; file: string; text: string | null; duration_ms: string | number }>(
    drizzleOf(payload),
    nextSegmentsQuery(settings, task, contributor, languageId, limit, cookieClientId),
  )
  return rows.map((row) => ({ id: row.id, audioUrl: audioUrlOf(row.id), expectedText: row.text, durationMs: Number(row.duration_ms) }))
}
