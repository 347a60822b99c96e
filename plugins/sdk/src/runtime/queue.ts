import { randomUUID } from 'node:crypto'

import { sql } from '@payloadcms/db-postgres'
import type pg from 'pg'

import { JobValidationError, type EnqueueOptions, type EnqueueResult, type JobDefinition, type JobQueue } from '../jobs'
import { DEDUPE_TABLE, JOBS_CHANNEL, JOBS_TABLE, META_KEY } from './constants'
import { databaseFor } from './transaction'

export { META_KEY } from './constants'

export interface JobMeta {
  attempts?: number
  dedupeKey?: string
  enqueuedAt?: number
  requestId?: string
}

type Query = (text: string, values: unknown[]) => Promise<pg.QueryResultRow[]>

/** Runs `work` in one transaction on a pooled connection. */
const inPoolTransaction = async <T>(pool: pg.Pool, work: (query: Query) => Promise<T>): Promise<T> => {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(async (text, values) => (await client.query(text, values)).rows)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

type Executor = NonNullable<EnqueueOptions['db']>

/** Runs `work` inside the Payload request's own transaction (committed or rolled back by Payload). */
const inRequestTransaction = async <T>(req: NonNullable<EnqueueOptions['req']>, work: (query: Query) => Promise<T>): Promise<T> =>
  inDrizzleTransaction((await databaseFor(req)) as unknown as Executor, work)

/** Runs `work` inside a caller's Drizzle transaction (committed or rolled back by the caller). */
const inDrizzleTransaction = async <T>(db: Executor, work: (query: Query) => Promise<T>): Promise<T> =>
  work(async (text, values) => {
    // $1, $2 ... become bound parameters.
    const parts = text.split(/\$(\d+)/)
    const chunks = parts.map((part, index) => (index % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`))
    return ((await db.execute(sql.join(chunks))) as unknown as { rows: pg.QueryResultRow[] }).rows
  })

/**
 * The PostgreSQL job queue. An enqueue is one transaction: claim the dedupe key (unique index:
 * concurrent enqueues cannot both win), insert the Agenda job row, NOTIFY the workers (delivered on
 * commit). With `req`, that transaction is the request's own, so the job commits, and wakes a
 * worker, together with the document it is about — or not at all; with `db`, the caller's raw SQL
 * transaction is used the same way.
 */
export const createPostgresQueue = (
  pool: pg.Pool,
  definitions: ReadonlyMap<string, JobDefinition>,
  /** The id of the request being served, carried into the job's log lines. */
  requestId: () => string | undefined = () => undefined,
): JobQueue => ({
  async enqueue(name, data, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const definition = definitions.get(name)
    if (!definition) throw new JobValidationError(`Unknown job "${name}": no plugin registers it.`)
    const problem = definition.validate?.(data)
    if (problem) throw new JobValidationError(`Invalid data for job "${name}": ${problem}`)

    const transaction = <T>(work: (query: Query) => Promise<T>) =>
      options.db ? inDrizzleTransaction(options.db, work) : options.req ? inRequestTransaction(options.req, work) : inPoolTransaction(pool, work)
    const runAt = new Date(Date.now() + Math.max(0, options.delayMs ?? 0))
    const key = options.dedupeKey === undefined ? undefined : `${name}:${options.dedupeKey}`
    const meta: JobMeta = { enqueuedAt: Date.now(), requestId: requestId(), ...(key ? { dedupeKey: key } : {}) }
    const row = JSON.stringify({ ...(data as object), [META_KEY]: meta })

    const insertJob = async (query: Query, jobId: string) => {
      const notification = JSON.stringify({
        jobId,
        jobName: name,
        nextRunAt: runAt.toISOString(),
        priority: 0,
        timestamp: new Date().toISOString(),
        source: 'shrutik',
      })
      await query(
        `INSERT INTO ${JOBS_TABLE} (id, name, priority, next_run_at, type, data) VALUES ($1, $2, 0, $3, 'normal', $4::jsonb)`,
        [jobId, name, runAt, row],
      )
      await query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, notification])
    }

    if (!key) {
      const jobId = randomUUID()
      await transaction((query) => insertJob(query, jobId))
      return { jobId, deduplicated: false }
    }

    for (let attempt = 0; attempt < 3; attempt++) {
      const jobId = randomUUID()
      // ON CONFLICT DO NOTHING waits for a concurrent claimer to commit, then sees its row.
      const won = await transaction(async (query) => {
        const claimed = await query(`INSERT INTO ${DEDUPE_TABLE} (key, job_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING job_id`, [key, jobId])
        if (claimed.length === 0) return false
        await insertJob(query, jobId)
        return true
      })
      if (won) return { jobId, deduplicated: false }
      const holder = (
        await pool.query(
          `SELECT k.job_id, (j.id IS NOT NULL AND j.locked_at IS NULL AND j.next_run_at IS NOT NULL) AS pending
             FROM ${DEDUPE_TABLE} k LEFT JOIN ${JOBS_TABLE} j ON j.id = k.job_id WHERE k.key = $1`,
          [key],
        )
      ).rows[0] as { job_id: string; pending: boolean } | undefined
      if (holder?.pending) return { jobId: holder.job_id, deduplicated: true }
      // The key outlived its job (cancelled, removed): clear it and claim again.
      if (holder) await pool.query(`DELETE FROM ${DEDUPE_TABLE} WHERE key = $1 AND job_id = $2`, [key, holder.job_id])
    }
    throw new Error(`Could not enqueue "${key}": its dedupe key kept changing hands. Try again.`)
  },
})
