import { randomInt, randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import pg from 'pg'

import { SentencePools, sentencePools } from '../src/contribution/sentencePool'
import { TERMS_VERSION } from '../src/site/terms'
import { sineWav } from './helpers/audio'
import { cookieForClientId, json, login, startTestServer, type TestServer } from './helpers/server'

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
  const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: { Cookie: await cookieForClientId(server, clientId) }, body: form })
  expect(response.status).toBe(201)
  return (await json(response)).doc.id as number
}
const skipFor = async (sentence: number, clientId: string) => {
  const response = await fetch(`${server.url}/api/site/sentences/${sentence}/skip`, {
    method: 'POST',
    headers: { Cookie: await cookieForClientId(server, clientId), 'Content-Type': 'application/json' },
    body: JSON.stringify({ reason: 'skip' }),
  })
  expect(response.status).toBe(200)
}
const servedTo = async (clientId: string, limit: number) => {
  const response = await fetch(`${server.url}/api/site/next-sentences?language=${code}&limit=${limit}`, { headers: { Cookie: await cookieForClientId(server, clientId) } })
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
  test('after random uploads and skips through the API, every batch agrees with the database (a pool cut within its tiers)', async () => {
    // The process's own pool (the one the hooks tell), made smaller than the language so the cut
    // at the highest tier, sentences leaving it and the SQL fallback all happen.
    const shared = sentencePools(server.payload)
    const options = shared.options
    shared.options = { size: 8, maxAgeMs: 60_000 }
    shared.invalidate(languageId)
    try {
      const contributors = Array.from({ length: 4 }, () => randomUUID())
      for (let round = 0; round < 16; round++) {
        const who = contributors[randomInt(contributors.length)]
        const batch = await servedTo(who, 5)
        await expectRightBatch(who, batch, 5)
        // The contributor records the first of the batch and skips the second, as on the site;
        // now and then they record one they skipped before (it still counts, once).
        await uploadFor(batch[0].id, who)
        if (batch[1]) {
          await skipFor(batch[1].id, who)
          if (round % 4 === 3) await uploadFor(batch[1].id, who)
        }
        // At once (no reload in between): neither comes back.
        const next = await servedTo(who, 5)
        expect(next.map((sentence) => sentence.id)).not.toContain(batch[0].id)
        if (batch[1]) expect(next.map((sentence) => sentence.id)).not.toContain(batch[1].id)
        await expectRightBatch(who, next, 5)
        // Someone new sees every count as the database does.
        const stranger = randomUUID()
        await expectRightBatch(stranger, await servedTo(stranger, 5), 5)
      }
      const { rows } = await db.query<{ tiers: number }>('SELECT count(DISTINCT recording_count)::int AS tiers FROM sentences WHERE language_id = $1', [languageId])
      expect(rows[0].tiers).toBeGreaterThan(1)
      expect(shared.stats.served).toBeGreaterThan(0)
    } finally {
      shared.options = options
      shared.invalidate(languageId)
    }
  })

  test('a deleted recording is seen after the reload it triggers: the sentence is open to its contributor again', async () => {
    // A language of three sentences: every batch of 3 is all that is open.
    const own = (await server.payload.create({ collection: 'languages', data: { code: `d${code.slice(1)}`, name: 'Pool delete', nativeName: 'Pool delete' } })).id as number
    for (let i = 0; i < 3; i++) await server.payload.create({ collection: 'sentences', data: { text: `Delete pool sentence ${i}.`, language: own, status: 'approved' } })
    const servedIn = async (clientId: string) => {
      const response = await fetch(`${server.url}/api/site/next-sentences?language=${own}&limit=3`, { headers: { Cookie: await cookieForClientId(server, clientId) } })
      return ((await json(response)).sentences as { id: number }[]).map((sentence) => sentence.id).sort()
    }
    const shared = sentencePools(server.payload)
    const who = randomUUID()
    const all = await servedIn(who)
    expect(all).toHaveLength(3)
    const form = new FormData()
    form.append('file', new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'take.wav')
    form.append('_payload', JSON.stringify({ language: own, mode: 'prompt', sentence: all[0], consentVersion: TERMS_VERSION }))
    const upload = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: { Cookie: await cookieForClientId(server, who) }, body: form })
    expect(upload.status).toBe(201)
    expect(await servedIn(who)).toEqual(all.slice(1))
    await server.payload.delete({ collection: 'recordings', id: (await json(upload)).doc.id })
    const loads = shared.stats.loads
    await servedIn(who) // stale now: starts the reload
    for (let i = 0; i < 100 && shared.stats.loads === loads; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(shared.stats.loads).toBeGreaterThan(loads)
    expect(await servedIn(who)).toEqual(all)
  })

  test('a pool smaller than the corpus answers from its lowest tiers, and falls back to SQL when it cannot fill a batch', async () => {
    // A language of its own, all sentences unrecorded: a pool of 6 holds part of tier 0.
    // `qy…`: never one of the `q[a-t]…` codes other suites' fixtures draw at random in the shared database.
    const own = (await server.payload.create({ collection: 'languages', data: { code: `qy${code.slice(2)}`, name: 'Pool small', nativeName: 'Pool small' } })).id as number
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
    for (const sentence of held.slice(0, 4)) pools.noteRecorded(sentence.id, await uploadFor(sentence.id, other), { clientId: other })
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
      `INSERT INTO recordings (client_id, language_id, mode, sentence_id, filename, mime_type, filesize, consent_version)
       VALUES ($1, $2, 'prompt', $3, $4, 'audio/wav', 1, $5)`,
      [who, languageId, target.id, `pool-test-${randomUUID()}.wav`, TERMS_VERSION],
    )
    await new Promise((resolve) => setTimeout(resolve, 60))
    await pools.next(languageId, 1, { clientId: who }) // stale: starts the reload, answers from the old pool
    const loads = pools.stats.loads
    for (let i = 0; i < 50 && pools.stats.loads === loads; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pools.stats.loads).toBeGreaterThan(loads)
    expect((await pools.next(languageId, SENTENCES, { clientId: who })).map((sentence) => sentence.id)).not.toContain(target.id)

    // Retired by a reviewer (the hook tells the process's pool): never served again, not even once.
    const shared = sentencePools(server.payload)
    const retired = (await shared.next(languageId, SENTENCES, { clientId: randomUUID() }))[0]
    await server.payload.update({ collection: 'sentences', id: retired.id, data: { status: 'rejected' } })
    for (let i = 0; i < 5; i++) {
      expect((await shared.next(languageId, SENTENCES, { clientId: randomUUID() })).map((sentence) => sentence.id)).not.toContain(retired.id)
    }
  })

  test('a recording noted and then rolled back is taken back: never replayed onto the reload', async () => {
    const pools = new SentencePools(server.payload, { size: 100, maxAgeMs: 60_000 })
    const who = randomUUID()
    const [sentence] = await pools.next(languageId, 1, { clientId: who })
    // As the hooks do when the row is written but its transaction then fails (no such row exists).
    pools.noteRecorded(sentence.id, 2_000_000_000, { clientId: who })
    expect((await pools.next(languageId, 20, { clientId: who })).map((s) => s.id)).not.toContain(sentence.id)
    pools.noteRecordingGone(2_000_000_000)
    const loads = pools.stats.loads
    await pools.next(languageId, 1, { clientId: who }) // stale: starts the reload (within the replay margin of the note)
    for (let i = 0; i < 100 && pools.stats.loads === loads; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pools.stats.loads).toBeGreaterThan(loads)
    await expectRightBatch(who, await pools.next(languageId, 20, { clientId: who }), 20)
    const open = [...(await truth(who)).entries()].filter(([, row]) => !row.done)
    const lowest = Math.min(...open.map(([, row]) => row.count))
    if ((await truth(who)).get(sentence.id)!.count === lowest && open.filter(([, row]) => row.count === lowest).length <= 20) {
      expect((await pools.next(languageId, 20, { clientId: who })).map((s) => s.id)).toContain(sentence.id)
    }
  })

  test('a language nobody asks for is dropped from memory after ten minutes', async () => {
    const pools = new SentencePools(server.payload, { size: 100, maxAgeMs: 60_000 })
    const other = (await server.payload.create({ collection: 'languages', data: { code: `i${code.slice(1)}`, name: 'Pool idle', nativeName: 'Pool idle' } })).id as number
    await server.payload.create({ collection: 'sentences', data: { text: 'An idle pool sentence.', language: other, status: 'approved' } })
    const held = () => [...(pools as unknown as { pools: Map<number, unknown> }).pools.keys()].sort()
    await pools.next(languageId, 1, {})
    const now = Date.now()
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 11 * 60_000)
    try {
      await pools.next(other, 1, {})
      expect(held()).toEqual([other])
    } finally {
      clock.mockRestore()
    }
  })

  test('a claim through the API carries what a browser did over to the account at once', async () => {
    const browser = randomUUID()
    const [recorded, skipped] = await servedTo(browser, 2)
    await uploadFor(recorded.id, browser)
    await skipFor(skipped.id, browser)
    const email = `pool-claim-${randomUUID().slice(0, 8)}@test.shrutik.local`
    const password = 'a long enough password'
    // Some account exists, whatever ran before (on an empty database registration asks for the first-admin setup token).
    await server.payload.create({ collection: 'users', data: { email: `pool-existing-${randomUUID().slice(0, 8)}@test.shrutik.local`, password, roles: ['contributor'] } })
    expect((await fetch(`${server.url}/api/users`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) })).status).toBe(201)
    const token = await login(server, email, password)
    const claim = await fetch(`${server.url}/api/site/claim`, { method: 'POST', headers: { Cookie: await cookieForClientId(server, browser), Authorization: `JWT ${token}` } })
    expect(claim.status).toBe(200)
    // Signed in elsewhere (no cookie): neither comes back, at once.
    const elsewhere = await fetch(`${server.url}/api/site/next-sentences?language=${code}&limit=20`, { headers: { Authorization: `JWT ${token}` } })
    const ids = ((await json(elsewhere)).sentences as { id: number }[]).map((sentence) => sentence.id)
    expect(ids).not.toContain(recorded.id)
    expect(ids).not.toContain(skipped.id)
  })
})
