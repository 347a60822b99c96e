import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'

import type { TestHost, TestUser } from '@shrutik/plugin-sdk/testing'

import { SETTINGS_KEY, type SanitizedConsensusOptions } from '../src/options'
import { nextSegmentsQuery } from '../src/serving'
import { asAnonymous, asUser, call, createLanguage, createSentence, json, readyRecording, sqlRows, startConsensusHost, transcribe, vote, type Actor } from './kit'

/**
 * GET /api/consensus/next-validation and next-transcription: what a contributor is given to judge
 * (ready, undecided, not theirs, not judged or skipped by them, the right language and task), how
 * fairly speakers share a batch, and the segment audio endpoint behind `audioUrl`. On the SDK's
 * test kit (anonymous contributors through the kit's `identify`, test/kit.ts).
 */

let server: TestHost
let speakers: TestUser[]
let validator: TestUser
let reviewer: TestUser
let languageId: number
let otherLanguageId: number
let sentenceId: number
let anonymousSpeaker: Actor
/** Prompt segments by speaker index (0–2), the anonymous speaker's, and long segments of speaker 3. */
const promptSegments = new Map<number, number[]>()
let anonymousSegment: number
let longSegments: number[]
let owner: Map<number, string>

interface Served {
  id: number
  audioUrl: string
  expectedText: string | null
  durationMs: number
}

const next = async (task: 'validation' | 'transcription', actor: Actor, query = `language=${languageId}&limit=20`) => {
  const response = await call(server, 'GET', `/api/consensus/next-${task}?${query}`, actor)
  expect(response.status).toBe(200)
  return (await json(response)).docs as Served[]
}

beforeAll(async () => {
  server = await startConsensusHost()
  anonymousSpeaker = asAnonymous()
  speakers = await Promise.all([0, 1, 2, 3].map((index) => server.createUser('contributor', `speaker-${index}`)))
  ;[validator, reviewer] = await Promise.all([server.createUser('contributor', 'validator'), server.createUser('reviewer', 'serving-reviewer')])
  languageId = await createLanguage(server)
  otherLanguageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId, 'The quick brown fox.')
  owner = new Map()
  for (let index = 0; index < 3; index++) {
    const ids: number[] = []
    for (let take = 0; take < 4; take++) ids.push(...(await readyRecording(server, speakers[index], { languageId, sentenceId })).segmentIds)
    promptSegments.set(index, ids)
    for (const id of ids) owner.set(id, `speaker-${index}`)
  }
  anonymousSegment = (await readyRecording(server, anonymousSpeaker, { languageId, sentenceId })).segmentIds[0]
  owner.set(anonymousSegment, 'anonymous')
  longSegments = (await readyRecording(server, speakers[3], { languageId, mode: 'long', segments: 3 })).segmentIds
  for (const id of longSegments) owner.set(id, 'speaker-3')
  // Noise the queries must leave out: another language, a recording not processed yet.
  await readyRecording(server, speakers[0], { languageId: otherLanguageId, sentenceId: await createSentence(server, otherLanguageId) })
  const unready = await readyRecording(server, speakers[1], { languageId, sentenceId })
  await server.payload.db.updateOne({ collection: 'recordings' as never, id: unready.recordingId, data: { audio: { status: 'processing' } }, req: undefined as never })
})

afterAll(async () => {
  await server?.stop()
})

