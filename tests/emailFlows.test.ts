import { randomBytes } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'

import { asUser, createLanguage, createSentence, readyRecording, sqlRows, vote } from './helpers/fixtures'
import { hasPlugin } from './helpers/plugins'
import { previousWeek, sendWeeklySummary, weeklySummaryJob } from '../src/email/weeklySummary'
import { createJobRuntime, type JobRuntime } from '../src/jobs/runtime'
import { translator, type Locale } from '../src/site/i18n'
import { decodeMail, startSmtpSink, waitForMail, type ReceivedMail } from './helpers/mail'
import { createUser, json, login, startTestServer, uniqueEmail, type TestServer, type TestUser } from './helpers/server'

/**
 * Verification, invitations, the weekly summary and unsubscribe, end to end in both languages:
 * request → queued job → nodemailer → an in-process SMTP sink → the link in the email → the result.
 */

let server: TestServer
let sink: Awaited<ReturnType<typeof startSmtpSink>>
let runtimes: JobRuntime[] = []
let admin: TestUser
let reviewer: TestUser
const LOCALES: Locale[] = ['en', 'bn']
const PASSWORD = 'a password to remember'

beforeAll(async () => {
  sink = await startSmtpSink()
  process.env.SMTP_URL = sink.url
  server = await startTestServer({
    rateLimits: { register: { points: 1000, durationSec: 60 }, verificationEmail: { points: 3, durationSec: 3600 } },
  })
  const all = getRegisteredJobs(server.payload.config)
  // A worker for emails only (uploads here queue audio jobs that must stay put), then a queue that knows every job.
  runtimes.push(
    await createJobRuntime({ payload: server.payload, databaseUrl: server.booted.database.url, jobs: all.filter((job) => job.name === 'email.send'), role: 'worker', processEveryMs: 300, sweepUnknownJobs: false }),
  )
  runtimes.push(await createJobRuntime({ payload: server.payload, databaseUrl: server.booted.database.url, jobs: all, role: 'web' }))
  admin = await createUser(server, 'admin')
  reviewer = await createUser(server, 'reviewer')
}, 60_000)

