import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { JobDefinition } from '@shrutik/plugin-sdk'
import pg from 'pg'

import { reconnectDelayMs } from '../../src/jobs/notificationChannel'
import { createJobRuntime, type JobRuntime } from '../../src/jobs/runtime'
import { bootPayload, type Booted } from '../../src/server/boot'
import { closeFixturePool, ensureFixtureTables } from './fixtures'

/** The LISTEN connection of a real `worker` process is killed (pg_terminate_backend): it must stay up and listen again. */

let booted: Booted
let db: pg.Pool
let web: JobRuntime | undefined
const children: ChildProcess[] = []

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const listeners = async (): Promise<number[]> =>
  (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`)).rows.map(
    (row: { pid: number }) => row.pid,
  )

const spawnWorker = (env: Record<string, string>): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'tests/jobs/worker.fixture.ts'], {
      env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
      if (output.includes('ready')) resolve(child)
    })
    child.stderr!.on('data', (chunk) => (output += chunk))
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready:\n${output}`)))
  })

beforeAll(async () => {
  booted = await bootPayload()
  db = new pg.Pool({ connectionString: booted.database.url, max: 3 })
  await ensureFixtureTables(booted.database.url)
})

afterAll(async () => {
  await web?.stop(1000)
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await closeFixturePool()
  await db?.end()
})

describe('reconnect delays', () => {
  test('back off exponentially up to a cap, with jitter', () => {
    const low = (n: number) => reconnectDelayMs(n, { baseMs: 100, maxMs: 5000, random: () => 0 })
    const high = (n: number) => reconnectDelayMs(n, { baseMs: 100, maxMs: 5000, random: () => 1 })
    expect([0, 1, 2, 3].map(high)).toEqual([100, 200, 400, 800])
    expect([0, 1, 2, 3].map(low)).toEqual([50, 100, 200, 400])
    expect(high(20)).toBe(5000)
    expect(low(20)).toBe(2500)
    // Two workers that lost the database together come back at different times.
    const samples = new Set(Array.from({ length: 20 }, () => reconnectDelayMs(4)))
    expect(samples.size).toBeGreaterThan(1)
  })
})

describe('a killed LISTEN connection', () => {
  test('the worker process stays up, listens again, and a job enqueued afterwards starts at once (not at the next poll)', async () => {
    const name = `test-${randomBytes(3).toString('hex')}.listen`
    // A poll so slow that only a NOTIFY can explain a prompt start.
    const worker = await spawnWorker({ FIXTURE_JOB: name, FIXTURE_WORK_MS: '0', FIXTURE_LOCK_MS: '60000', FIXTURE_PROCESS_EVERY_MS: '30000' })
    const first = await waitFor(async () => ((await listeners()).length > 0 ? listeners() : undefined), 10_000, 'the worker to LISTEN')

    for (let round = 0; round < 2; round++) {
      const before = await listeners()
      await db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before])
      await waitFor(async () => (await listeners()).some((pid) => !before.includes(pid)), 10_000, 'a new LISTEN connection')
    }
    expect(worker.exitCode).toBeNull()
    expect((await listeners()).some((pid) => first.includes(pid))).toBe(false)

    const definition: JobDefinition = { name, async handler() {} }
    web = await createJobRuntime({ payload: booted.payload, databaseUrl: booted.database.url, jobs: [definition], role: 'web' })
    const sentAt = Date.now()
    const { jobId } = await web.queue.enqueue(name, {})
    const started = await waitFor(
      async () => (await db.query(`SELECT at FROM job_test_events WHERE job_id = $1 AND kind = 'start'`, [jobId])).rows[0]?.at as Date | undefined,
      10_000,
      'the job to start',
    )
    expect(started.getTime() - sentAt).toBeLessThan(2000)
    expect(worker.exitCode).toBeNull()
  })
})
