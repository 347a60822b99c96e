import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { JobDefinition } from '@shrutik/plugin-sdk'

import { DEDUPE_TABLE, JOBS_TABLE } from './constants'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'jobs.prune-finished': Record<string, never>
  }
}

/** Days finished job rows (completed or failed) are kept for the admin view. */
export const jobRetentionDays = (): number => Math.max(1, Number(process.env.JOBS_RETENTION_DAYS ?? 14))

/** Hourly: delete finished one-off job rows past the retention period, so the queue table stays small. */
export const pruneFinishedJobs: JobDefinition<'jobs.prune-finished'> = {
  name: 'jobs.prune-finished',
  every: '1 hour',
  retries: 1,
  async handler({ payload, log }) {
    // System job: direct SQL on the job tables, which Payload does not own.
    const pool = (payload.db as unknown as PostgresAdapter).pool
    const result = await pool.query(
      `DELETE FROM ${JOBS_TABLE}
        WHERE type = 'normal' AND next_run_at IS NULL AND locked_at IS NULL
          AND COALESCE(last_finished_at, failed_at, updated_at) < now() - make_interval(days => $1)`,
      [jobRetentionDays()],
    )
    await pool.query(`DELETE FROM ${DEDUPE_TABLE} k WHERE NOT EXISTS (SELECT 1 FROM ${JOBS_TABLE} j WHERE j.id = k.job_id)`)
    log('pruned finished jobs', { deleted: result.rowCount, retentionDays: jobRetentionDays() })
  },
}
