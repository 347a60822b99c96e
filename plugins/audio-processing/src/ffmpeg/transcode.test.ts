import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'

import { probe, transcode } from '.'
import { coreCollections, runCommand, speechLike, wav } from '@shrutik/plugin-sdk/testing'
import type { Config } from 'payload'

import { audioProcessingPlugin } from '../plugin'

let dir: string
let input: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-transcode-'))
  input = path.join(dir, 'in.wav')
  fs.writeFileSync(input, wav(speechLike([{ seconds: 2 }, { seconds: 0.5, pause: true }, { seconds: 2 }]), { sampleRate: 16_000, channels: 2 }))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('one ffmpeg run writes archival FLAC 16 kHz mono and playback Opus mono', async () => {
  const flac = path.join(dir, 'archive.flac')
  const opus = path.join(dir, 'play.ogg')
  await transcode(input, [{ path: flac, codec: 'flac' }, { path: opus, codec: 'opus' }], { timeoutMs: 30_000 })
  expect(await probe(flac, { timeoutMs: 10_000 })).toMatchObject({ codec: 'flac', sampleRate: 16_000, channels: 1 })
  const playback = await probe(opus, { timeoutMs: 10_000 })
  expect(playback).toMatchObject({ codec: 'opus', channels: 1 })
  expect(Math.abs((playback.declaredDurationMs ?? 0) - 4500)).toBeLessThan(100)
  expect(fs.readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([])
})

test('parts of the input are cut out in the same single run (segments)', async () => {
  const first = path.join(dir, 'part-0.flac')
  const second = path.join(dir, 'part-1.ogg')
  let stderr = ''
  await transcode(
    input,
    [
      { path: first, codec: 'flac', startMs: 1000, durationMs: 1500 },
      { path: second, codec: 'opus', startMs: 3000, durationMs: 1200 },
    ],
    { timeoutMs: 30_000, onStderr: (text) => (stderr += text) },
  )
  expect(Math.abs(((await probe(first, { timeoutMs: 10_000 })).declaredDurationMs ?? 0) - 1500)).toBeLessThan(50)
  expect(Math.abs(((await probe(second, { timeoutMs: 10_000 })).declaredDurationMs ?? 0) - 1200)).toBeLessThan(50)
  // One process wrote both: its log names both outputs.
  expect(stderr).toMatch(/Output #1/)
})

test('a failure leaves neither temp files nor a replaced output behind', async () => {
  const existing = path.join(dir, 'keep.flac')
  fs.writeFileSync(existing, 'previous output')
  const broken = path.join(dir, 'broken.wav')
  fs.writeFileSync(broken, Buffer.from('not audio at all'))
  await expect(transcode(broken, [{ path: existing, codec: 'flac' }], { timeoutMs: 30_000 })).rejects.toThrow(/could not transcode/)
  expect(fs.readFileSync(existing, 'utf8')).toBe('previous output')
  expect(fs.readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([])
})

test('an abort kills ffmpeg and cleans up', async () => {
  const controller = new AbortController()
  const pending = transcode(input, [{ path: path.join(dir, 'aborted.flac'), codec: 'flac' }], { timeoutMs: 30_000, signal: controller.signal })
  controller.abort(new Error('job cancelled'))
  await expect(pending).rejects.toThrow(/job cancelled/)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(fs.readdirSync(dir).filter((name) => name.startsWith('aborted'))).toEqual([])
})

test('shrutik audio segment writes each segment and lists it as JSON', async () => {
  // The command as the plugin registers it, run as the host runs it (the binary's wiring: tests/pluginCommands.test.ts).
  const config = audioProcessingPlugin({})({ collections: coreCollections() } as Config)
  const long = path.join(dir, 'long.wav')
  const layout = [] as { seconds: number; pause?: boolean }[]
  for (let i = 0; i < 4; i++) layout.push({ seconds: 8 }, { seconds: 0.8, pause: true })
  fs.writeFileSync(long, wav(speechLike(layout)))
  const out = path.join(dir, 'segments')
  const result = await runCommand(config, 'audio', ['segment', long, '--out', out])
  expect(result.status).toBe(0)
  const segments = JSON.parse(result.stdout) as { file: string; durationMs: number }[]
  expect(segments.length).toBeGreaterThanOrEqual(3)
  for (const segment of segments) {
    expect(segment.durationMs).toBeLessThanOrEqual(15_000)
    const probed = await probe(segment.file, { timeoutMs: 10_000 })
    expect(Math.abs((probed.declaredDurationMs ?? 0) - segment.durationMs)).toBeLessThan(60)
  }
  const usage = await runCommand(config, 'audio', ['segment', long])
  expect(usage.status).toBe(64)
})

test('ffmpeg children run at a lower priority than the web server (FFMPEG_NICE, default 10)', async () => {
  const { spawn } = await import('node:child_process')
  const os = await import('node:os')
  const { deprioritize } = await import('./run')
  const child = spawn('sleep', ['5'])
  try {
    deprioritize(child.pid)
    expect(os.getPriority(child.pid)).toBe(10)
  } finally {
    child.kill('SIGKILL')
  }
})

test('cutSegments: one span gives one file, however long (no fallback to 2-second pieces)', async () => {
  const { cutSegments } = await import('.')
  const target = path.join(dir, 'one-span')
  fs.mkdirSync(target)
  const files = await cutSegments(input, [{ startMs: 200, endMs: 4200 }], target, { codec: 'opus', timeoutMs: 30_000 })
  expect(files).toHaveLength(1)
  expect(Math.abs(((await probe(files[0], { timeoutMs: 10_000 })).declaredDurationMs ?? 0) - 4000)).toBeLessThan(60)
  expect(fs.readdirSync(target)).toEqual([path.basename(files[0])])
})
