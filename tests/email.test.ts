import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import { SMTPServer } from 'smtp-server'

import { createJobRuntime, type JobRuntime } from '../src/jobs/runtime'
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
  server = await startTestServer()
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

/** The message body, decoded from base64 or quoted-printable (enough MIME for one text/html part). */
const decodeBody = (raw: string): string => {
  const [headers, ...rest] = raw.split(/\r?\n\r?\n/)
  const body = rest.join('\n\n')
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
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
