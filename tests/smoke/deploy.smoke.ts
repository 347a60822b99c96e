/**
 * Production layout on one machine: two web processes and two workers on one PostgreSQL, behind
 * Debian's nginx running the project's own docker/nginx.conf (only the upstream servers and the
 * listen port rewritten for loopback). Through nginx on a non-default port: the admin UI signs in
 * and saves through server actions, an upload is processed, rate limits hold across the web
 * processes, a worker killed mid-job is replaced by the other, and /metrics is unreachable.
 * Run with: node --import tsx --test tests/smoke/deploy.smoke.ts   (part of `npm test`)
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'

import pg from 'pg'

import { chromiumPath, freePort, postgresHome, root } from '../helpers/cliServer'

const nginxBinary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => fs.existsSync(candidate))
const skip = !nginxBinary && !process.env.CI ? 'no nginx here (apt-get install nginx)' : false

const workDir = path.join(root, 'tests/.tmp', `deploy-${randomBytes(3).toString('hex')}`)
const dataDir = path.join(workDir, 'data')
const admin = { email: 'admin@deploy.shrutik.local', password: 'a long admin password' }
const secret = randomBytes(32).toString('hex')

interface Proc {
  name: string
  child: ChildProcess
  output: () => string
}

const processes: Proc[] = []
let database: { url: string; stop: () => Promise<void> } | undefined
let proxyPort = 0
const webPorts: number[] = []
let db: pg.Client

const proxied = (pathname: string) => `http://127.0.0.1:${proxyPort}${pathname}`

const commonEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: database!.url,
    SHRUTIK_DATA_DIR: dataDir,
    PAYLOAD_SECRET: secret,
    SERVER_URL: `http://127.0.0.1:${proxyPort}`,
    // nginx on loopback is the proxy whose X-Forwarded-For is believed.
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_STORE: 'postgres',
    RATE_LIMIT_LOGIN: '4',
    JOBS_LOCK_LIFETIME_MS: '6000',
    JOBS_PROCESS_EVERY_MS: '1000',
    LOG_LEVEL: 'warn',
  }
  delete env.NODE_OPTIONS
  return env
}

const launch = (name: string, args: string[], env: NodeJS.ProcessEnv): Proc => {
  // Its own process group, so a kill takes its ffmpeg children with it, as a crash of a container would.
  const child = spawn(process.execPath, ['bin/shrutik.mjs', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const proc = { name, child, output: () => output }
  processes.push(proc)
  return proc
}

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Proc) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output().slice(-3000)}`)
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}${proc ? `:\n${proc.output().slice(-3000)}` : ''}`)
}

const ok = (url: string) => async () => (await fetch(url)).status === 200

/** docker/nginx.conf as compose runs it, with loopback upstreams and port; the rest untouched. */
const renderNginx = (): string => {
  const original = fs.readFileSync(path.join(root, 'docker/nginx.conf'), 'utf8')
  const site = original
    .replace(/^\s*server web:3000;$/m, webPorts.map((port) => `  server 127.0.0.1:${port};`).join('\n'))
    .replace(/^\s*listen 80;$/m, `  listen 127.0.0.1:${proxyPort};`)
  assert.notEqual(site, original)
  assert.doesNotMatch(site, /web:3000|listen 80;/, 'docker/nginx.conf changed shape: update this test')
  fs.writeFileSync(path.join(workDir, 'site.conf'), site)
  for (const folder of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) fs.mkdirSync(path.join(workDir, 'nginx', folder), { recursive: true })
  const prefix = path.join(workDir, 'nginx')
  const main = [
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/logs/error.log warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind === 'body' ? 'client_body' : kind}_temp_path ${prefix}/${kind};`),
    `  include ${path.join(workDir, 'site.conf')};`,
    '}',
  ].join('\n')
  const file = path.join(prefix, 'nginx.conf')
  fs.writeFileSync(file, main)
  return file
}

before(async () => {
  if (skip) return
  fs.mkdirSync(dataDir, { recursive: true })
  // One PostgreSQL for all four processes: the embedded server, started as Shrutik starts it.
  process.env.SHRUTIK_DATA_DIR = path.join(workDir, 'pg')
  // As root in /root, the cluster goes to a throwaway home the postgres user can enter.
  process.env.SHRUTIK_POSTGRES_HOME = postgresHome
  const { ensureDatabase } = await import('../../src/db/embedded')
  database = await ensureDatabase()
  delete process.env.SHRUTIK_DATA_DIR
  proxyPort = await freePort()
  webPorts.push(await freePort(), await freePort())

  const env = commonEnv()
  const created = spawnSync(process.execPath, ['bin/shrutik.mjs', 'users:create-admin', '--email', admin.email, '--password', admin.password], { cwd: root, env, encoding: 'utf8' })
  assert.equal(created.status, 0, created.stderr)
  // The first web process starts alone (it seeds the starter languages); then the rest together.
  const first = launch('web-1', ['start'], { ...env, SHRUTIK_ROLE: 'web', PORT: String(webPorts[0]) })
  await waitFor('web-1', ok(`http://127.0.0.1:${webPorts[0]}/readyz`), 15 * 60_000, first)
  const second = launch('web-2', ['start'], { ...env, SHRUTIK_ROLE: 'web', PORT: String(webPorts[1]) })
  launch('worker-1', ['worker'], env)
  launch('worker-2', ['worker'], env)
  await waitFor('web-2', ok(`http://127.0.0.1:${webPorts[1]}/readyz`), 5 * 60_000, second)

  const conf = renderNginx()
  const tested = spawnSync(nginxBinary!, ['-t', '-c', conf, '-p', path.join(workDir, 'nginx')], { encoding: 'utf8' })
  assert.equal(tested.status, 0, tested.stderr)
  const nginx = spawn(nginxBinary!, ['-c', conf, '-p', path.join(workDir, 'nginx'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let nginxOutput = ''
  nginx.stderr?.on('data', (chunk) => (nginxOutput += chunk))
  processes.push({ name: 'nginx', child: nginx, output: () => nginxOutput })
  await waitFor('nginx', ok(proxied('/healthz')), 30_000)

  db = new pg.Client({ connectionString: database.url })
  await db.connect()
})

after(async () => {
  await db?.end().catch(() => undefined)
  for (const proc of processes.reverse()) {
    if (proc.child.exitCode !== null || proc.child.signalCode) continue
    const exited = new Promise((resolve) => proc.child.once('exit', resolve))
    try {
      process.kill(-proc.child.pid!, 'SIGCONT')
      process.kill(-proc.child.pid!, 'SIGTERM')
    } catch {
      continue
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))])
    if (proc.child.exitCode === null) process.kill(-proc.child.pid!, 'SIGKILL')
  }
  await database?.stop()
  fs.rmSync(workDir, { recursive: true, force: true })
})

