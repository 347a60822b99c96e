import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import type { JobDefinition } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'
import pg from 'pg'

import { freePort, loadEmbeddedPostgres, placeCluster, type EmbeddedPostgresClass } from '../../src/db/embedded'
import { createJobRuntime, type JobRuntime } from '../../src/jobs/runtime'
import { keepUnsavedJobStates, type JobStateWriter } from '../../src/jobs/unsavedStates'

/**
 * Jobs that end while the database is away (their end cannot be written) are written once it is
 * back, so they are retried or shown done within seconds, not after their lock expires. Their own
 * PostgreSQL, so the rest of the run keeps its database.
 */

let postgres: InstanceType<EmbeddedPostgresClass>
let runtime: JobRuntime | undefined
let db: pg.Pool
let url = ''
let clusterDir = ''

const LOCK_LIFETIME_MS = 60_000

beforeAll(async () => {
  const port = await freePort()
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  clusterDir = placeCluster(path.join(process.env.SHRUTIK_TEST_ROOT!, `db-drop-${process.pid}`))
  postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: 'drop',
    // Kept across the stop and start below; removed at the end.
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
  })
  await postgres.initialise()
  await postgres.start()
  await postgres.createDatabase('shrutik_drop')
  url = `postgres://postgres:drop@127.0.0.1:${port}/shrutik_drop`
  db = new pg.Pool({ connectionString: url, max: 2 })
  db.on('error', () => undefined)
}, 60_000)

afterAll(async () => {
  await runtime?.stop(1000).catch(() => undefined)
  await db?.end().catch(() => undefined)
  await postgres?.stop().catch(() => undefined)
  if (clusterDir) fs.rmSync(clusterDir, { recursive: true, force: true })
})

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface Row {
  locked_at: Date | null
  last_finished_at: Date | null
  failed_at: Date | null
  next_run_at: Date | null
}

const row = async (id: string): Promise<Row> =>
  (await db.query('SELECT locked_at, last_finished_at, failed_at, next_run_at FROM agenda_jobs WHERE id = $1', [id])).rows[0]

test('a job that ends while PostgreSQL is down is written (done, or retried after its back-off) as soon as it is back, long before its lock expires', async () => {
  const runs: Record<string, number> = { succeeds: 0, fails: 0 }
  let release = (): void => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  const started = new Set<string>()
  const ended = new Set<string>()
  const job = (name: 'succeeds' | 'fails'): JobDefinition => ({
    name: `drop-test.${name}`,
    lockLifetimeMs: LOCK_LIFETIME_MS,
    retries: 2,
    backoffMs: 200,
    handler: async () => {
      runs[name]++
      started.add(name)
      try {
        if (runs[name] === 1) {
          await gate
          if (name === 'fails') throw new Error('the first attempt fails')
        }
      } finally {
        ended.add(name)
      }
    },
  })
  runtime = await createJobRuntime({ payload: {} as Payload, databaseUrl: url, jobs: [job('succeeds'), job('fails')], role: 'worker', processEveryMs: 500, sweepUnknownJobs: false })
  const succeeds = (await runtime.queue.enqueue('drop-test.succeeds', {})).jobId
  const fails = (await runtime.queue.enqueue('drop-test.fails', {})).jobId
  await waitFor(async () => started.size === 2, 15_000, 'both jobs to start')

  // The database goes away while both run; then both end (their end cannot be written).
  await postgres.stop()
  release()
  await waitFor(async () => ended.size === 2, 5000, 'both jobs to end')
  await new Promise((resolve) => setTimeout(resolve, 500))

  await postgres.start()
  const back = Date.now()
  await waitFor(
    async () => {
      const [done, retried] = await Promise.all([row(succeeds), row(fails)])
      return done.last_finished_at && !done.locked_at && !done.next_run_at && !done.failed_at && runs.fails === 2 && retried.last_finished_at && !retried.locked_at
    },
    // Without the fix both stay locked for the lock lifetime.
    LOCK_LIFETIME_MS / 3,
    'both job rows to be written after PostgreSQL came back',
  )
  expect(Date.now() - back).toBeLessThan(LOCK_LIFETIME_MS / 3)
  // Written once: the job that succeeded is not run again, the failed one ran its retry once.
  expect(runs).toEqual({ succeeds: 1, fails: 2 })
  const failed = await row(fails)
  expect(failed.failed_at).not.toBeNull()
}, 90_000)

test('an unwritten end is written again only while the row is still locked by this worker from before the failure', async () => {
  // The agenda_jobs table exists: the runtime above created it.
  const insert = async (owner: string) => {
    const id = randomUUID()
    await db.query(
      `INSERT INTO agenda_jobs (id, name, priority, next_run_at, type, data, locked_at, last_modified_by)
       VALUES ($1, 'drop-test.direct', 0, now(), 'normal', '{}'::jsonb, now() - interval '1 second', $2)`,
      [id, owner],
    )
    return id
  }
  const written: string[] = []
  let away = true
  const writer: JobStateWriter = {
    async saveJobState(attrs) {
      if (away) throw new Error('connect ECONNREFUSED')
      written.push(String(attrs._id))
    },
  }
  const unsaved = keepUnsavedJobStates({ writer, pool: db, owner: 'this-worker', retryMs: 60_000 })
  try {
    const ours = await insert('this-worker')
    const takenOver = await insert('this-worker')
    const heartbeat = await insert('this-worker')
    for (const id of [ours, takenOver]) await expect(writer.saveJobState({ _id: id, name: 'drop-test.direct', lockedAt: undefined })).rejects.toThrow('ECONNREFUSED')
    // A failed heartbeat (the lock kept) is not an end: the next heartbeat writes it.
    await expect(writer.saveJobState({ _id: heartbeat, name: 'drop-test.direct', lockedAt: new Date() })).rejects.toThrow('ECONNREFUSED')
    expect([...unsaved.pending].sort()).toEqual([ours, takenOver].sort())

    // Still away: nothing is lost.
    await unsaved.flush()
    expect(written).toEqual([])
    expect(unsaved.pending.size).toBe(2)

    // Back, but meanwhile another worker took one over (its lock had expired).
    away = false
    await db.query(`UPDATE agenda_jobs SET last_modified_by = 'another-worker', locked_at = now() WHERE id = $1`, [takenOver])
    await unsaved.flush()
    expect(written).toEqual([ours])
    expect(unsaved.pending.size).toBe(0)
  } finally {
    unsaved.stop()
    await db.query(`DELETE FROM agenda_jobs WHERE name = 'drop-test.direct'`)
  }
})
