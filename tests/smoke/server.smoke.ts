/**
 * End-to-end smoke test of what an NGO gets from `npm start`: the real CLI, the embedded
 * PostgreSQL in a fresh data directory, the production Next build, the admin UI in Chromium,
 * graceful shutdown with a request in flight, and data surviving a restart.
 * Run with: node --import tsx --test tests/smoke/server.smoke.ts   (part of `npm test`)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { chromiumPath, freePort, postgresHome, root, setupLinkFrom, setupTokenFrom, startCliServer, stopCliServer } from '../helpers/cliServer'

const dataDir = path.join(root, 'tests/.tmp', `smoke-${randomBytes(3).toString('hex')}`)

let port = 0
let server: ChildProcess | undefined
let readOutput = () => ''
const output = () => readOutput()

const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`

const startServer = async (): Promise<ChildProcess> => {
  const started = await startCliServer({ port, dataDir })
  readOutput = started.output
  return started.child
}
const stopServer = stopCliServer

const api = async (method: string, pathname: string, body?: unknown, token?: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url(pathname), {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `JWT ${token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

before(async () => {
  port = await freePort()
  server = await startServer()
})

after(async () => {
  if (server) await stopServer(server)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const admin = { email: 'admin@smoke.shrutik.local', password: 'a long admin password' }

test('ops endpoints answer', async () => {
  assert.equal((await fetch(url('/healthz'))).status, 200)
  assert.deepEqual((await api('GET', '/readyz')).body, { ready: true, database: 'ok', migrations: 'ok' })
  const metrics = await (await fetch(url('/metrics'))).text()
  assert.match(metrics, /# TYPE http_request_duration_seconds histogram/)
  assert.match(metrics, /route="\/readyz"/)
})

test('the public home page and the API serve the seeded languages', async () => {
  const home = await fetch(url('/'))
  assert.equal(home.status, 200)
  assert.match(await home.text(), /বাংলা/)
  const languages = await api('GET', '/api/languages')
  assert.deepEqual(languages.body.docs.map((doc: { code: string }) => doc.code).sort(), ['bn', 'en'])
  const sentences = await api('GET', '/api/sentences?limit=1&where[language.code][equals]=bn')
  assert.ok(sentences.body.totalDocs >= 100)
})

test('the admin UI renders under the CSP and creates the first admin', { skip: !fs.existsSync(chromiumPath) && !process.env.CI && 'no Chromium here' }, async () => {
  assert.equal((await fetch(url('/admin'))).status, 200)
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    // Without the setup link, the create-first-user screen cannot make an admin.
    const stranger = await api('POST', '/api/users/first-register', { email: 'stranger@smoke.shrutik.local', password: 'a long stranger password', 'confirm-password': 'a long stranger password' })
    assert.equal(stranger.status, 403)
    assert.match(stranger.body.errors[0].message, /setup link/)
    // The operator opens the one-time link the server printed at start.
    const setupLink = setupLinkFrom(output())
    assert.equal(setupLink.pathname, '/admin/create-first-user')
    await page.goto(url(`${setupLink.pathname}${setupLink.search}`), { waitUntil: 'networkidle' })
    await page.waitForURL(/create-first-user$/, { timeout: 30_000 })
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.fill('input[name="confirm-password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((target) => !target.pathname.includes('create-first-user'), { timeout: 30_000 })
    await page.getByText('Recordings').first().waitFor({ timeout: 30_000 })

    // The admin-only jobs view: linked from the navigation, lists jobs by state.
    await page.locator('#nav-jobs').first().waitFor({ timeout: 30_000 })
    await page.goto(url('/admin/jobs'), { waitUntil: 'networkidle' })
    await page.getByRole('heading', { name: 'Jobs', exact: true }).waitFor({ timeout: 30_000 })
    for (const section of ['Queued', 'Running', 'Failed', 'Completed in the last 24 hours']) {
      await page.getByRole('heading', { name: new RegExp(`^${section}`) }).waitFor({ timeout: 10_000 })
    }
    assert.deepEqual(problems, [])

    // A contributor is refused: no admin UI at all, so no jobs view.
    const email = `contrib-${Date.now()}@smoke.shrutik.local`
    assert.equal((await api('POST', '/api/users', { email, password: 'contributor password' })).status, 201)
    const contributorPage = await (await browser.newContext()).newPage()
    await contributorPage.goto(url('/admin/login'), { waitUntil: 'networkidle' })
    await contributorPage.fill('input[name="email"]', email)
    await contributorPage.fill('input[name="password"]', 'contributor password')
    await contributorPage.click('button[type="submit"]')
    await contributorPage.waitForTimeout(1500)
    await contributorPage.goto(url('/admin/jobs'), { waitUntil: 'networkidle' })
    assert.equal(await contributorPage.getByText('Background work').count(), 0)
    assert.match(contributorPage.url(), /unauthorized|login/)
  } finally {
    await browser.close()
  }
  const login = await api('POST', '/api/users/login', admin)
  assert.equal(login.status, 200)
  assert.deepEqual(login.body.user.roles, ['admin'])
})

test('an uploaded long recording is processed, and its admin page shows checks, waveform and segment players', { skip: !fs.existsSync(chromiumPath) && !process.env.CI && 'no Chromium here' }, async () => {
  const { speechLike, wav } = await import('@shrutik/plugin-sdk/testing')
  const { body: session } = await api('POST', '/api/users/login', admin)
  assert.ok(session?.token, 'the admin from the previous test signs in')
  const language = (await api('GET', '/api/languages?where[code][equals]=bn')).body.docs[0]
  // Like everyone, the admin accepts the contribution terms before uploading.
  const { TERMS_VERSION } = await import('../../src/lib/terms')
  assert.equal((await api('POST', '/api/site/consent', { termsVersion: TERMS_VERSION }, session.token)).status, 200)
  const layout = [] as { seconds: number; pause?: boolean }[]
  for (let i = 0; i < 3; i++) layout.push({ seconds: 6 }, { seconds: 0.8, pause: true })
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(speechLike(layout)))], { type: 'audio/wav' }), 'passage.wav')
  form.append('_payload', JSON.stringify({ language: language.id, mode: 'long', scriptText: 'A passage read aloud.' }))
  const upload = await fetch(url('/api/recordings?depth=0'), { method: 'POST', headers: { Authorization: `JWT ${session.token}` }, body: form })
  assert.equal(upload.status, 201)
  const id = ((await upload.json()) as { doc: { id: number } }).doc.id
  // `start` runs jobs in the same process (SHRUTIK_ROLE=all).
  const deadline = Date.now() + 60_000
  let status = 'pending'
  while (Date.now() < deadline && (status === 'pending' || status === 'processing')) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    status = (await api('GET', `/api/recordings/${id}?depth=0`, undefined, session.token)).body.audio.status
  }
  assert.equal(status, 'ready')
  const segments = (await api('GET', `/api/segments?where[recording][equals]=${id}&limit=100`, undefined, session.token)).body.docs
  assert.ok(segments.length >= 2)

  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] })
  try {
    const context = await browser.newContext()
    await context.addCookies([{ name: 'shrutik-token', value: session.token, url: url('/') }])
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.name} ${error.message} ${error.stack ?? ''}`.slice(0, 600)))
    // Nothing may be blocked by the CSP or fetched from elsewhere (an offline server has no CDN).
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text().slice(0, 300))
    })
    await page.goto(url(`/admin/collections/recordings/${id}`), { waitUntil: 'networkidle' })
    await page.locator('[data-audio-status="ready"]').waitFor({ timeout: 30_000 })
    await page.getByText('All quality checks passed.').or(page.locator('[data-check]').first()).first().waitFor({ timeout: 10_000 })
    const waveform = page.getByAltText('Waveform of the recording')
    await waveform.waitFor({ timeout: 10_000 })
    await page.waitForFunction(() => (document.querySelector('img[alt="Waveform of the recording"]') as HTMLImageElement | null)?.naturalWidth === 600, undefined, { timeout: 10_000 })
    await page.locator('[data-segment]').first().waitFor({ timeout: 10_000 })
    assert.equal(await page.locator('[data-segment] audio').count(), segments.length)
    // A segment's player really gets audio from the access-checked file endpoint.
    const src = await page.locator('[data-segment] audio').first().getAttribute('src')
    const audio = await page.evaluate(async (path) => {
      const response = await fetch(path!, { credentials: 'include' })
      return { status: response.status, type: response.headers.get('content-type'), bytes: (await response.arrayBuffer()).byteLength }
    }, src)
    assert.deepEqual({ status: audio.status, type: audio.type }, { status: 200, type: 'audio/ogg' })
    assert.ok(audio.bytes > 1000)

    // The consensus plugin's review queue renders for an admin.
    await page.goto(url('/admin/review'), { waitUntil: 'networkidle' })
    await page.getByRole('heading', { name: 'Review queue', exact: true }).first().waitFor({ timeout: 30_000 })
    assert.deepEqual(problems, [])
  } finally {
    await browser.close()
  }
})

test('self-registration cannot choose a role, and a contributor sees no one else', async () => {
  const email = `someone-${Date.now()}@smoke.shrutik.local`
  const registered = await api('POST', '/api/users', { email, password: 'another long password', roles: ['admin'] })
  assert.equal(registered.status, 201)
  assert.deepEqual(registered.body.doc.roles, ['contributor'])
  const { body } = await api('POST', '/api/users/login', { email, password: 'another long password' })
  const users = await api('GET', '/api/users?limit=100', undefined, body.token)
  assert.deepEqual(users.body.docs.map((doc: { email: string }) => doc.email), [email])
  const text = JSON.stringify(users.body)
  for (const secret of ['"hash"', '"salt"', 'resetPasswordToken', 'smoke.shrutik.local"', admin.email]) {
    if (secret !== 'smoke.shrutik.local"') assert.ok(!text.includes(secret), `leaked ${secret}`)
  }
})

test('`shrutik worker` runs jobs beside the web process on the same database and stops cleanly', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, SHRUTIK_DATA_DIR: dataDir, LOG_LEVEL: 'info' }
  delete env.DATABASE_URL
  delete env.NODE_OPTIONS
  const worker = spawn(process.execPath, ['bin/shrutik.mjs', 'worker'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  worker.stdout?.on('data', (chunk) => (log += chunk))
  worker.stderr?.on('data', (chunk) => (log += chunk))
  const deadline = Date.now() + 60_000
  while (!log.includes('job worker started') && Date.now() < deadline && worker.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200))
  assert.match(log, /using the embedded PostgreSQL already running/)
  assert.match(log, /job worker started/)
  assert.equal(await stopServer(worker), 0, log.slice(-2000))
  assert.equal((await fetch(url('/readyz'))).status, 200, 'the web process is unaffected')
})

test('SIGTERM lets an in-flight request finish, then the process exits 0; a restart keeps the data', async () => {
  assert.ok(server)
  // Ensure an admin exists even when the browser step was skipped.
  if ((await api('POST', '/api/users/login', admin)).status !== 200) {
    const setup = { 'X-Setup-Token': setupTokenFrom(output()) }
    assert.equal((await api('POST', '/api/users/first-register', { ...admin, 'confirm-password': admin.password }, undefined, setup)).status, 200)
  }
  // A slow request: a JSON body trickled over ~1.5 s.
  const payloadBody = JSON.stringify({ email: `slow-${Date.now()}@smoke.shrutik.local`, password: 'slow but steady password' })
  const chunks = [payloadBody.slice(0, 10), payloadBody.slice(10, 30), payloadBody.slice(30)]
  const slow = fetch(url('/api/users'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    duplex: 'half',
    body: new ReadableStream({
      async pull(controller) {
        const next = chunks.shift()
        if (next === undefined) return controller.close()
        // The first chunk goes at once (so the request is in flight), the rest trickle.
        if (chunks.length < 2) await new Promise((resolve) => setTimeout(resolve, 500))
        controller.enqueue(new TextEncoder().encode(next))
      },
    }),
  } as RequestInit)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const exited = stopServer(server)
  const response = await slow
  assert.equal(response.status, 201, 'the in-flight request completed')
  assert.equal(await exited, 0, `clean exit; output:\n${output().slice(-2000)}`)
  assert.equal(await fetch(url('/healthz')).then(() => 'up', () => 'down'), 'down')

  server = await startServer()
  const login = await api('POST', '/api/users/login', admin)
  assert.equal(login.status, 200, 'the admin created before the restart can still sign in')
  assert.equal((await api('GET', '/api/languages')).body.totalDocs, 2, 'seeding did not run twice')
})

test('restore drill: npm start on a restored copy of this instance has the same rows, files and accounts', async () => {
  const { createHash } = await import('node:crypto')
  const { spawnSync } = await import('node:child_process')
  const pg = (await import('pg')).default
  const drill = path.join(root, 'tests/.tmp', `drill-${randomBytes(3).toString('hex')}`)
  fs.mkdirSync(drill, { recursive: true })
  const restoredDir = path.join(drill, 'restored')
  const file = path.join(drill, 'instance.tar')
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', SHRUTIK_POSTGRES_HOME: postgresHome }
  delete env.DATABASE_URL
  delete env.NODE_OPTIONS
  delete env.PAYLOAD_SECRET
  const cli = (args: string[], dir: string) => spawnSync(process.execPath, ['bin/shrutik.mjs', ...args], { cwd: root, env: { ...env, SHRUTIK_DATA_DIR: dir }, encoding: 'utf8' })
  const counts = async (dir: string): Promise<Record<string, number>> => {
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'postgres.json'), 'utf8')) as { port: number; password: string }
    const client = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/shrutik` })
    await client.connect()
    try {
      const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'agenda_%' AND tablename <> 'rate_limits' ORDER BY 1`)).rows.map((row) => row.tablename as string)
      const out: Record<string, number> = {}
      for (const table of tables) out[table] = Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n)
      return out
    } finally {
      await client.end()
    }
  }
  const checksums = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {}
    const walk = (folder: string, prefix: string) => {
      for (const entry of fs.existsSync(folder) ? fs.readdirSync(folder, { withFileTypes: true }) : []) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name
        if (entry.isDirectory()) walk(path.join(folder, entry.name), relative)
        else out[relative] = createHash('sha256').update(fs.readFileSync(path.join(folder, entry.name))).digest('hex')
      }
    }
    walk(path.join(dir, 'media'), '')
    return out
  }
  try {
    // Backed up while it runs (the CLI reuses the running embedded PostgreSQL), then stopped, so
    // the rows compared below are the rows backed up.
    const backup = cli(['backup', '--out', file], dataDir)
    assert.equal(backup.status, 0, backup.stderr)
    assert.equal(await stopServer(server!), 0)
    server = undefined
    const restore = cli(['restore', file, '--data-dir', restoredDir], restoredDir)
    assert.equal(restore.status, 0, restore.stderr)
    assert.equal(fs.readFileSync(path.join(restoredDir, 'payload-secret'), 'utf8'), fs.readFileSync(path.join(dataDir, 'payload-secret'), 'utf8'))
    const original = checksums(dataDir)
    assert.ok(Object.keys(original).length >= 3, 'the instance has media to compare')
    assert.deepEqual(checksums(restoredDir), original)

    // npm start on the restored folder: same rows, the admin signs in, a recording plays.
    const restoredPort = await freePort()
    const started = await startCliServer({ port: restoredPort, dataDir: restoredDir })
    try {
      // Counted before anyone signs in (a sign-in adds a session row).
      const restoredCounts = await counts(restoredDir)
      assert.ok(restoredCounts.recordings > 0 && restoredCounts.users > 0)
      const restoredUrl = (pathname: string) => `http://127.0.0.1:${restoredPort}${pathname}`
      const login = await fetch(restoredUrl('/api/users/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(admin) })
      assert.equal(login.status, 200, 'the admin signs in on the restored instance')
      const token = ((await login.json()) as { token: string }).token
      const recordings = (await (await fetch(restoredUrl('/api/recordings?depth=0&limit=1'), { headers: { Authorization: `JWT ${token}` } })).json()) as { docs: { id: number; url?: string; filename: string }[] }
      assert.ok(recordings.docs.length > 0)
      const audio = await fetch(restoredUrl(`/api/recordings/file/${encodeURIComponent(recordings.docs[0].filename)}`), { headers: { Authorization: `JWT ${token}` } })
      assert.equal(audio.status, 200)
      const bytes = Buffer.from(await audio.arrayBuffer())
      assert.deepEqual(bytes, fs.readFileSync(path.join(dataDir, 'media', 'recordings', recordings.docs[0].filename)))
      // The original, read through its own embedded server (started for the comparison).
      const { ensureDatabase } = await import('../../src/db/embedded')
      const previous = { data: process.env.SHRUTIK_DATA_DIR, home: process.env.SHRUTIK_POSTGRES_HOME }
      process.env.SHRUTIK_DATA_DIR = dataDir
      process.env.SHRUTIK_POSTGRES_HOME = postgresHome
      const database = await ensureDatabase()
      try {
        assert.deepEqual(restoredCounts, await counts(dataDir))
      } finally {
        await database.stop()
        if (previous.data === undefined) delete process.env.SHRUTIK_DATA_DIR
        else process.env.SHRUTIK_DATA_DIR = previous.data
        if (previous.home === undefined) delete process.env.SHRUTIK_POSTGRES_HOME
        else process.env.SHRUTIK_POSTGRES_HOME = previous.home
      }
    } finally {
      await stopServer(started.child)
    }
  } finally {
    fs.rmSync(drill, { recursive: true, force: true })
  }
})
