import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'

import type { TestHost, TestUser } from '@shrutik/plugin-sdk/testing'

import { ownRecordingIsForbidden } from '../src/collections'
import { asAnonymous, asUser, call, consensusOf, createLanguage, createSentence, json, readyRecording, sqlRows, startConsensusHost, transcribe, vote, type Actor } from './kit'

/**
 * Who may do what with votes, skips, reliability records and review decisions (anonymous with and
 * without the consent cookie, contributor A vs B, reviewer, admin), and what the database itself
 * enforces: one vote per clip and person, and no judging of one's own recording. On the SDK's test
 * kit: anonymous contributors come from the kit's `identify` (test/kit.ts), as from a host's.
 */

let server: TestHost
let a: TestUser
let b: TestUser
let reviewer: TestUser
let admin: TestUser
let languageId: number
let sentenceId: number
let segmentOfA: number
let segmentOfB: number
let longSegmentOfB: number
let anonymous: Actor

type Who = 'nobody' | 'anonymous' | 'a' | 'b' | 'reviewer' | 'admin'
const actor = (who: Who): Actor | undefined => (who === 'nobody' ? undefined : who === 'anonymous' ? anonymous : asUser({ a, b, reviewer, admin }[who]))

const allowed = (response: Response) => response.status >= 200 && response.status < 300
const denied = (response: Response) => [401, 403, 404].includes(response.status)
const ids = async (response: Response) => ((await json(response)).docs as { id: number }[]).map((doc) => doc.id).sort((x, y) => x - y)

beforeAll(async () => {
  server = await startConsensusHost()
  ;[a, b, reviewer, admin] = await Promise.all([
    server.createUser('contributor', 'cons-a'),
    server.createUser('contributor', 'cons-b'),
    server.createUser('reviewer', 'cons-reviewer'),
    server.createUser('admin', 'cons-admin'),
  ])
  anonymous = asAnonymous()
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId)
  segmentOfA = (await readyRecording(server, a, { languageId, sentenceId })).segmentIds[0]
  segmentOfB = (await readyRecording(server, b, { languageId, sentenceId })).segmentIds[0]
  longSegmentOfB = (await readyRecording(server, b, { languageId, mode: 'long' })).segmentIds[0]
})

afterAll(async () => {
  await server?.stop()
})

