import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { emit, getContributorHandlers, getJobQueue, type ContributorChangeResult, type JobDefinition, type SqlExecutor } from '@shrutik/plugin-sdk'
import type { CollectionConfig, Payload } from 'payload'

import { databaseFor } from '../db/transaction'

import { logger } from '../lib/logger'
import { recountSentenceRecordings } from './recount'
import { sentencePools } from './sentencePool'

export const PURGE_WITHDRAWAL = 'contributors.purge-withdrawal'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'contributors.purge-withdrawal': { withdrawalId: number }
  }
}

type Rows<Row> = { rows: Row[]; rowCount?: number | null }
const exec = async <Row = Record<string, unknown>>(db: SqlExecutor, query: ReturnType<typeof sql>): Promise<Rows<Row>> => (await db.execute(query)) as Rows<Row>

export interface WithdrawingContributor {
  kind: 'anonymous' | 'account' | 'account-deleted'
  userId?: number
  /** The browser ids of this person (for an account: every browser linked to it). */
  clientIds: string[]
}

export interface WithdrawalResult {
  withdrawalId: number
  recordings: number
  votes: number
  transcriptions: number
  skips: number
  /** Runs after the commit: the plugins' follow-ups and the sentence pool (the purge is queued by the caller). */
  after: () => Promise<void>
}

/**
 * Withdraws a person, inside the caller's transaction (`db`): their recordings are marked withdrawn
 * (served, counted and exported nowhere from this commit on; the purge job deletes them and their
 * files), their judgments and skips are deleted (plugins remove theirs through their handlers), their
 * browser ids stop working, and a tombstone without personal data records the counts.
 */
export const withdraw = async (db: SqlExecutor, payload: Payload, contributor: WithdrawingContributor): Promise<WithdrawalResult> => {
  const clients = JSON.stringify(contributor.clientIds)
  const inClients = (column: string) => sql`${sql.identifier(column)} IN (SELECT value FROM jsonb_array_elements_text(${clients}::jsonb))`
  const byUser = (column: string) => (contributor.userId === undefined ? sql`FALSE` : sql`${sql.identifier(column)} = ${contributor.userId}`)
  const [tombstone] = (await exec<{ id: number }>(db, sql`INSERT INTO withdrawals (kind, status) VALUES (${contributor.kind}, 'removing-files') RETURNING id`)).rows
  const recordings = await exec<{ sentence_id: number | null; language_id: number }>(
    db,
    sql`UPDATE recordings SET withdrawal_id = ${tombstone.id}, owner_id = NULL, client_id = NULL, demographics_snapshot = NULL, updated_at = now()
         WHERE (${byUser('owner_id')} OR ${inClients('client_id')}) AND withdrawal_id IS NULL
         RETURNING sentence_id, language_id`,
  )
  const counts: Record<string, number> = {}
  const afterCommit: NonNullable<ContributorChangeResult['after']>[] = []
  for (const handler of getContributorHandlers(payload.config)) {
    if (!handler.withdraw) continue
    const result = await handler.withdraw({ db, payload, userId: contributor.userId, clientIds: contributor.clientIds })
    for (const [kind, n] of Object.entries(result.counts ?? {})) counts[kind] = (counts[kind] ?? 0) + n
    if (result.after) afterCommit.push(result.after)
  }
  const transcriptions = await exec(db, sql`DELETE FROM transcriptions WHERE ${byUser('author_id')} OR ${inClients('client_id')}`)
  const sentenceSkips = await exec(db, sql`DELETE FROM sentence_skips WHERE ${byUser('user_id')} OR ${inClients('client_id')}`)
  await exec(db, sql`UPDATE contributors SET withdrawn_at = now(), updated_at = now() WHERE (${byUser('user_id')} OR ${inClients('client_id')}) AND withdrawn_at IS NULL`)
  // Goals and the leaderboard name go too (the person is gone from every leaderboard at once).
  const profileKeys = JSON.stringify([...contributor.clientIds.map((id) => `c:${id}`), ...(contributor.userId !== undefined ? [`u:${contributor.userId}`] : [])])
  await exec(db, sql`DELETE FROM contributor_profiles WHERE key IN (SELECT value FROM jsonb_array_elements_text(${profileKeys}::jsonb)) OR ${byUser('user_id')}`)
  if (contributor.userId !== undefined) {
    // The account stays (unless deleted) but must accept the terms again to contribute.
    await exec(db, sql`UPDATE users SET consent_terms_version = NULL, consent_accepted_at = NULL WHERE id = ${contributor.userId}`)
  }
  const sentences = [...new Set(recordings.rows.map((row) => row.sentence_id).filter((id): id is number => id !== null))]
  await recountSentenceRecordings(db, sentences)
  const result = {
    recordings: recordings.rowCount ?? 0,
    votes: counts.votes ?? 0,
    transcriptions: transcriptions.rowCount ?? 0,
    skips: (sentenceSkips.rowCount ?? 0) + (counts.consensusSkips ?? 0),
  }
  await exec(
    db,
    sql`UPDATE withdrawals SET recordings = ${result.recordings}, votes = ${result.votes}, transcriptions = ${result.transcriptions}, skips = ${result.skips}
         WHERE id = ${tombstone.id}`,
  )
  // Plugins hear of it only if the withdrawal commits.
  await emit(payload, 'contributor.withdrawn', { withdrawalId: tombstone.id, userId: contributor.userId ?? null }, { db })
  const languages = [...new Set(recordings.rows.map((row) => row.language_id))]
  return {
    withdrawalId: tombstone.id,
    ...result,
    after: async () => {
      for (const language of languages) sentencePools(payload).noteStale(language)
      for (const after of afterCommit) await after().catch((error: Error) => logger.warn('a follow-up of a withdrawal failed', { error: error.message }))
    },
  }
}

