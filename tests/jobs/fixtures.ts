import type { JobDefinition } from '@shrutik/plugin-sdk'
import pg from 'pg'

/** Tables the fixture jobs write to, so tests can see what ran, how often, and what it produced. */
export const ensureFixtureTables = async (databaseUrl: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock(727099)')
    await client.query(`CREATE TABLE IF NOT EXISTS job_test_events (id serial PRIMARY KEY, job_id uuid, kind text, attempt int, pid int, at timestamptz DEFAULT now())`)
    await client.query(`CREATE TABLE IF NOT EXISTS job_test_outputs (job_id uuid PRIMARY KEY, written_by int, at timestamptz DEFAULT now())`)
    await client.query('SELECT pg_advisory_unlock(727099)')
  } finally {
    await client.end()
  }
}

let fixturePool: pg.Pool | undefined
const pool = () => (fixturePool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3 }))
export const closeFixturePool = async () => {
  await fixturePool?.end()
  fixturePool = undefined
}

export const recordEvent = (jobId: string, kind: string, attempt: number) =>
  pool().query('INSERT INTO job_test_events (job_id, kind, attempt, pid) VALUES ($1, $2, $3, $4)', [jobId, kind, attempt, process.pid])

/** Writes the job's one output, idempotently (a re-run after a crash must not duplicate it). */
export const writeOutput = (jobId: string) =>
  pool().query('INSERT INTO job_test_outputs (job_id, written_by) VALUES ($1, $2) ON CONFLICT (job_id) DO NOTHING', [jobId, process.pid])

/**
 * Starts, then works for `workMs` (heartbeating via the runtime), then writes its output.
 * Used by the crash and drain tests, in a child process and in the test process alike.
 */
export const slowOutputJob = (name: string, workMs: number, lockLifetimeMs: number): JobDefinition => ({
  name,
  lockLifetimeMs,
  retries: 3,
  backoffMs: 50,
  async handler({ jobId, attempt, signal }) {
    await recordEvent(jobId, 'start', attempt)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, workMs)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(signal.reason as Error)
      })
    })
    await writeOutput(jobId)
    await recordEvent(jobId, 'finish', attempt)
  },
})