describe('votes', () => {
  let voteOfB: number
  let voteOfAnonymous: number
  let voteOfReviewer: number

  test('create: signed in, or anonymous with the consent cookie; the voter is set by the server', async () => {
    const refused = await vote(server, { headers: {} }, segmentOfA, true)
    expect(refused.status).toBe(403)
    const byB = await call(server, 'POST', '/api/votes', asUser(b), { segment: segmentOfA, valid: true, voter: a.id, clientId: 'forged' })
    expect(byB.status).toBe(201)
    voteOfB = (await json(byB)).doc.id
    const stored = await server.payload.findByID({ collection: 'votes' as never, id: voteOfB, depth: 0 })
    expect(stored).toMatchObject({ voter: b.id, clientId: null, valid: true })
    const byAnonymous = await vote(server, anonymous, segmentOfA, false, 'noisy')
    expect(byAnonymous.status).toBe(201)
    voteOfAnonymous = (await json(byAnonymous)).doc.id
    const anonymousRow = await server.payload.findByID({ collection: 'votes' as never, id: voteOfAnonymous, depth: 0 })
    expect(anonymousRow.voter ?? null).toBeNull()
    expect(anonymousRow.clientId).toBe(anonymous.clientId)
    const byReviewer = await vote(server, asUser(reviewer), segmentOfA, true)
    expect(byReviewer.status).toBe(201)
    voteOfReviewer = (await json(byReviewer)).doc.id
  })

  test('an invalid vote needs a reason; bad input is a 4xx that says what to send', async () => {
    const noReason = await vote(server, asUser(admin), segmentOfB, false)
    expect(noReason.status).toBe(400)
    expect(JSON.stringify(await json(noReason))).toMatch(/reason/)
    const badReason = await vote(server, asUser(admin), segmentOfB, false, 'boring')
    expect(badReason.status).toBe(400)
    const noValid = await call(server, 'POST', '/api/votes', asUser(admin), { segment: segmentOfB })
    expect(noValid.status).toBe(400)
    expect(JSON.stringify(await json(noValid))).toMatch(/valid/)
    for (const segment of [999_999_999, 'abc', undefined]) {
      const response = await call(server, 'POST', '/api/votes', asUser(admin), { segment, valid: true })
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      expect((await json(response)).errors[0].message.length).toBeGreaterThan(10)
    }
    const onLong = await vote(server, asUser(a), longSegmentOfB, true)
    expect(onLong.status).toBe(400)
    expect(JSON.stringify(await json(onLong))).toMatch(/transcribed, not voted on/)
    const malformed = await call(server, 'POST', '/api/votes', asUser(admin), '{"segment": ')
    expect(malformed.status).toBe(400)
  })

  test('read: contributors their own, anonymous their own by cookie, reviewers and admins all', async () => {
    expect(denied(await call(server, 'GET', '/api/votes'))).toBe(true)
    expect(await ids(await call(server, 'GET', '/api/votes?limit=100', asUser(b)))).toEqual([voteOfB])
    expect(await ids(await call(server, 'GET', '/api/votes?limit=100', anonymous))).toEqual([voteOfAnonymous])
    expect(await ids(await call(server, 'GET', '/api/votes?limit=100', asUser(a)))).toEqual([])
    expect(await ids(await call(server, 'GET', '/api/votes?limit=100', asAnonymous()))).toEqual([])
    expect(denied(await call(server, 'GET', `/api/votes/${voteOfB}`, asUser(a)))).toBe(true)
    for (const who of ['reviewer', 'admin'] as const) {
      const all = await ids(await call(server, 'GET', `/api/votes?limit=100&where[segment][equals]=${segmentOfA}`, actor(who)))
      expect(all).toEqual([voteOfB, voteOfAnonymous, voteOfReviewer].sort((x, y) => x - y))
    }
    // Client ids are for admins only.
    const asReviewer = await json(await call(server, 'GET', `/api/votes/${voteOfAnonymous}`, asUser(reviewer)))
    expect(asReviewer).not.toHaveProperty('clientId')
    expect((await json(await call(server, 'GET', `/api/votes/${voteOfAnonymous}`, asUser(admin)))).clientId).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('update and delete: admins only', async () => {
    for (const who of ['nobody', 'anonymous', 'a', 'b', 'reviewer'] as const) {
      expect(denied(await call(server, 'PATCH', `/api/votes/${voteOfB}`, actor(who), { valid: false, reason: 'other' }))).toBe(true)
      expect(denied(await call(server, 'DELETE', `/api/votes/${voteOfB}`, actor(who)))).toBe(true)
    }
    expect(allowed(await call(server, 'PATCH', `/api/votes/${voteOfReviewer}`, asUser(admin), { valid: false, reason: 'other' }))).toBe(true)
    expect((await server.payload.findByID({ collection: 'votes' as never, id: voteOfReviewer })).reason).toBe('other')
    expect(allowed(await call(server, 'DELETE', `/api/votes/${voteOfReviewer}`, asUser(admin)))).toBe(true)
  })

  test('one vote per clip and person, enforced by the database: two at once → one 201, one 400 with a message', async () => {
    const { segmentIds } = await readyRecording(server, b, { languageId, sentenceId })
    for (const who of [asUser(a), asAnonymous()]) {
      const responses = await Promise.all([vote(server, who, segmentIds[0], true), vote(server, who, segmentIds[0], true)])
      expect(responses.map((response) => response.status).sort()).toEqual([201, 400])
      const refused = responses.find((response) => response.status === 400)!
      expect((await json(refused)).errors[0].message).toMatch(/already voted/)
    }
    const [row] = await sqlRows<{ n: number }>(server, sql`SELECT count(*)::int AS n FROM votes WHERE segment_id = ${segmentIds[0]}`)
    expect(row.n).toBe(2)
  })
})

describe('judging one’s own recording', () => {
  test('is refused with a friendly 403 for votes and transcriptions (accounts and anonymous)', async () => {
    const own = await vote(server, asUser(a), segmentOfA, true)
    expect(own.status).toBe(403)
    expect((await json(own)).errors[0].message).toMatch(/your own recording/)
    const ownText = await transcribe(server, asUser(b), longSegmentOfB, languageId, 'my own words')
    expect(ownText.status).toBe(403)
    const speaker = asAnonymous()
    const { segmentIds } = await readyRecording(server, speaker, { languageId, sentenceId })
    expect((await vote(server, speaker, segmentIds[0], true)).status).toBe(403)
    expect((await vote(server, asUser(a), segmentIds[0], true)).status).toBe(201)
  })

  test('a signed-in contributor who recorded it anonymously on this browser is refused too', async () => {
    const speaker = asAnonymous()
    const { segmentIds } = await readyRecording(server, speaker, { languageId, sentenceId })
    const response = await vote(server, { headers: { ...a.headers, ...speaker.headers } }, segmentIds[0], true)
    expect(response.status).toBe(403)
  })

  test('is refused by the database itself (a trigger), not only by the API', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: { cause?: { code?: string; message?: string }; code?: string; message?: string }) => error.cause ?? error,
      )
    const ownVote = await refusal(sqlRows(server, sql`INSERT INTO votes (segment_id, voter_id, valid) VALUES (${segmentOfA}, ${a.id}, true)`))
    expect(ownVote).toMatchObject({ code: 'SH001' })
    expect((ownVote as { message: string }).message).toMatch(/your own recording/)
    const [{ client_id: clientOfSpeaker }] = await sqlRows<{ client_id: string }>(
      server,
      sql`INSERT INTO recordings (client_id, language_id, mode, audio_status, filename) VALUES (${'11111111-2222-4333-8444-555555555555'}, ${languageId}, 'long', 'ready', ${'x.wav'}) RETURNING client_id`,
    )
    const [{ id: recordingId }] = await sqlRows<{ id: number }>(server, sql`SELECT id FROM recordings WHERE client_id = ${clientOfSpeaker}`)
    const [{ id: segmentId }] = await sqlRows<{ id: number }>(
      server,
      sql`INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file) VALUES (${recordingId}, 0, 0, 1000, 1000, 'x') RETURNING id`,
    )
    const ownTranscription = await refusal(
      sqlRows(server, sql`INSERT INTO transcriptions (item_id, language_id, text, client_id) VALUES (${segmentId}, ${languageId}, 'mine', ${clientOfSpeaker})`),
    )
    expect(ownTranscription).toMatchObject({ code: 'SH001' })
    // Moving someone else's vote onto one's own clip is refused as well.
    const [{ id: voteId }] = await sqlRows<{ id: number }>(server, sql`INSERT INTO votes (segment_id, voter_id, valid) VALUES (${segmentOfB}, ${a.id}, true) RETURNING id`)
    expect(await refusal(sqlRows(server, sql`UPDATE votes SET segment_id = ${segmentOfA} WHERE id = ${voteId}`))).toMatchObject({ code: 'SH001' })
    // Other people's judgments pass the trigger.
    expect(await refusal(sqlRows(server, sql`INSERT INTO transcriptions (item_id, language_id, text, author_id) VALUES (${segmentId}, ${languageId}, 'theirs', ${a.id})`))).toBeUndefined()
    await sqlRows(server, sql`DELETE FROM transcriptions WHERE item_id = ${segmentId}`)
    await sqlRows(server, sql`DELETE FROM votes WHERE id = ${voteId}`)
    await sqlRows(server, sql`DELETE FROM segments WHERE id = ${segmentId}`)
    await sqlRows(server, sql`DELETE FROM recordings WHERE id = ${recordingId}`)
  })

  test('should the trigger fire through the API, the answer is a 403 with its message, not a 500', async () => {
    const error = await server.payload.db
      .create({ collection: 'votes' as never, data: { segment: segmentOfA, voter: a.id, valid: true } })
      .then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeDefined()
    const answer = ownRecordingIsForbidden({ error: error as Error, req: {} as never, context: {}, collection: undefined, result: undefined } as never)
    expect(answer).toMatchObject({ status: 403 })
    expect(JSON.stringify(answer)).toMatch(/your own recording/)
  })
})

