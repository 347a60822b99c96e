import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

/**
 * The plugins and the SDK are packages of their own: each is packed with `npm pack` (which builds
 * it), the tarballs are installed into a scratch host outside this repository next to Payload and
 * the PostgreSQL adapter only, and a plain `node` (no TypeScript loader, no `source` condition)
 * boots a minimal host from the SDK's test kit, applies the webhooks plugin's migrations and runs
 * its jobs until a signed POST reaches a receiver. A resolve hook records every module loaded: none
 * may come from this repository's own folders (src/, plugins/, examples/ …), only the tarballs'
 * files and third-party packages.
 *
 * Installing: the tarballs are unpacked into the scratch host's node_modules (what `npm install
 * <tarball>` does with them); their third-party dependencies and peers are linked from this
 * repository's node_modules, so the test needs no registry and no network.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PACKAGES = ['plugins/sdk', 'plugins/audio-processing', 'plugins/consensus', 'plugins/export', 'examples/webhooks']
/** What a host installs besides the tarballs. */
const HOST_DEPENDENCIES = ['payload', '@payloadcms/db-postgres']

interface Manifest {
  name: string
  exports: Record<string, { source?: string; types?: string; default?: string }>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

let scratch: string
let host: string
const manifests = new Map<string, Manifest>()
const tarballFiles = new Map<string, string[]>()

const linkPackage = (name: string): void => {
  const target = path.join(host, 'node_modules', name)
  if (fs.existsSync(target)) return
  const source = path.join(root, 'node_modules', name)
  if (!fs.existsSync(source)) throw new Error(`${name} is not installed in this repository's node_modules.`)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.symlinkSync(fs.realpathSync(source), target, 'dir')
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-pack-'))
  host = path.join(scratch, 'host')
  fs.mkdirSync(path.join(host, 'node_modules'), { recursive: true })
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify({ name: 'scratch-host', private: true, type: 'module' }))
  const tarballs = path.join(scratch, 'tarballs')
  fs.mkdirSync(tarballs)
  const workspaces = PACKAGES.flatMap((folder) => ['--workspace', folder])
  // What each package's prepack does when `npm pack` runs alone; run apart here so the pack's --json
  // output (the files packed) is not mixed with the build's.
  execFileSync('npm', ['run', 'build', ...workspaces], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'inherit'] })
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, ...workspaces], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { name: string; filename: string; files: { path: string }[] }[]
  for (const entry of packed) {
    tarballFiles.set(entry.name, entry.files.map((file) => file.path))
    const target = path.join(host, 'node_modules', entry.name)
    fs.mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', path.join(tarballs, path.basename(entry.filename)), '-C', target, '--strip-components=1'])
    manifests.set(entry.name, JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')) as Manifest)
  }
  for (const name of HOST_DEPENDENCIES) linkPackage(name)
  for (const manifest of manifests.values()) {
    const wanted = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]
    for (const name of wanted) if (!name.startsWith('@shrutik/') && fs.existsSync(path.join(root, 'node_modules', name))) linkPackage(name)
  }
}, 360_000)

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
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'test', LOG_LEVEL: 'error', ...env },
  })
  const urls = fs.existsSync(loaded) ? fs.readFileSync(loaded, 'utf8').trim().split('\n') : []
  return { ...result, urls }
}

/** Module URLs that point into this repository other than its node_modules (the third-party packages linked from it). */
const fromRepository = (urls: string[]): string[] =>
  urls.filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url)).filter((file) => file.startsWith(`${root}${path.sep}`) && !file.startsWith(path.join(root, 'node_modules') + path.sep))

describe('npm pack', () => {
  test('each package packs its build, type declarations, migrations (with snapshots) and README, not its tests', () => {
    expect([...tarballFiles.keys()].sort()).toEqual(['@shrutik/plugin-audio-processing', '@shrutik/plugin-consensus', '@shrutik/plugin-export', '@shrutik/plugin-sdk', '@shrutik/plugin-webhooks'])
    for (const [name, files] of tarballFiles) {
      const manifest = manifests.get(name)!
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        expect({ name, subpath, js: files.includes(target.default!.slice(2)), types: files.includes(target.types!.slice(2)) }).toEqual({ name, subpath, js: true, types: true })
      }
      expect(files).toContain('README.md')
      expect(files.filter((file) => /\.test\.tsx?$/.test(file) || file.startsWith('test/') || file.startsWith('tests/'))).toEqual([])
      expect(manifest.peerDependencies).toMatchObject(name === '@shrutik/plugin-sdk' ? { payload: expect.any(String) } : { payload: expect.any(String), '@shrutik/plugin-sdk': expect.any(String) })
    }
    // Client components keep 'use client' in modules of their own; server components get none.
    const adminModule = (file: string) => fs.readFileSync(path.join(host, 'node_modules/@shrutik/plugin-consensus/dist/admin', file), 'utf8')
    expect(adminModule('ReviewActions.js')).toMatch(/^["']use client["']/)
    for (const file of ['ReviewView.js', 'ReviewNavLink.js', 'index.js']) expect({ file, client: /use client/.test(adminModule(file)) }).toEqual({ file, client: false })
    for (const name of ['@shrutik/plugin-audio-processing', '@shrutik/plugin-consensus', '@shrutik/plugin-export', '@shrutik/plugin-webhooks']) {
      const files = tarballFiles.get(name)!
      expect({ name, snapshot: files.some((file) => /^dist\/migrations\/\d{8}_\d{6}_\w+\.json$/.test(file)) }).toEqual({ name, snapshot: true })
    }
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
import { emit } from '@shrutik/plugin-sdk'
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
  }))
} finally {
  await host.stop()
  receiver.close()
}
process.exit(0)
`
    const result = runInHost(script, { DATABASE_URL: process.env.DATABASE_URL! })
    expect(result.status).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({
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
})
