/**
 * Email in real Chromium against the real `shrutik start` with no SMTP_URL: Admin → Email templates
 * renders every template in English and Bengali in sandboxed frames under the admin's CSP; an
 * invitation's link, read from the server log (where emails go without a mail server), opens the
 * site's invitation page, which sets a password and lands in the admin.
 * Run with: node --import tsx --test tests/e2e/email.e2e.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import type { Browser, BrowserContext, Page } from 'playwright-core'

import { chromiumPath, freePort, registerFirstAdmin, root, startCliServer, stopCliServer, type CliServer } from '../helpers/cliServer'

if (!fs.existsSync(chromiumPath)) {
  const message = `Chromium is missing at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser suite cannot run without it.`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** ${message} SKIPPING the email browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-email-${randomBytes(3).toString('hex')}`)
let port = 0
let server: CliServer | undefined
let child: ChildProcess | undefined
let browser: Browser | undefined
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@e2e-email.shrutik.local', password: 'an e2e email password' }
let adminToken = ''

before(async () => {
  if (skip) return
  port = await freePort()
  // No SMTP_URL: every email is written to the log in full.
  server = await startCliServer({ port, dataDir, env: { SMTP_URL: '' } })
  child = server.child
  adminToken = await registerFirstAdmin(url(''), server.output(), admin)
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

after(async () => {
  await browser?.close()
  if (child) await stopCliServer(child)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

/** A page that records console errors, page errors and CSP violations. */
const watchedPage = async (): Promise<{ context: BrowserContext; page: Page; problems: () => Promise<string[]> }> => {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } })
  await context.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __cspViolations: string[] }).__cspViolations = [])
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`))
  })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  // The site has no favicon (yet): the browser's own request for one is not this suite's concern.
  const ignored = (address: string) => address.endsWith('/favicon.ico')
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignored(message.location().url)) problems.push(`console error: ${message.text()} (${message.location().url})`)
  })
  page.on('response', (response) => {
    if (response.status() >= 400 && !ignored(response.url())) problems.push(`${response.status()} ${response.url()}`)
  })
  return {
    context,
    page,
    problems: async () => [...problems, ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).map((v) => `CSP: ${v}`)],
  }
}

test('Admin → Email templates shows every email in English and Bengali, under the CSP', { skip }, async () => {
  const { context, page, problems } = await watchedPage()
  try {
    await page.goto(url('/admin/login'), { waitUntil: 'networkidle' })
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((target) => target.pathname === '/admin' || target.pathname === '/admin/', { timeout: 30_000 })
    // The view is linked from the admin's navigation (admins only).
    assert.equal(await page.locator('a#nav-email-templates[href="/admin/email-templates"]').count(), 1)
    await page.goto(url('/admin/email-templates'), { waitUntil: 'networkidle' })
    await page.locator('section[data-email-template]').first().waitFor({ timeout: 30_000 })
    assert.equal(await page.locator('section[data-email-template]').count(), 4)
    assert.equal(await page.locator('iframe[sandbox=""]').count(), 8)
    // The frames render the HTML part: Bengali text in the Bengali invitation, the link in both.
    const frames = page.frames().filter((frame) => frame !== page.mainFrame())
    assert.equal(frames.length, 8)
    const bodies = await Promise.all(frames.map((frame) => frame.locator('body').innerText()))
    assert.ok(bodies.some((body) => body.includes('আমন্ত্রণ') && body.includes('/bn/invite?token=')), bodies.join('\n---\n'))
    assert.ok(bodies.some((body) => body.includes('invited you') && body.includes('/en/invite?token=')))
    assert.ok(bodies.every((body) => body.length > 40))
    const subjects = await page.locator('[data-email-locale="bn"] [data-email-subject]').allInnerTexts()
    assert.ok(subjects.includes('আপনার ইমেইল ঠিকানা নিশ্চিত করুন'), subjects.join(' | '))
    assert.deepEqual(await problems(), [])
  } finally {
    await context.close()
  }
})

test('an invitation’s link from the server log sets a password on the site and lands in the admin', { skip }, async () => {
  const invitee = `reviewer-${randomBytes(3).toString('hex')}@e2e-email.shrutik.local`
  const created = await fetch(url('/api/invitations'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `JWT ${adminToken}` },
    body: JSON.stringify({ email: invitee, role: 'reviewer', locale: 'bn' }),
  })
  assert.equal(created.status, 201)
  // Without SMTP_URL the worker writes the whole email to the log, link included.
  const deadline = Date.now() + 30_000
  let link = ''
  while (!link && Date.now() < deadline) {
    const line = server!.output().split('\n').find((entry) => entry.includes('SMTP_URL is not set') && entry.includes(invitee))
    link = /(http:\/\/127\.0\.0\.1:\d+\/bn\/invite\?token=[A-Za-z0-9_-]+)/.exec(line ?? '')?.[1] ?? ''
    if (!link) await new Promise((resolve) => setTimeout(resolve, 300))
  }
  assert.ok(link, 'the invitation link is in the log')

  const { context, page, problems } = await watchedPage()
  try {
    await page.goto(link, { waitUntil: 'networkidle' })
    await page.locator('#invite-password').waitFor({ timeout: 30_000 })
    assert.match(await page.locator('form.card').innerText(), new RegExp(invitee.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    await page.fill('#invite-name', 'Rina')
    await page.fill('#invite-password', 'a reviewer password')
    await page.click('form.card button[type="submit"]')
    await page.waitForURL((target) => target.pathname === '/admin' || target.pathname === '/admin/', { timeout: 30_000 })
    // Signed in as the new reviewer: the admin's navigation is there.
    await page.locator('nav').first().waitFor({ timeout: 30_000 })
    const me = await page.evaluate(async () => (await (await fetch('/api/users/me', { credentials: 'include' })).json()) as { user?: { email?: string; roles?: string[]; emailVerified?: boolean } })
    assert.equal(me.user?.email, invitee)
    assert.deepEqual(me.user?.roles, ['reviewer'])
    assert.equal(me.user?.emailVerified, true)
    assert.deepEqual(await problems(), [])
    // The same link again: a clear refusal on the page.
    const again = await context.newPage()
    await again.goto(link, { waitUntil: 'networkidle' })
    await again.locator('.status--error').waitFor({ timeout: 30_000 })
    assert.match(await again.locator('.status--error').innerText(), /already (used|accepted)/)
  } finally {
    await context.close()
  }
})
