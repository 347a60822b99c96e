import { sql } from '@payloadcms/db-postgres'
import type { PayloadRequest } from 'payload'

import { databaseFor } from '../../src/db/transaction'

type SentenceRef = number | string | { id: number | string } | null | undefined

/**
 * Keeps `sentences.recording_count` equal to the number of (not withdrawn) recordings of each sentence. It
 * recomputes rather than increments, in the request's transaction, so retries and concurrent
 * uploads can never drift it.
 */
export const recountSentenceRecordings = async (req: PayloadRequest, refs: SentenceRef[]): Promise<void> => {
  const ids = [...new Set(refs.map((ref) => (ref && typeof ref === 'object' ? ref.id : ref)).filter((id) => id !== null && id !== undefined))]
  if (ids.length === 0) return
  const db = await databaseFor(req)
  for (const id of ids) {
    await db.execute(
      sql`UPDATE sentences SET recording_count = (SELECT count(*) FROM recordings WHERE sentence_id = ${Number(id)} AND withdrawal_id IS NULL) WHERE id = ${Number(id)}`,
    )
  }
}
