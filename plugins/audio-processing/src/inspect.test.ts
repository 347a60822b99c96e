import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { inspectFile } from './inspect'
import { coreCollections, runCommand, speechLike, wav } from '@shrutik/plugin-sdk/testing'
import type { Config } from 'payload'

import { audioProcessingPlugin } from './plugin'
import { buildAudioFiles, HOSTILE_CODES } from '../test/hostile'

/** Real ffprobe/ffmpeg on files generated here; every hostile input gets its code, none hangs. */

let dir: string
let files: Record<string, string>
const file = (name: string, content: Buffer | Uint8Array) => {
  const target = path.join(dir, name)
  fs.writeFileSync(target, content)
  return target
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-audio-'))
  files = buildAudioFiles(dir)
}, 60_000)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('accepted', () => {
  test.each(['speechWav', 'speech.webm', 'speech.ogg', 'speech.flac', 'speech.mp3', 'speech.m4a'])('%s: speech-like audio in every accepted format', async (name) => {
    const result = await inspectFile(files[name])
    expect(result).toMatchObject({ ok: true, code: 'ok' })
    expect(result.durationMs).toBeGreaterThan(4800)
    expect(result.durationMs).toBeLessThan(5300)
    expect(result.checks.filter((check) => check.severity === 'error')).toEqual([])
  })
})

describe('rejected, each with its code', () => {
  test.each(HOSTILE_CODES)('%s → %s', async (name, code) => {
    const started = Date.now()
    const result = await inspectFile(files[name])
    expect(result.ok).toBe(false)
    expect(result.code).toBe(code)
    expect(result.message.length).toBeGreaterThan(15)
    // Never decoded to the end of an hour, never hung.
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('shrutik audio inspect', () => {
  // The command as the plugin registers it (`shrutik audio inspect`), run as the host runs it; that the
  // `shrutik` binary reaches it is the host's test (tests/pluginCommands.test.ts).
  const config = audioProcessingPlugin({})({ collections: coreCollections() } as Config)
  const cli = (target: string) => runCommand(config, 'audio', ['inspect', target])

  test('prints one JSON object and exits 0 for an acceptable file', async () => {
    const result = await cli(files['speech.webm'])
    expect(result.status).toBe(0)
    const body = JSON.parse(result.stdout)
    expect(body).toMatchObject({ ok: true, code: 'ok', codec: 'opus', channels: 1, sampleRate: 48_000 })
    expect(Array.isArray(body.checks)).toBe(true)
  })

  test('exits 2 with the reason for a rejected file, 64 for a missing one', async () => {
    const rejected = await cli(files.truncated)
    expect(rejected.status).toBe(2)
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, code: 'truncated' })
    const missing = await cli(path.join(dir, 'nope.wav'))
    expect(missing.status).toBe(64)
    expect(missing.stderr).toMatch(/No such file/)
  })
})

describe('pauses found in decoded audio', () => {
  test('a long recording is cut within ±50 ms of the middle of its generated pauses', async () => {
    const { analyze } = await import('./ffmpeg')
    const { findPauses, planSegments } = await import('./core')
    const layout = [] as { seconds: number; pause?: boolean }[]
    for (let i = 0; i < 6; i++) layout.push({ seconds: 7 }, { seconds: 0.8, pause: true })
    const target = file('long.wav', wav(speechLike(layout)))
    const analysis = await analyze(target, { timeoutMs: 30_000, maxDecodeSeconds: 1800 })
    const segments = planSegments(analysis.decodedDurationMs, findPauses(analysis.frameLevelsDbfs, analysis.frameMs))
    expect(segments.length).toBeGreaterThanOrEqual(3)
    for (const { endMs } of segments.slice(0, -1)) {
      // Pause k spans 7.8k + 7.0 .. 7.8k + 7.8 s; its middle is 7.8k + 7.4 s.
      const k = Math.round((endMs - 7400) / 7800)
      expect(Math.abs(endMs - (7800 * k + 7400))).toBeLessThanOrEqual(50)
    }
  })
})
