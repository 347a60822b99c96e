import fs from 'node:fs'
import path from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { consensusPlugin } from '@shrutik/plugin-consensus'
import type { JobDefinition } from '@shrutik/plugin-sdk'
import { createLanguage, createSentence, speechLike, startTestHost, uploadRecording, wav, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { audioProcessingPlugin } from '../src'
import { PROCESS_RECORDING } from '../src/job'

type JobRuntime = Awaited<ReturnType<TestHost['startWorker']>>

/**
 * Processing under faults, on the real job runtime: a job out of retries, a failed reprocess, two
 * runs of one recording at once, reprocessing that would delete judged segments (votes from the
 * consensus plugin, installed beside it as a host would).
 */

let host: TestHost
let contributor: TestUser
let other: TestUser
let admin: TestUser
let languageId: number
let sentenceId: number
let worker: JobRuntime | undefined

/** The real runtime and job definitions; only the processing job's retry delay is shortened. */
const startWorker = async () => {
  worker = await host.startWorker({ jobs: (registered) => registered.map((job) => (job.name === PROCESS_RECORDING ? ({ ...job, backoffMs: 100 } as JobDefinition) : job)) })
}

const json = async (response: Response): Promise<any> => response.json()

const upload = async (audio: Buffer, data: Record<string, unknown>) =>
  (await uploadRecording(host.payload, { audio, language: languageId, user: contributor.user, ...data })).id as number

const recording = async (id: number) => (await host.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>

const waitFor = async <T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 40_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const settled = (id: number) =>
  waitFor(async () => {
    const doc = await recording(id)
    return ['ready', 'rejected', 'failed'].includes(doc.audio?.status) ? doc : undefined
  }, `recording ${id} to settle`)

const segmentsOf = async (id: number) =>
  (await host.payload.find({ collection: 'segments', where: { recording: { equals: id } }, sort: 'index', pagination: false })).docs as Record<string, any>[]

// The kit's file store keeps uploads as `recordings/<filename>` and results as `processed/…` in its folder.
const sourceFile = (doc: Record<string, any>) => path.join(host.files.dir!, 'recordings', String(doc.filename))

const processedFile = (relative: string) => path.join(host.files.dir!, 'processed', relative)

const reprocess = (id: number, body?: Record<string, unknown>) =>
  host.fetch(`/api/audio-processing/recordings/${id}/reprocess`, {
    method: 'POST',
    headers: { ...admin.headers, 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })

const jobRows = async (ids: string[]) =>
  (
    await (host.payload.db as unknown as PostgresAdapter).pool.query(
      'SELECT id, fail_count, failed_at, last_finished_at, next_run_at, locked_at FROM agenda_jobs WHERE id = ANY($1::uuid[])',
      [ids],
    )
  ).rows as { id: string; fail_count: number | null; failed_at: Date | null; last_finished_at: Date | null; next_run_at: Date | null; locked_at: Date | null }[]

beforeAll(async () => {
  // A web host: each test starts the worker when it wants jobs to run.
  host = await startTestHost({ core: true, role: 'web', plugins: [audioProcessingPlugin({}), consensusPlugin({})] })
  ;[contributor, other, admin] = await Promise.all([host.createUser('contributor', 'speaker'), host.createUser('contributor', 'listener'), host.createUser('admin')])
  languageId = (await createLanguage(host.payload, { code: 'flt', name: 'Faultish' })).id as number
  sentenceId = (await createSentence(host.payload, { text: 'Read me when things break.', language: languageId, status: 'approved' })).id as number
}, 60_000)

afterEach(async () => {
  await worker?.stop(5000)
  worker = undefined
})

afterAll(async () => {
  await host?.stop()
})

describe('processing jobs that fail', () => {
  test('a recording whose processing runs out of retries ends failed with the reason (not processing forever)', async () => {
    const id = await upload(wav(speechLike([{ seconds: 1.5 }])), { mode: 'prompt', sentence: sentenceId })
    // The original vanishes before any worker runs (a lost disk, a bad restore): every attempt fails.
    fs.rmSync(sourceFile(await recording(id)))
    await startWorker()
    const doc = await settled(id)
    expect(doc.audio.status).toBe('failed')
    expect(doc.audio.failureReason).toMatch(/^Processing failed after 3 attempts: /)
    expect(await segmentsOf(id)).toEqual([])
  })

  test('a reprocess that fails for good keeps the previous result: the recording stays ready and served', async () => {
    await startWorker()
    const id = await upload(wav(speechLike([{ seconds: 1.5 }])), { mode: 'prompt', sentence: sentenceId })
    const before = await settled(id)
    expect(before.audio.status).toBe('ready')
    // What the processing set off (the consensus plugin learns each new segment's task) is done first.
    await host.settle()
    const segmentsBefore = await segmentsOf(id)
    fs.rmSync(sourceFile(before))
    expect((await reprocess(id)).status).toBe(200)
    const after = await waitFor(async () => {
      const doc = await recording(id)
      return doc.audio.failureReason ? doc : undefined
    }, 'the reprocess to fail for good')
    expect(after.audio.status).toBe('ready')
    expect(after.audio.failureReason).toMatch(/^Reprocessing did not complete; the previous result is kept\. Processing failed after 3 attempts/)
    expect(after.audio.files).toEqual(before.audio.files)
    expect(await segmentsOf(id)).toEqual(segmentsBefore)
    for (const file of Object.values(after.audio.files) as string[]) expect(fs.existsSync(processedFile(file))).toBe(true)
  })

  test('two runs of one recording never overlap: neither deletes the files the other committed', async () => {
    await startWorker()
    const layout = [] as { seconds: number; pause?: boolean }[]
    for (let i = 0; i < 4; i++) layout.push({ seconds: 6 }, { seconds: 0.8, pause: true })
    const id = await upload(wav(speechLike(layout)), { mode: 'long', scriptText: 'A long passage.' })
    expect((await settled(id)).audio.status).toBe('ready')

    // Two runs at once (an admin's reprocess while another is going): no dedupe key joins them.
    const recordingDir = processedFile(String(id))
    let mostRunFolders = 0
    let watching = true
    const watcher = (async () => {
      while (watching) {
        mostRunFolders = Math.max(mostRunFolders, fs.existsSync(recordingDir) ? fs.readdirSync(recordingDir).length : 0)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    const [a, b] = await Promise.all([worker!.queue.enqueue(PROCESS_RECORDING, { recordingId: id }), worker!.queue.enqueue(PROCESS_RECORDING, { recordingId: id })])
    const rows = await waitFor(async () => {
      const current = await jobRows([a.jobId, b.jobId])
      return current.length === 2 && current.every((row) => row.next_run_at === null && row.locked_at === null) ? current : undefined
    }, 'both runs to finish')
    watching = false
    await watcher
    // Each run succeeded at its first attempt: none had its folder deleted under it.
    for (const row of rows) {
      expect(row.fail_count ?? 0).toBe(0)
      expect(row.failed_at).toBeNull()
    }
    // At most the committed run and one in progress at any moment.
    expect(mostRunFolders).toBeLessThanOrEqual(2)
    const doc = await recording(id)
    expect(doc.audio.status).toBe('ready')
    for (const file of Object.values(doc.audio.files) as string[]) expect(fs.existsSync(processedFile(file))).toBe(true)
    for (const segment of await segmentsOf(id)) expect(fs.existsSync(processedFile(segment.file))).toBe(true)
    expect(fs.readdirSync(recordingDir)).toHaveLength(1)
  })
})

describe('reprocessing and judged segments', () => {
  test('a reprocess that would delete a judged segment changes nothing until an admin confirms how many judgments go', async () => {
    await startWorker()
    const id = await upload(wav(speechLike([{ seconds: 2 }])), { mode: 'prompt', sentence: sentenceId })
    const first = await settled(id)
    expect(first.audio.status).toBe('ready')
    const [segment] = await segmentsOf(id)
    const heard = await host.fetch(`/api/transcriptions`, {
      method: 'POST',
      headers: { ...other.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ item: segment.id, language: languageId, text: 'what I heard' }),
    })
    expect(heard.status).toBe(201)
    // A vote cast just before the reprocess counts too, though the consensus job has not yet
    // counted it into the segment's `consensus.judgments` (the count is taken from the votes).
    const voted = await host.fetch(`/api/votes`, {
      method: 'POST',
      headers: { ...admin.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ segment: segment.id, valid: true }),
    })
    expect(voted.status).toBe(201)
    // The stored span differs from what processing finds now (as after a change of thresholds).
    await host.payload.db.updateOne({ collection: 'segments', id: segment.id, data: { endMs: segment.endMs + 40 } })

    expect((await reprocess(id, { confirmDeleteJudgments: -1 })).status).toBe(400)
    expect((await reprocess(id)).status).toBe(200)
    const refused = await waitFor(async () => {
      const doc = await recording(id)
      return doc.audio.failureReason ? doc : undefined
    }, 'the reprocess to be refused')
    expect(refused.audio.status).toBe('ready')
    expect(refused.audio.failureReason).toMatch(/would delete 1 judged segment with 2 judgments .*Nothing was changed/)
    expect(refused.audio.files).toEqual(first.audio.files)
    const kept = await segmentsOf(id)
    expect(kept.map((row) => row.id)).toEqual([segment.id])
    expect((await host.payload.find({ collection: 'transcriptions', where: { item: { equals: segment.id } } })).totalDocs).toBe(1)

    expect((await host.payload.find({ collection: 'votes', where: { segment: { equals: segment.id } } })).totalDocs).toBe(1)

    // Confirming fewer than there are changes nothing either.
    const underConfirmed = await reprocess(id, { confirmDeleteJudgments: 1 })
    expect(underConfirmed.status).toBe(200)
    const { jobId } = (await json(underConfirmed)) as { jobId: string }
    await waitFor(async () => (await jobRows([jobId]))[0]?.failed_at, 'the under-confirmed reprocess to be refused')
    expect((await recording(id)).audio.failureReason).toMatch(/with 2 judgments .*Nothing was changed/)
    expect((await segmentsOf(id)).map((row) => row.id)).toEqual([segment.id])
    // Confirmed: the segment is replaced, its judgments go with it.
    expect((await reprocess(id, { confirmDeleteJudgments: 2 })).status).toBe(200)
    const replaced = await waitFor(async () => {
      const doc = await recording(id)
      return doc.audio.processedAt !== first.audio.processedAt && doc.audio.status === 'ready' ? doc : undefined
    }, 'the confirmed reprocess')
    expect(replaced.audio.failureReason ?? null).toBeNull()
    const after = await segmentsOf(id)
    expect(after).toHaveLength(1)
    expect(after[0].id).not.toBe(segment.id)
    expect((await host.payload.find({ collection: 'transcriptions', where: { item: { equals: segment.id } } })).totalDocs).toBe(0)
    expect((await host.payload.find({ collection: 'votes', where: { segment: { equals: segment.id } } })).totalDocs).toBe(0)
  })
})
