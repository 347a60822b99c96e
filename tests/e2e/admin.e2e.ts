/**
 * The admin UI in real Chromium against the real `shrutik start`: reprocessing a recording whose
 * judged segment would be deleted asks the admin to confirm how many judgments go.
 * Run with: node --import tsx --test tests/e2e/admin.e2e.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import pg from 'pg'

import { speechLike, wav } from '@shrutik/plugin-sdk/testing'
import { TERMS_VERSION } from '../../src/site/terms'
import { chromiumPath, freePort, registerFirstAdmin, root, startCliServer, stopCliServer } from '../helpers/cliServer'

if (!fs.existsSync(chromiumPath)) {
  const message = `Chromium is missing at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser suite cannot run without it.`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** ${message} SKIPPING the admin browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-admin-${randomBytes(3).toString('hex')}`)
let port = 0
let server: ChildProcess | undefined
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@e2e-admin.shrutik.local', password: 'an e2e admin password' }
const listener = { email: 'listener@e2e-admin.shrutik.local', password: 'a listener password' }

const api = async (method: string, pathname: string, token: string, body?: unknown) => {
  const response = await fetch(url(pathname), {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), Authorization: `JWT ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The embedded database of the server under test (its port and password are in the data folder). */
const database = () => {
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as { port: number; password: string }
  return new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/shrutik` })
}

let adminToken = ''
let recordingId = 0
let segmentId = 0

before(async () => {
  if (skip) return
  port = await freePort()
  const started = await startCliServer({ port, dataDir })
  server = started.child
  adminToken = await registerFirstAdmin(url(''), started.output(), admin)

  // The admin records a sentence; it is processed into one segment.
  const sentence = (await api('GET', '/api/sentences?limit=1&depth=0&where[language.code][equals]=en', adminToken)).body.docs[0]
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(speechLike([{ seconds: 2 }])))], { type: 'application/octet-stream' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: sentence.language, mode: 'prompt', sentence: sentence.id }))
  const uploaded = await fetch(url('/api/recordings'), { method: 'POST', headers: { Authorization: `JWT ${adminToken}` }, body: form })
  assert.equal(uploaded.status, 201)
  recordingId = ((await uploaded.json()) as { doc: { id: number } }).doc.id
  await waitFor(async () => (await api('GET', `/api/recordings/${recordingId}?depth=0`, adminToken)).body.audio?.status === 'ready', 60_000, 'the recording to be processed')
  segmentId = (await api('GET', `/api/segments?depth=0&where[recording][equals]=${recordingId}`, adminToken)).body.docs[0].id

  // Another person judges it twice: a vote and a transcription.
  assert.equal((await api('POST', '/api/users', adminToken, { ...listener, roles: ['contributor'] })).status, 201)
  const listenerToken = (await (await fetch(url('/api/users/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(listener) })).json()).token
  assert.equal((await api('POST', '/api/site/consent', listenerToken, { termsVersion: TERMS_VERSION })).status, 200)
  assert.equal((await api('POST', '/api/votes', listenerToken, { segment: segmentId, valid: true })).status, 201)
  assert.equal((await api('POST', '/api/transcriptions', listenerToken, { item: segmentId, language: sentence.language, text: 'what I heard' })).status, 201)

  // The stored span differs from what processing finds now (as after a change of thresholds).
  const db = database()
  await db.connect()
  try {
    await db.query('UPDATE segments SET end_ms = end_ms + 40 WHERE id = $1', [segmentId])
  } finally {
    await db.end()
  }
})

after(async () => {
  if (server) await stopCliServer(server)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('reprocessing that would delete judged segments: the admin sees how many judgments would go and must confirm them', { skip }, async () => {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const context = await browser.newContext()
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    const reprocessBodies: unknown[] = []
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/audio-processing/recordings/${recordingId}/reprocess`)) reprocessBodies.push(request.postDataJSON())
    })

    await page.goto(url('/admin/login'), { waitUntil: 'networkidle' })
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((target) => !target.pathname.includes('/login'), { timeout: 20_000 })
    await page.goto(url(`/admin/collections/recordings/${recordingId}`), { waitUntil: 'networkidle' })

    // A plain reprocess is refused by the job; the panel shows why without a reload.
    const panel = page.getByRole('region', { name: 'Audio processing' })
    await panel.getByRole('button', { name: 'Process again', exact: true }).click()
    await panel.getByRole('alert').filter({ hasText: 'would delete 1 judged segment with 2 judgments' }).waitFor({ timeout: 30_000 })
    const confirmButton = panel.getByRole('button', { name: 'Process again and delete 2 judgments' })
    await confirmButton.waitFor()
    assert.deepEqual(reprocessBodies, [{}])

    // Cancelling the dialog sends nothing and deletes nothing.
    const dialogs: string[] = []
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await confirmButton.click()
    await waitFor(async () => dialogs.length === 1, 5000, 'the confirmation dialog')
    assert.match(dialogs[0], /Processing again will delete 2 judgments \(votes and transcriptions\) on segments whose spans changed\. This cannot be undone\./)
    await page.waitForTimeout(500)
    assert.equal(reprocessBodies.length, 1)
    assert.equal((await api('GET', `/api/segments/${segmentId}?depth=0`, adminToken)).status, 200)

    // Confirmed: exactly that number is sent, and the segment goes with its judgments.
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.accept()
    })
    await confirmButton.click()
    await waitFor(async () => reprocessBodies.length === 2, 5000, 'the confirmed reprocess request')
    assert.deepEqual(reprocessBodies[1], { confirmDeleteJudgments: 2 })
    await waitFor(async () => (await api('GET', `/api/segments/${segmentId}?depth=0`, adminToken)).status === 404, 30_000, 'the judged segment to be replaced')
    const segments = (await api('GET', `/api/segments?depth=0&where[recording][equals]=${recordingId}`, adminToken)).body.docs
    assert.equal(segments.length, 1)
    assert.notEqual(segments[0].id, segmentId)
    assert.equal((await api('GET', `/api/votes?where[segment][equals]=${segmentId}`, adminToken)).body.totalDocs, 0)
    assert.equal((await api('GET', `/api/transcriptions?where[item][equals]=${segmentId}`, adminToken)).body.totalDocs, 0)
    // The panel follows: the refusal and the red button are gone.
    await confirmButton.waitFor({ state: 'detached', timeout: 15_000 })
    assert.equal(await panel.getByRole('alert').count(), 0)
    assert.deepEqual(problems, [])
  } finally {
    await browser.close()
  }
})