const signIn = async (): Promise<string> => {
  const response = await fetch(proxied('/api/users/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(admin) })
  assert.equal(response.status, 200)
  return ((await response.json()) as { token: string }).token
}

test('/metrics is not reachable through nginx under any spelling (but is there behind it)', { skip }, async () => {
  const direct = await fetch(`http://127.0.0.1:${webPorts[0]}/metrics`)
  assert.equal(direct.status, 200)
  assert.match(await direct.text(), /# TYPE/)
  for (const spelling of ['/metrics', '/metrics/', '/METRICS', '/Metrics/x', '//metrics', '/%6Detrics', '/metrics?format=json', '/./metrics']) {
    const response = await fetch(proxied(spelling))
    const body = await response.text()
    assert.notEqual(response.status, 200, spelling)
    assert.doesNotMatch(body, /# TYPE/, spelling)
  }
})

test('login rate limits hold across both web processes', { skip }, async () => {
  const statuses: number[] = []
  for (let attempt = 0; attempt < 6; attempt++) {
    const response = await fetch(proxied('/api/users/login'), {
      method: 'POST',
      // A client address of its own (nginx appends the real hop; the app trusts only loopback
      // proxies), so the other tests' sign-ins from this machine are not the ones limited.
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.7' },
      body: JSON.stringify({ email: 'nobody@deploy.shrutik.local', password: `wrong ${attempt}` }),
    })
    statuses.push(response.status)
  }
  // RATE_LIMIT_LOGIN=4 for the whole instance: with a per-process count, round-robin would allow 8.
  assert.deepEqual(statuses.slice(0, 4), [401, 401, 401, 401])
  assert.deepEqual(statuses.slice(4), [429, 429])
  // nginx really spread them over both processes.
  for (const port of webPorts) {
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    assert.match(metrics, /http_request_duration_seconds_count\{[^}]*route="\/api\/users\/login"/, `web on ${port} served logins`)
  }
})

test('an upload through nginx is processed, and a worker killed mid-job is replaced by the other', { skip }, async () => {
  const { wav, speechLike } = await import('@shrutik/plugin-sdk/testing')
  const { TERMS_VERSION } = await import('../../src/lib/terms')
  const token = await signIn()
  const auth = { Authorization: `JWT ${token}` }
  assert.equal((await fetch(proxied('/api/site/consent'), { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ termsVersion: TERMS_VERSION }) })).status, 200)
  const language = ((await (await fetch(proxied('/api/languages?where[code][equals]=bn'))).json()) as { docs: { id: number }[] }).docs[0]
  const [workerA, workerB] = processes.filter((proc) => proc.name.startsWith('worker'))

  // Only worker A may take the job: B is paused until A has died holding it.
  process.kill(-workerB.child.pid!, 'SIGSTOP')
  const layout = [] as { seconds: number; pause?: boolean }[]
  for (let i = 0; i < 8; i++) layout.push({ seconds: 7 }, { seconds: 0.8, pause: true })
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(speechLike(layout)))], { type: 'audio/wav' }), 'passage.wav')
  form.append('_payload', JSON.stringify({ language: language.id, mode: 'long', scriptText: 'A passage read aloud through the proxy.' }))
  const upload = await fetch(proxied('/api/recordings?depth=0'), { method: 'POST', headers: auth, body: form })
  assert.equal(upload.status, 201)
  const id = ((await upload.json()) as { doc: { id: number } }).doc.id

  const lockedBy = async (): Promise<string | undefined> => {
    const rows = await db.query(
      `SELECT last_modified_by FROM agenda_jobs WHERE name = 'audio-processing.process-recording' AND (data->>'recordingId')::int = $1 AND locked_at IS NOT NULL`,
      [id],
    )
    return rows.rows[0]?.last_modified_by as string | undefined
  }
  await waitFor('worker A to lock the processing job', async () => Boolean(await lockedBy()), 30_000, workerA)
  assert.match((await lockedBy())!, new RegExp(`:${workerA.child.pid}$`))
  process.kill(-workerA.child.pid!, 'SIGKILL')
  process.kill(-workerB.child.pid!, 'SIGCONT')

  const status = async () => ((await db.query('SELECT audio_status FROM recordings WHERE id = $1', [id])).rows[0]?.audio_status as string | undefined) ?? 'missing'
  await waitFor('worker B to finish the job worker A held', async () => (await status()) === 'ready', 90_000, workerB)
  const finished = await db.query(`SELECT last_modified_by FROM agenda_jobs WHERE name = 'audio-processing.process-recording' AND (data->>'recordingId')::int = $1`, [id])
  assert.match(finished.rows[0].last_modified_by, new RegExp(`:${workerB.child.pid}$`))
  const segments = await db.query('SELECT count(*)::int AS n FROM segments WHERE recording_id = $1', [id])
  assert.ok(segments.rows[0].n >= 2, 'the recording was cut into segments once')
  // The file is served through nginx (range requests pass through).
  const file = await fetch(proxied(`/api/recordings/${id}?depth=0`), { headers: auth })
  assert.equal(file.status, 200)
})

