import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getFileStore, getRegisteredJobs, listenerJobName, type JobDefinition } from '@shrutik/plugin-sdk'
import { createLanguage, createSentence, runJobHandler, speechLike, startTestHost, uploadRecording, wav, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { exportSettings } from '../src/options'
import { workersHostOptions } from './workersHost'

/**
 * Exports across worker processes (each one `shrutik worker` would be, export jobs only): two
 * processes share one export's shards; a worker SIGKILLed mid-export leaves nothing downloadable
 * and the next worker finishes it with the same bytes.
 */

// Small shards and a short lock, for this suite's host and its worker processes (test/workersHost.ts).
const CLIPS = 30
let folder: string
const secret = randomBytes(24).toString('hex')
let host: TestHost
let admin: TestUser
let languageId: number
const children: ChildProcess[] = []
const outputs = new Map<ChildProcess, string>()

const startWorker = async (): Promise<ChildProcess> => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', SHRUTIK_WORKERS_DATABASE_URL: host.database.url, SHRUTIK_WORKERS_FOLDER: folder, SHRUTIK_WORKERS_SECRET: secret }
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(import.meta.dirname, 'worker.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  outputs.set(child, '')
  child.stdout!.on('data', (chunk) => outputs.set(child, outputs.get(child) + chunk))
  child.stderr!.on('data', (chunk) => outputs.set(child, outputs.get(child) + chunk))
  await eventually(
    async () => outputs.get(child)!,
    (text) => text.includes('export worker ready') || child.exitCode !== null,
    60_000,
  )
  if (child.exitCode !== null) throw new Error(`worker exited: ${outputs.get(child)}`)
  return child
}

const stopWorker = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })

/** Shards a worker reports having encoded for an export. */
const shardsDoneBy = (child: ChildProcess, exportId: number): number[] =>
  outputs
    .get(child)!
    .split('\n')
    .filter((line) => line.includes('shard encoded'))
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.exportId === exportId)
    .map((entry) => entry.shard)

const eventually = async <T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

/**
 * A recording made ready as the processing job leaves one (one segment, its file stored, the result
 * written at adapter level) without running it, and its `segment.ready` announcement delivered to
 * the consensus plugin's listener at once.
 */
const readyRecording = async (owner: TestUser, languageId: number, sentenceId: number): Promise<number> => {
  const recording = await uploadRecording(host.payload, { audio: wav(speechLike([{ seconds: 1 }])), language: languageId, sentence: sentenceId, user: owner.user, consentVersion: '1' })
  const sentence = (await host.payload.findByID({ collection: 'sentences', id: sentenceId })) as Record<string, any>
  const file = `${recording.id}/${randomUUID()}/segment-000.ogg`
  const segment = await host.payload.create({
    collection: 'segments',
    data: { recording: recording.id, index: 0, startMs: 0, endMs: 1000, durationMs: 1000, file, expectedText: sentence.text },
  })
  await host.payload.db.updateOne({ collection: 'recordings', id: recording.id, data: { audio: { status: 'ready' } }, req: undefined as never })
  const listener = getRegisteredJobs(host.payload.config).find((job) => job.name === listenerJobName('consensus', 'segment.ready')) as JobDefinition
  await runJobHandler(listener, { payload: host.payload, data: { event: 'segment.ready', data: { segmentId: segment.id, recordingId: recording.id, kind: 'prompt' }, emittedAt: Date.now() } as never })
  return segment.id as number
}

const exportDoc = (id: number) => host.payload.findByID({ collection: 'dataset-exports', id, depth: 0 }) as Promise<Record<string, any>>

