import client from 'prom-client'
import type pg from 'pg'

import { registerGauge, registry } from '../lib/metrics'
import { JOBS_TABLE } from './constants'

export const jobsProcessed = new client.Counter({
  name: 'shrutik_jobs_processed_total',
  help: 'Jobs that finished successfully, by job name',
  labelNames: ['name'] as const,
  registers: [registry],
})

export const jobsFailed = new client.Counter({
  name: 'shrutik_jobs_failed_total',
  help: 'Job runs that failed (each failed attempt counts), by job name',
  labelNames: ['name'] as const,
  registers: [registry],
})

export const jobDuration = new client.Histogram({
  name: 'shrutik_job_duration_seconds',
  help: 'Time a job handler ran, by job name and outcome',
  labelNames: ['name', 'outcome'] as const,
  buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
  registers: [registry],
})

/** Queue depth and oldest waiting job, read from the database on each scrape (one indexed query). */
export const registerQueueGauges = (pool: pg.Pool): void => {
  let snapshot: Promise<{ name: string; depth: number; oldest: number }[]> | undefined
  // Both gauges are collected in one scrape: share one query between them.
  const read = () => {
    snapshot ??= pool
      .query(
        `SELECT name, count(*)::int AS depth, extract(epoch FROM now() - min(next_run_at))::float AS oldest
           FROM ${JOBS_TABLE} WHERE next_run_at <= now() AND locked_at IS NULL AND disabled = FALSE GROUP BY name`,
      )
      .then((result) => result.rows as { name: string; depth: number; oldest: number }[])
      .finally(() => setTimeout(() => (snapshot = undefined), 250).unref())
    return snapshot
  }
  registerGauge({
    name: 'shrutik_job_queue_depth',
    help: 'Jobs due and waiting for a worker, by job name',
    labelNames: ['name'],
    collect: async (gauge) => {
      gauge.reset()
      for (const row of await read().catch(() => [])) gauge.set({ name: row.name }, row.depth)
    },
  })
  registerGauge({
    name: 'shrutik_job_oldest_queued_seconds',
    help: 'Age of the oldest job due and waiting for a worker (0 when none wait)',
    collect: async (gauge) => {
      const rows = await read().catch(() => [])
      gauge.set(rows.reduce((oldest, row) => Math.max(oldest, row.oldest ?? 0), 0))
    },
  })
}
