import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'

import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { getJobQueue, JobValidationError, type JobDefinition } from '@shrutik/plugin-sdk'
import { commitTransaction, createLocalReq, initTransaction, killTransaction, type CollectionAfterChangeHook } from 'payload'
import pg from 'pg'

import { createJobRuntime, failUnknownJobs, type JobRuntime } from '../../src/jobs/runtime'
import { registry } from '../../src/lib/metrics'
import { bootPayload, type Booted } from '../../src/server/boot'
import { closeFixturePool, ensureFixtureTables, recordEvent, slowOutputJob, writeOutput } from './fixtures'

/** Job runtime semantics, each against the real Agenda on the run's PostgreSQL. */

let booted: Booted
let db: pg.Pool
const runtimes: JobRuntime[] = []
const children: ChildProcess[] = []

const unique = (verb: string) => `test-${randomBytes(3).toString('hex')}.${verb}`

const startRuntime = async (jobs: JobDefinition[], role: 'worker' | 'web' = 'worker', processEveryMs = 200) => {
  const runtime = await createJobRuntime({
    payload: booted.payload,
    databaseUrl: booted.database.url,
    jobs,
    role,
    processEveryMs,
    sweepUnknownJobs: false,
  })
  runtimes.push(runtime)
  return runtime
}

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface JobRow {
  id: string
  name: string
  next_run_at: Date | null
  locked_at: Date | null
  last_finished_at: Date | null
  failed_at: Date | null
  fail_count: number | null
  fail_reason: string | null
  attempts: number | null
}

const jobRow = async (id: string): Promise<JobRow> =>
  (
    await db.query(
      `SELECT id, name, next_run_at, locked_at, last_finished_at, failed_at, fail_count, fail_reason,
              (data #>> '{__shrutik,attempts}')::int AS attempts FROM agenda_jobs WHERE id = $1`,
      [id],
    )
  ).rows[0]

const events = async (jobId: string) =>
  (await db.query('SELECT kind, attempt, pid FROM job_test_events WHERE job_id = $1 ORDER BY id', [jobId])).rows as {
    kind: string
    attempt: number
    pid: number
  }[]

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

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))))

beforeAll(async () => {
  booted = await bootPayload()
  db = new pg.Pool({ connectionString: booted.database.url, max: 4 })
  await ensureFixtureTables(booted.database.url)
})

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop(1000)
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

afterAll(async () => {
  await closeFixturePool()
  await db?.end()
})

describe('retry and failure', () => {
  test('a handler failing twice then succeeding ends succeeded with 3 attempts recorded', async () => {
    const name = unique('flaky')
    let calls = 0
    const runtime = await startRuntime([
      {
        name,
        retries: 3,
        backoffMs: 50,
        async handler({ attempt }) {
          calls++
          expect(attempt).toBe(calls)
          if (calls < 3) throw new Error(`transient failure ${calls}`)
        },
      },
    ])
    const { jobId } = await runtime.queue.enqueue(name, {})
    const row = await waitFor(async () => {
      const current = await jobRow(jobId)
      // Done: finished, unlocked, nothing scheduled, and the failure count reset by the success.
      return current.last_finished_at && current.locked_at === null && current.next_run_at === null && !current.fail_count ? current : undefined
    }, 15_000, 'the flaky job to succeed')
    expect(calls).toBe(3)
    expect(row.attempts).toBe(3)
    expect(row.fail_count ?? 0).toBe(0)
    expect(row.next_run_at).toBeNull()
  })

  test('a permanently failing handler ends failed after its retries, with the error kept', async () => {
    const name = unique('doomed')
    let calls = 0
    const runtime = await startRuntime([
      {
        name,
        retries: 2,
        backoffMs: 50,
        async handler() {
          calls++
          throw new Error('the archive disk is full')
        },
      },
    ])
    const { jobId } = await runtime.queue.enqueue(name, {})
    const row = await waitFor(async () => {
      const current = await jobRow(jobId)
      return current.fail_count === 3 && current.locked_at === null ? current : undefined
    }, 15_000, 'three failures')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(calls).toBe(3)
    expect(row.attempts).toBe(3)
    expect(row.failed_at).not.toBeNull()
    expect(row.fail_reason).toBe('the archive disk is full')
    expect((await jobRow(jobId)).next_run_at).toBeNull()
  })
})

