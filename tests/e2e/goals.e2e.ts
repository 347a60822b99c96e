/**
 * Goals and notifications in real Chromium against the real `shrutik start`: on the speak page an
 * anonymous contributor sees the weekly progress ring with its text equivalent (an SVG named for
 * screen readers, "7 of 20 clips recorded this week", and the same words on screen), in English
 * and in Bengali; an admin sees the unread notifications badge that the notifications.check job
 * raised for a job that failed for good, and the Notifications list. The leaderboard page (HTML)
 * lists an account that opted in and never one that did not.
 * Run with: node --import tsx --test tests/e2e/goals.e2e.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import pg from 'pg'

import { chromiumPath, freePort, registerFirstAdmin, root, startCliServer, stopCliServer } from '../helpers/cliServer'

if (!fs.existsSync(chromiumPath)) {
  const message = `Chromium is missing at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser suite cannot run without it.`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** ${message} SKIPPING the goals browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-goals-${randomBytes(3).toString('hex')}`)
let port = 0
let server: ChildProcess | undefined
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@e2e-goals.shrutik.local', password: 'an e2e goals password' }
const failingJob = `e2e.failing-${randomUUID().slice(0, 8)}`

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const withDatabase = async <T>(work: (db: pg.Client) => Promise<T>): Promise<T> => {
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string }
  const db = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/shrutik` })
  await db.connect()
  try {
    return await work(db)
  } finally {
    await db.end()
  }
}

before(async () => {
  if (skip) return
  port = await freePort()
  const started = await startCliServer({ port, dataDir })
  server = started.child
  await registerFirstAdmin(url(''), started.output(), admin)
  // A job that failed for good, as the runtime leaves it; the worker's check (every minute) raises it.
  await withDatabase((db) =>
    db.query(`INSERT INTO agenda_jobs (name, next_run_at, type, failed_at, fail_count, fail_reason) VALUES ($1, NULL, 'normal', now(), 3, 'e2e failure')`, [failingJob]),
  )
  await waitFor(
    () => withDatabase(async (db) => (await db.query(`SELECT 1 FROM admin_notifications WHERE condition = $1`, [`job-failed:${failingJob}`])).rowCount === 1),
    150_000,
    'the notifications.check job to raise the failed job',
  )
})

after(async () => {
  if (server) await stopCliServer(server)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const launch = async () => {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

test('the speak page shows the weekly ring with its text equivalent, in English and Bengali', { skip }, async () => {
  const browser = await launch()
  try {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    await page.goto(url('/en/speak?language=en'), { waitUntil: 'networkidle' })
    await page.getByTestId('consent').click()
    const ring = page.getByTestId('goal-ring')
    await ring.waitFor({ timeout: 15_000 })
    assert.equal(await page.getByRole('img', { name: '0 of 20 clips recorded this week' }).count(), 1)

    // Seven clips this week by this browser (as the upload path stores them), then a reload.
    const clientId = (await page.context().cookies()).find((cookie) => cookie.name === 'shrutik_cid')?.value.split(/\.|%2E/i)[1]
    assert.ok(clientId, 'the consent gave this browser a client id')
    await withDatabase(async (db) => {
      for (let i = 0; i < 7; i++) {
        await db.query(
          `INSERT INTO recordings (client_id, language_id, mode, filename, mime_type, filesize, consent_version, audio_status, audio_duration_ms, created_at, updated_at)
           VALUES ($1, (SELECT id FROM languages WHERE code = 'en'), 'long', $2, 'audio/wav', 100, 'e2e', 'ready', 3000, now(), now())`,
          [clientId, `e2e-${randomUUID()}.wav`],
        )
      }
    })
    await page.reload({ waitUntil: 'networkidle' })
    const named = page.getByRole('img', { name: '7 of 20 clips recorded this week' })
    await named.waitFor({ timeout: 15_000 })
    assert.equal(await page.getByTestId('goal-ring-text').textContent(), '7 of 20 clips recorded this week')
    assert.match((await page.getByTestId('goal-ring').textContent()) ?? '', /Streak: 1 day in a row/)

    await page.goto(url('/bn/speak?language=en'), { waitUntil: 'networkidle' })
    await page.getByRole('img', { name: 'এই সপ্তাহে ২০টির মধ্যে ৭টি ক্লিপ রেকর্ড হয়েছে' }).waitFor({ timeout: 15_000 })
    assert.deepEqual(problems, [])
  } finally {
    await browser.close()
  }
})

/** A new account (self-registration), signed in: its JWT headers and id. */
const account = async (label: string): Promise<{ id: number; headers: Record<string, string> }> => {
  const email = `${label}-${randomBytes(3).toString('hex')}@e2e-goals.shrutik.local`
  const password = `pw-${randomBytes(8).toString('hex')}`
  const json = { 'Content-Type': 'application/json' }
  const created = await fetch(url('/api/users'), { method: 'POST', headers: json, body: JSON.stringify({ email, password }) })
  assert.equal(created.status, 201)
  const login = (await (await fetch(url('/api/users/login'), { method: 'POST', headers: json, body: JSON.stringify({ email, password }) })).json()) as { token: string; user: { id: number } }
  return { id: login.user.id, headers: { ...json, Authorization: `JWT ${login.token}` } }
}