afterAll(async () => {
  delete process.env.SMTP_URL
  for (const runtime of runtimes.reverse()) await runtime.stop(5000)
  runtimes = []
  await server?.close()
  await sink?.close()
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const patch = (path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${server.url}${path}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const me = async (headers: Record<string, string>) => (await json(await fetch(`${server.url}/api/users/me?depth=0`, { headers }))).user as Record<string, any>
const mailTo = async (email: string, count = 1) => decodeMail((await waitForMail(sink.inbox, email, { count })).raw)
const messageOf = async (response: Response): Promise<string> => {
  const body = await json(response)
  return String(body.errors?.[0]?.data?.errors?.[0]?.message ?? body.errors?.[0]?.message ?? '')
}
const signUp = async (email: string, locale: Locale) => {
  const response = await post('/api/users', { email, password: PASSWORD, uiLocale: locale })
  expect(response.status).toBe(201)
  return (await json(response)).doc.id as number
}
const verificationTokenIn = (text: string, locale: Locale) => new RegExp(`/${locale}/profile/verify\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1] ?? ''

describe('address verification', () => {
  test.each(LOCALES)('sign-up in %s: the email’s link confirms the address; until then the account contributes but cannot be given a role', async (locale) => {
    const t = translator(locale)
    const email = uniqueEmail(`signup-${locale}`)
    const id = await signUp(email, locale)
    const mail = await mailTo(email)
    expect(mail.subject).toBe(t('email.verifySubject'))
    expect(mail.text).toContain(t('email.verifyWhy'))
    const token = verificationTokenIn(mail.text, locale)
    expect(token.length).toBeGreaterThan(30)
    expect(mail.html).toContain(token)
    // Only the hash is stored.
    const [stored] = await sqlRows<{ verification_token_hash: string }>(server, sql`SELECT verification_token_hash FROM users WHERE id = ${id}`)
    expect(stored.verification_token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(stored.verification_token_hash).not.toContain(token)

    // Signed in and unverified: it cannot verify itself, and an admin cannot give it a role.
    const headers = { Authorization: `JWT ${await login(server, email, PASSWORD)}` }
    expect((await me(headers)).emailVerified).toBe(false)
    expect((await patch(`/api/users/${id}`, { emailVerified: true, roles: ['admin'] }, headers)).status).toBeLessThan(500)
    expect((await me(headers)).emailVerified).toBe(false)
    expect((await me(headers)).roles).toEqual(['contributor'])
    const refused = await patch(`/api/users/${id}`, { roles: ['contributor', 'reviewer'] }, admin.headers)
    expect(refused.status).toBe(400)
    expect(await messageOf(refused)).toMatch(/not confirmed yet/)
    expect((await server.payload.findByID({ collection: 'users', id })).roles).toEqual(['contributor'])

    // The link, followed: confirmed, once.
    expect((await post('/api/email/verify', { token })).status).toBe(200)
    expect((await me(headers)).emailVerified).toBe(true)
    const again = await post('/api/email/verify', { token })
    expect(again.status).toBe(400)
    expect(await messageOf(again)).toMatch(/not valid/)
    // Now the admin can.
    expect((await patch(`/api/users/${id}`, { roles: ['contributor', 'reviewer'] }, admin.headers)).status).toBe(200)
  })

  test('an expired or forged link is refused with a message; a new link replaces the old one; asking is signed-in and rate-limited', async () => {
    const email = uniqueEmail('expired')
    const id = await signUp(email, 'en')
    const token = verificationTokenIn((await mailTo(email)).text, 'en')
    await sqlRows(server, sql`UPDATE users SET verification_expires_at = now() - interval '1 minute' WHERE id = ${id}`)
    const expired = await post('/api/email/verify', { token })
    expect(expired.status).toBe(410)
    expect(await messageOf(expired)).toMatch(/expired/)
    const forged = await post('/api/email/verify', { token: randomBytes(32).toString('base64url') })
    expect(forged.status).toBe(400)
    expect((await post('/api/email/verify', {})).status).toBe(400)

    // A new link (limit: 3 an hour from one network, the anonymous refusal included).
    expect((await post('/api/email/resend-verification', {})).status).toBe(401)
    const headers = { Authorization: `JWT ${await login(server, email, PASSWORD)}` }
    expect((await post('/api/email/resend-verification', {}, headers)).status).toBe(200)
    const fresh = verificationTokenIn((await mailTo(email, 2)).text, 'en')
    expect(fresh).not.toBe(token)
    expect((await post('/api/email/verify', { token })).status).toBe(400)
    expect((await post('/api/email/verify', { token: fresh })).status).toBe(200)
    const confirmed = await post('/api/email/resend-verification', {}, headers)
    expect(confirmed.status).toBe(409)
    const limited = await post('/api/email/resend-verification', {}, headers)
    expect(limited.status).toBe(429)
  })

  test('a contributor who changes their address confirms the new one', async () => {
    const email = uniqueEmail('mover')
    const id = await signUp(email, 'bn')
    expect((await post('/api/email/verify', { token: verificationTokenIn((await mailTo(email)).text, 'bn') })).status).toBe(200)
    const headers = { Authorization: `JWT ${await login(server, email, PASSWORD)}` }
    expect((await me(headers)).emailVerified).toBe(true)
    const moved = uniqueEmail('moved')
    expect((await patch(`/api/users/${id}`, { email: moved }, headers)).status).toBe(200)
    const stored = await server.payload.findByID({ collection: 'users', id })
    expect(stored.emailVerified).toBe(false)
    const mail = await mailTo(moved)
    expect(mail.subject).toBe(translator('bn')('email.verifySubject'))
    expect((await post('/api/email/verify', { token: verificationTokenIn(mail.text, 'bn') })).status).toBe(200)
    expect((await server.payload.findByID({ collection: 'users', id })).emailVerified).toBe(true)
  })

  test('accounts created with a role (by the server or an admin) count as verified; contributors do not', async () => {
    const withRole = await server.payload.create({ collection: 'users', data: { email: uniqueEmail('cli-admin'), password: PASSWORD, roles: ['admin'] } })
    expect(withRole.emailVerified).toBe(true)
    const contributor = await server.payload.create({ collection: 'users', data: { email: uniqueEmail('seeded'), password: PASSWORD, roles: ['contributor'] } })
    expect(contributor.emailVerified).toBe(false)
    // An admin creating an account with a role in the admin vouches for it too; without a role, a link goes out.
    const byAdmin = await post('/api/users', { email: uniqueEmail('made-by-admin'), password: PASSWORD, roles: ['exporter'] }, admin.headers)
    expect(byAdmin.status).toBe(201)
    expect((await json(byAdmin)).doc).toMatchObject({ roles: ['exporter'], emailVerified: true })
    const plain = uniqueEmail('plain-by-admin')
    expect((await post('/api/users', { email: plain, password: PASSWORD }, admin.headers)).status).toBe(201)
    expect(verificationTokenIn((await mailTo(plain)).text, 'en')).not.toBe('')
  })
})

const invitationTokenIn = (text: string, locale: Locale) => new RegExp(`/${locale}/invite\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1] ?? ''
const invite = (email: string, role: string, locale: Locale, headers = admin.headers) => post('/api/invitations', { email, role, locale }, headers)
const accept = (token: string, password = PASSWORD, name?: string) => post('/api/invitations/accept', { token, password, ...(name ? { name } : {}) })

describe('invitations', () => {
  test.each(LOCALES)('in %s: an admin invites; the link sets a password and signs the person in with the role, once', async (locale) => {
    const t = translator(locale)
    const email = uniqueEmail(`invitee-${locale}`)
    const created = await invite(email.toUpperCase(), 'reviewer', locale)
    expect(created.status).toBe(201)
    const invitation = (await json(created)).doc
    expect(invitation.email).toBe(email)
    expect(invitation.tokenHash).toBeUndefined()
    expect(Math.abs(new Date(invitation.expiresAt).getTime() - Date.now() - 7 * 24 * 3600 * 1000)).toBeLessThan(60_000)

    const mail = await mailTo(email)
    expect(mail.subject).toBe(t('email.inviteSubject', { site: 'Shrutik' }))
    expect(mail.text).toContain(t('email.role.reviewer'))
    expect(mail.text).toContain(admin.email)
    const token = invitationTokenIn(mail.text, locale)
    expect(token.length).toBeGreaterThan(30)

    const lookup = await fetch(`${server.url}/api/invitations/lookup?token=${token}`)
    expect(await json(lookup)).toEqual({ email, role: 'reviewer', locale })
    // A refused password leaves the invitation usable (one transaction).
    const weak = await accept(token, 'short')
    expect(weak.status).toBe(400)
    expect(await messageOf(weak)).toMatch(/8 to 256 characters/)

    const accepted = await accept(token, PASSWORD, 'Rina')
    expect(accepted.status).toBe(200)
    expect(await json(accepted)).toMatchObject({ accepted: true, redirect: '/admin' })
    const cookie = (accepted.headers.get('set-cookie') ?? '').split(';')[0]
    expect(cookie).toMatch(/^shrutik-token=.+/)
    // As a browser sends it (Payload checks where a cookie-authenticated request comes from).
    const browser = { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' }
    const user = await me(browser)
    expect(user).toMatchObject({ email, roles: ['reviewer'], emailVerified: true, uiLocale: locale, name: 'Rina' })
    // The admin opens for them.
    expect((await fetch(`${server.url}/api/access`, { headers: browser }).then((response) => response.json()) as { canAccessAdmin?: boolean }).canAccessAdmin).toBe(true)

    const reused = await accept(token, 'another password here')
    expect(reused.status).toBe(400)
    expect((await fetch(`${server.url}/api/invitations/lookup?token=${token}`)).status).toBe(400)
    const stored = await server.payload.findByID({ collection: 'invitations', id: invitation.id, depth: 0 })
    expect(stored.acceptedAt).toBeTruthy()
    expect(stored.user).toBe(user.id)
  })

  test('only admins invite; an existing account or a pending invitation is refused with a message', async () => {
    const email = uniqueEmail('not-by-reviewer')
    expect((await invite(email, 'reviewer', 'en', reviewer.headers)).status).toBe(403)
    expect((await invite(email, 'reviewer', 'en', {})).status).toBe(403)
    expect((await fetch(`${server.url}/api/invitations`, { headers: reviewer.headers })).status).toBe(403)
    const existing = await invite(reviewer.email, 'admin', 'en')
    expect(existing.status).toBe(400)
    expect(await messageOf(existing)).toMatch(/already exists/)
    expect((await invite(email, 'reviewer', 'en')).status).toBe(201)
    const twice = await invite(email, 'admin', 'en')
    expect(twice.status).toBe(400)
    expect(await messageOf(twice)).toMatch(/pending invitation/)
    // An invitation cannot hand out the contributor role or an unknown one.
    expect((await invite(uniqueEmail('odd-role'), 'superuser', 'en')).status).toBe(400)
  })

  test('an expired or unknown link is refused; "resend" replaces the link', async () => {
    const email = uniqueEmail('late')
    const { doc } = await json(await invite(email, 'exporter', 'bn'))
    const first = invitationTokenIn((await mailTo(email)).text, 'bn')
    await sqlRows(server, sql`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = ${doc.id}`)
    const expired = await accept(first)
    expect(expired.status).toBe(410)
    expect(await messageOf(expired)).toMatch(/expired/)
    expect((await accept(randomBytes(32).toString('base64url'))).status).toBe(400)

    expect((await post(`/api/invitations/${doc.id}/resend`, {}, reviewer.headers)).status).toBe(403)
    expect((await post(`/api/invitations/${doc.id}/resend`, {}, admin.headers)).status).toBe(200)
    const second = invitationTokenIn((await mailTo(email, 2)).text, 'bn')
    expect(second).not.toBe(first)
    expect((await accept(first)).status).toBe(400)
    expect((await accept(second)).status).toBe(200)
    expect((await post(`/api/invitations/${doc.id}/resend`, {}, admin.headers)).status).toBe(409)
    // An account now exists: inviting the address again says so.
    expect(await messageOf(await invite(email, 'admin', 'en'))).toMatch(/already exists/)
  })
})

describe('weekly summary and unsubscribe', () => {
  const week = previousWeek(new Date())
  const optIn = async (user: TestUser, locale: Locale) =>
    server.payload.update({ collection: 'users', id: user.id, data: { emailVerified: true, weeklySummary: true, uiLocale: locale } })
  const runJob = () =>
    weeklySummaryJob.handler({ data: {}, payload: server.payload, attempt: 1, jobId: 'test', signal: new AbortController().signal, touch: async () => undefined, log: () => undefined })
  let speaker: TestUser
  let listener: TestUser

  beforeAll(async () => {
    // The summary job looks at every opted-in account: none from earlier runs of this file.
    await sqlRows(server, sql`UPDATE users SET weekly_summary = false`)
    speaker = await createUser(server, 'contributor', 'speaker')
    listener = await createUser(server, 'contributor', 'listener')
    await optIn(speaker, 'bn')
    await optIn(listener, 'en')
  })

  test('counts come from the server (recordings last week; validations since the last summary), sent once a week, in each account’s language', async () => {
    const languageId = await createLanguage(server)
    const made = []
    for (let index = 0; index < 3; index++) made.push(await readyRecording(server, asUser(speaker), { languageId, sentenceId: await createSentence(server, languageId) }))
    // Two of the three were made last week.
    const lastWeek = new Date(week.start.getTime() + 24 * 3600 * 1000).toISOString()
    await sqlRows(server, sql`UPDATE recordings SET created_at = ${lastWeek} WHERE id IN (${made[0].recordingId}, ${made[1].recordingId})`)
    // Validations are the consensus plugin's votes on the audio plugin's segments: without either
    // (SHRUTIK_TEST_WITHOUT) there are none to count.
    const validating = hasPlugin('consensus') && hasPlugin('audio-processing')
    const voters = [listener, await createUser(server, 'contributor', 'voter')]
    for (const [voter, segment] of validating ? ([[voters[0], made[0].segmentIds[0]], [voters[1], made[0].segmentIds[0]], [voters[0], made[2].segmentIds[0]]] as const) : []) {
      expect((await vote(server, asUser(voter), segment, true)).status).toBeLessThan(300)
    }
    // Opted in but unverified: nothing.
    const unverified = await createUser(server, 'contributor', 'unverified')
    await server.payload.update({ collection: 'users', id: unverified.id, data: { weeklySummary: true } })

    await runJob()
    const bn = translator('bn')
    const mail = await mailTo(speaker.email)
    expect(mail.subject).toBe(bn('email.summarySubject', { site: 'Shrutik' }))
    expect(mail.text).toContain(bn('email.summaryRecorded', { count: 2 }))
    expect(mail.text).toContain(bn('email.summaryValidatedSoFar', { count: validating ? 3 : 0 }))
    expect(mail.headers.get('list-unsubscribe')).toMatch(/^<http.*\/api\/email\/unsubscribe\?token=.+>$/)
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    const en = translator('en')
    const listenerMail = await mailTo(listener.email)
    expect(listenerMail.subject).toBe(en('email.summarySubject', { site: 'Shrutik' }))
    expect(listenerMail.text).toContain(en('email.summaryRecorded', { count: 0 }))

    // Again in the same week: nothing more.
    await runJob()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(sink.inbox.filter((received) => received.to.includes(speaker.email))).toHaveLength(1)
    expect(sink.inbox.some((received) => received.to.includes(unverified.email))).toBe(false)
    const rows = await sqlRows<{ week: string; recorded: string; validated: string }>(server, sql`SELECT week, recorded, validated FROM weekly_summaries WHERE user_id = ${speaker.id}`)
    expect(rows).toEqual([{ week: week.key, recorded: '2', validated: validating ? '3' : '0' }])

    // A week later: the validations since this summary.
    if (validating) expect((await vote(server, asUser(voters[1]), made[2].segmentIds[0], false, 'noisy')).status).toBeLessThan(300)
    const nextWeek = previousWeek(new Date(Date.now() + 7 * 24 * 3600 * 1000))
    const [row] = await sqlRows<{ id: number; email: string; ui_locale: string }>(server, sql`SELECT id, email, ui_locale FROM users WHERE id = ${speaker.id}`)
    expect(await sendWeeklySummary(server.payload, row, nextWeek)).toBe(true)
    expect(await sendWeeklySummary(server.payload, row, nextWeek)).toBe(false)
    const second = await mailTo(speaker.email, 2)
    expect(second.text).toContain(bn('email.summaryValidated', { count: validating ? 1 : 0 }))
    // That week is this one, in which the third recording was made.
    expect(second.text).toContain(bn('email.summaryRecorded', { count: 1 }))
  })

  const linkIn = (mail: ReceivedMail) => /(http\S+\/api\/email\/unsubscribe\?token=\S+)/.exec(decodeMail(mail.raw).text)?.[1] ?? ''
  const localPath = (link: string) => link.replace(/^https?:\/\/[^/]+/, '')

  test.each([
    ['bn', () => speaker],
    ['en', () => listener],
  ] as const)('unsubscribe in %s: the link works without signing in; GET asks, POST (one-click) unsubscribes', async (locale, who) => {
    const user = who()
    const received = sink.inbox.find((mail) => mail.to.includes(user.email))
    expect(received).toBeDefined()
    const path = localPath(linkIn(received!))
    expect(path).toMatch(/^\/api\/email\/unsubscribe\?token=/)
    const t = translator(locale)
    const page = await fetch(`${server.url}${path}`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`lang="${locale}"`)
    expect(html).toContain('<form method="post"')
    expect(html).toContain(t('email.unsubscribeButton'))
    expect(html).not.toContain(user.email)
    // Looking is not unsubscribing.
    expect((await server.payload.findByID({ collection: 'users', id: user.id })).weeklySummary).toBe(true)
    // RFC 8058 one-click, as a mail client sends it: no cookie, a form body.
    const done = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
    expect(done.status).toBe(200)
    expect(await done.text()).toContain(t('email.unsubscribeDone', { email: `${user.email[0]}•••@${user.email.split('@')[1]}` }))
    expect((await server.payload.findByID({ collection: 'users', id: user.id })).weeklySummary).toBe(false)
  })

  test('a forged or cut unsubscribe link gets a 400 page and changes nothing', async () => {
    await server.payload.update({ collection: 'users', id: listener.id, data: { weeklySummary: true } })
    const received = sink.inbox.find((mail) => mail.to.includes(listener.email))!
    const token = decodeURIComponent(localPath(linkIn(received)).split('token=')[1])
    const [, , mac] = token.split('.')
    for (const forged of [`${speaker.id}.weekly-summary.${mac}`, token.slice(0, -3), `${listener.id}.weekly-summary.${'A'.repeat(43)}`, '']) {
      for (const method of ['GET', 'POST']) {
        const response = await fetch(`${server.url}/api/email/unsubscribe?token=${encodeURIComponent(forged)}`, { method })
        expect(response.status).toBe(400)
        expect(await response.text()).toContain(translator('bn')('email.unsubscribeInvalid'))
      }
    }
    expect((await server.payload.findByID({ collection: 'users', id: listener.id })).weeklySummary).toBe(true)
  })

  test('a contributor turns the summary on and off from their own account only', async () => {
    const other = await createUser(server, 'contributor', 'other')
    expect((await patch(`/api/users/${other.id}`, { weeklySummary: true }, other.headers)).status).toBe(200)
    expect((await me(other.headers)).weeklySummary).toBe(true)
    expect((await patch(`/api/users/${other.id}`, { weeklySummary: false }, listener.headers)).status).toBeGreaterThanOrEqual(403)
    expect((await me(other.headers)).weeklySummary).toBe(true)
  })
})
