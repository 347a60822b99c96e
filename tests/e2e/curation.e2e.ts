/**
 * Sentence curation in the admin, in real Chromium against the real `shrutik start` (embedded
 * PostgreSQL, production build, jobs running): Sentences → Import (preview, column mapping,
 * progress, report), the report queue (retire / keep) and the review screen.
 * Run with: node --import tsx --test tests/e2e/curation.e2e.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import type { Browser, Page } from 'playwright-core'

import { chromiumPath, freePort, registerFirstAdmin, root, startCliServer, stopCliServer } from '../helpers/cliServer'

if (!fs.existsSync(chromiumPath)) {
  const message = `Chromium is missing at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser suite cannot run without it.`
  if (process.env.CI) throw new Error(message)
  console.warn(`\n*** ${message} SKIPPING the curation browser suite. ***\n`)
}
const skip = !fs.existsSync(chromiumPath) && 'no Chromium here'

const dataDir = path.join(root, 'tests/.tmp', `e2e-curation-${randomBytes(3).toString('hex')}`)
const tsvFile = path.join(dataDir, '..', `import-${randomBytes(3).toString('hex')}.tsv`)
let port = 0
let server: ChildProcess | undefined
let token = ''
let browser: Browser | undefined
const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`
const admin = { email: 'admin@curation-e2e.shrutik.local', password: 'a curation e2e admin password' }
// Languages of this suite, with strict rules (no digits, a danda or full stop at the end).
const bengali = { code: 'bnx', name: 'Bengali (e2e)', nativeName: 'বাংলা', sentenceRules: { minWords: 2, maxWords: 14, allowedScripts: 'Bengali', allowDigits: false, terminalPunctuation: '।?!' } }
const english = { code: 'enx', name: 'English (e2e)', nativeName: 'English', sentenceRules: { minWords: 2, maxWords: 14, allowedScripts: 'Latin', allowDigits: false, terminalPunctuation: '.?!' } }

const api = async (method: string, pathname: string, body?: unknown) => {
  const response = await fetch(url(pathname), {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `JWT ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

const signedInPage = async (): Promise<{ page: Page; problems: string[] }> => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  await page.goto(url('/admin/login'))
  await page.fill('#field-email', admin.email)
  await page.fill('#field-password', admin.password)
  await page.click('button[type=submit]')
  await page.waitForURL((address) => !address.pathname.includes('login'), { timeout: 30_000 })
  return { page, problems }
}

/** Picks an option of one of Payload's select inputs (react-select) by its label. */
const choose = async (page: Page, fieldPath: string, label: string) => {
  await page.locator(`#field-${fieldPath} .rs__control`).click()
  await page.locator('.rs__option', { hasText: label }).first().click()
  await page.locator(`#field-${fieldPath} .rs__single-value`, { hasText: label }).waitFor()
}

before(async () => {
  if (skip) return
  fs.mkdirSync(path.dirname(tsvFile), { recursive: true })
  // Column names the importer cannot guess ("বাক্য", "where from"), so the test maps them.
  fs.writeFileSync(
    tsvFile,
    [
      'বাক্য\tlanguage\twhere from\tlicence',
      'আমি প্রতিদিন সকালে হাঁটতে যাই।\tbnx\tএকটি বই\tCC0-1.0',
      'নদীর ধারে একটি পুরনো বটগাছ আছে।\tbnx\t\tCC-BY-4.0',
      'আমি  প্রতিদিন সকালে হাঁটতে যাই।\tbnx\tএকটি বই\tCC0-1.0',
      'আমার বয়স ২৫ বছর।\tbnx\t\tCC0-1.0',
      'The river runs past the old mill.\tenx\ta novel\tCC0-1.0',
      '',
    ].join('\n'),
  )
  port = await freePort()
  const started = await startCliServer({ port, dataDir })
  server = started.child
  token = await registerFirstAdmin(url(''), started.output(), admin)
  for (const language of [bengali, english]) assert.equal((await api('POST', '/api/languages', language)).status, 201)
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
})

after(async () => {
  await browser?.close()
  if (server) await stopCliServer(server)
  for (const target of [dataDir, tsvFile]) fs.rmSync(target, { recursive: true, force: true })
})