const createExport = async () => {
  const response = await host.fetch('/api/dataset-exports', {
    method: 'POST',
    headers: { ...admin.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ language: languageId, format: 'nemo', audio: 'flac', seed: 5 }),
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { doc: { id: number } }).doc.id
}

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-export-workers-host-'))
  // A web host: only the worker processes run export jobs.
  host = await startTestHost({ ...workersHostOptions(folder, secret), role: 'web' })
  admin = await host.createUser('admin', 'workers-admin')
  const speakers = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => host.createUser('contributor', `workers-speaker-${index}`)))
  languageId = (await createLanguage(host.payload)).id as number
  // One 20-second speech-like Opus file, copied into every segment: real decoding work per clip.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-export-workers-'))
  fs.writeFileSync(path.join(dir, 'voice.wav'), wav(speechLike([{ seconds: 0.3, pause: true }, { seconds: 19.4 }, { seconds: 0.3, pause: true }])))
  const encoded = spawnSync('ffmpeg', ['-v', 'error', '-i', path.join(dir, 'voice.wav'), '-c:a', 'libopus', '-b:a', '32k', path.join(dir, 'voice.ogg')])
  expect(encoded.status).toBe(0)
  for (let index = 0; index < CLIPS; index++) {
    const sentenceId = (await createSentence(host.payload, { language: languageId, text: `বাক্য ${index} পড়ুন` })).id as number
    const segmentId = await readyRecording(speakers[index % speakers.length], languageId, sentenceId)
    const segment = (await host.payload.findByID({ collection: 'segments', id: segmentId, depth: 0 })) as Record<string, any>
    await getFileStore(host.payload).put(`processed/${segment.file}`, { path: path.join(dir, 'voice.ogg') })
    // As the consensus job leaves an accepted clip (system write).
    await host.payload.db.updateOne({
      collection: 'segments',
      id: segment.id,
      data: { durationMs: 20_000, endMs: 20_000 },
      req: undefined as never,
    })
    await host.payload.db.updateOne({
      collection: 'segment-decisions' as never,
      where: { segment: { equals: segment.id } },
      data: { status: 'accepted', agreedText: `বাক্য ${index} পড়ুন`, confidence: 1, method: 'common-voice', decidedBy: 'crowd' },
      req: undefined as never,
    })
  }
  fs.rmSync(dir, { recursive: true, force: true })
}, 180_000)

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await host?.stop()
  if (folder) fs.rmSync(folder, { recursive: true, force: true })
})

describe('exports across worker processes', () => {
  let reference: string

  test('two worker processes share one export: both encode shards, every shard once, one archive', async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()])
    const id = await createExport()
    const done = await eventually(() => exportDoc(id), (doc) => ['done', 'failed'].includes(doc.status), 120_000)
    expect(done.status).toBe('done')
    expect(done.shardsTotal).toBe(CLIPS / 3)
    const byA = shardsDoneBy(a, id)
    const byB = shardsDoneBy(b, id)
    expect(byA.length).toBeGreaterThan(0)
    expect(byB.length).toBeGreaterThan(0)
    expect(new Set([...byA, ...byB])).toEqual(new Set(Array.from({ length: CLIPS / 3 }, (_, shard) => shard)))
    reference = done.sha256
    await Promise.all([stopWorker(a), stopWorker(b)])
  }, 180_000)

  test('SIGKILL of the worker mid-export: nothing downloadable, and the next worker finishes it with the same bytes', async () => {
    const first = await startWorker()
    const id = await createExport()
    const during = await eventually(() => exportDoc(id), (doc) => doc.status !== 'queued' && doc.clipsDone > 0, 60_000)
    first.kill('SIGKILL')
    expect(during.status).toBe('running')
    expect(during.clipsDone).toBeLessThan(CLIPS)
    await new Promise((resolve) => first.once('exit', resolve))
    const killed = await exportDoc(id)
    expect(killed.status).toBe('running')
    const download = await host.fetch(`/api/export/exports/${id}/download`, { headers: admin.headers })
    expect(download.status).toBe(409)
    expect(fs.existsSync(path.join(exportSettings(host.payload).exportsDir, String(id)))).toBe(false)
    // The next worker takes the stranded jobs over once their lock expires.
    const second = await startWorker()
    const done = await eventually(() => exportDoc(id), (doc) => ['done', 'failed'].includes(doc.status), 120_000)
    expect(done.status).toBe('done')
    expect(done.sha256).toBe(reference)
    const archive = await host.fetch(`/api/export/exports/${id}/download`, { headers: admin.headers })
    expect(archive.status).toBe(200)
    expect(Buffer.from(await archive.arrayBuffer()).length).toBe(done.archiveBytes)
    await stopWorker(second)
  }, 180_000)
})
