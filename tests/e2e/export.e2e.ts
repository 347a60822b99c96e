/**
 * Admin → Dataset exports → New in real Chromium against the real `shrutik start` (embedded
 * PostgreSQL, production build, jobs running): an admin fills the form, saves, watches the
 * progress panel reach "done" and downloads the archive through the panel's link.
 * Run with: node --import tsx --test tests/e2e/export.e2e.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import { speechLike, wav } from '@shrutik/plugin-sdk/testing'
import { TERMS_VERSION } from '../../src/site/terms'
import { chromiumPath, freePort, registerFirstAdmin, root, startCliServer, stopCliServer } from '../helpers/cliServer'

if (!fs.existsSync(chromiumPath)) {
  const message = `Chromium is missing at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser suite cannot run without it.`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** ${message} SKIPPING the browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-export-${randomBytes(3).toString('hex')}`)
let port = 0
let server: ChildProcess | undefined
let token = ''
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@e2e-export.shrutik.local', password: 'an e2e admin password' }
let languageName = ''
let uploaded: number[] = []

const api = async (method: string, pathname: string, body?: unknown) => {
  const response = await fetch(url(pathname), {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `JWT ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

before(async () => {
  if (skip) return
  port = await freePort()
  const started = await startCliServer({ port, dataDir })
  server = started.child
  token = await registerFirstAdmin(url(''), started.output(), admin)
  // A language of its own with two prompt recordings, processed by the real audio job (they stay
  // undecided: "All" exports them into other.tsv).
  const language = await api('POST', '/api/languages', { code: 'qx', name: 'Export Test', nativeName: 'Export Test' })
  assert.equal(language.status, 201, JSON.stringify(language.body))
  languageName = language.body.doc.name
  const sentences: number[] = []
  for (const text of ['The first sentence to read.', 'The second sentence to read.']) {
    const created = await api('POST', '/api/sentences', { text, language: language.body.doc.id, status: 'approved' })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    sentences.push(created.body.doc.id)
  }
  uploaded = []
  for (const [index, sentence] of sentences.entries()) {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(wav(speechLike([{ seconds: 0.3, pause: true }, { seconds: 1.5 }, { seconds: 0.3, pause: true }], { seed: index + 3 })))], { type: 'audio/wav' }), 'take.wav')
    form.append('_payload', JSON.stringify({ language: language.body.doc.id, mode: 'prompt', sentence, consentVersion: TERMS_VERSION }))
    const upload = await fetch(url('/api/recordings?depth=0'), { method: 'POST', headers: { Authorization: `JWT ${token}` }, body: form })
    assert.equal(upload.status, 201)
    uploaded.push(((await upload.json()) as { doc: { id: number } }).doc.id)
  }
  const deadline = Date.now() + 90_000
  for (const id of uploaded) {
    while (Date.now() < deadline && (await api('GET', `/api/recordings/${id}?depth=0`)).body.audio?.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal((await api('GET', `/api/recordings/${id}?depth=0`)).body.audio?.status, 'ready')
  }
})

after(async () => {
  if (server) await stopCliServer(server)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('an admin creates an export in the admin form, watches its progress to done and downloads the archive', { skip }, async () => {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] })
  try {
    const context = await browser.newContext({ acceptDownloads: true })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(url('/admin/login'))
    await page.fill('#field-email', admin.email)
    await page.fill('#field-password', admin.password)
    await page.click('button[type=submit]')
    await page.waitForURL((address) => !address.pathname.includes('login'), { timeout: 30_000 })

    // Dataset exports → Create new: the progress panel asks to save first.
    await page.goto(url('/admin/collections/dataset-exports/create'), { waitUntil: 'networkidle' })
    await page.getByText('Save to start the export.').waitFor({ timeout: 30_000 })
    // Language (a relationship picker), what to include ("All"), a seed.
    await page.locator('#field-language .rs__control').click()
    await page.locator('.rs__option', { hasText: languageName }).click()
    await page.locator('#field-include .rs__control').click()
    await page.locator('.rs__option', { hasText: /^All/ }).click()
    await page.fill('#field-seed', '7')
    await page.click('#action-save')
    await page.waitForURL(/\/admin\/collections\/dataset-exports\/\d+$/, { timeout: 30_000 })
    const id = Number(new URL(page.url()).pathname.split('/').at(-1))

    // The sidebar's progress bar follows the export to done, then offers the download.
    const bar = page.getByRole('progressbar')
    await bar.waitFor({ timeout: 30_000 })
    const download = page.getByRole('link', { name: /^Download shrutik-qx-cv-seed7\.tar\.gz/ })
    await download.waitFor({ timeout: 120_000 })
    assert.equal(await bar.getAttribute('aria-valuenow'), '2')
    assert.equal(await bar.getAttribute('aria-valuemax'), '2')
    await page.getByText('2 / 2 clips').waitFor()
    await page.getByText(/^done — done$/).waitFor()

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()])
    assert.equal(file.suggestedFilename(), 'shrutik-qx-cv-seed7.tar.gz')
    const saved = path.join(dataDir, 'downloaded.tar.gz')
    await file.saveAs(saved)
    const doc = (await api('GET', `/api/dataset-exports/${id}?depth=0`)).body
    assert.equal(doc.status, 'done')
    assert.equal(createHash('sha256').update(fs.readFileSync(saved)).digest('hex'), doc.sha256)
    const unpacked = path.join(dataDir, 'unpacked')
    fs.mkdirSync(unpacked)
    assert.equal(spawnSync('tar', ['-xzf', saved, '-C', unpacked]).status, 0)
    const top = path.join(unpacked, 'shrutik-qx-cv-seed7')
    const other = fs.readFileSync(path.join(top, 'other.tsv'), 'utf8').split('\n').slice(1, -1)
    assert.equal(other.length, 2)
    assert.equal(spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: top }).status, 0)
    // The download was recorded.
    const downloads = (await api('GET', `/api/dataset-export-downloads?where[export][equals]=${id}&depth=0`)).body.docs
    assert.equal(downloads.length, 1)
    assert.deepEqual(problems, [])
  } finally {
    await browser.close()
  }
})
