import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import { SMTPServer } from 'smtp-server'

import { databaseFor } from '../src/db/transaction'
import { JOBS_TABLE } from '../src/jobs/constants'
import { createJobRuntime, type JobRuntime } from '../src/jobs/runtime'
import { settings as readSettings } from '../src/lib/env'
import { sql } from '@payloadcms/db-postgres'
import { decodeMail } from './helpers/mail'
import { json, login, startTestServer, uniqueEmail, type TestServer } from './helpers/server'

/** Password reset end to end: request → queued job → nodemailer → an in-process SMTP sink → reset → login. */

interface Received {
  to: string[]
  raw: string
}

let server: TestServer
let worker: JobRuntime
let smtp: SMTPServer
const inbox: Received[] = []

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`
  // Several resets in this file: room above the per-network limit (its own test is in rateLimit.test.ts).
  const defaults = readSettings().rateLimits
  server = await startTestServer({ rateLimits: { ...defaults, passwordReset: { ...defaults.passwordReset, points: 100 } } })
  worker = await createJobRuntime({
    payload: server.payload,
    databaseUrl: server.booted.database.url,
    jobs: getRegisteredJobs(server.payload.config),
    role: 'worker',
    processEveryMs: 500,
    sweepUnknownJobs: false,
  })
}, 60_000)

afterAll(async () => {
  delete process.env.SMTP_URL
  await worker?.stop(5000)
  await server?.close()
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
})

/** The message's text and HTML parts, decoded (the plain-text part is generated from Payload's HTML-only reset email). */
const decodeBody = (raw: string): string => {
  const mail = decodeMail(raw)
  return `${mail.text}\n${mail.html}`
}

const waitForMail = async (to: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = inbox.find((mail) => mail.to.includes(to))
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no email reached ${to}`)
}

test('forgot password: the email is sent by a worker, in the account’s language, and its link resets the password', async () => {
  const email = uniqueEmail('forgetful')
  await server.payload.create({ collection: 'users', data: { email, password: 'the old password', roles: ['contributor'], uiLocale: 'bn' } })
  const forgot = await fetch(`${server.url}/api/users/forgot-password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  })
  expect(forgot.status).toBe(200)
  const mail = await waitForMail(email)
  // Quoted-printable / encoded headers aside, the Bengali subject and the site link are there.
  expect(mail.raw).toMatch(/Subject: =\?UTF-8\?/i)
  const decoded = decodeBody(mail.raw)
  expect(decoded).toContain('পাসওয়ার্ড')
  const token = /\/bn\/profile\/reset\?token=([0-9a-f]+)/.exec(decoded)?.[1]
  expect(token).toBeTruthy()

  const reset = await fetch(`${server.url}/api/users/reset-password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, password: 'a brand new password' }),
  })
  expect(reset.status).toBe(200)
  await expect(login(server, email, 'the old password')).rejects.toThrow()
  expect(await login(server, email, 'a brand new password')).toBeTruthy()
  // A used token does not work twice.
  const again = await fetch(`${server.url}/api/users/reset-password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, password: 'yet another password' }),
  })
  expect(again.status).toBeGreaterThanOrEqual(400)
  expect(again.status).toBeLessThan(500)
  expect((await json(again)).errors[0].message.length).toBeGreaterThan(5)
})

const forgotPassword = (email: string) =>
  fetch(`${server.url}/api/users/forgot-password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) })
const resetPassword = (token: string, password: string) =>
  fetch(`${server.url}/api/users/reset-password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password }) })
const tokenIn = (mail: Received) => /\/profile\/reset\?token=([0-9a-f]+)/.exec(decodeBody(mail.raw))?.[1] ?? ''

test('the reset link is never stored in clear in the jobs table', async () => {
  const email = uniqueEmail('sealed')
  await server.payload.create({ collection: 'users', data: { email, password: 'the old password', roles: ['contributor'] } })
  const db = await databaseFor({ payload: server.payload } as never)
  const jobRows = async () => ((await db.execute(sql`SELECT name, coalesce(data::text, '') AS data FROM ${sql.raw(JOBS_TABLE)}`)).rows as { name: string; data: string }[])
  expect((await forgotPassword(email)).status).toBe(200)
  // The row as queued, before a worker ran it.
  const queued = (await jobRows()).filter((row) => row.name === 'email.send' && row.data.includes(email))
  expect(queued.length).toBeGreaterThan(0)
  const token = tokenIn(await waitForMail(email))
  expect(token).toMatch(/^[0-9a-f]{20,}$/)
  for (const row of [...queued, ...(await jobRows())]) {
    expect(row.data).not.toContain(token)
    expect(row.data).not.toContain('/profile/reset')
  }
  // And the link still works.
  expect((await resetPassword(token, 'a brand new password')).status).toBe(200)
})

test('a reset link expires after 15 minutes', async () => {
  const email = uniqueEmail('expired')
  const user = await server.payload.create({ collection: 'users', data: { email, password: 'the old password', roles: ['contributor'] } })
  const asked = Date.now()
  expect((await forgotPassword(email)).status).toBe(200)
  const token = tokenIn(await waitForMail(email))
  const stored = await server.payload.findByID({ collection: 'users', id: user.id, showHiddenFields: true })
  const expiresAt = new Date(String(stored.resetPasswordExpiration)).getTime()
  expect(Math.abs(expiresAt - asked - 15 * 60 * 1000)).toBeLessThan(30_000)
  // 15 minutes and a second pass.
  const db = await databaseFor({ payload: server.payload } as never)
  await db.execute(sql`UPDATE users SET reset_password_expiration = reset_password_expiration - interval '15 minutes 1 second' WHERE id = ${user.id}`)
  const late = await resetPassword(token, 'a brand new password')
  expect(late.status).toBeGreaterThanOrEqual(400)
  expect(late.status).toBeLessThan(500)
  expect((await json(late)).errors[0].message).toMatch(/invalid|expired/i)
  await expect(login(server, email, 'a brand new password')).rejects.toThrow()
})

test('an unknown address gets the same answer and no email (no account probing)', async () => {
  const before = inbox.length
  const response = await fetch(`${server.url}/api/users/forgot-password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('nobody') }),
  })
  expect(response.status).toBe(200)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  expect(inbox.length).toBe(before)
})