describe('next-validation', () => {
  test('serves prompt segments of ready recordings in the language, never the contributor’s own', async () => {
    const all = new Set([...promptSegments.values()].flat().concat(anonymousSegment))
    const served = await next('validation', asUser(speakers[0]))
    expect(served.length).toBeGreaterThan(0)
    for (const segment of served) {
      expect(all.has(segment.id)).toBe(true)
      expect(owner.get(segment.id)).not.toBe('speaker-0')
      expect(segment).toMatchObject({ audioUrl: `/api/consensus/segments/${segment.id}/audio`, expectedText: 'The quick brown fox.', durationMs: 1000 })
    }
    // The anonymous speaker (by cookie) is not given their own clip either.
    for (let round = 0; round < 5; round++) expect((await next('validation', anonymousSpeaker)).map((segment) => segment.id)).not.toContain(anonymousSegment)
  })

  test('is fair across speakers: at most two per speaker per batch, speakers interleaved, random among equals', async () => {
    const batches: number[][] = []
    for (let round = 0; round < 12; round++) {
      const served = await next('validation', asUser(validator), `language=${languageId}&limit=5`)
      expect(served).toHaveLength(5)
      const perSpeaker = new Map<string, number>()
      for (const segment of served) perSpeaker.set(owner.get(segment.id)!, (perSpeaker.get(owner.get(segment.id)!) ?? 0) + 1)
      expect(Math.max(...perSpeaker.values())).toBeLessThanOrEqual(2)
      // Four speakers have clips: the first four of a batch are four different people.
      expect(new Set(served.slice(0, 4).map((segment) => owner.get(segment.id))).size).toBe(4)
      batches.push(served.map((segment) => segment.id))
    }
    expect(new Set(batches.map((batch) => batch.join(','))).size).toBeGreaterThan(1)
  })

  test('leaves out what the contributor voted on or skipped, and what is decided', async () => {
    const [voted, skipped] = promptSegments.get(1)!
    const decided = promptSegments.get(2)![0]
    expect((await vote(server, asUser(validator), voted, true)).status).toBe(201)
    expect((await call(server, 'POST', '/api/consensus/skip', asUser(validator), { segment: skipped, reason: 'noisy' })).status).toBe(201)
    await sqlRows(server, sql`UPDATE segment_decisions SET status = 'accepted' WHERE segment_id = ${decided}`)
    try {
      for (let round = 0; round < 8; round++) {
        const ids = (await next('validation', asUser(validator))).map((segment) => segment.id)
        expect(ids).not.toContain(voted)
        expect(ids).not.toContain(skipped)
        expect(ids).not.toContain(decided)
      }
      // Someone else is still given the clip the validator voted on (it is not decided).
      let seen = false
      for (let round = 0; round < 20 && !seen; round++) seen = (await next('validation', asUser(reviewer))).some((segment) => segment.id === voted)
      expect(seen).toBe(true)
    } finally {
      await sqlRows(server, sql`UPDATE segment_decisions SET status = 'pending' WHERE segment_id = ${decided}`)
    }
  })

  test('is one indexed query', async () => {
    const settings = (server.payload.config.custom as Record<string, unknown>)[SETTINGS_KEY] as SanitizedConsensusOptions
    const drizzle = (server.payload.db as unknown as PostgresAdapter).drizzle
    const plans = await drizzle.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`)
      const explain = async (query: ReturnType<typeof sql>) =>
        ((await tx.execute(sql`EXPLAIN ${query}`)) as unknown as { rows: { 'QUERY PLAN': string }[] }).rows.map((row) => row['QUERY PLAN']).join('\n')
      return [
        await explain(nextSegmentsQuery(settings, 'validation', { userId: validator.id, consented: true }, languageId, 5)),
        await explain(nextSegmentsQuery(settings, 'transcription', { clientId: '11111111-2222-4333-8444-555555555555', consented: true }, languageId, 5)),
      ]
    })
    if (process.env.SHOW_PLANS) console.log(plans.join('\n\n'))
    for (const plan of plans) {
      expect(plan).toMatch(/consensus_open_(validation|transcription)_idx|audio_recordings_ready_idx/)
      expect(plan).not.toMatch(/Seq Scan on (segments|recordings|votes|transcriptions|consensus_skips)\b/)
    }
  })
})

describe('next-transcription', () => {
  test('serves long-recording segments only; not one’s own, not transcribed or skipped by the contributor', async () => {
    const served = await next('transcription', asUser(validator))
    // One speaker: two of their three segments per batch.
    expect(served).toHaveLength(2)
    for (const segment of served) expect(longSegments).toContain(segment.id)
    expect(served.every((segment) => segment.expectedText === null)).toBe(true)
    expect(await next('transcription', asUser(speakers[3]))).toEqual([])
    expect((await transcribe(server, asUser(validator), longSegments[0], languageId, 'what I heard')).status).toBe(201)
    expect((await call(server, 'POST', '/api/consensus/skip', asUser(validator), { segment: longSegments[1] })).status).toBe(201)
    expect((await next('transcription', asUser(validator))).map((segment) => segment.id)).toEqual([longSegments[2]])
    // A long segment is never served for validation.
    const validation = (await next('validation', asUser(validator))).map((segment) => segment.id)
    for (const id of longSegments) expect(validation).not.toContain(id)
  })
})

describe('bad requests', () => {
  test.each([
    ['', 401, /Sign in/, false],
    ['', 400, /language/, true],
    ['language=abc', 400, /language/, true],
    ['language=1.5', 400, /language/, true],
    ['language=999999999', 400, /does not exist/, true],
    ['language=LANG&limit=0', 400, /limit/, true],
    ['language=LANG&limit=1000', 400, /limit/, true],
    ['language=LANG&limit=two', 400, /limit/, true],
  ])('?%s → %i', async (query, status, message, signedIn) => {
    for (const task of ['validation', 'transcription']) {
      const response = await call(server, 'GET', `/api/consensus/next-${task}?${query.replace('LANG', String(languageId))}`, signedIn ? asUser(validator) : undefined)
      expect(response.status).toBe(status)
      expect((await json(response)).errors[0].message).toMatch(message)
    }
  })
})

describe('segment audio', () => {
  test('plays for anyone who may judge it, with byte ranges; not for strangers without the cookie', async () => {
    const [segment] = await next('validation', asUser(validator), `language=${languageId}&limit=1`)
    const full = await call(server, 'GET', segment.audioUrl, asUser(validator))
    expect(full.status).toBe(200)
    expect(full.headers.get('content-type')).toBe('audio/ogg')
    expect(full.headers.get('x-content-type-options')).toBe('nosniff')
    const bytes = Buffer.from(await full.arrayBuffer())
    expect(bytes.toString()).toMatch(/^OggS fake audio/)
    const ranged = await call(server, 'GET', segment.audioUrl, { headers: { ...validator.headers, Range: 'bytes=0-3' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-3/${bytes.length}`)
    expect(Buffer.from(await ranged.arrayBuffer()).toString()).toBe('OggS')
    expect((await call(server, 'GET', segment.audioUrl, { headers: { ...validator.headers, Range: `bytes=${bytes.length + 10}-` } })).status).toBe(416)
    expect((await call(server, 'GET', segment.audioUrl, asAnonymous())).status).toBe(200)
    expect((await call(server, 'GET', segment.audioUrl)).status).toBe(401)
    expect((await call(server, 'GET', '/api/consensus/segments/999999999/audio', asUser(validator))).status).toBe(404)
    expect((await call(server, 'GET', '/api/consensus/segments/abc/audio', asUser(validator))).status).toBe(404)
  })

  test('a rejected segment plays only for its speaker and reviewers', async () => {
    const id = promptSegments.get(0)![3]
    await sqlRows(server, sql`UPDATE segment_decisions SET status = 'rejected' WHERE segment_id = ${id}`)
    try {
      const url = `/api/consensus/segments/${id}/audio`
      expect((await call(server, 'GET', url, asUser(validator))).status).toBe(404)
      expect((await call(server, 'GET', url, asUser(speakers[0]))).status).toBe(200)
      expect((await call(server, 'GET', url, asUser(reviewer))).status).toBe(200)
    } finally {
      await sqlRows(server, sql`UPDATE segment_decisions SET status = 'pending' WHERE segment_id = ${id}`)
    }
  })
})