test('the admin UI signs in and saves through nginx on a non-default port (server actions pass the origin check)', { skip: skip || (!fs.existsSync(chromiumPath) && !process.env.CI && 'no Chromium here') }, async () => {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] })
  try {
    const page = await browser.newPage()
    const actions: { status: number; url: string }[] = []
    page.on('response', (response) => {
      if (response.request().headers()['next-action']) actions.push({ status: response.status(), url: response.url() })
    })
    await page.goto(proxied('/admin/login'), { waitUntil: 'networkidle' })
    await page
      .locator('input[name="email"]')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n${page.url()}\n${(await page.content()).slice(0, 3000)}`)
      })
    await page.fill('input[name="email"]', admin.email)
    await page.fill('input[name="password"]', admin.password)
    await page.click('button[type="submit"]')
    await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'), { timeout: 60_000 })

    await page.goto(proxied('/admin/globals/site-settings'), { waitUntil: 'networkidle' })
    const name = `Shrutik behind nginx ${randomBytes(2).toString('hex')}`
    const field = page.locator('input[name="siteName"]')
    await field.waitFor({ timeout: 30_000 })
    await field.fill(name)
    await page.keyboard.press('Tab')
    await page.locator('#action-save').click()
    await page.getByText(/updated successfully/i).first().waitFor({ timeout: 30_000 })
    const saved = (await (await fetch(proxied('/api/globals/site-settings'))).json()) as { siteName: string }
    assert.equal(saved.siteName, name)
    // The admin UI's server functions ran through the proxy, and none was refused.
    assert.ok(actions.length > 0, 'the admin called server actions')
    assert.deepEqual(
      actions.filter((action) => action.status >= 400),
      [],
    )
  } finally {
    await browser.close()
  }
})
