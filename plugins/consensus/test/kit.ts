import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'
import { getFileStore, getRegisteredJobs, listenerJobName, type JobDefinition } from '@shrutik/plugin-sdk'
import { runJobHandler, startTestHost, createLanguage as kitLanguage, createSentence as kitSentence, uploadRecording, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'
import type { PayloadRequest } from 'payload'

import { consensusPlugin } from '../src'
import type { ContributorIdentity } from '../src/options'

/**
 * The consensus plugin's integration tests on the SDK's test kit: a host with the core collections,
 * the audio-processing plugin (whose segments this plugin judges) and this plugin, on a database of
 * its own. Requests go through Payload's REST handler (`host.fetch`).
 */

/**
 * An anonymous contributor, as a host that has them identifies one (Shrutik: a signed cookie issued
 * at consent). Here the kit's `identify` reads the id from this header; the host's cookies are the
 * host's (tests/trust.test.ts).
 */
export const CLIENT_ID_HEADER = 'x-kit-client-id'
/** With `no`, the anonymous contributor has not accepted the terms. */
export const CONSENTED_HEADER = 'x-kit-consented'

/** What a host passes as `identify`: accounts, and anonymous ids (also beside an account, as a browser holds one). */
export const identify = async (req: PayloadRequest): Promise<ContributorIdentity | undefined> => {
  const clientId = req.headers.get(CLIENT_ID_HEADER) ?? undefined
  if (req.user) return { userId: Number(req.user.id), ...(clientId ? { clientId } : {}), consented: true }
  return clientId ? { clientId, consented: req.headers.get(CONSENTED_HEADER) !== 'no' } : undefined
}

/**
 * The kit host. `role: 'web'` (the default here) only enqueues, as the suites that call the handlers
 * themselves want; `all` runs every job (audio processing and consensus) in this process.
 */
export const startConsensusHost = ({ role = 'web' }: { role?: 'web' | 'all' } = {}): Promise<TestHost> =>
  startTestHost({ core: true, role, plugins: [audioProcessingPlugin({}), consensusPlugin({ identify })] })

export type Actor = { headers: Record<string, string>; clientId?: string }

export const asUser = (user: TestUser): Actor => ({ headers: user.headers })

/** A new anonymous contributor (consented unless said otherwise). */
export const asAnonymous = ({ consented = true }: { consented?: boolean } = {}): Actor => {
  const clientId = randomUUID()
  return { clientId, headers: { [CLIENT_ID_HEADER]: clientId, ...(consented ? {} : { [CONSENTED_HEADER]: 'no' }) } }
}

export const json = async (response: Response): Promise<any> => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export const call = (host: TestHost, method: string, url: string, actor?: Actor, body?: unknown) =>
  host.fetch(url, {
    method,
    headers: { ...(actor?.headers ?? {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })

export const sqlRows = async <Row = Record<string, unknown>>(host: TestHost, query: ReturnType<typeof sql>): Promise<Row[]> =>
  ((await (host.payload.db as unknown as PostgresAdapter).drizzle.execute(query)) as unknown as { rows: Row[] }).rows

export const createLanguage = async (host: TestHost): Promise<number> => Number((await kitLanguage(host.payload)).id)

export const createSentence = async (host: TestHost, languageId: number, text = `Read this sentence ${randomUUID().slice(0, 8)}.`): Promise<number> =>
  Number((await kitSentence(host.payload, { language: languageId, text })).id)

export interface MadeRecording {
  recordingId: number
  segmentIds: number[]
}

/**
 * A recording uploaded by `owner` (an account, or an anonymous id as the host writes it), then
 * marked ready with `segments` segments as the audio job would leave it (system writes; no audio job
 * runs in a `web` host), and each segment announced to this plugin's `segment.ready` listener. Each
 * segment gets a small playback file.
 */
export const readyRecording = async (
  host: TestHost,
  owner: Actor | TestUser,
  { languageId, sentenceId, mode = 'prompt', segments = 1 }: { languageId: number; sentenceId?: number; mode?: 'prompt' | 'long'; segments?: number },
): Promise<MadeRecording> => {
  const account = 'user' in owner ? owner.user : undefined
  const clientId = 'user' in owner ? undefined : owner.clientId
  const recording = await uploadRecording(host.payload, {
    audio: Buffer.from('RIFF fake take'),
    language: languageId,
    mode,
    ...(mode === 'prompt' ? { sentence: sentenceId } : { scriptText: 'A passage to read aloud.' }),
    ...(account ? { user: account } : { clientId }),
    consentVersion: '1',
  })
  const recordingId = Number(recording.id)
  const run = randomUUID()
  const expectedText = mode === 'prompt' ? ((await host.payload.findByID({ collection: 'sentences' as never, id: sentenceId! })) as unknown as { text: string }).text : null
  const segmentIds: number[] = []
  for (let index = 0; index < segments; index++) {
    const file = `${recordingId}/${run}/segment-${String(index).padStart(3, '0')}.ogg`
    await getFileStore(host.payload).put(`processed/${file}`, { stream: Readable.from([Buffer.from(`OggS fake audio of segment ${index} of recording ${recordingId}`)]) })
    const doc = await host.payload.create({
      collection: 'segments' as never,
      data: { recording: recordingId, index, startMs: index * 1000, endMs: (index + 1) * 1000, durationMs: 1000, file, expectedText } as never,
    })
    segmentIds.push(Number(doc.id))
  }
  // As the processing job does: an adapter-level write of the audio result, then the announcement.
  await host.payload.db.updateOne({ collection: 'recordings' as never, id: recordingId, data: { audio: { status: 'ready' } }, req: undefined as never })
  const listener = getRegisteredJobs(host.payload.config).find((job) => job.name === listenerJobName('consensus', 'segment.ready')) as JobDefinition
  for (const segmentId of segmentIds) {
    const data = { segmentId, recordingId, kind: mode === 'prompt' ? 'prompt' : 'transcription' }
    await runJobHandler(listener, { payload: host.payload, data: { event: 'segment.ready', data, emittedAt: Date.now() } as never })
  }
  return { recordingId, segmentIds }
}

/** A segment's decision as this plugin publishes it: the `consensus_segments` view. */
export const consensusOf = async (host: TestHost, segmentId: number): Promise<Record<string, any>> => {
  const [row] = await sqlRows<Record<string, any>>(
    host,
    sql`SELECT status, agreed_text, confidence, judgments, reports, method, decided_by, decided_at FROM consensus_segments WHERE segment_id = ${segmentId}`,
  )
  if (!row) throw new Error(`segment ${segmentId} has no published decision`)
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value))
  return {
    status: row.status,
    agreedText: row.agreed_text,
    confidence: number(row.confidence),
    judgments: number(row.judgments),
    reports: number(row.reports),
    method: row.method,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
  }
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

export const vote = (host: TestHost, actor: Actor, segment: number, valid: boolean, reason?: string) =>
  call(host, 'POST', '/api/votes', actor, { segment, valid, ...(reason ? { reason } : {}) })

export const transcribe = (host: TestHost, actor: Actor, item: number, languageId: number, text: string) =>
  call(host, 'POST', '/api/transcriptions', actor, { item, language: languageId, text })