/** Withdraws in a transaction of its own. */
export const withdrawNow = async (payload: Payload, contributor: WithdrawingContributor): Promise<Omit<WithdrawalResult, 'after'>> => {
  const drizzle = (payload.db as unknown as PostgresAdapter).drizzle
  const { after, ...result } = await drizzle.transaction(async (tx) => withdraw(tx as unknown as SqlExecutor, payload, contributor))
  await getJobQueue().enqueue(PURGE_WITHDRAWAL, { withdrawalId: result.withdrawalId }, { dedupeKey: `withdrawal-${result.withdrawalId}` })
  await after()
  return result
}

const BATCH = 50

/**
 * `contributors.purge-withdrawal`: deletes a withdrawal's recordings through the Local API, so
 * every plugin's delete hooks run (segments, processed files) and the uploads leave the disk, then
 * marks the tombstone done. Idempotent: it re-reads what is left. System job.
 */
export const purgeWithdrawalJob: JobDefinition<typeof PURGE_WITHDRAWAL> = {
  name: PURGE_WITHDRAWAL,
  retries: 5,
  backoffMs: 30_000,
  timeoutMs: 30 * 60_000,
  validate: (data) => (Number.isInteger((data as { withdrawalId?: unknown })?.withdrawalId) ? undefined : 'withdrawalId must be a whole number'),
  async handler({ data, payload, touch }) {
    for (;;) {
      // System job: deletes what the withdrawal marked, whoever owned it (overrideAccess defaults to true).
      const batch = await payload.find({ collection: 'recordings', where: { withdrawal: { equals: data.withdrawalId } }, limit: BATCH, depth: 0, pagination: false })
      if (batch.docs.length === 0) break
      for (const doc of batch.docs) await payload.delete({ collection: 'recordings', id: doc.id })
      await touch()
    }
    const drizzle = (payload.db as unknown as PostgresAdapter).drizzle
    await drizzle.execute(sql`UPDATE withdrawals SET status = 'done', completed_at = now(), updated_at = now() WHERE id = ${data.withdrawalId}`)
  },
}

/**
 * Account deletion withdraws first, in the deletion's own transaction: the account's recordings,
 * judgments and linked browsers go as with `POST /api/site/withdraw`, and the purge is queued with it.
 */
const AFTER_DELETION = Symbol('shrutik.afterAccountDeletion')

export const withAccountDeletion = (users: CollectionConfig): CollectionConfig => ({
  ...users,
  hooks: {
    ...users.hooks,
    beforeDelete: [
      ...(users.hooks?.beforeDelete ?? []),
      async ({ id, req }) => {
        const db = (await databaseFor(req)) as unknown as SqlExecutor
        const linked = (await exec<{ client_id: string }>(db, sql`SELECT client_id FROM contributors WHERE user_id = ${Number(id)}`)).rows.map((row) => row.client_id)
        const result = await withdraw(db, req.payload, { kind: 'account-deleted', userId: Number(id), clientIds: linked })
        // Queued in the same transaction: the purge exists only if the deletion commits.
        await getJobQueue().enqueue(PURGE_WITHDRAWAL, { withdrawalId: result.withdrawalId }, { req, dedupeKey: `withdrawal-${result.withdrawalId}` })
        ;(req.context as Record<symbol, unknown>)[AFTER_DELETION] = result.after
      },
    ],
    afterDelete: [
      ...(users.hooks?.afterDelete ?? []),
      async ({ req }) => {
        const after = (req.context as Record<symbol, unknown>)[AFTER_DELETION] as (() => Promise<void>) | undefined
        await after?.().catch((error: Error) => logger.warn('a follow-up of an account deletion failed', { error: error.message }))
      },
    ],
  },
})

/** The export plugin's `withdrawnRecordings`: which of these recordings were withdrawn (and await their purge). */
export const withdrawnAmong = async (recordingIds: number[], payload: Payload): Promise<number[]> => {
  if (recordingIds.length === 0) return []
  const drizzle = (payload.db as unknown as PostgresAdapter).drizzle
  const result = (await drizzle.execute(
    sql`SELECT id FROM recordings WHERE withdrawal_id IS NOT NULL AND id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(recordingIds)}::jsonb))`,
  )) as unknown as { rows: { id: number }[] }
  return result.rows.map((row) => Number(row.id))
}