describe('skips', () => {
  test('create through POST /api/consensus/skip (idempotent) or the collection; read own; admins change', async () => {
    expect((await call(server, 'POST', '/api/consensus/skip', undefined, { segment: segmentOfA })).status).toBe(401)
    const first = await call(server, 'POST', '/api/consensus/skip', asUser(b), { segment: segmentOfA, reason: 'noisy' })
    expect(first.status).toBe(201)
    const skipOfB = (await json(first)).id
    const again = await call(server, 'POST', '/api/consensus/skip', asUser(b), { segment: segmentOfA })
    expect(again.status).toBe(200)
    expect(await json(again)).toMatchObject({ id: skipOfB, alreadySkipped: true })
    const byAnonymous = await call(server, 'POST', '/api/consensus/skip', anonymous, { segment: segmentOfA })
    expect(byAnonymous.status).toBe(201)
    // Skipping one's own is harmless (nothing is judged).
    expect((await call(server, 'POST', '/api/consensus/skip', asUser(a), { segment: segmentOfA })).status).toBe(201)

    expect(await ids(await call(server, 'GET', '/api/consensus-skips?limit=100', asUser(b)))).toEqual([skipOfB])
    expect(denied(await call(server, 'GET', `/api/consensus-skips/${skipOfB}`, asUser(a)))).toBe(true)
    expect(denied(await call(server, 'GET', '/api/consensus-skips'))).toBe(true)
    for (const who of ['reviewer', 'admin'] as const) {
      expect((await ids(await call(server, 'GET', `/api/consensus-skips?limit=100&where[segment][equals]=${segmentOfA}`, actor(who)))).length).toBe(3)
    }
    for (const who of ['nobody', 'anonymous', 'a', 'b', 'reviewer'] as const) {
      expect(denied(await call(server, 'PATCH', `/api/consensus-skips/${skipOfB}`, actor(who), { reason: 'other' }))).toBe(true)
      expect(denied(await call(server, 'DELETE', `/api/consensus-skips/${skipOfB}`, actor(who)))).toBe(true)
    }
    expect(allowed(await call(server, 'DELETE', `/api/consensus-skips/${skipOfB}`, asUser(admin)))).toBe(true)
  })

  test('bad skip requests get a 4xx that says what to send', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /not valid JSON/],
      [[1, 2], /JSON object/],
      [{}, /segment/],
      [{ segment: 'x' }, /segment/],
      [{ segment: segmentOfB, reason: 'bored' }, /reason/],
      [{ segment: 999_999_999 }, /does not exist/],
    ]
    for (const [body, message] of cases) {
      const response = await call(server, 'POST', '/api/consensus/skip', asUser(a), body)
      expect(response.status).toBe(400)
      expect((await json(response)).errors[0].message).toMatch(message)
    }
  })
})

