import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { SMTPServer } from 'smtp-server'

import { asUser, call } from './helpers/fixtures'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/** Admin → Site settings → "Send a test email": at once, to the admin, with the mail server's answer. */

let server: TestServer
let admin: TestUser
let reviewer: TestUser
const inbox: { to: string[]; raw: string }[] = []
const servers: SMTPServer[] = []

const smtpServer = async (refuse?: string): Promise<string> => {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (refuse) return callback(Object.assign(new Error(refuse), { responseCode: 550 }))
      callback()
    },
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
  servers.push(smtp)
  return `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  server = await startTestServer()
  ;[admin, reviewer] = await Promise.all([createUser(server, 'admin', 'mail-admin'), createUser(server, 'reviewer', 'mail-reviewer')])
})

afterAll(async () => {
  delete process.env.SMTP_URL
  await server?.close()
  for (const smtp of servers) await new Promise<void>((resolve) => smtp.close(() => resolve()))
})

describe('send a test email', () => {
  test('only admins may send one', async () => {
    expect((await call(server, 'POST', '/api/ops/test-email')).status).toBe(401)
    expect((await call(server, 'POST', '/api/ops/test-email', asUser(reviewer))).status).toBe(403)
  })

  test('without SMTP_URL it says mail goes to the log (409)', async () => {
    delete process.env.SMTP_URL
    const response = await call(server, 'POST', '/api/ops/test-email', asUser(admin))
    expect(response.status).toBe(409)
    expect((await json(response)).message).toMatch(/SMTP_URL is not set/)
  })

  test('with a working mail server it is delivered to the admin at once', async () => {
    process.env.SMTP_URL = await smtpServer()
    const response = await call(server, 'POST', '/api/ops/test-email', asUser(admin))
    expect(response.status).toBe(200)
    expect(await json(response)).toMatchObject({ delivered: true, to: admin.email })
    expect(inbox.at(-1)?.to).toEqual([admin.email])
    expect(inbox.at(-1)?.raw).toMatch(/Subject: Test email from Shrutik/)
  })

  test('a refusing mail server is reported with its answer (502)', async () => {
    process.env.SMTP_URL = await smtpServer('Mailbox unavailable for this sender')
    const response = await call(server, 'POST', '/api/ops/test-email', asUser(admin))
    expect(response.status).toBe(502)
    expect((await json(response)).message).toMatch(/Mailbox unavailable/)
  })
})
