import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { constant, speechLike, wav } from '@shrutik/plugin-sdk/testing'

import { describeWith } from './helpers/plugins'

/**
 * The `shrutik` binary runs the commands installed plugins register (`shrutik <plugin> <command>`):
 * arguments reach the command, its output reaches stdout, its exit status is the process's, and a
 * refusal is printed as `shrutik: <message>`. The commands themselves are tested in their plugins
 * (through the SDK's command contract); here, the audio-processing plugin's as installed.
 */

const BIN = path.resolve(import.meta.dirname, '../bin/shrutik.mjs')
let dir: string

const shrutik = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error' }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`shrutik ${args.join(' ')} did not finish in 90 s:\n${stdout}\n${stderr}`))
    }, 90_000)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-commands-'))
})

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// The commands exercised are the audio-processing plugin's: without it (SHRUTIK_TEST_WITHOUT) there are none to run.
describeWith(['audio-processing'], 'plugin commands through bin/shrutik.mjs', () => {
  test('`shrutik --help` lists them', async () => {
    const help = await shrutik(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/audio inspect/)
    expect(help.stdout).toMatch(/audio segment/)
  })

  test('`shrutik audio inspect FILE`: the JSON on stdout and the exit status are the command\'s', async () => {
    const good = path.join(dir, 'speech.wav')
    fs.writeFileSync(good, wav(speechLike([{ seconds: 1.2 }, { seconds: 0.5, pause: true }, { seconds: 1.5 }])))
    const accepted = await shrutik(['audio', 'inspect', good])
    expect(accepted.status).toBe(0)
    expect(JSON.parse(accepted.stdout)).toMatchObject({ ok: true, code: 'ok' })

    const silent = path.join(dir, 'silent.wav')
    fs.writeFileSync(silent, wav(constant(4, 'silence')))
    const rejected = await shrutik(['audio', 'inspect', silent])
    expect(rejected.status).toBe(2)
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, code: 'silent' })

    const missing = await shrutik(['audio', 'inspect', path.join(dir, 'nope.wav')])
    expect(missing.status).toBe(64)
    expect(missing.stderr).toMatch(/^shrutik: No such file/m)
  })

  test('`shrutik audio segment`: a usage error exits 64; a long recording is cut into the folder given', async () => {
    const long = path.join(dir, 'long.wav')
    const layout = [] as { seconds: number; pause?: boolean }[]
    for (let i = 0; i < 3; i++) layout.push({ seconds: 7 }, { seconds: 0.8, pause: true })
    fs.writeFileSync(long, wav(speechLike(layout)))
    const usage = await shrutik(['audio', 'segment', long])
    expect(usage.status).toBe(64)
    expect(usage.stderr).toMatch(/^shrutik: audio segment needs one FILE and --out DIR/m)

    const out = path.join(dir, 'segments')
    const cut = await shrutik(['audio', 'segment', long, '--out', out])
    expect(cut.status).toBe(0)
    const segments = JSON.parse(cut.stdout) as { file: string; durationMs: number }[]
    expect(segments.length).toBeGreaterThanOrEqual(2)
    for (const segment of segments) expect(fs.existsSync(segment.file) && path.dirname(segment.file) === out).toBe(true)
  })
})
