import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals'
import type { JobDefinition, JobLogLevel } from '@shrutik/plugin-sdk'
import { createLanguage, createSentence, speechLike, startTestHost, uploadRecording, wav, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { audioProcessingPlugin } from '../src'
import { PROCESS_RECORDING } from '../src/job'

/**
 * ffmpeg crashing (killed by a signal) or hanging, through the real job runtime: the attempt fails
 * with what ffmpeg said in the log, is retried, and the recording ends `failed` with the reason;
 * a hung ffmpeg is killed, never left running. A stand-in ffmpeg (a shell script) misbehaves on cue.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-fake-ffmpeg-'))
const fakeFfmpeg = path.join(dir, 'ffmpeg')
const saved = { ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH }
// A number nothing else on the machine sleeps for: how we find a hung child left behind.
const HANG_MARK = '4171'

let host: TestHost
let contributor: TestUser
let languageId: number
let sentenceId: number
let worker: Awaited<ReturnType<TestHost['startWorker']>> | undefined
// What the job runtime logs at warn and above, as the host's logger would write it (one JSON line each).
const lines: Record<string, unknown>[] = []
const capture = {
  log(level: JobLogLevel, message: string, meta?: Record<string, unknown>) {
    if (level === 'warn' || level === 'error') lines.push(JSON.parse(JSON.stringify({ level, message, ...meta })) as Record<string, unknown>)
  },
}

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true })
  const realFfprobe = process.env.FFPROBE_PATH ?? execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim()
  fs.writeFileSync(
    fakeFfmpeg,
    `#!/bin/sh
mode=$(cat "${path.join(dir, 'mode')}")
if [ "$mode" = crash ]; then echo "fake ffmpeg: Invalid data found when processing input" >&2; kill -9 $$; fi
echo "fake ffmpeg: waiting for input that never comes" >&2
exec sleep ${HANG_MARK}
`,
    { mode: 0o755 },
  )
  process.env.FFMPEG_PATH = fakeFfmpeg
  process.env.FFPROBE_PATH = realFfprobe
  // A web host: each test starts its worker, with the job's retry delay and timeout shortened, logging into `lines`.
  host = await startTestHost({ core: true, role: 'web', plugins: [audioProcessingPlugin({})] })
  contributor = await host.createUser('contributor', 'speaker')
  languageId = (await createLanguage(host.payload, { code: 'ffm', name: 'Ffmish' })).id as number
  sentenceId = (await createSentence(host.payload, { text: 'A sentence for a broken tool.', language: languageId, status: 'approved' })).id as number
}, 60_000)

afterEach(async () => {
  await worker?.stop(2000)
  worker = undefined
})

afterAll(async () => {
  await host?.stop()
  fs.rmSync(dir, { recursive: true, force: true })
  if (saved.ffmpeg === undefined) delete process.env.FFMPEG_PATH
  else process.env.FFMPEG_PATH = saved.ffmpeg
  if (saved.ffprobe === undefined) delete process.env.FFPROBE_PATH
  else process.env.FFPROBE_PATH = saved.ffprobe
})

const startWorker = async (overrides: Partial<JobDefinition>) => {
  worker = await host.startWorker({
    jobs: (registered) => registered.map((job) => (job.name === PROCESS_RECORDING ? ({ ...job, ...overrides } as JobDefinition) : job)),
    logger: capture,
    processEveryMs: 200,
  })
}

const uploadAndSettle = async () => {
  const id = (await uploadRecording(host.payload, { audio: wav(speechLike([{ seconds: 1.5 }])), language: languageId, mode: 'prompt', sentence: sentenceId, user: contributor.user })).id as number
  const deadline = Date.now() + 40_000
  while (Date.now() < deadline) {
    const doc = (await host.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>
    if (['ready', 'rejected', 'failed'].includes(doc.audio?.status)) return doc
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`recording ${id} did not settle`)
}

// Only this recording's lines count.
const toolFailures = (recordingId: number) => lines.filter((line) => line.message === 'ffmpeg failed or was stopped' && line.recordingId === recordingId)
const hungChildren = () => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((args) => args.trim() === `sleep ${HANG_MARK}`)

test('ffmpeg killed by a signal: each attempt fails with its stderr in the log, is retried, and the recording ends failed', async () => {
  fs.writeFileSync(path.join(dir, 'mode'), 'crash')
  lines.length = 0
  await startWorker({ backoffMs: 100 })
  const doc = await uploadAndSettle()
  expect(doc.audio.status).toBe('failed')
  expect(doc.audio.failureReason).toMatch(/^Processing failed after 3 attempts/)
  const failures = toolFailures(doc.id as number)
  expect(failures).toHaveLength(3)
  for (const line of failures) expect(line).toMatchObject({ level: 'warn', job: PROCESS_RECORDING, stderr: expect.stringContaining('Invalid data found when processing input') })
})

test('ffmpeg hung: the job timeout kills it, the stderr is logged, the job is retried, and no ffmpeg is left running', async () => {
  fs.writeFileSync(path.join(dir, 'mode'), 'hang')
  lines.length = 0
  await startWorker({ backoffMs: 100, timeoutMs: 1500 })
  const doc = await uploadAndSettle()
  expect(doc.audio.status).toBe('failed')
  expect(doc.audio.failureReason).toMatch(/after 3 attempts: .*longer than its 1500 ms limit/)
  // A timed-out attempt is given up at once; its handler logs when the killed ffmpeg has exited, a moment later.
  for (const until = Date.now() + 5000; toolFailures(doc.id as number).length < 3 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50))
  const failures = toolFailures(doc.id as number)
  expect(failures).toHaveLength(3)
  for (const line of failures) expect(line.stderr).toContain('waiting for input that never comes')
  expect(hungChildren()).toEqual([])
})
