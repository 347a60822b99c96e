import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, describe, expect, test } from '@jest/globals'

/**
 * `shrutik plugin:new NAME`: the plugin it writes typechecks and its own tests pass as written; bad
 * names and existing folders are refused with a message and an exit code.
 */

const ROOT = path.resolve(import.meta.dirname, '..')
const BIN = path.join(ROOT, 'bin/shrutik.mjs')
const name = `demo${process.pid}`
const dir = path.join(ROOT, 'plugins', name)

const run = (file: string, args: string[], timeout = 240_000) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('shrutik plugin:new', () => {
  test('writes a plugin whose tests pass unchanged and which typechecks', async () => {
    const made = await run(process.execPath, [BIN, 'plugin:new', name])
    expect(made.stderr).toBe('')
    expect(made.status).toBe(0)
    expect(made.stdout).toMatch(/Wrote 10 files/)
    for (const file of ['package.json', 'README.md', 'src/plugin.ts', 'src/options.ts', 'src/admin/Banner.tsx', 'src/migrations/index.ts', 'src/plugin.test.ts', 'test/host.test.ts']) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true)
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: `@shrutik/plugin-${name}`, peerDependencies: { '@shrutik/plugin-sdk': '0.1.0' } })

    // Its own tests, run as a plugin author would: the unit tests beside the code, and the
    // integration tests in a host from the SDK's test kit (real PostgreSQL, real job runtime).
    const tests = await run(process.execPath, ['--experimental-vm-modules', path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--runInBand', `plugins/${name}/`])
    expect(tests.stderr).toMatch(/Tests:\s+11 passed, 11 total/)
    expect(tests.stderr).toMatch(/PASS plugins\/\S+\/src\/plugin\.test\.ts/)
    expect(tests.stderr).toMatch(/PASS plugins\/\S+\/test\/host\.test\.ts/)
    expect(tests.stderr).not.toMatch(/failed/)
    expect(tests.status).toBe(0)

    // It typechecks against the SDK's declarations (strict, as the host).
    const tsconfig = path.join(dir, 'tsconfig.check.json')
    fs.writeFileSync(tsconfig, JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, incremental: false }, include: ['src/**/*', 'test/**/*'] }))
    const typecheck = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig])
    expect(typecheck.stdout).toBe('')
    expect(typecheck.status).toBe(0)

    // It builds to JavaScript and declarations (its own `npm run build`, which `npm pack` runs too),
    // against the SDK's build (its declarations), as it would against the published SDK.
    expect((await run('npm', ['run', 'build', '--workspace', 'plugins/sdk'])).status).toBe(0)
    const built = await run('npm', ['run', 'build', '--prefix', dir])
    expect(built.status).toBe(0)
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/admin/index.js', 'dist/admin/Banner.js', 'dist/migrations/index.js']) expect(fs.existsSync(path.join(dir, file))).toBe(true)
    // The client component keeps its directive, in a module of its own.
    expect(fs.readFileSync(path.join(dir, 'dist/admin/Banner.js'), 'utf8')).toMatch(/^["']use client["']/)
    expect(fs.readFileSync(path.join(dir, 'dist/admin/index.js'), 'utf8')).not.toMatch(/use client/)
  }, 300_000)

  test('refuses a folder that exists (73) and a name that is not one (64)', async () => {
    fs.mkdirSync(dir, { recursive: true })
    const exists = await run(process.execPath, [BIN, 'plugin:new', name])
    expect(exists.status).toBe(73)
    expect(exists.stderr).toMatch(/already exists/)
    for (const bad of ['Bad_Name', '../escape', '1plugin']) {
      const refused = await run(process.execPath, [BIN, 'plugin:new', bad])
      expect(refused.status).toBe(64)
      expect(refused.stderr).toMatch(/is not a plugin name/)
    }
  }, 120_000)
})
