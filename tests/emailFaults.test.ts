import type { AddressInfo } from 'node:net'

import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals'
import { getRegisteredJobs, type JobDefinition } from '@shrutik/plugin-sdk'
import { SMTPServer } from 'smtp-server'

import { freePort } from '../src/db/embedded'
import { SEND_EMAIL } from '../src/email'
import { createJobRuntime, type JobRuntime } from '../src/jobs/runtime'
import { settings as readSettings } from '../src/lib/env'
import { createUser, json, startTestServer, uniqueEmail, type TestServer, type TestUser } from './helpers/server'

/** The mail server down or slow: the request never waits, the job retries with back-off, one email is sent once, a lost one is visible. */

let server: TestServer
let admin: TestUser
let worker: JobRuntime | undefined
let smtp: SMTPServer | undefined

const startWorker = async (overrides: Partial<JobDefinition>) => {
  const jobs = getRegisteredJobs(server.payload.config).map((job) => (job.name === SEND_EMAIL ? ({ ...job, ...overrides } as JobDefinition) : job))
  worker = await createJobRuntime({ payload: server.payload, databaseUrl: server.booted.database.url, jobs, role: 'worker', processEveryMs: 200, sweepUnknownJobs: false })
}

const forgotPassword = async (email: string) => {
  await server.payload.create({ collection: 'users', data: { email, password: 'an old password', roles: ['contributor'] } })
  const started = Date.now()
  const response = await fetch(`${server.url}/api/users/forgot-password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) })
  return { status: response.status, ms: Date.now() - started }
}

const emailJob = async (to: string) =>
  (
    await (server.payload.db as unknown as PostgresAdapter).pool.query(
      `SELECT id, fail_count, fail_reason, failed_at, next_run_at, locked_at FROM agenda_jobs WHERE name = $1 AND data->>'to' = $2`,
      [SEND_EMAIL, to],
    )
  ).rows[0] as { id: string; fail_count: number | null; fail_reason: string | null; failed_at: Date | null; next_run_at: Date | null; locked_at: Date | null } | undefined

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

beforeAll(async () => {
  const defaults = readSettings().rateLimits
  server = await startTestServer({ rateLimits: { ...defaults, passwordReset: { ...defaults.passwordReset, points: 100 } } })
  admin = await createUser(server, 'admin')
}, 60_000)

afterEach(async () => {
  await worker?.stop(2000)
  worker = undefined
  if (smtp) await new Promise<void>((resolve) => smtp!.close(() => resolve()))
  smtp = undefined
  delete process.env.SMTP_URL
})

afterAll(async () => {
  await server?.close()
})

test('SMTP down: the request answers at once, the job retries with back-off, and the failed email is listed in the admin with the error', async () => {
  process.env.SMTP_URL = `smtp://127.0.0.1:${await freePort()}`
  await startWorker({ retries: 2, backoffMs: 100 })
  const email = uniqueEmail('unreachable')
  const { status, ms } = await forgotPassword(email)
  expect(status).toBe(200)
  expect(ms).toBeLessThan(2000)
  const job = await waitFor(async () => {
    const row = await emailJob(email)
    return row?.failed_at && row.next_run_at === null && row.locked_at === null ? row : undefined
  }, 20_000, 'the email job to fail for good')
  expect(job.fail_count).toBe(3)
  expect(job.fail_reason).toMatch(/ECONNREFUSED/)
  const listed = (await json(await fetch(`${server.url}/api/jobs?state=failed&limit=200`, { headers: admin.headers }))) as { jobs: { id: string; lastError: string }[] }
  expect(listed.jobs.find((row) => row.id === job.id)?.lastError).toMatch(/ECONNREFUSED/)
})

test('SMTP slower than the job timeout: the attempt is aborted and retried, and the email arrives exactly once', async () => {
  const received: string[] = []
  let connections = 0
  let firstConnectionAt = 0
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // The first connection gets its greeting only after the job's time is up.
    onConnect(_session, callback) {
      connections++
      if (connections === 1) {
        firstConnectionAt = Date.now()
        setTimeout(() => callback(), 2500)
      }
      else callback()
    },
    onData(stream, session, callback) {
      stream.on('data', () => undefined)
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address))
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve))
  process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`
  await startWorker({ retries: 3, backoffMs: 100, timeoutMs: 1000 })
  const email = uniqueEmail('patient')
  const { status, ms } = await forgotPassword(email)
  expect(status).toBe(200)
  expect(ms).toBeLessThan(2000)
  await waitFor(async () => received.includes(email), 20_000, 'the email to arrive')
  // Until the first, slow connection would have delivered too (greeting at 2.5 s), had it not been aborted.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstConnectionAt + 3000 - Date.now())))
  expect(received.filter((to) => to === email)).toHaveLength(1)
  expect(connections).toBeGreaterThanOrEqual(2)
})