test('Sentences → Import: a TSV is previewed, its columns mapped, imported with progress, and its report shown and downloadable', { skip }, async () => {
  const { page, problems } = await signedInPage()
  await page.goto(url('/admin/collections/sentences'), { waitUntil: 'networkidle' })
  await page.locator('#sentences-import').click()
  await page.waitForURL((address) => address.pathname === '/admin/collections/sentences/import', { timeout: 30_000 })
  await page.getByRole('heading', { name: 'Import sentences' }).waitFor()

  await page.setInputFiles('#import-file', tsvFile)
  // The preview: the header row and the first rows, as the import will read them.
  const preview = page.locator('#import-preview')
  await preview.waitFor()
  assert.deepEqual(await preview.locator('thead th').allInnerTexts(), ['বাক্য', 'language', 'where from', 'licence'])
  assert.equal(await preview.locator('tbody tr').count(), 5)
  assert.equal(await preview.locator('tbody tr').first().locator('td').first().innerText(), 'আমি প্রতিদিন সকালে হাঁটতে যাই।')
  // Guessed from the header: the language and licence columns (so the language comes from a column).
  assert.equal(await page.locator('#field-column-licence .rs__single-value').innerText(), 'licence')
  assert.equal(await page.locator('#field-language .rs__single-value').innerText(), 'From a column…')
  assert.equal(await page.locator('#field-column-language .rs__single-value').innerText(), 'language')

  // Without a sentence column the import does not start.
  await page.locator('#start-import').click()
  assert.match(await page.locator('#sentence-importer [role=alert]').innerText(), /column that holds the sentences/)
  await choose(page, 'column-sentence', 'বাক্য')
  await choose(page, 'column-source', 'where from')
  await page.fill('#field-default-domain input, input#field-default-domain', 'e2e')
  await page.locator('#start-import').click()

  await page.locator('#import-progress').waitFor({ timeout: 30_000 })
  await page.locator('#import-counts').waitFor({ timeout: 60_000 })
  const count = async (label: string) => page.locator(`[data-count="${label}"]`).innerText()
  assert.equal(await count('Lines'), '5')
  assert.equal(await count('Accepted'), '3')
  assert.equal(await count('Refused by a rule'), '1')
  assert.equal(await count('Duplicates in the file'), '1')
  assert.equal(await count('Already in the corpus'), '0')
  assert.equal(await page.locator('#import-progress').getAttribute('aria-valuenow'), '100')

  // The lines not imported, with the rule and its message.
  const report = page.locator('#import-report tbody tr')
  await report.first().waitFor()
  const rows = await report.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
  assert.deepEqual(
    rows.map((row) => [row[0], row[1], row[2]]),
    [
      ['4', 'duplicate', ''],
      ['5', 'refused', 'digits'],
    ],
  )
  // The TSV download, for the whole file, as the browser saves it.
  assert.match((await page.locator('#download-report').getAttribute('href')) ?? '', /^\/api\/curation\/imports\/\d+\/report$/)
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-report').click()])
  assert.match(download.suggestedFilename(), /^import-\d+-report\.tsv$/)
  const saved = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\n')
  assert.equal(saved.length, 6, 'a header and one row per line')
  assert.deepEqual(saved.map((line) => line.split('\t')[1]), ['outcome', 'accepted', 'accepted', 'duplicate', 'refused', 'accepted'])

  // What was imported: sources and domain from the mapping, the language from its column, pending.
  const imported = (await api('GET', '/api/sentences?depth=0&limit=10&where[domain][equals]=e2e&sort=createdAt')).body.docs as Record<string, any>[]
  assert.equal(imported.length, 3)
  assert.deepEqual(imported.map((doc) => doc.source).sort(), ['a novel', 'একটি বই', null].sort())
  assert.ok(imported.every((doc) => doc.status === 'pending'))
  assert.deepEqual(problems, [])
  await page.close()
})

test('the report queue: a reviewer retires one reported sentence and keeps another; review approves a pending one', { skip }, async () => {
  const languages = (await api('GET', '/api/languages?depth=0&where[code][equals]=enx')).body.docs
  const language = languages[0].id
  const sentences: number[] = []
  for (const text of ['This sentence is rude and offensive.', 'This sentence reads badly to some.']) {
    const created = await api('POST', '/api/sentences', { text, language, status: 'approved' })
    assert.equal(created.status, 201)
    sentences.push(created.body.doc.id)
  }
  assert.equal((await api('POST', `/api/site/sentences/${sentences[0]}/skip`, { reason: 'offensive' })).status, 200)
  assert.equal((await api('POST', `/api/site/sentences/${sentences[1]}/skip`, { reason: 'grammar-spelling' })).status, 200)

  const { page, problems } = await signedInPage()
  await page.goto(url('/admin/collections/sentences'), { waitUntil: 'networkidle' })
  await page.locator('#sentences-reports').click()
  await page.waitForURL((address) => address.pathname === '/admin/sentence-reports', { timeout: 30_000 })
  await choose(page, 'reports-language', 'English (e2e)')
  const row = (id: number) => page.locator(`#report-queue tr[data-sentence="${id}"]`)
  await row(sentences[0]).waitFor()
  assert.match(await row(sentences[0]).innerText(), /Offensive: 1/)
  assert.match(await row(sentences[1]).innerText(), /Grammar or spelling: 1/)
  await page.getByRole('button', { name: `Retire sentence ${sentences[0]}` }).click()
  await row(sentences[0]).waitFor({ state: 'detached' })
  await page.getByRole('button', { name: `Keep sentence ${sentences[1]}` }).click()
  await row(sentences[1]).waitFor({ state: 'detached' })
  await page.locator('#reports-empty').waitFor()
  // Retired, never deleted; the kept one stays approved; both reports are closed.
  assert.equal((await api('GET', `/api/sentences/${sentences[0]}?depth=0`)).body.status, 'retired')
  assert.equal((await api('GET', `/api/sentences/${sentences[1]}?depth=0`)).body.status, 'approved')
  assert.deepEqual((await api('GET', '/api/curation/reports?language=enx')).body.sentences, [])

  // Review: a pending sentence is approved from the admin.
  const created = await api('POST', '/api/sentences', { text: 'A reviewer reads this sentence first.', language, status: 'pending' })
  assert.equal(created.status, 201)
  const id = created.body.doc.id as number
  await page.goto(url('/admin/sentence-review'), { waitUntil: 'networkidle' })
  await choose(page, 'review-language', 'English (e2e)')
  const pending = page.locator(`#sentence-review li[data-sentence="${id}"]`)
  await pending.waitFor()
  assert.match(await pending.innerText(), /A reviewer reads this sentence first\./)
  // Rejecting needs a reason.
  await page.getByRole('button', { name: `Reject sentence ${id}` }).click()
  assert.match(await page.locator('#sentence-review [role=alert]').innerText(), /Say why/)
  await page.getByRole('button', { name: `Approve sentence ${id}` }).click()
  await page.locator(`#sentence-review li[data-sentence="${id}"]`).waitFor({ state: 'detached' })
  assert.equal((await api('GET', `/api/sentences/${id}?depth=0`)).body.approvals, 1)
  assert.deepEqual(problems, [])
  await page.close()
})

