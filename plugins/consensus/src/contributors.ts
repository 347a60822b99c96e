import { getJobQueue, type ContributorHandlers, type SqlExecutor } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'

import { sql, table, type SQLQuery } from './db'
import { EVALUATE_SEGMENT, ESTIMATE_RELIABILITY } from './jobNames'
import { RELIABILITY, SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { AUDIO_SEGMENTS } from './views'

type Result = { rows?: { segment_id?: number }[]; rowCount?: number | null }

const run = async (db: SqlExecutor, query: SQLQuery): Promise<Result> => (await db.execute(query)) as Result

const segmentsOf = (result: Result): number[] => (result.rows ?? []).map((row) => Number(row.segment_id)).filter(Number.isInteger)

const evaluateLater = (payload: Payload, segmentIds: Iterable<number>) => async () => {
  for (const segmentId of new Set(segmentIds)) await getJobQueue(payload).enqueue(EVALUATE_SEGMENT, { segmentId }, { dedupeKey: `segment-${segmentId}` })
}

/**
 * The consensus plugin's part of a claim and of a withdrawal: votes, skips and reliability move
 * to the account (or go), and so does the own-recording rule: a judgment the anonymous browser made
 * of a recording that is now the account's own is dropped, never a reason to fail the claim.
 */
export const consensusContributorHandlers = (settings: SanitizedConsensusOptions): ContributorHandlers => {
  const { recordings, transcriptions } = settings.slugs
  const ownRecording = (segmentColumn: SQLQuery, userId: number) =>
    sql`EXISTS (SELECT 1 FROM ${AUDIO_SEGMENTS} s JOIN ${table(recordings)} r ON r.id = s.recording_id WHERE s.id = ${segmentColumn} AND r.owner_id = ${userId})`
  return {
    name: 'consensus',
    async claim({ db, payload, clientId, userId }) {
      const droppedVotes = await run(
        db,
        sql`DELETE FROM ${table(VOTES)} v WHERE v.client_id = ${clientId}
              AND (${ownRecording(sql`v.segment_id`, userId)} OR EXISTS (SELECT 1 FROM ${table(VOTES)} o WHERE o.segment_id = v.segment_id AND o.voter_id = ${userId}))
            RETURNING v.segment_id`,
      )
      const votes = await run(db, sql`UPDATE ${table(VOTES)} SET voter_id = ${userId}, client_id = NULL WHERE client_id = ${clientId} RETURNING segment_id`)
      // Transcriptions are core's to move; those of the account's own recordings are this plugin's rule.
      const droppedTranscriptions = await run(
        db,
        sql`DELETE FROM ${table(transcriptions)} t WHERE t.client_id = ${clientId} AND ${ownRecording(sql`t.item_id`, userId)} RETURNING t.item_id AS segment_id`,
      )
      const droppedSkips = await run(
        db,
        sql`DELETE FROM ${table(SKIPS)} k WHERE k.client_id = ${clientId}
              AND EXISTS (SELECT 1 FROM ${table(SKIPS)} o WHERE o.segment_id = k.segment_id AND o.contributor_id = ${userId})`,
      )
      const skips = await run(db, sql`UPDATE ${table(SKIPS)} SET contributor_id = ${userId}, client_id = NULL WHERE client_id = ${clientId} RETURNING segment_id`)
      // Reliability history: the browser's row becomes the account's, unless the account has one (the next estimate merges them).
      const reliability = await run(
        db,
        sql`UPDATE ${table(RELIABILITY)} SET contributor_id = ${userId}, client_id = NULL
             WHERE client_id = ${clientId} AND NOT EXISTS (SELECT 1 FROM ${table(RELIABILITY)} o WHERE o.contributor_id = ${userId})`,
      )
      await run(db, sql`DELETE FROM ${table(RELIABILITY)} WHERE client_id = ${clientId}`)
      const changed = [...segmentsOf(droppedVotes), ...segmentsOf(votes), ...segmentsOf(droppedTranscriptions), ...segmentsOf(skips)]
      return {
        counts: { votes: votes.rowCount ?? 0, consensusSkips: skips.rowCount ?? 0, reliability: reliability.rowCount ?? 0 },
        dropped: { votes: droppedVotes.rowCount ?? 0, transcriptions: droppedTranscriptions.rowCount ?? 0, consensusSkips: droppedSkips.rowCount ?? 0 },
        after: settings.enabled
          ? async () => {
              await evaluateLater(payload, changed)()
              await getJobQueue(payload).enqueue(ESTIMATE_RELIABILITY, { reason: 'claim' }, { dedupeKey: 'after-claim', delayMs: 60_000 })
            }
          : undefined,
      }
    },
    async withdraw({ db, payload, userId, clientIds }) {
      const whose = (userColumn: string) =>
        sql`(${userId === undefined ? sql`FALSE` : sql`${sql.identifier(userColumn)} = ${userId}`} OR client_id IN (SELECT value FROM jsonb_array_elements_text(${JSON.stringify(clientIds)}::jsonb)))`
      const votes = await run(db, sql`DELETE FROM ${table(VOTES)} WHERE ${whose('voter_id')} RETURNING segment_id`)
      const skips = await run(db, sql`DELETE FROM ${table(SKIPS)} WHERE ${whose('contributor_id')} RETURNING segment_id`)
      const reliability = await run(db, sql`DELETE FROM ${table(RELIABILITY)} WHERE ${whose('contributor_id')}`)
      return {
        counts: { votes: votes.rowCount ?? 0, consensusSkips: skips.rowCount ?? 0, reliability: reliability.rowCount ?? 0 },
        after: settings.enabled ? evaluateLater(payload, [...segmentsOf(votes), ...segmentsOf(skips)]) : undefined,
      }
    },
  }
}
