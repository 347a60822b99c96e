import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { emit, listenerJobName, type EventMap, type EventName } from '@shrutik/plugin-sdk'
import { subscribeRunning } from '@shrutik/plugin-sdk/testing'

import type { JobRuntime } from '../src/jobs/runtime'
import { sineWav } from './helpers/audio'
import { type AnonymousContributor, createUser, json, login, mintAnonymous, startTestServer, startWorker, type TestServer, type TestUser, uniqueEmail } from './helpers/server'
import { asUser, call, createLanguage, createSentence, eventually, vote } from './helpers/fixtures'
import { testWith } from './helpers/plugins'

/**
 * SDK events: every state change another plugin may care about reaches a listener once it has
 * committed, whatever wrote it (the audio job's adapter writes, the consensus job's raw SQL, a
 * reviewer's endpoint, the host's claim and withdrawal) — and never when it rolled back.
 */

const PLUGIN = 'events-test'
const EVENTS: EventName[] = ['recording.processed', 'segment.ready', 'segment.decided', 'contributor.claimed', 'contributor.withdrawn']

let server: TestServer
let worker: JobRuntime
let languageId: number
let sentenceId: number
let reviewer: TestUser
let voters: TestUser[]
const heard: { event: EventName; data: Record<string, unknown>; attempt: number }[] = []

const heardOf = <Name extends EventName>(event: Name, match: (data: EventMap[Name]) => boolean) =>
  heard.filter((entry) => entry.event === event && match(entry.data as EventMap[Name]))

const waitToHear = <Name extends EventName>(event: Name, match: (data: EventMap[Name]) => boolean) =>
  eventually(async () => heardOf(event, match), (found) => found.length > 0, 30_000)

const upload = async (contributor: AnonymousContributor | TestUser) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(1)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
  const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: contributor.headers, body: form })
  expect(response.status).toBe(201)
  return (await json(response)).doc.id as number
}

beforeAll(async () => {
  server = await startTestServer()
  const listenerJobs = subscribeRunning(
    server.payload,
    EVENTS.map((event) => ({
      plugin: PLUGIN,
      event,
      handler: async ({ data, attempt }) => void heard.push({ event, data: data as Record<string, unknown>, attempt }),
    })),
  )
  worker = await startWorker(server, { extraJobs: listenerJobs })
  ;[reviewer, ...voters] = await Promise.all([
    createUser(server, 'reviewer', 'events-reviewer'),
    ...[0, 1].map((index) => createUser(server, 'contributor', `events-voter-${index}`)),
  ])
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId)
}, 60_000)

afterAll(async () => {
  await worker?.stop(5000)
  await server?.close()
})

