import { sql } from '@payloadcms/db-postgres'
import type { SqlExecutor } from '@shrutik/plugin-sdk'

type SentenceRef = number | string | { id: number | string } | null | undefined

/**
 * Keeps `sentences.recording_count` equal to the number of (not withdrawn) recordings of each
 * sentence: what serving orders by, and what the coverage view counts. It recomputes rather than
 * increments, in the caller's transaction, so retries and concurrent uploads can never drift it.
 */
export const recountSentenceRecordings = async (db: SqlExecutor, refs: SentenceRef[]): Promise<void> => {
  const ids = [...new Set(refs.map((ref) => (ref && typeof ref === 'object' ? ref.id : ref)).filter((id) => id !== null && id !== undefined))]
  for (const id of ids) {
    await db.execute(
      sql`UPDATE sentences SET recording_count = (SELECT count(*) FROM recordings WHERE sentence_id = ${Number(id)} AND withdrawal_id IS NULL) WHERE id = ${Number(id)}`,
    )
  }
}
