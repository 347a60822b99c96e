/**
 * The admin dashboard in real Chromium against the real `shrutik start`: the chart renders (SVG
 * bars and lines for the days that have clips) under the server's Content-Security-Policy, with no
 * console error, no page error and no CSP violation; the language filter redraws it; a screenshot
 * of the chart is kept in tests/.tmp for a look.
 * Run with: node --import tsx --test tests/e2e/dashboard.e2e.ts   (part of `npm test`)
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
  console.warn(`\n*** ${message} SKIPPING the dashboard browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-dashboard-${randomBytes(3).toString('hex')}`)
const screenshot = path.join(root, 'tests/.tmp', 'dashboard-chart.png')
let port = 0
let server: ChildProcess | undefined
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@e2e-dashboard.shrutik.local', password: 'an e2e dashboard password' }
let adminToken = ''
/** Days ago on which the fixture uploads, and how many clips each. */
const CLIPS_BY_DAY: Record<number, number> = { 0: 3, 2: 1, 5: 2, 30: 4 }

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const database = () => {
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string }
  return new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/shrutik` })
}

before(async () => {
  if (skip) return
  port = await freePort()
  const started = await startCliServer({ port, dataDir })
  server = started.child
  adminToken = await registerFirstAdmin(url(''), started.output(), admin)
  // Processed uploads over the last month, as the audio job leaves them (the figures are under test, not ffmpeg).
  const db = database()
  await db.connect()
  try {
    const { rows } = await db.query(`SELECT id FROM languages WHERE code = 'en'`)
    for (const [daysAgo, clips] of Object.entries(CLIPS_BY_DAY)) {
      for (let i = 0; i < clips; i++) {
        await db.query(
          `INSERT INTO recordings (client_id, language_id, mode, filename, mime_type, filesize, consent_version, audio_status, audio_duration_ms, created_at, updated_at)
           VALUES ($1, $2, 'long', $3, 'audio/wav', 100, 'e2e', 'ready', 1800000, now() - make_interval(days => $4) - interval '1 minute', now())`,
          [randomUUID(), rows[0].id, `e2e-${randomUUID()}.wav`, Number(daysAgo)],
        )
      }
    }
  } finally {
    await db.end()
  }
  // The worker's dashboard.refresh-rollup job runs every minute.
  const total = Object.values(CLIPS_BY_DAY).reduce((sum, n) => sum + n, 0)
  await waitFor(
    async () => {
      const response = await fetch(url('/api/dashboard'), { headers: { Authorization: `JWT ${adminToken}` } })
      const body = (await response.json()) as { daily: { clips: number }[] }
      return body.daily.reduce((sum, day) => sum + day.clips, 0) === total
    },
    150_000,
    'the rollup job to count the uploads',
  )
})

after(async () => {
  if (server) await stopCliServer(server)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('the dashboard chart renders under the CSP with no console errors, and redraws for one language', { skip }, async () => {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    // Injected by the browser itself, so the page's CSP does not apply to it: records every violation.
    await context.addInitScript(() => {
      const seen: string[] = ((window as unknown as { __cspViolations: string[] }).__cspViolations = [])
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`))
    })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
    })

    const response = await page.goto(url('/admin/login'), { waitUntil: 'networkidle' })
    assert.match(response?.headers()['content-security-policy'] ?? '', /default-src 'self'/)
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((target) => target.pathname === '/admin' || target.pathname === '/admin/', { timeout: 30_000 })

    // The landing view: the dashboard above the collection cards.
    const chart = page.locator('#shrutik-dashboard .dashboard-chart')
    await chart.locator('svg.recharts-surface').first().waitFor({ timeout: 30_000 })
    await page.waitForFunction(() => document.querySelectorAll('#shrutik-dashboard .dashboard-chart .recharts-bar-rectangle path').length > 0, undefined, { timeout: 15_000 })
    const drawn = await chart.evaluate((element) => ({
      bars: [...element.querySelectorAll('.recharts-bar-rectangle path')].map((bar) => bar.getBoundingClientRect().height),
      lines: [...element.querySelectorAll('path.recharts-line-curve')].map((line) => line.getAttribute('d')?.length ?? 0),
      width: element.getBoundingClientRect().width,
      label: element.getAttribute('aria-label'),
    }))
    // One bar per day with clips, each visible; two lines (hours recorded, validated).
    assert.equal(drawn.bars.length, Object.keys(CLIPS_BY_DAY).length, JSON.stringify(drawn))
    assert.ok(drawn.bars.every((height) => height > 0), JSON.stringify(drawn))
    assert.equal(drawn.lines.length, 2)
    assert.ok(drawn.lines.every((length) => length > 20))
    assert.ok(drawn.width > 600)
    assert.match(drawn.label ?? '', /clips per day/)
    // The text equivalent and the progress bars are there too.
    assert.equal(await page.locator('#shrutik-dashboard details').first().locator('table tbody tr').count(), 90)
    assert.equal(await page.locator('#shrutik-dashboard details').nth(1).locator('table tbody tr').count(), 13)
    assert.ok((await page.locator('#shrutik-dashboard [role="progressbar"]').count()) >= 3)
    // Payload's collection cards are still below.
    assert.ok((await page.locator('.dashboard__card-list, .collections__card-list, .card').count()) > 0)

    fs.mkdirSync(path.dirname(screenshot), { recursive: true })
    await chart.screenshot({ path: screenshot })
    assert.ok(fs.statSync(screenshot).size > 5_000, 'the chart screenshot is not blank')

    // One language: the chart is read again from /api/dashboard?language=en and keeps its bars.
    const reloaded = page.waitForResponse((answer) => answer.url().endsWith('/api/dashboard?language=en') && answer.status() === 200)
    await page.selectOption('#shrutik-dashboard select[name="language"]', 'en')
    await reloaded
    await page.waitForFunction(() => document.querySelectorAll('#shrutik-dashboard .dashboard-chart .recharts-bar-rectangle path').length === 4, undefined, { timeout: 10_000 })

    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)
    assert.deepEqual(violations, [], `CSP violations: ${violations.join('\n')}`)
    assert.deepEqual(problems, [], problems.join('\n'))
  } finally {
    await browser.close()
  }
})
