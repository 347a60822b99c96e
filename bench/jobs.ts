/**
 * npm run bench:jobs — the job runtime against its baseline, in one run on this machine:
 *   1. pickup latency: enqueue in this process → handler start in a separate worker process (≥ 500 jobs, spaced);
 *   2. throughput: no-op jobs drained by that one worker;
 *   3. the raw SQL ceiling: Agenda-shaped `SELECT … FOR UPDATE SKIP LOCKED` lock + complete round trips.
 * The last line is one JSON object with the four figures.
 */
import { fork } from 'node:child_process'
import path from 'node:path'

import type { JobDefinition } from '@shrutik/plugin-sdk'
import pg from 'pg'

import { ensureDatabase } from '../src/db/embedded'
import { createPostgresQueue } from '../src/jobs/queue'
import { ensureJobSchema, JOBS_TABLE } from '../src/jobs/schema'

const PICKUP_JOBS = Number(process.env.BENCH_PICKUP_JOBS ?? 600)
const THROUGHPUT_JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS ?? 4000)
const SQL_JOBS = Number(process.env.BENCH_SQL_JOBS ?? 4000)

const root = path.resolve(import.meta.dirname, '..')
process.env.SHRUTIK_DATA_DIR ??= path.join(root, 'bench', '.out', 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'

const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
const round = (value: number, digits = 1) => Number(value.toFixed(digits))

const database = await ensureDatabase()
process.env.DATABASE_URL = database.url
const pool = new pg.Pool({ connectionString: database.url, max: 8 })
// The embedded server's shutdown at the end terminates idle connections: expected, not an error.
pool.on('error', () => undefined)
await ensureJobSchema(pool)
await pool.query(`DELETE FROM ${JOBS_TABLE} WHERE name LIKE 'bench.%'`)

const noop = (name: string): JobDefinition => ({ name, async handler() {} })
const queue = createPostgresQueue(pool, new Map([noop('bench.pickup'), noop('bench.noop')].map((job) => [job.name, job])))

console.log('starting a worker process (Payload + Agenda, poll interval 5 s: pickups below that come from NOTIFY)...')
const worker = fork(path.join(root, 'bench', 'jobsWorker.ts'), [], {
  execArgv: ['--conditions=source', '--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=bench/.out/prof'] : [])],
  // One worker process, allowed 50 jobs in flight (no-op jobs are all database round trips).
  env: { ...process.env, NODE_OPTIONS: '', JOBS_MAX_CONCURRENCY: '50' },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
})
const nextMessage = <T>(type: string) =>
  new Promise<T>((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type === type) {
        worker.off('message', listener)
        resolve(message as T)
      }
    }
    worker.on('message', listener)
  })
await nextMessage('ready')

// 1. Pickup latency: jobs one at a time, spaced so each is a cold pickup, not a backlog.
for (let i = 0; i < 20; i++) await queue.enqueue('bench.pickup', { sentAt: now() })
await sleep(500)
worker.send({ type: 'latencies' })
await nextMessage('latencies')
for (let i = 0; i < PICKUP_JOBS; i++) {
  await queue.enqueue('bench.pickup', { sentAt: now() })
  await sleep(5 + Math.random() * 10)
}
await sleep(1000)
worker.send({ type: 'latencies' })
const { latencies } = await nextMessage<{ latencies: number[] }>('latencies')
const pickupP50Ms = round(percentile(latencies, 50))
const pickupP99Ms = round(percentile(latencies, 99))
console.log(`pickup latency over ${latencies.length} jobs: p50 ${pickupP50Ms} ms, p99 ${pickupP99Ms} ms, max ${round(Math.max(...latencies))} ms`)

// 2. Throughput: a backlog of no-op jobs committed at once, drained by the one worker.
const started = now()
await pool.query(
  `WITH batch AS (
     INSERT INTO ${JOBS_TABLE} (name, next_run_at, type, data)
     SELECT 'bench.noop', now(), 'normal', '{}'::jsonb FROM generate_series(1, $1) RETURNING id
   )
   SELECT pg_notify('agenda_jobs', json_build_object('jobId', (SELECT min(id::text) FROM batch), 'jobName', 'bench.noop',
                    'nextRunAt', now(), 'priority', 0, 'timestamp', now(), 'source', 'bench')::text)`,
  [THROUGHPUT_JOBS],
)
for (;;) {
  const { rows } = await pool.query(`SELECT count(*)::int AS done FROM ${JOBS_TABLE} WHERE name = 'bench.noop' AND last_finished_at IS NOT NULL`)
  if (rows[0].done >= THROUGHPUT_JOBS) break
  await sleep(100)
}
const jobsPerSec = round(THROUGHPUT_JOBS / ((now() - started) / 1000), 0)
console.log(`throughput: ${THROUGHPUT_JOBS} no-op jobs in one worker at ${jobsPerSec} jobs/s`)
worker.send({ type: 'stop' })
await new Promise((resolve) => worker.once('exit', resolve))

// 3. SQL ceiling: the same lock + complete statements Agenda issues, without Agenda, on a copy of its table.
await pool.query('DROP TABLE IF EXISTS bench_sql_jobs')
await pool.query(`CREATE TABLE bench_sql_jobs (LIKE ${JOBS_TABLE} INCLUDING DEFAULTS INCLUDING INDEXES)`)
const sqlCeiling = async (clients: number): Promise<number> => {
  await pool.query('TRUNCATE bench_sql_jobs')
  await pool.query(`INSERT INTO bench_sql_jobs (name, next_run_at, type, data) SELECT 'bench.sql', now(), 'normal', '{}'::jsonb FROM generate_series(1, $1)`, [SQL_JOBS])
  await pool.query('ANALYZE bench_sql_jobs')
  const begin = now()
  let done = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = await pool.connect()
      try {
        for (;;) {
          const locked = await client.query(
            `UPDATE bench_sql_jobs SET locked_at = now() WHERE id = (
               SELECT id FROM bench_sql_jobs WHERE name = $1 AND disabled = FALSE AND locked_at IS NULL AND next_run_at <= now()
               ORDER BY next_run_at, priority DESC LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`,
            ['bench.sql'],
          )
          if (locked.rowCount === 0) break
          await client.query('UPDATE bench_sql_jobs SET locked_at = NULL, next_run_at = NULL, last_finished_at = now() WHERE id = $1', [locked.rows[0].id])
          done++
        }
      } finally {
        client.release()
      }
    }),
  )
  return done / ((now() - begin) / 1000)
}
const sqlOne = await sqlCeiling(1)
const sqlFour = await sqlCeiling(4)
const sqlCeilingJobsPerSec = round(Math.max(sqlOne, sqlFour), 0)
console.log(`raw SQL ceiling (lock + complete round trips): ${round(sqlOne, 0)} jobs/s with 1 client, ${round(sqlFour, 0)} jobs/s with 4 clients`)
console.log(
  `targets: pickup p50 ≤ 50 ms (${pickupP50Ms}), p99 ≤ 500 ms (${pickupP99Ms}), ≥ 200 jobs/s (${jobsPerSec}), ≥ 20% of the SQL ceiling (${round((100 * jobsPerSec) / sqlCeilingJobsPerSec)} %)`,
)
await pool.query('DROP TABLE IF EXISTS bench_sql_jobs')
await pool.query(`DELETE FROM ${JOBS_TABLE} WHERE name LIKE 'bench.%'`)
await pool.end()
await database.stop()
console.log(JSON.stringify({ pickupP50Ms, pickupP99Ms, jobsPerSec, sqlCeilingJobsPerSec }))
process.exit(0)
