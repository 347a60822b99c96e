import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'

import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals'
import { getRegisteredJobs, type JobDefinition } from '@shrutik/plugin-sdk'
import winston from 'winston'

import { createJobRuntime, type JobRuntime } from '../../../src/jobs/runtime'
import { logger } from '../../../src/lib/logger'
import { createUser, json, startTestServer, type TestServer, type TestUser } from '../../../tests/helpers/server'
import { PROCESS_RECORDING } from '../src/job'
import { speechLike, wav } from '@shrutik/plugin-sdk/testing'

/**
 * ffmpeg crashing (killed by a signal) or hanging, through the real job runtime: the attempt fails
 * with what ffmpeg said in the log, is retried, and the recording ends `failed` with the reason;
 * a hung ffmpeg is killed, never left running. A stand-in ffmpeg (a shell script) misbehaves on cue.
 */

const dir = path.join(process.env.SHRUTIK_TEST_ROOT ?? 'tests/.tmp', `fake-ffmpeg-${process.pid}`)
const fakeFfmpeg = path.join(dir, 'ffmpeg')
const saved = { ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH }
// A number nothing else on the machine sleeps for: how we find a hung child left behind.
const HANG_MARK = '4171'

let server: TestServer
let contributor: TestUser
let languageId: number
let sentenceId: number
let worker: JobRuntime | undefined
const lines: Record<string, unknown>[] = []
const capture = new PassThrough()
capture.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>)
})
const transport = new winston.transports.Stream({ stream: capture, level: 'warn' })
let previousLevel: string

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
  server = await startTestServer()
  contributor = await createUser(server, 'contributor', 'speaker')
  languageId = (await server.payload.create({ collection: 'languages', data: { code: 'ffm', name: 'Ffmish', nativeName: 'Ffmish' } })).id as number
  sentenceId = (await server.payload.create({ collection: 'sentences', data: { text: 'A sentence for a broken tool.', language: languageId, status: 'approved' } })).id as number
  logger.add(transport)
  previousLevel = logger.level
  logger.level = 'warn'
}, 60_000)

afterEach(async () => {
  await worker?.stop(2000)
  worker = undefined
})

afterAll(async () => {
  logger.remove(transport)
  logger.level = previousLevel
  await server?.close()
  if (saved.ffmpeg === undefined) delete process.env.FFMPEG_PATH
  else process.env.FFMPEG_PATH = saved.ffmpeg
  if (saved.ffprobe === undefined) delete process.env.FFPROBE_PATH
  else process.env.FFPROBE_PATH = saved.ffprobe
})

const startWorker = async (overrides: Partial<JobDefinition>) => {
  const jobs = getRegisteredJobs(server.payload.config).map((job) => (job.name === PROCESS_RECORDING ? ({ ...job, ...overrides } as JobDefinition) : job))
  worker = await createJobRuntime({ payload: server.payload, databaseUrl: server.booted.database.url, jobs, role: 'worker', processEveryMs: 200, sweepUnknownJobs: false })
}

const uploadAndSettle = async () => {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(speechLike([{ seconds: 1.5 }])))], { type: 'application/octet-stream' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
  const response = await fetch(`${server.url}/api/recordings`, { method: 'POST', headers: contributor.headers, body: form })
  expect(response.status).toBe(201)
  const id = (await json(response)).doc.id as number
  const deadline = Date.now() + 40_000
  while (Date.now() < deadline) {
    const doc = (await server.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>
    if (['ready', 'rejected', 'failed'].includes(doc.audio?.status)) return doc
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`recording ${id} did not settle`)
}

// Other suites' unprocessed recordings share the run's database (and this worker): only ours count.
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
  const failures = toolFailures(doc.id as number)
  expect(failures).toHaveLength(3)
  for (const line of failures) expect(line.stderr).toContain('waiting for input that never comes')
  expect(hungChildren()).toEqual([])
})
