import type pg from 'pg'

import { DEDUPE_TABLE, JOBS_CHANNEL, JOBS_TABLE, META_KEY } from './constants'

export const JOB_STATES = ['queued', 'running', 'failed', 'completed'] as const
export type JobState = (typeof JOB_STATES)[number]

/** Which rows are in which state (a successful run resets fail_count to 0). */
const STATE_WHERE: Record<JobState, string> = {
  queued: 'locked_at IS NULL AND next_run_at IS NOT NULL AND disabled = FALSE',
  running: 'locked_at IS NOT NULL',
  failed: 'locked_at IS NULL AND next_run_at IS NULL AND failed_at IS NOT NULL AND COALESCE(fail_count, 0) > 0',
  completed: `locked_at IS NULL AND next_run_at IS NULL AND last_finished_at > now() - interval '24 hours' AND COALESCE(fail_count, 0) = 0`,
}

const STATE_ORDER: Record<JobState, string> = {
  queued: 'next_run_at ASC',
  running: 'locked_at ASC',
  failed: 'failed_at DESC',
  completed: 'last_finished_at DESC',
}

export interface JobSummary {
  id: string
  name: string
  state: JobState
  attempts: number
  lastError: string | null
  progress: number | null
  createdAt: string | null
  nextRunAt: string | null
  lastRunAt: string | null
  lastFinishedAt: string | null
  failedAt: string | null
  repeatInterval: string | null
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null)

export const listJobs = async (pool: pg.Pool, state: JobState, limit = 50): Promise<{ jobs: JobSummary[]; total: number }> => {
  const [rows, count] = await Promise.all([
    pool.query(
      `SELECT id, name, progress, fail_reason, created_at, next_run_at, last_run_at, last_finished_at, failed_at, repeat_interval,
              COALESCE((data #>> '{${META_KEY},attempts}')::int, 0) AS attempts
         FROM ${JOBS_TABLE} WHERE ${STATE_WHERE[state]} ORDER BY ${STATE_ORDER[state]} LIMIT $1`,
      [Math.min(Math.max(1, limit), 200)],
    ),
    pool.query(`SELECT count(*)::int AS n FROM ${JOBS_TABLE} WHERE ${STATE_WHERE[state]}`),
  ])
  return {
    total: count.rows[0].n,
    jobs: rows.rows.map((row) => ({
      id: row.id,
      name: row.name,
      state,
      attempts: row.attempts,
      lastError: row.fail_reason,
      progress: row.progress,
      createdAt: iso(row.created_at),
      nextRunAt: iso(row.next_run_at),
      lastRunAt: iso(row.last_run_at),
      lastFinishedAt: iso(row.last_finished_at),
      failedAt: iso(row.failed_at),
      repeatInterval: row.repeat_interval,
    })),
  }
}

/** A failed job runs again now, with a fresh retry budget. Returns false if it is not failed. */
export const retryJob = async (pool: pg.Pool, id: string): Promise<boolean> => {
  const result = await pool.query(
    `WITH retried AS (
       UPDATE ${JOBS_TABLE} SET next_run_at = now(), fail_count = 0, failed_at = NULL
        WHERE id = $1 AND ${STATE_WHERE.failed} RETURNING id, name, next_run_at
     )
     SELECT pg_notify($2, json_build_object('jobId', id, 'jobName', name, 'nextRunAt', next_run_at, 'priority', 0,
                                            'timestamp', now(), 'source', 'shrutik-admin')::text) FROM retried`,
    [id, JOBS_CHANNEL],
  )
  return result.rowCount === 1
}

/** A queued job is removed before it runs. Returns false if it is not queued (running jobs cannot be cancelled). */
export const cancelJob = async (pool: pg.Pool, id: string): Promise<boolean> => {
  const result = await pool.query(
    `WITH cancelled AS (DELETE FROM ${JOBS_TABLE} WHERE id = $1 AND ${STATE_WHERE.queued} AND type = 'normal' RETURNING id),
          freed AS (DELETE FROM ${DEDUPE_TABLE} WHERE job_id IN (SELECT id FROM cancelled))
     SELECT id FROM cancelled`,
    [id],
  )
  return result.rowCount === 1
}

export interface FailedJobGroup {
  name: string
  failed: number
  lastFailedAt: Date
  lastError: string | null
}

/** Jobs failed for good (out of retries, waiting for an admin), by job name. */
export const failedJobsByName = async (db: pg.Pool | pg.PoolClient): Promise<FailedJobGroup[]> => {
  const { rows } = await db.query(
    `SELECT name, count(*)::int AS failed, max(failed_at) AS last_failed_at, (array_agg(fail_reason ORDER BY failed_at DESC))[1] AS last_error
       FROM ${JOBS_TABLE} WHERE ${STATE_WHERE.failed} GROUP BY name ORDER BY name`,
  )
  return rows.map((row) => ({ name: row.name, failed: row.failed, lastFailedAt: row.last_failed_at, lastError: row.last_error }))
}

/** Jobs due now and waiting for a worker (not those scheduled for later). */
export const dueJobCount = async (db: pg.Pool | pg.PoolClient): Promise<number> => {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${JOBS_TABLE} WHERE ${STATE_WHERE.queued} AND next_run_at <= now()`)
  return rows[0].n
}
