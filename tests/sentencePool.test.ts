import { randomInt, randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import pg from 'pg'

import { CLIENT_ID_COOKIE } from '../src/lib/clientId'
import { SentencePools, sentencePools } from '../src/site/sentencePool'
import { TERMS_VERSION } from '../src/site/terms'
import { sineWav } from './helpers/audio'
import { json, startTestServer, type TestServer } from './helpers/server'

/**
 * The in-memory sentence pool behind GET /api/site/next-sentences: checked against the database,
 * the source of truth, after real uploads and skips through the API, with pools small enough that
 * the truncated and fallback paths run.
 */

let server: TestServer
let db: pg.Pool
let languageId: number
let code: string
const sentenceIds: number[] = []
const SENTENCES = 30

const uploadFor = async (sentence: number, clientId: string) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence, consentVersion: TERMS_VERSION }))
  const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: { Cookie: `${CLIENT_ID_COOKIE}=${clientId}` }, body: form })
  expect(response.status).toBe(201)
}
const skipFor = async (sentence: number, clientId: string) => {
  const response = await fetch(`${server.url}/api/site/sentences/${sentence}/skip`, {
    method: 'POST',
    headers: { Cookie: `${CLIENT_ID_COOKIE}=${clientId}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ reason: 'skip' }),
  })
  expect(response.status).toBe(200)
}
const servedTo = async (clientId: string, limit: number) => {
  const response = await fetch(`${server.url}/api/site/next-sentences?language=${code}&limit=${limit}`, { headers: { Cookie: `${CLIENT_ID_COOKIE}=${clientId}` } })
  expect(response.status).toBe(200)
  return (await json(response)).sentences as { id: number; recordingCount: number }[]
}

/** What the database says a contributor may be served, with each sentence's recording count. */
const truth = async (clientId: string) => {
  const { rows } = await db.query<{ id: number; recording_count: number; done: boolean }>(
    `SELECT s.id, s.recording_count,
       EXISTS (SELECT 1 FROM recordings r WHERE r.sentence_id = s.id AND r.client_id = $2)
       OR EXISTS (SELECT 1 FROM sentence_skips k WHERE k.sentence_id = s.id AND k.client_id = $2) AS done
     FROM sentences s WHERE s.language_id = $1 AND s.status = 'approved'`,
    [languageId, clientId],
  )
  return new Map(rows.map((row) => [Number(row.id), { count: Number(row.recording_count), done: row.done }]))
}

/** A batch is right when none of it was done by the contributor and nothing left out is less recorded. */
const expectRightBatch = async (clientId: string, batch: { id: number; recordingCount: number }[], limit: number) => {
  const known = await truth(clientId)
  const open = [...known.entries()].filter(([, row]) => !row.done)
  expect(batch).toHaveLength(Math.min(limit, open.length))
  expect(new Set(batch.map((sentence) => sentence.id)).size).toBe(batch.length)
  for (const sentence of batch) expect(known.get(sentence.id)).toMatchObject({ done: false, count: sentence.recordingCount })
  const picked = new Set(batch.map((sentence) => sentence.id))
  const highestPicked = Math.max(...batch.map((sentence) => sentence.recordingCount))
  const lowestLeft = Math.min(...open.filter(([id]) => !picked.has(id)).map(([, row]) => row.count))
  expect(highestPicked).toBeLessThanOrEqual(lowestLeft)
}

beforeAll(async () => {
  server = await startTestServer()
  db = new pg.Pool({ connectionString: server.booted.database.url, max: 2 })
  code = `p${randomUUID().replace(/[^a-z]/g, '').slice(0, 2)}`
  languageId = (await server.payload.create({ collection: 'languages', data: { code, name: 'Poolish', nativeName: 'Poolish' } })).id as number
  for (let i = 0; i < SENTENCES; i++) {
    const doc = await server.payload.create({ collection: 'sentences', data: { text: `Pool sentence number ${i} to read.`, language: languageId, status: 'approved' } })
    sentenceIds.push(doc.id as number)
  }
}, 60_000)

afterAll(async () => {
  await db?.end()
  await server?.close()
})

describe('the sentence pool', () => {
  test('after random uploads and skips through the API, every batch agrees with the database', async () => {
    const contributors = Array.from({ length: 4 }, () => randomUUID())
    for (let round = 0; round < 12; round++) {
      const who = contributors[randomInt(contributors.length)]
      const batch = await servedTo(who, 5)
      await expectRightBatch(who, batch, 5)
      // The contributor records the first of the batch and skips the second, as on the site.
      await uploadFor(batch[0].id, who)
      if (batch[1]) await skipFor(batch[1].id, who)
      // At once (no reload in between): neither comes back.
      const next = await servedTo(who, 20)
      expect(next.map((sentence) => sentence.id)).not.toContain(batch[0].id)
      if (batch[1]) expect(next.map((sentence) => sentence.id)).not.toContain(batch[1].id)
      await expectRightBatch(who, next, 20)
    }
    expect(sentencePools(server.payload).stats.served).toBeGreaterThan(0)
  })

  test('a pool smaller than the corpus answers from its lowest tiers, and falls back to SQL when it cannot fill a batch', async () => {
    // A language of its own, all sentences unrecorded: a pool of 6 holds part of tier 0.
    const own = (await server.payload.create({ collection: 'languages', data: { code: `q${code.slice(1)}`, name: 'Pool small', nativeName: 'Pool small' } })).id as number
    for (let i = 0; i < 10; i++) await server.payload.create({ collection: 'sentences', data: { text: `Small pool sentence ${i}.`, language: own, status: 'approved' } })
    const outer = languageId
    languageId = own
    const pools = new SentencePools(server.payload, { size: 6, maxAgeMs: 60_000 })
    const who = randomUUID()
    const first = await pools.next(languageId, 5, { clientId: who })
    await expectRightBatch(who, first, 5)
    expect(pools.stats).toMatchObject({ served: 1, fellBack: 0, loads: 1 })
    // This contributor skips most of what the pool holds (the API writes; this pool is told as
    // the hooks tell the process's own pool).
    const held = await pools.next(languageId, 6, { clientId: who })
    expect(held).toHaveLength(6)
    for (const sentence of held.slice(0, 4)) {
      await skipFor(sentence.id, who)
      pools.noteSkipped(sentence.id, { clientId: who })
    }
    const after = await pools.next(languageId, 5, { clientId: who })
    expect(pools.stats.fellBack).toBe(1)
    await expectRightBatch(who, after, 5)
    // Someone else is still served from memory.
    const other = randomUUID()
    await expectRightBatch(other, await pools.next(languageId, 5, { clientId: other }), 5)
    expect(pools.stats.fellBack).toBe(1)

    // Recorded sentences move up a tier and out of a pool cut at that tier; once half of it has
    // gone, the next request reloads it in the background.
    for (const sentence of held.slice(0, 4)) {
      await uploadFor(sentence.id, other)
      pools.noteRecorded(sentence.id, { clientId: other })
    }
    const loads = pools.stats.loads
    await pools.next(languageId, 1, { clientId: randomUUID() })
    for (let i = 0; i < 50 && pools.stats.loads === loads; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pools.stats.loads).toBe(loads + 1)
    const fresh = randomUUID()
    await expectRightBatch(fresh, await pools.next(languageId, 5, { clientId: fresh }), 5)
    languageId = outer
  })

  test('what another process wrote is seen after the next reload; an edited sentence leaves at once', async () => {
    const pools = new SentencePools(server.payload, { size: 100, maxAgeMs: 50 })
    const who = randomUUID()
    const [target] = await pools.next(languageId, 1, { clientId: who })
    // Written behind this pool's back, as a second process would.
    await db.query(
      `INSERT INTO recordings (client_id, language_id, mode, sentence_id, status, filename, mime_type, filesize, consent_version)
       VALUES ($1, $2, 'prompt', $3, 'uploaded', $4, 'audio/wav', 1, $5)`,
      [who, languageId, target.id, `pool-test-${randomUUID()}.wav`, TERMS_VERSION],
    )
    await new Promise((resolve) => setTimeout(resolve, 60))
    await pools.next(languageId, 1, { clientId: who }) // stale: starts the reload, answers from the old pool
    const loads = pools.stats.loads
    for (let i = 0; i < 50 && pools.stats.loads === loads; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect((await pools.next(languageId, SENTENCES, { clientId: who })).map((sentence) => sentence.id)).not.toContain(target.id)

    // Retired by a reviewer (the hook tells the process's pool): never served again, not even once.
    const shared = sentencePools(server.payload)
    const retired = (await shared.next(languageId, SENTENCES, { clientId: randomUUID() }))[0]
    await server.payload.update({ collection: 'sentences', id: retired.id, data: { status: 'rejected' } })
    for (let i = 0; i < 5; i++) {
      expect((await shared.next(languageId, SENTENCES, { clientId: randomUUID() })).map((sentence) => sentence.id)).not.toContain(retired.id)
    }
  })

  test('a claim carries what a browser did over to the account at once', async () => {
    const pools = new SentencePools(server.payload, { size: 100, maxAgeMs: 60_000 })
    const browser = randomUUID()
    const [done] = await pools.next(languageId, 1, { clientId: browser })
    await skipFor(done.id, browser)
    pools.noteSkipped(done.id, { clientId: browser })
    pools.noteClaimed(browser, 424242)
    // Signed in elsewhere (no cookie): still not served.
    expect((await pools.next(languageId, SENTENCES, { userId: 424242 })).map((sentence) => sentence.id)).not.toContain(done.id)
  })
})