describe('bad job data', () => {
  const validated = (name: string, calls: { count: number }): JobDefinition => ({
    name,
    retries: 5,
    backoffMs: 50,
    validate: (data) => (typeof (data as { recordingId?: unknown }).recordingId === 'number' ? undefined : 'recordingId must be a number'),
    async handler() {
      calls.count++
    },
  })

  test('enqueue refuses unknown names and invalid data with a clear error', async () => {
    const name = unique('validated')
    const runtime = await startRuntime([validated(name, { count: 0 })], 'web')
    await expect(runtime.queue.enqueue('nobody.registers-this', {})).rejects.toThrow(JobValidationError)
    await expect(runtime.queue.enqueue('nobody.registers-this', {})).rejects.toThrow(/Unknown job "nobody.registers-this"/)
    await expect(runtime.queue.enqueue(name, { recordingId: 'seven' })).rejects.toThrow(/Invalid data for job .*recordingId must be a number/)
  })

  test('a stored job whose data fails validation fails once, with the reason, and is not retried', async () => {
    const name = unique('validated')
    const calls = { count: 0 }
    await startRuntime([validated(name, calls)])
    // As if written by an older version: bypasses enqueue's check.
    const { rows } = await db.query(
      `INSERT INTO agenda_jobs (name, next_run_at, type, data) VALUES ($1, now(), 'normal', '{"recordingId":"seven"}') RETURNING id`,
      [name],
    )
    const row = await waitFor(async () => {
      const current = await jobRow(rows[0].id)
      return current.failed_at && current.locked_at === null ? current : undefined
    }, 15_000, 'the invalid job to fail')
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(calls.count).toBe(0)
    expect(row.fail_reason).toMatch(/Invalid data for job .*recordingId must be a number/)
    expect((await jobRow(rows[0].id)).fail_count).toBe(1)
    expect((await jobRow(rows[0].id)).next_run_at).toBeNull()
  })

  test('a stored job that no plugin handles is failed with the reason instead of waiting forever', async () => {
    const { rows } = await db.query(`INSERT INTO agenda_jobs (name, next_run_at, type, data) VALUES ('gone-plugin.do-thing', now(), 'normal', '{}') RETURNING id`)
    await failUnknownJobs(db, ['some.other-job'])
    const row = await jobRow(rows[0].id)
    expect(row.failed_at).not.toBeNull()
    expect(row.next_run_at).toBeNull()
    expect(row.fail_reason).toMatch(/No handler is registered for job "gone-plugin.do-thing"/)
  })
})

describe('dedupe', () => {
  test('50 concurrent enqueues with one dedupe key make exactly one pending job', async () => {
    const name = unique('dedupe')
    const runtime = await startRuntime([{ name, async handler() {} }], 'web')
    const results = await Promise.all(Array.from({ length: 50 }, () => runtime.queue.enqueue(name, { segmentId: 7 }, { dedupeKey: 'segment-7' })))
    const ids = new Set(results.map((result) => result.jobId))
    expect(ids.size).toBe(1)
    expect(results.filter((result) => !result.deduplicated)).toHaveLength(1)
    const { rows } = await db.query('SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1', [name])
    expect(rows[0].n).toBe(1)
    // A different key is a different job.
    expect((await runtime.queue.enqueue(name, { segmentId: 8 }, { dedupeKey: 'segment-8' })).deduplicated).toBe(false)
  })

  test('once the job has started, the same key makes a new job (the change may have come after the read)', async () => {
    const name = unique('dedupe-started')
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const started: string[] = []
    const runtime = await startRuntime([
      {
        name,
        async handler({ jobId }) {
          started.push(jobId)
          if (started.length === 1) await gate
        },
      },
    ])
    const first = await runtime.queue.enqueue(name, {}, { dedupeKey: 'k' })
    await waitFor(async () => started.length === 1, 10_000, 'the first job to start')
    const second = await runtime.queue.enqueue(name, {}, { dedupeKey: 'k' })
    expect(second.deduplicated).toBe(false)
    expect(second.jobId).not.toBe(first.jobId)
    release()
    await waitFor(async () => started.length === 2, 10_000, 'the second job')
  })
})

