import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { getFileStore, getRegisteredJobs, listenerJobName, type JobDefinition } from '@shrutik/plugin-sdk'
import { runJobHandler } from '@shrutik/plugin-sdk/testing'
import type { CollectionSlug } from 'payload'

import { createJobRuntime, type JobRuntime } from '../../src/jobs/runtime'
import { sineWav } from './audio'
import { json, mintAnonymous, type TestServer, type TestUser } from './server'

/** Shared set-up for suites on the host's test server (the host's, and plugins' that drive whole uploads): a language, a sentence, ready recordings and their segments. */

export type Actor = { headers: Record<string, string>; clientId?: string }

export const asAnonymous = async (server: TestServer): Promise<Actor> => mintAnonymous(server)
export const asUser = (user: TestUser): Actor => ({ headers: user.headers })

export const call = (server: TestServer, method: string, url: string, actor?: Actor, body?: unknown) =>
  fetch(`${server.url}${url}`, {
    method,
    headers: { ...(actor?.headers ?? {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })

export const sqlRows = async <Row = Record<string, unknown>>(server: TestServer, query: ReturnType<typeof sql>): Promise<Row[]> =>
  ((await (server.payload.db as unknown as PostgresAdapter).drizzle.execute(query)) as unknown as { rows: Row[] }).rows

/** A language of its own for a suite: a private-use code (qaa–qtz), retried on the rare collision. */
export const createLanguage = async (server: TestServer): Promise<number> => {
  for (let attempt = 0; ; attempt++) {
    const code = `q${String.fromCharCode(97 + Math.floor(Math.random() * 20))}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}`
    try {
      return (await server.payload.create({ collection: 'languages', data: { code, name: `Test ${code}`, nativeName: `Test ${code}` } })).id as number
    } catch (error) {
      if (attempt >= 10) throw error
    }
  }
}

export const createSentence = async (server: TestServer, languageId: number, text = `Read this sentence ${randomUUID().slice(0, 8)}.`): Promise<number> =>
  (await server.payload.create({ collection: 'sentences', data: { text, language: languageId, status: 'approved' } })).id as number

export interface MadeRecording {
  recordingId: number
  segmentIds: number[]
}

/**
 * A recording uploaded through the REST API by `owner` (its processing job stays queued: these
 * suites run no audio worker), then marked ready with `segments` segments, as the audio job would
 * leave it (system writes). Each segment gets a small playback file. Without the audio plugin
 * (SHRUTIK_TEST_WITHOUT) there is nothing to mark: the upload alone, and no segments.
 */
export const readyRecording = async (
  server: TestServer,
  owner: Actor,
  { languageId, sentenceId, mode = 'prompt', segments = 1 }: { languageId: number; sentenceId?: number; mode?: 'prompt' | 'long'; segments?: number },
): Promise<MadeRecording> => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(1)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode, ...(mode === 'prompt' ? { sentence: sentenceId } : { scriptText: 'A passage to read aloud.' }), consentVersion: '1' }))
  const response = await fetch(`${server.url}/api/recordings`, { method: 'POST', headers: owner.headers, body: form })
  if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${JSON.stringify(await json(response))}`)
  const recordingId = (await json(response)).doc.id as number
  if (!server.payload.collections['segments' as CollectionSlug]) return { recordingId, segmentIds: [] }
  const run = randomUUID()
  const expectedText = mode === 'prompt' ? ((await server.payload.findByID({ collection: 'sentences', id: sentenceId! })).text as string) : null
  const segmentIds: number[] = []
  for (let index = 0; index < segments; index++) {
    const file = `${recordingId}/${run}/segment-${String(index).padStart(3, '0')}.ogg`
    await getFileStore().put(`processed/${file}`, { stream: Readable.from([Buffer.from(`OggS fake audio of segment ${index} of recording ${recordingId}`)]) })
    const doc = await server.payload.create({
      collection: 'segments',
      data: { recording: recordingId, index, startMs: index * 1000, endMs: (index + 1) * 1000, durationMs: 1000, file, expectedText },
    })
    segmentIds.push(doc.id as number)
  }
  // As the processing job does: an adapter-level write of the audio result.
  await server.payload.db.updateOne({ collection: 'recordings', id: recordingId, data: { audio: { status: 'ready' } }, req: undefined as never })
  // And its announcement, delivered to the consensus plugin's listener at once (a worker would pick the delivery job up);
  // nobody listens when the configuration has no consensus plugin (SHRUTIK_TEST_WITHOUT).
  const listener = getRegisteredJobs(server.payload.config).find((job) => job.name === listenerJobName('consensus', 'segment.ready')) as JobDefinition | undefined
  for (const segmentId of listener ? segmentIds : []) {
    const data = { segmentId, recordingId, kind: mode === 'prompt' ? 'prompt' : 'transcription' }
    await runJobHandler(listener!, { payload: server.payload, data: { event: 'segment.ready', data, emittedAt: Date.now() } as never })
  }
  return { recordingId, segmentIds }
}

/** A worker for the consensus jobs only (other suites' queued audio jobs stay untouched), and a queue that knows every job. */
export const startConsensusWorker = async (server: TestServer): Promise<JobRuntime[]> => {
  const all = getRegisteredJobs(server.payload.config)
  const worker = await createJobRuntime({
    payload: server.payload,
    databaseUrl: server.booted.database.url,
    jobs: all.filter((job) => job.name.startsWith('consensus.')),
    role: 'worker',
    processEveryMs: 300,
    sweepUnknownJobs: false,
  })
  // The worker's queue knows only its own jobs; hooks (uploads) enqueue others too.
  const enqueuer = await createJobRuntime({ payload: server.payload, databaseUrl: server.booted.database.url, jobs: all, role: 'web' })
  return [worker, enqueuer]
}

/** The fields of a segment's decision (the consensus plugin's `segment-decisions` collection). */
const DECISION_FIELDS = ['task', 'status', 'agreedText', 'confidence', 'judgments', 'reports', 'method', 'decidedBy', 'decidedAt', 'changedAt'] as const

/** A segment's decision through the Local API (system read); a segment the plugin has no row for yet is pending, judged by nobody. */
export const consensusOf = async (server: TestServer, segmentId: number): Promise<Record<string, any>> => {
  const { docs } = await server.payload.find({ collection: 'segment-decisions' as 'users', where: { segment: { equals: segmentId } }, depth: 0, limit: 1, pagination: false })
  const doc = (docs[0] as Record<string, any> | undefined) ?? { status: 'pending', judgments: 0, reports: 0 }
  return Object.fromEntries(DECISION_FIELDS.map((field) => [field, doc[field] ?? null]))
}

/** A segment's decision as other plugins and the host read it: the `consensus_segments` view this plugin publishes. */
export const publishedStatus = async (server: TestServer, segmentId: number): Promise<string | undefined> => {
  const drizzle = (server.payload.db as unknown as PostgresAdapter).drizzle
  const { rows } = (await drizzle.execute(sql`SELECT status FROM consensus_segments WHERE segment_id = ${segmentId}`)) as unknown as { rows: { status: string }[] }
  return rows[0]?.status
}

/** Polls until `check` passes or the time is up (jobs run asynchronously). */
export const eventually = async <T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

export const vote = (server: TestServer, actor: Actor, segment: number, valid: boolean, reason?: string) =>
  call(server, 'POST', '/api/votes', actor, { segment, valid, ...(reason ? { reason } : {}) })

export const transcribe = (server: TestServer, actor: Actor, item: number, languageId: number, text: string) =>
  call(server, 'POST', '/api/transcriptions', actor, { item, language: languageId, text })
