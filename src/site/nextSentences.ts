import { sql } from '@payloadcms/db-postgres'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

export interface Contributor {
  userId?: number
  clientId?: string
}

export interface ServedSentence {
  id: number
  text: string
  recordingCount: number
}

/**
 * The next sentences for a contributor to read: approved, in the language, not yet recorded,
 * skipped or reported by them; the least-recorded first and, among equals, from a random point of
 * each sentence's fixed random rank (`shuffle`), so concurrent contributors spread over the corpus.
 *
 * One statement: three index range scans on (language, status, recording_count, shuffle) —
 * lowest-count tier from the random point, the same tier before it, then higher tiers — appended
 * and cut at `limit`, so PostgreSQL stops as soon as it has enough rows. Sentences this contributor
 * already handled are filtered by index lookups (recordings and skips by sentence and contributor).
 */
export const nextSentences = async (
  payload: Payload,
  { languageId, limit, contributor, start = Math.floor(Math.random() * 2 ** 31) }: { languageId: number; limit: number; contributor: Contributor; start?: number },
): Promise<ServedSentence[]> => {
  const user = contributor.userId ?? null
  const client = contributor.clientId ?? null
  const open = sql`s.language_id = ${languageId} AND s.status = 'approved'
    AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.sentence_id = s.id AND (r.owner_id = ${user} OR r.client_id = ${client}))
    AND NOT EXISTS (SELECT 1 FROM sentence_skips k WHERE k.sentence_id = s.id AND (k.user_id = ${user} OR k.client_id = ${client}))`
  const result = await (payload.db as unknown as PostgresAdapter).drizzle.execute(sql`
    WITH floor AS (
      SELECT recording_count AS tier FROM sentences
      WHERE language_id = ${languageId} AND status = 'approved'
      ORDER BY recording_count LIMIT 1
    )
    SELECT id, text, recording_count FROM (
      (SELECT s.id, s.text, s.recording_count FROM sentences s
        WHERE ${open} AND s.recording_count = (SELECT tier FROM floor) AND s.shuffle >= ${start}
        ORDER BY s.shuffle LIMIT ${limit})
      UNION ALL
      (SELECT s.id, s.text, s.recording_count FROM sentences s
        WHERE ${open} AND s.recording_count = (SELECT tier FROM floor) AND s.shuffle < ${start}
        ORDER BY s.shuffle LIMIT ${limit})
      UNION ALL
      (SELECT s.id, s.text, s.recording_count FROM sentences s
        WHERE ${open} AND s.recording_count > (SELECT tier FROM floor)
        ORDER BY s.recording_count, s.shuffle LIMIT ${limit})
    ) served LIMIT ${limit}`)
  return (result.rows as { id: number; text: string; recording_count: number }[]).map((row) => ({
    id: Number(row.id),
    text: row.text,
    recordingCount: Number(row.recording_count),
  }))
}
