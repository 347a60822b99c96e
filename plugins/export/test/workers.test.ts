import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { speechLike, wav } from '@shrutik/plugin-sdk/testing'
import { getFileStore } from '@shrutik/plugin-sdk'
import { createUser, startTestServer, type TestServer, type TestUser } from '../../../tests/helpers/server'
import { asUser, call, createLanguage, createSentence, eventually, readyRecording } from '../../../tests/helpers/fixtures'
import { exportSettings } from '../src/options'

/**
 * Exports across worker processes (each one `shrutik worker` would be, export jobs only): two
 * processes share one export's shards; a worker SIGKILLed mid-export leaves nothing downloadable
 * and the next worker finishes it with the same bytes.
 */

// Small shards and a short lock, for this suite's server and its worker processes.
process.env.EXPORT_SHARD_SIZE = '3'
process.env.EXPORT_LOCK_LIFETIME_MS = '3000'

const CLIPS = 30
let server: TestServer
let admin: TestUser
let languageId: number
const children: ChildProcess[] = []
const outputs = new Map<ChildProcess, string>()

const startWorker = async (): Promise<ChildProcess> => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info' }
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

const exportDoc = (id: number) => server.payload.findByID({ collection: 'dataset-exports', id, depth: 0 }) as Promise<Record<string, any>>

const createExport = async () => {
  const response = await call(server, 'POST', '/api/dataset-exports', { headers: admin.headers }, { language: languageId, format: 'nemo', audio: 'flac', seed: 5 })
  expect(response.status).toBe(201)
  return ((await response.json()) as { doc: { id: number } }).doc.id
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await createUser(server, 'admin', 'workers-admin')
  const speakers = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => createUser(server, 'contributor', `workers-speaker-${index}`)))
  languageId = await createLanguage(server)
  // One 20-second speech-like Opus file, copied into every segment: real decoding work per clip.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-export-workers-'))
  fs.writeFileSync(path.join(dir, 'voice.wav'), wav(speechLike([{ seconds: 0.3, pause: true }, { seconds: 19.4 }, { seconds: 0.3, pause: true }])))
  const encoded = spawnSync('ffmpeg', ['-v', 'error', '-i', path.join(dir, 'voice.wav'), '-c:a', 'libopus', '-b:a', '32k', path.join(dir, 'voice.ogg')])
  expect(encoded.status).toBe(0)
  for (let index = 0; index < CLIPS; index++) {
    const sentenceId = await createSentence(server, languageId, `বাক্য ${index} পড়ুন`)
    const { segmentIds } = await readyRecording(server, asUser(speakers[index % speakers.length]), { languageId, sentenceId })
    const segment = (await server.payload.findByID({ collection: 'segments', id: segmentIds[0], depth: 0 })) as Record<string, any>
    await getFileStore().put(`processed/${segment.file}`, { path: path.join(dir, 'voice.ogg') })
    // As the consensus job leaves an accepted clip (system write).
    await server.payload.db.updateOne({
      collection: 'segments',
      id: segment.id,
      data: { durationMs: 20_000, endMs: 20_000 },
      req: undefined as never,
    })
    await server.payload.db.updateOne({
      collection: 'segment-decisions',
      where: { segment: { equals: segment.id } },
      data: { status: 'accepted', agreedText: `বাক্য ${index} পড়ুন`, confidence: 1, method: 'common-voice', decidedBy: 'crowd' },
      req: undefined as never,
    })
  }
  fs.rmSync(dir, { recursive: true, force: true })
}, 180_000)

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await server?.close()
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
    const download = await fetch(`${server.url}/api/export/exports/${id}/download`, { headers: admin.headers })
    expect(download.status).toBe(409)
    expect(fs.existsSync(path.join(exportSettings(server.payload).exportsDir, String(id)))).toBe(false)
    // The next worker takes the stranded jobs over once their lock expires.
    const second = await startWorker()
    const done = await eventually(() => exportDoc(id), (doc) => ['done', 'failed'].includes(doc.status), 120_000)
    expect(done.status).toBe('done')
    expect(done.sha256).toBe(reference)
    const archive = await fetch(`${server.url}/api/export/exports/${id}/download`, { headers: admin.headers })
    expect(archive.status).toBe(200)
    expect(Buffer.from(await archive.arrayBuffer()).length).toBe(done.archiveBytes)
    await stopWorker(second)
  }, 180_000)
})