describe('enqueue from a hook', () => {
  test('a job enqueued in an afterChange hook (before commit) runs after the commit and finds its document', async () => {
    const name = unique('after-change')
    const seen: { attempt: number; found: boolean }[] = []
    await startRuntime([
      {
        name,
        async handler({ data, payload, attempt }) {
          // System read.
          const doc = await payload.findByID({ collection: 'languages', id: (data as { id: number }).id }).catch(() => null)
          seen.push({ attempt, found: Boolean(doc) })
          if (!doc) throw new Error('document not found')
        },
      },
    ])
    const hooks = booted.payload.collections.languages.config.hooks.afterChange
    const hook: CollectionAfterChangeHook = async ({ doc, req, operation }) => {
      if (operation === 'create' && String(doc.code).startsWith('hk')) {
        await getJobQueue().enqueue(name, { id: doc.id }, { req })
        // Still inside the transaction: give a worker every chance to run early.
        await new Promise((resolve) => setTimeout(resolve, 400))
      }
      return doc
    }
    hooks.push(hook)
    try {
      const doc = await booted.payload.create({ collection: 'languages', data: { code: 'hka', name: 'Hook', nativeName: 'Hook' } })
      await waitFor(async () => seen.length > 0, 10_000, 'the hook job')
      expect(seen[0]).toEqual({ attempt: 1, found: true })
      await booted.payload.delete({ collection: 'languages', id: doc.id })
    } finally {
      hooks.splice(hooks.indexOf(hook), 1)
    }
  })

  test('when the transaction rolls back, its job disappears with it', async () => {
    const name = unique('rolled-back')
    const runtime = await startRuntime([{ name, async handler() {} }], 'web')
    const req = await createLocalReq({}, booted.payload)
    await initTransaction(req)
    const { jobId } = await runtime.queue.enqueue(name, {}, { req })
    // Not visible outside the transaction before commit...
    expect(await jobRow(jobId)).toBeUndefined()
    await killTransaction(req)
    expect(await jobRow(jobId)).toBeUndefined()

    const committed = await createLocalReq({}, booted.payload)
    await initTransaction(committed)
    const kept = await runtime.queue.enqueue(name, {}, { req: committed })
    await commitTransaction(committed)
    expect((await jobRow(kept.jobId))?.name).toBe(name)
  })
})

describe('long jobs and timeouts', () => {
  test('a job longer than its lock lifetime keeps its lock (heartbeat) and is not run twice', async () => {
    const name = unique('long')
    const starts: number[] = []
    const definition: JobDefinition = {
      name,
      lockLifetimeMs: 1000,
      async handler() {
        starts.push(Date.now())
        await new Promise((resolve) => setTimeout(resolve, 3500))
      },
    }
    const runtime = await startRuntime([definition])
    await startRuntime([definition])
    const { jobId } = await runtime.queue.enqueue(name, {})
    await waitFor(async () => (await jobRow(jobId)).last_finished_at, 15_000, 'the long job')
    expect(starts).toHaveLength(1)
    expect((await jobRow(jobId)).attempts).toBe(1)
  })

  test('a job past its hard timeout is failed and its child processes are killed', async () => {
    const name = unique('runaway')
    let childPid = 0
    const runtime = await startRuntime([
      {
        name,
        retries: 0,
        timeoutMs: 700,
        async handler({ signal }) {
          const child = spawn('sleep', ['60'], { signal })
          child.on('error', () => undefined)
          childPid = child.pid!
          await new Promise((resolve) => child.once('exit', resolve))
        },
      },
    ])
    const { jobId } = await runtime.queue.enqueue(name, {})
    const row = await waitFor(async () => {
      const current = await jobRow(jobId)
      return current.failed_at && current.locked_at === null ? current : undefined
    }, 15_000, 'the timeout')
    expect(row.fail_reason).toMatch(/ran longer than its 700 ms limit/)
    expect(childPid).toBeGreaterThan(0)
    await waitFor(async () => spawnSync('kill', ['-0', String(childPid)]).status !== 0, 5000, 'the child to die')
  })
})

