import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { resolveBinaries } from '../src/ffmpeg'
import { inspectFile } from '../src/inspect'
import { constant, speechLike, wav } from './audio'

/** Real ffprobe/ffmpeg on files generated here; every hostile input gets its code, none hangs. */

let dir: string
const file = (name: string, content: Buffer | Uint8Array) => {
  const target = path.join(dir, name)
  fs.writeFileSync(target, content)
  return target
}
const ffmpeg = (args: string[]) => {
  const result = spawnSync(resolveBinaries().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args])
  if (result.status !== 0) throw new Error(result.stderr.toString())
}

const speech = speechLike([{ seconds: 1.2 }, { seconds: 0.5, pause: true }, { seconds: 1.5 }, { seconds: 0.4, pause: true }, { seconds: 1.4 }])
const files: Record<string, string> = {}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-audio-'))
  files.speechWav = file('speech.wav', wav(speech))
  for (const [name, codec] of [
    ['speech.webm', 'libopus'],
    ['speech.ogg', 'libopus'],
    ['speech.flac', 'flac'],
    ['speech.mp3', 'libmp3lame'],
    ['speech.m4a', 'aac'],
  ]) {
    files[name] = path.join(dir, name)
    ffmpeg(['-i', files.speechWav, '-c:a', codec, files[name]])
  }
  files.empty = file('empty.wav', Buffer.alloc(0))
  files.random = file('random.wav', Buffer.from(Array.from({ length: 8000 }, (_, i) => (i * 7919 + 13) % 256)))
  files.png = file('voice.webm', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63600000020001e221bc330000000049454e44ae426082', 'hex'))
  // A WebM that claims its full length but was cut after a few hundred milliseconds of data.
  const webm = fs.readFileSync(files['speech.webm'])
  files.truncated = file('truncated.webm', webm.subarray(0, 3000))
  // An hour of silence packed into a small FLAC: must be refused without decoding an hour.
  files.hourFlac = path.join(dir, 'hour.flac')
  ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '3600', '-c:a', 'flac', files.hourFlac])
  files.channels32 = file('ch32.wav', wav(speech.subarray(0, 16_000), { channels: 32 }))
  files.rate384 = file('sr384.wav', wav(constant(1, 'tone', { sampleRate: 384_000 }), { sampleRate: 384_000 }))
  files.silent = file('silent.wav', wav(constant(4, 'silence')))
  files.short = file('short.wav', wav(speechLike([{ seconds: 0.4 }])))
  files.clipped = file('clipped.wav', wav(speechLike([{ seconds: 3 }], { gain: 4 })))
  // A valid WAV header followed by garbage: decodes as full-scale noise, not a voice.
  files.garbage = file('garbage.wav', Buffer.concat([wav(new Float32Array(0), { declaredDataBytes: 160_000 }).subarray(0, 44), Buffer.from(Array.from({ length: 160_000 }, (_, i) => (i * 2654435761) % 256))]))
  // Garbage after a valid FLAC header.
  const flac = fs.readFileSync(files['speech.flac'])
  files.garbageFlac = file('garbage.flac', Buffer.concat([flac.subarray(0, 200), Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 40503) % 256))]))
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
  test.each([
    ['empty', 'empty'],
    ['random', 'not-audio'],
    ['png', 'not-audio'],
    ['truncated', 'truncated'],
    ['hourFlac', 'too-long'],
    ['channels32', 'too-many-channels'],
    ['rate384', 'sample-rate-too-high'],
    ['silent', 'silent'],
    ['short', 'too-short'],
    ['clipped', 'too-loud'],
    ['garbage', 'too-loud'],
    // The FLAC decoder skips garbage silently: far less sound than the header promises.
    ['garbageFlac', 'truncated'],
  ])('%s → %s', async (name, code) => {
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
  const cli = (target: string) =>
    spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../../bin/shrutik.mjs'), 'audio', 'inspect', target], {
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    })

  test('prints one JSON object and exits 0 for an acceptable file', () => {
    const result = cli(files['speech.webm'])
    expect(result.status).toBe(0)
    const body = JSON.parse(result.stdout)
    expect(body).toMatchObject({ ok: true, code: 'ok', codec: 'opus', channels: 1, sampleRate: 48_000 })
    expect(Array.isArray(body.checks)).toBe(true)
  })

  test('exits 2 with the reason for a rejected file, 64 for a missing one', () => {
    const rejected = cli(files.truncated)
    expect(rejected.status).toBe(2)
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, code: 'truncated' })
    const missing = cli(path.join(dir, 'nope.wav'))
    expect(missing.status).toBe(64)
    expect(missing.stderr).toMatch(/No such file/)
  })
})

describe('pauses found in decoded audio', () => {
  test('a long recording is cut within ±50 ms of the middle of its generated pauses', async () => {
    const { analyze } = await import('../src/ffmpeg')
    const { findPauses, planSegments } = await import('../src/core')
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