test('the leaderboard page lists an account that opted in, never one that did not', { skip }, async () => {
  const listed = await account('listed')
  const unlisted = await account('unlisted')
  await withDatabase(async (db) => {
    // Both confirmed their address (only confirmed accounts are listed): the difference is the opt-in.
    await db.query(`UPDATE users SET email_verified = true WHERE id = ANY($1::int[])`, [[listed.id, unlisted.id]])
    for (const owner of [listed.id, unlisted.id, unlisted.id]) {
      await db.query(
        `INSERT INTO recordings (owner_id, language_id, mode, filename, mime_type, filesize, consent_version, audio_status, audio_duration_ms, created_at, updated_at)
         VALUES ($1, (SELECT id FROM languages WHERE code = 'en'), 'long', $2, 'audio/wav', 100, 'e2e', 'ready', 3000, now(), now())`,
        [owner, `e2e-${randomUUID()}.wav`],
      )
    }
  })
  const opt = (who: { headers: Record<string, string> }, body: unknown) => fetch(url('/api/site/me/leaderboard'), { method: 'POST', headers: who.headers, body: JSON.stringify(body) })
  assert.equal((await opt(listed, { optIn: true, displayName: 'Listed Person' })).status, 200)
  assert.equal((await opt(unlisted, { optIn: false, displayName: 'Hidden Person' })).status, 200)
  for (const query of ['', '?language=en&metric=recorded&period=week', '?language=en&metric=recorded&period=all', '?language=en&metric=validated&period=all']) {
    const html = await (await fetch(url(`/en/leaderboard${query}`))).text()
    assert.doesNotMatch(html, /Hidden Person|unlisted-/)
    if (query.includes('recorded')) assert.match(html, /Listed Person/)
  }
  const bengali = await (await fetch(url('/bn/leaderboard?language=en&metric=recorded&period=all'))).text()
  assert.match(bengali, /লিডারবোর্ড/)
  assert.match(bengali, /Listed Person/)
  assert.doesNotMatch(bengali, /Hidden Person/)
})

test('an admin sees the unread notifications badge and the list', { skip }, async () => {
  const browser = await launch()
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage()
    await page.goto(url('/admin/login'), { waitUntil: 'networkidle' })
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((target) => target.pathname === '/admin' || target.pathname === '/admin/', { timeout: 30_000 })
    const badge = page.getByTestId('notifications-badge')
    await badge.waitFor({ state: 'attached', timeout: 15_000 })
    const unread = Number(await badge.textContent())
    assert.ok(unread >= 1, `the badge counts the unread notifications (${unread})`)
    assert.match((await badge.getAttribute('aria-label')) ?? '', /unread notification/)

    await page.goto(url('/admin/notifications'), { waitUntil: 'networkidle' })
    const row = page.locator('[data-notification-id]', { hasText: failingJob })
    await row.waitFor({ timeout: 15_000 })
    await row.getByRole('button', { name: /Mark notification \d+ read/ }).click()
    await waitFor(
      () => withDatabase(async (db) => (await db.query(`SELECT 1 FROM admin_notifications WHERE condition = $1 AND read_at IS NOT NULL`, [`job-failed:${failingJob}`])).rowCount === 1),
      15_000,
      'the notification to be marked read',
    )
  } finally {
    await browser.close()
  }
})