describe('crash and drain (real worker processes)', () => {
  test('SIGKILL mid-job: another worker re-runs it after the lock expires, and the output exists exactly once', async () => {
    const name = unique('crash')
    const lockMs = 1000
    const doomed = await spawnWorker({ FIXTURE_JOB: name, FIXTURE_WORK_MS: '30000', FIXTURE_LOCK_MS: String(lockMs) })
    const runtime = await startRuntime([slowOutputJob(name, 100, lockMs)], 'web')
    const { jobId } = await runtime.queue.enqueue(name, {})
    await waitFor(async () => (await events(jobId)).some((event) => event.kind === 'start'), 15_000, 'the job to start in the child')
    doomed.kill('SIGKILL')
    await exited(doomed)

    // The survivor does the work quickly.
    await startRuntime([slowOutputJob(name, 100, lockMs)])
    await waitFor(async () => (await events(jobId)).some((event) => event.kind === 'finish'), 20_000, 'the re-run')
    const history = await events(jobId)
    expect(history.filter((event) => event.kind === 'start').map((event) => event.attempt)).toEqual([1, 2])
    expect(history.find((event) => event.kind === 'start')!.pid).toBe(doomed.pid)
    const outputs = await db.query('SELECT count(*)::int AS n FROM job_test_outputs WHERE job_id = $1', [jobId])
    expect(outputs.rows[0].n).toBe(1)
    expect((await jobRow(jobId)).locked_at).toBeNull()
  })

  test('SIGTERM drains: a running job finishes before the worker exits', async () => {
    const name = unique('drain')
    const worker = await spawnWorker({ FIXTURE_JOB: name, FIXTURE_WORK_MS: '1500', FIXTURE_LOCK_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' })
    const runtime = await startRuntime([slowOutputJob(name, 1500, 10000)], 'web')
    const { jobId } = await runtime.queue.enqueue(name, {})
    await waitFor(async () => (await events(jobId)).length > 0, 15_000, 'the job to start')
    worker.kill('SIGTERM')
    expect(await exited(worker)).toBe(0)
    expect((await events(jobId)).map((event) => event.kind)).toEqual(['start', 'finish'])
    const row = await jobRow(jobId)
    expect(row.last_finished_at).not.toBeNull()
    expect(row.locked_at).toBeNull()
  })

  test('SIGTERM with a job longer than the drain timeout: it is aborted and released, never left locked', async () => {
    const name = unique('drain-timeout')
    const worker = await spawnWorker({ FIXTURE_JOB: name, FIXTURE_WORK_MS: '60000', FIXTURE_LOCK_MS: '600000', SHUTDOWN_TIMEOUT_MS: '500' })
    const runtime = await startRuntime([slowOutputJob(name, 60000, 600000)], 'web')
    const { jobId } = await runtime.queue.enqueue(name, {})
    await waitFor(async () => (await events(jobId)).length > 0, 15_000, 'the job to start')
    worker.kill('SIGTERM')
    expect(await exited(worker)).toBe(0)
    const row = await jobRow(jobId)
    expect(row.locked_at).toBeNull()
    expect(row.next_run_at).not.toBeNull()
    // Another worker picks it straight up, without waiting for a 10-minute lock to expire.
    await startRuntime([slowOutputJob(name, 50, 600000)])
    await waitFor(async () => (await events(jobId)).some((event) => event.kind === 'finish'), 15_000, 'the released job to run')
  })
})

describe('pickup and sharing', () => {
  test('an enqueue from a web process wakes an idle worker at once (NOTIFY), not at the next 5 s poll', async () => {
    const name = unique('wake')
    const definition: JobDefinition = { name, async handler() {} }
    let startedAt = 0
    definition.handler = async () => {
      startedAt = Date.now()
    }
    await startRuntime([definition], 'worker', 5000)
    const web = await startRuntime([definition], 'web')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const sentAt = Date.now()
    await web.queue.enqueue(name, {})
    await waitFor(async () => startedAt > 0, 4000, 'the worker to be woken')
    expect(startedAt - sentAt).toBeLessThan(1000)
  })

  test('delayMs holds a job back until its time', async () => {
    const name = unique('delayed')
    let startedAt = 0
    const runtime = await startRuntime([
      {
        name,
        async handler() {
          startedAt = Date.now()
        },
      },
    ])
    const sentAt = Date.now()
    await runtime.queue.enqueue(name, {}, { delayMs: 1500 })
    await waitFor(async () => startedAt > 0, 10_000, 'the delayed job')
    expect(startedAt - sentAt).toBeGreaterThanOrEqual(1400)
  })

  test('two workers share a backlog instead of one hoarding it', async () => {
    const name = unique('share')
    const byWorker = [0, 0]
    const definition = (index: number): JobDefinition => ({
      name,
      concurrency: 2,
      async handler() {
        byWorker[index]++
        await new Promise((resolve) => setTimeout(resolve, 50))
      },
    })
    const first = await startRuntime([definition(0)])
    await startRuntime([definition(1)])
    await Promise.all(Array.from({ length: 40 }, () => first.queue.enqueue(name, {})))
    await waitFor(async () => byWorker[0] + byWorker[1] === 40, 20_000, 'the backlog to drain')
    expect(byWorker[0]).toBeGreaterThan(0)
    expect(byWorker[1]).toBeGreaterThan(0)
  })
})

describe('scheduling and metrics', () => {
  test('a repeating job is scheduled once however many processes start', async () => {
    const name = unique('every')
    const definition: JobDefinition = { name, every: '1 hour', async handler() {} }
    await Promise.all([startRuntime([definition]), startRuntime([definition]), startRuntime([definition])])
    const { rows } = await db.query('SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1', [name])
    expect(rows[0].n).toBe(1)
  })

  test('/metrics exposes processed and failed counts, durations, queue depth and oldest job age', async () => {
    const ok = unique('metric-ok')
    const bad = unique('metric-bad')
    const runtime = await startRuntime([
      { name: ok, async handler({ jobId, attempt }) { await recordEvent(jobId, 'start', attempt); await writeOutput(jobId) } },
      { name: bad, retries: 0, async handler() { throw new Error('nope') } },
    ])
    const first = await runtime.queue.enqueue(ok, {})
    const second = await runtime.queue.enqueue(bad, {})
    await waitFor(async () => (await jobRow(first.jobId)).last_finished_at && (await jobRow(second.jobId)).failed_at, 10_000, 'both jobs')
    const text = await registry.metrics()
    expect(text).toMatch(new RegExp(`shrutik_jobs_processed_total\\{name="${ok}"\\} 1`))
    expect(text).toMatch(new RegExp(`shrutik_jobs_failed_total\\{name="${bad}"\\} 1`))
    expect(text).toMatch(new RegExp(`shrutik_job_duration_seconds_count\\{name="${ok}",outcome="success"\\} 1`))
    expect(text).toMatch(/# TYPE shrutik_job_queue_depth gauge/)
    expect(text).toMatch(/shrutik_job_oldest_queued_seconds \d/)
  })
})