test('a long sentence list says "about N" (an estimated count) instead of counting every row; a short search is counted', { skip }, async () => {
  // The server's own embedded PostgreSQL (reused, not started twice), to add 3,000 sentences at once.
  process.env.SHRUTIK_DATA_DIR = dataDir
  const { ensureDatabase } = await import('../../src/db/embedded')
  const pg = (await import('pg')).default
  const database = new pg.Client({ connectionString: (await ensureDatabase()).url })
  await database.connect()
  const language = (await api('GET', '/api/languages?depth=0&where[code][equals]=enx')).body.docs[0].id
  try {
    await database.query(
      `INSERT INTO sentences (text, language_id, normalized_hash, status, domain, licence, recording_count, shuffle)
       SELECT 'Filler sentence number ' || g || (CASE WHEN g <= 3 THEN ' with a zebra' ELSE '' END) || '.', $1, md5('estimate-e2e' || g), 'approved', 'estimate-e2e', 'CC0-1.0', 0, g
         FROM generate_series(1, 3000) g`,
      [language],
    )
    await database.query('ANALYZE sentences')
    const { page, problems } = await signedInPage()
    await page.goto(url('/admin/collections/sentences'), { waitUntil: 'networkidle' })
    const banner = page.locator('#sentences-estimated-count')
    await banner.waitFor()
    assert.match(await banner.innerText(), /Showing 1–10 of about [\d,]+ sentences \(an estimate/)
    const about = Number(/of about ([\d,]+)/.exec(await banner.innerText())![1].replaceAll(',', ''))
    const { rows } = await database.query('SELECT count(*)::int AS n FROM sentences')
    assert.ok(Math.abs(about - rows[0].n) / rows[0].n < 0.1, `about ${about}, exactly ${rows[0].n}`)
    // The list's own "1-10 of N" is hidden while N is an estimate.
    assert.equal(await page.locator('.page-controls__page-info').isVisible(), false)
    // A search matching three sentences is counted exactly, as the list always did.
    await page.goto(url('/admin/collections/sentences?search=zebra'), { waitUntil: 'networkidle' })
    await page.locator('.page-controls__page-info', { hasText: 'of 3' }).waitFor()
    assert.equal(await banner.count(), 0)
    assert.deepEqual(problems, [])
    await page.close()
  } finally {
    await database.query(`DELETE FROM sentences WHERE domain = 'estimate-e2e'`)
    await database.end()
  }
})

test('an exporter (who may use the admin) cannot open the curation screens', { skip }, async () => {
  const email = `exporter-${randomBytes(3).toString('hex')}@curation-e2e.shrutik.local`
  const password = 'an exporter password'
  assert.equal((await api('POST', '/api/users', { email, password, roles: ['exporter'] })).status, 201)
  const page = await browser!.newPage()
  await page.goto(url('/admin/login'))
  await page.fill('#field-email', email)
  await page.fill('#field-password', password)
  await page.click('button[type=submit]')
  await page.waitForURL((address) => !address.pathname.includes('login'), { timeout: 30_000 })
  await page.goto(url('/admin/collections/sentences'), { waitUntil: 'networkidle' })
  assert.equal(await page.locator('#sentences-import').count(), 0, 'no Import button')
  assert.equal(await page.locator('#sentences-reports').count(), 0, 'no report queue button')
  for (const screen of ['/admin/collections/sentences/import', '/admin/sentence-reports', '/admin/sentence-review']) {
    await page.goto(url(screen), { waitUntil: 'networkidle' })
    assert.ok(!new URL(page.url()).pathname.startsWith(screen), `${screen} is not shown to an exporter (at ${page.url()})`)
  }
  await page.close()
})