describe('contributor reliability and review decisions', () => {
  test('reliability: reviewers and admins read; contributors and anonymous never; nobody writes through the API', async () => {
    const [{ id }] = await sqlRows<{ id: number }>(
      server,
      sql`INSERT INTO contributor_reliability (contributor_id, votes, vote_accuracy) VALUES (${b.id}, 10, 0.9) ON CONFLICT (contributor_id) DO UPDATE SET votes = 10 RETURNING id`,
    )
    for (const who of ['nobody', 'anonymous', 'a', 'b'] as const) {
      expect(denied(await call(server, 'GET', '/api/contributor-reliability', actor(who)))).toBe(true)
      expect(denied(await call(server, 'GET', `/api/contributor-reliability/${id}`, actor(who)))).toBe(true)
    }
    for (const who of ['reviewer', 'admin'] as const) {
      expect((await json(await call(server, 'GET', `/api/contributor-reliability/${id}`, actor(who)))).voteAccuracy).toBe(0.9)
    }
    for (const who of ['a', 'reviewer', 'admin'] as const) {
      expect(denied(await call(server, 'POST', '/api/contributor-reliability', actor(who), { contributor: a.id, voteAccuracy: 1 }))).toBe(true)
      expect(denied(await call(server, 'PATCH', `/api/contributor-reliability/${id}`, actor(who), { voteAccuracy: 1 }))).toBe(true)
    }
    expect(denied(await call(server, 'DELETE', `/api/contributor-reliability/${id}`, asUser(reviewer)))).toBe(true)
    expect(allowed(await call(server, 'DELETE', `/api/contributor-reliability/${id}`, asUser(admin)))).toBe(true)
  })

  test('decisions: an append-only log that reviewers and admins read and nobody writes through the collection', async () => {
    const decided = await call(server, 'POST', `/api/consensus/segments/${segmentOfB}/decide`, asUser(reviewer), { decision: 'accepted' })
    expect(decided.status).toBe(200)
    const id = (await json(decided)).decision
    for (const who of ['nobody', 'anonymous', 'a', 'b'] as const) {
      expect(denied(await call(server, 'GET', `/api/consensus-decisions/${id}`, actor(who)))).toBe(true)
      expect(denied(await call(server, 'GET', '/api/consensus-decisions', actor(who)))).toBe(true)
    }
    for (const who of ['reviewer', 'admin'] as const) {
      expect(await json(await call(server, 'GET', `/api/consensus-decisions/${id}`, actor(who)))).toMatchObject({ decision: 'accepted', reviewer: reviewer.id })
    }
    for (const who of ['a', 'reviewer', 'admin'] as const) {
      expect(denied(await call(server, 'POST', '/api/consensus-decisions', actor(who), { segment: segmentOfB, decision: 'rejected' }))).toBe(true)
      expect(denied(await call(server, 'PATCH', `/api/consensus-decisions/${id}`, actor(who), { decision: 'rejected' }))).toBe(true)
      expect(denied(await call(server, 'DELETE', `/api/consensus-decisions/${id}`, actor(who)))).toBe(true)
    }
  })

  test('a segment’s decision is written by the system only', async () => {
    const [{ id }] = await sqlRows<{ id: number }>(server, sql`SELECT id FROM segment_decisions WHERE segment_id = ${segmentOfA}`)
    for (const who of ['a', 'reviewer', 'admin'] as const) {
      await call(server, 'PATCH', `/api/segments/${segmentOfA}`, actor(who), { consensus: { status: 'accepted' } })
      expect(denied(await call(server, 'POST', '/api/segment-decisions', actor(who), { segment: segmentOfB, status: 'accepted' }))).toBe(true)
      expect(denied(await call(server, 'PATCH', `/api/segment-decisions/${id}`, actor(who), { status: 'accepted' }))).toBe(true)
      expect(denied(await call(server, 'DELETE', `/api/segment-decisions/${id}`, actor(who)))).toBe(true)
    }
    expect((await consensusOf(server, segmentOfA)).status).toBe('pending')
  })

  test('a segment’s decision is read by whoever may read the segment', async () => {
    const readable = async (who: 'a' | 'b' | 'reviewer' | 'anonymous') =>
      (await json(await call(server, 'GET', `/api/segment-decisions?where[segment][equals]=${segmentOfA}&depth=0`, actor(who)))).docs?.length ?? 0
    // Its speaker (a) and reviewers see it; another contributor (b) does not.
    expect(await readable('a')).toBe(1)
    expect(await readable('reviewer')).toBe(1)
    expect(await readable('b')).toBe(0)
    // Anonymous contributors read no decision, not even with the consent cookie.
    expect(await readable('anonymous')).toBe(0)
  })
})