describe('events reach listeners after the commit, whatever the write path', () => {
  let recordingId: number
  let segmentId: number

  testWith(['audio-processing'], 'the audio job (adapter writes, no hooks) announces recording.processed and segment.ready', async () => {
    const speaker = await mintAnonymous(server)
    recordingId = await upload(speaker)
    const [processed] = await waitToHear('recording.processed', (data) => data.recordingId === recordingId)
    expect(processed.data).toMatchObject({ recordingId, status: 'ready' })
    expect(processed.data.durationMs).toBeGreaterThan(900)
    const segments = (processed.data as EventMap['recording.processed']).segmentIds
    expect(segments).toHaveLength(1)
    segmentId = segments[0]
    const [ready] = await waitToHear('segment.ready', (data) => data.segmentId === segmentId)
    expect(ready.data).toEqual({ segmentId, recordingId, kind: 'prompt' })
    // The listener reads what it needs: the id it got names a real, committed segment.
    expect((await server.payload.findByID({ collection: 'segments', id: segmentId, depth: 0 })).recording).toBe(recordingId)
  })

  testWith(['consensus'], 'a crowd decision (consensus job, raw SQL) announces segment.decided once', async () => {
    for (const voter of voters) expect((await vote(server, asUser(voter), segmentId, true)).status).toBe(201)
    const [decided] = await waitToHear('segment.decided', (data) => data.segmentId === segmentId)
    expect(decided.data).toMatchObject({ segmentId, status: 'accepted', decidedBy: 'crowd' })
    expect(typeof decided.data.text).toBe('string')
    // Re-evaluations that change nothing announce nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(heardOf('segment.decided', (data) => data.segmentId === segmentId)).toHaveLength(1)
  })

  testWith(['consensus'], 'a reviewer decision (endpoint, in its request transaction) announces segment.decided by the reviewer', async () => {
    const decide = await call(server, 'POST', `/api/consensus/segments/${segmentId}/decide`, asUser(reviewer), { decision: 'rejected' })
    expect(decide.status).toBe(200)
    const [decided] = await waitToHear('segment.decided', (data) => data.segmentId === segmentId && data.decidedBy === 'reviewer')
    expect(decided.data).toEqual({ segmentId, status: 'rejected', decidedBy: 'reviewer', text: null })
  })

  test('claiming an anonymous browser’s work announces contributor.claimed; withdrawing announces contributor.withdrawn', async () => {
    const browser = await mintAnonymous(server)
    await upload(browser)
    const email = uniqueEmail('events-claimer')
    expect((await fetch(`${server.url}/api/users`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: 'a long enough password' }) })).status).toBe(201)
    const token = await login(server, email, 'a long enough password')
    const claim = await fetch(`${server.url}/api/site/claim`, { method: 'POST', headers: { ...browser.headers, Authorization: `JWT ${token}` } })
    expect(claim.status).toBe(200)
    const user = (await server.payload.find({ collection: 'users', where: { email: { equals: email } }, depth: 0 })).docs[0]
    const [claimed] = await waitToHear('contributor.claimed', (data) => data.userId === user.id)
    expect(claimed.data.contributorId).toEqual(expect.any(Number))

    const withdrawal = await fetch(`${server.url}/api/site/withdraw`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `JWT ${token}` },
      body: JSON.stringify({ confirm: true }),
    })
    expect(withdrawal.status).toBeLessThan(300)
    const [withdrawn] = await waitToHear('contributor.withdrawn', (data) => data.userId === user.id)
    expect(withdrawn.data.withdrawalId).toEqual(expect.any(Number))
  })

  test('an event emitted in a transaction that rolls back is never delivered', async () => {
    const drizzle = (server.payload.db as unknown as PostgresAdapter).drizzle
    const marker = 987_654_321
    await expect(
      drizzle.transaction(async (tx) => {
        await emit(server.payload, 'segment.decided', { segmentId: marker, status: 'accepted', decidedBy: 'crowd', text: 'never' }, { db: tx })
        throw new Error('the write failed after announcing')
      }),
    ).rejects.toThrow('the write failed')
    // The same emit, committed, is delivered: the rollback is what kept the first one away.
    await drizzle.transaction(async (tx) => {
      await emit(server.payload, 'segment.decided', { segmentId: marker + 1, status: 'accepted', decidedBy: 'crowd', text: 'kept' }, { db: tx })
    })
    await waitToHear('segment.decided', (data) => data.segmentId === marker + 1)
    expect(heardOf('segment.decided', (data) => data.segmentId === marker)).toHaveLength(0)
    const pool = (server.payload.db as unknown as PostgresAdapter).pool
    const rows = await pool.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1 AND data->'data'->>'segmentId' = $2`, [
      listenerJobName(PLUGIN, 'segment.decided'),
      String(marker),
    ])
    expect(rows.rows[0].n).toBe(0)
  })

  test('listen() refuses a malformed event name and a listener registered twice', async () => {
    const { listen } = await import('@shrutik/plugin-sdk')
    expect(() => listen({ custom: {} } as never, { plugin: PLUGIN, event: 'Bad Event' as never, handler: async () => undefined })).toThrow(/must look like/)
    const once = listen({ custom: {} } as never, { plugin: PLUGIN, event: 'segment.ready', handler: async () => undefined })
    expect(() => listen(once, { plugin: PLUGIN, event: 'segment.ready', handler: async () => undefined })).toThrow(/registered twice/)
  })
})
