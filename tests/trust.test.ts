import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'

import { CLIENT_ID_COOKIE, signClientId } from '../src/lib/clientId'
import { TERMS_VERSION } from '../src/lib/terms'
import { sineWav } from './helpers/audio'
import { createUser, forgedCookie, json, mintAnonymous, startTestServer, type TestServer, type TestUser } from './helpers/server'
import {
  asUser,
  call,
  consensusOf,
  createLanguage,
  createSentence,
  eventually,
  readyRecording,
  sqlRows,
  startConsensusWorker,
  transcribe,
  vote,
  type Actor,
} from './helpers/fixtures'
import { hasPlugin, testWith } from './helpers/plugins'
import type { JobRuntime } from '../src/jobs/runtime'

/**
 * Trust: identities the server issued, consent enforced by the server, and judging that one person
 * acting as many cannot bend. Real PostgreSQL, the real HTTP app with the default abuse limits.
 */

let server: TestServer
let runtimes: JobRuntime[]
let languageId: number
let sentenceId: number
let speaker: TestUser

const cookieValue = (response: Response, name: string): string | undefined => {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const at = pair.indexOf('=')
    if (pair.slice(0, at) === name) return pair.slice(at + 1)
  }
  return undefined
}

/** Accepts the terms over HTTP as a browser would; the response and the browser's cookies after it. */
const consent = async (cookie = '', headers: Record<string, string> = {}) => {
  const response = await fetch(`${server.url}/api/site/consent`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}), ...headers },
    body: JSON.stringify({ termsVersion: TERMS_VERSION }),
  })
  const cid = cookieValue(response, CLIENT_ID_COOKIE)
  return { response, cookie: cid ? `${CLIENT_ID_COOKIE}=${cid}` : cookie }
}

const uploadAs = (headers: Record<string, string>, extra: Record<string, unknown> = {}) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId, ...extra }))
  return fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers, body: form })
}

beforeAll(async () => {
  // The shipped defaults for new ids and judgments (the helper loosens them for other suites).
  server = await startTestServer({
    rateLimits: {
      newIdentity: { points: 10, durationSec: 3600 },
      judge: { points: 240, durationSec: 60 },
      judgeIdentity: { points: 30, durationSec: 60 },
    },
  })
  runtimes = await startConsensusWorker(server)
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId)
  speaker = await createUser(server, 'contributor', 'trust-speaker')
})

afterAll(async () => {
  for (const runtime of runtimes ?? []) await runtime.stop(1000)
  await server?.close()
})

describe('identities the server issued', () => {
  test('a made-up client id is refused with 401 on uploads, votes, transcriptions, skips and claim', async () => {
    const { segmentIds } = await readyRecording(server, asUser(speaker), { languageId, sentenceId })
    const long = await readyRecording(server, asUser(speaker), { languageId, mode: 'long' })
    const forged = forgedCookie()
    const signedWithAnotherKey = { Cookie: `${CLIENT_ID_COOKIE}=${signClientId('not-this-instance', randomUUID())}` }
    // Votes and clip skips are the consensus plugin's (left out by SHRUTIK_TEST_WITHOUT, they are not there to refuse).
    const judging = hasPlugin('consensus')
    for (const headers of [forged, signedWithAnotherKey]) {
      const actor: Actor = { headers }
      const answers = [
        await uploadAs(headers),
        ...(judging ? [await vote(server, actor, segmentIds[0], true)] : []),
        await transcribe(server, actor, long.segmentIds[0], languageId, 'made up'),
        ...(judging ? [await call(server, 'POST', '/api/consensus/skip', actor, { segment: segmentIds[0] })] : []),
        await call(server, 'POST', `/api/site/sentences/${sentenceId}/skip`, actor, { reason: 'skip' }),
        await call(server, 'POST', '/api/site/claim', { headers: { ...headers, ...speaker.headers } }),
      ]
      for (const answer of answers) {
        expect(answer.status).toBe(401)
        expect(JSON.stringify(await json(answer))).toMatch(/did not issue/)
      }
    }
    if (judging) expect(await sqlRows(server, sql`SELECT count(*)::int AS n FROM votes WHERE segment_id = ${segmentIds[0]}`)).toEqual([{ n: 0 }])
  })

  test('a malformed client-id cookie is never a 500: ignored where nothing is written, refused where something is', async () => {
    for (const value of ['%E0%A4%A', 'v1.x.y.z', '"unterminated', 'v1.' + 'a'.repeat(300)]) {
      const headers = { Cookie: `${CLIENT_ID_COOKIE}=${value}` }
      const read = await fetch(`${server.url}/api/site/next-sentences?language=${languageId}&limit=2`, { headers })
      expect(read.status).toBe(200)
      const write = await uploadAs(headers)
      expect([400, 401, 403]).toContain(write.status)
    }
  })

  test('consent mints a signed HttpOnly id once; accepting again keeps it', async () => {
    const first = await consent()
    expect(first.response.status).toBe(200)
    expect(first.response.headers.getSetCookie().find((line) => line.startsWith(`${CLIENT_ID_COOKIE}=`))).toMatch(/HttpOnly/)
    const again = await consent(first.cookie)
    expect(again.cookie).toBe(first.cookie)
    const rows = await sqlRows<{ terms_version: string }>(server, sql`SELECT terms_version FROM contributors WHERE client_id = ${first.cookie.split('.')[1]}`)
    expect(rows).toEqual([{ terms_version: TERMS_VERSION }])
  })

  test('a cookie from before ids were signed works once its id is known (migration path), and is swapped for a signed one', async () => {
    const legacy = randomUUID()
    await sqlRows(server, sql`INSERT INTO contributors (client_id, terms_version, consented_at, legacy) VALUES (${legacy}, ${TERMS_VERSION}, now(), true)`)
    const upload = await uploadAs({ Cookie: `${CLIENT_ID_COOKIE}=${legacy}` })
    expect(upload.status).toBe(201)
    expect(cookieValue(upload, CLIENT_ID_COOKIE)).toMatch(new RegExp(`^v1\\.${legacy}\\.`))
    expect((await uploadAs({ Cookie: `${CLIENT_ID_COOKIE}=${randomUUID()}` })).status).toBe(401)
  })
})

describe('one person acting as many', () => {
  testWith(['consensus'], '30 fresh identities from one address cannot overturn what two calibrated judges accepted; most are refused with 429', async () => {
    const { segmentIds } = await readyRecording(server, asUser(speaker), { languageId, sentenceId })
    const segment = segmentIds[0]
    const judges = await Promise.all([createUser(server, 'contributor', 'calibrated-1'), createUser(server, 'contributor', 'calibrated-2')])
    for (const judge of judges) {
      await sqlRows(server, sql`INSERT INTO contributor_reliability (contributor_id, votes, vote_accuracy) VALUES (${judge.id}, 40, 0.95)`)
      expect((await vote(server, asUser(judge), segment, true)).status).toBe(201)
    }
    await eventually(() => consensusOf(server, segment), (value) => value.status === 'accepted', 20_000)

    // The attack, from 127.0.0.2 (its own address, so other tests' ids do not count against it).
    let refused = 0
    let voted = 0
    for (let attempt = 0; attempt < 30; attempt++) {
      const minted = await consent('', { 'X-Forwarded-For': '127.0.0.2' })
      if (minted.response.status === 429) {
        refused++
        expect(Number(minted.response.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(JSON.stringify(await json(minted.response))).toMatch(/new contributors from this network/)
        continue
      }
      expect(minted.response.status).toBe(200)
      const answer = await vote(server, { headers: { Cookie: minted.cookie } }, segment, false, 'does-not-match')
      if (answer.status === 201) voted++
    }
    expect(refused).toBeGreaterThanOrEqual(20)
    expect(voted).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await consensusOf(server, segment)).toMatchObject({ status: 'accepted' })

    // Only a reviewer reopens a decided segment; then every judgment counts again, and the
    // calibrated judges' agreement still stands against the fresh ids.
    const reviewer = await createUser(server, 'reviewer', 'trust-reviewer')
    expect((await call(server, 'POST', `/api/consensus/segments/${segment}/decide`, { headers: judges[0].headers }, { decision: 'reopened' })).status).toBe(403)
    const reopened = await call(server, 'POST', `/api/consensus/segments/${segment}/decide`, asUser(reviewer), { decision: 'reopened' })
    expect(reopened.status).toBe(200)
    expect((await json(reopened)).segment).toMatchObject({ status: 'pending' })
    const again = await eventually(() => consensusOf(server, segment), (value) => value.status !== 'pending', 20_000)
    expect(again).toMatchObject({ status: 'accepted', judgments: 2 + voted })
  })

  testWith(['consensus'], 'fresh identities alone weigh half: two cannot decide, and their reports need corroboration', async () => {
    const { segmentIds } = await readyRecording(server, asUser(speaker), { languageId, sentenceId })
    const segment = segmentIds[0]
    for (let index = 0; index < 2; index++) {
      const anonymous = await mintAnonymous(server)
      expect((await vote(server, anonymous, segment, false, 'noisy')).status).toBe(201)
    }
    const other = (await readyRecording(server, asUser(speaker), { languageId, sentenceId })).segmentIds[0]
    for (let index = 0; index < 2; index++) {
      const anonymous = await mintAnonymous(server)
      expect((await call(server, 'POST', '/api/consensus/skip', anonymous, { segment: other, reason: 'offensive' })).status).toBe(201)
    }
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await consensusOf(server, segment)).toMatchObject({ status: 'pending', judgments: 2 })
    expect(await consensusOf(server, other)).toMatchObject({ status: 'pending' })
    // Two accounts reporting are enough.
    for (const label of ['reporter-1', 'reporter-2']) {
      const reporter = await createUser(server, 'contributor', label)
      expect((await call(server, 'POST', '/api/consensus/skip', asUser(reporter), { segment: other, reason: 'offensive' })).status).toBe(201)
    }
    await eventually(() => consensusOf(server, other), (value) => value.status === 'needs-review', 20_000)
  })

  test('judgments per person are rate limited (429 + Retry-After + message)', async () => {
    const anonymous = await mintAnonymous(server)
    let status = 0
    let answer: Response | undefined
    for (let index = 0; index < 31 && status !== 429; index++) {
      answer = await call(server, 'POST', '/api/consensus/skip', anonymous, { segment: 999_999_999 })
      status = answer.status
    }
    expect(status).toBe(429)
    expect(Number(answer!.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(JSON.stringify(await json(answer!))).toMatch(/faster than anyone can listen/)
  })

  testWith(['consensus'], "a recorder cannot judge their own clip through a browser linked to their account, and a signed-out account holder is not served what they judged", async () => {
    const recorder = await createUser(server, 'contributor', 'linked-recorder')
    // The recorder accepts the terms in a browser while signed in: the browser is linked for good.
    const browser = await consent('', recorder.headers)
    expect(browser.response.status).toBe(200)
    const own = (await readyRecording(server, asUser(recorder), { languageId, sentenceId })).segmentIds[0]
    const signedOut: Actor = { headers: { Cookie: browser.cookie } }
    const refused = await vote(server, signedOut, own, true)
    expect(refused.status).toBe(403)
    expect(JSON.stringify(await json(refused))).toMatch(/your own recording/)

    const judged = (await readyRecording(server, asUser(speaker), { languageId, sentenceId })).segmentIds[0]
    expect((await vote(server, asUser(recorder), judged, true)).status).toBe(201)
    const served = await call(server, 'GET', `/api/consensus/next-validation?language=${languageId}&limit=20`, signedOut)
    expect(served.status).toBe(200)
    const ids = ((await json(served)).docs as { id: number }[]).map((doc) => doc.id)
    expect(ids).not.toContain(judged)
    expect(ids).not.toContain(own)
    // Signed out, the same person cannot vote again on what they judged signed in.
    expect((await vote(server, signedOut, judged, false, 'noisy')).status).toBe(400)
  })
})

describe('consent, enforced by the server', () => {
  test('no consent, no contribution: uploads, votes and transcriptions are refused with what to do', async () => {
    const stranger = await createUser(server, 'contributor', 'no-consent', { consented: false })
    const { segmentIds } = await readyRecording(server, asUser(speaker), { languageId, sentenceId })
    const long = await readyRecording(server, asUser(speaker), { languageId, mode: 'long' })
    const unconsented = await mintAnonymous(server, { termsVersion: null })
    for (const actor of [asUser(stranger), unconsented]) {
      for (const answer of [
        await uploadAs(actor.headers),
        ...(hasPlugin('consensus') ? [await vote(server, actor, segmentIds[0], true)] : []),
        await transcribe(server, actor, long.segmentIds[0], languageId, 'some words'),
      ]) {
        expect(answer.status).toBe(403)
        expect(JSON.stringify(await json(answer))).toMatch(/Accept the (current )?contribution terms/)
      }
    }
  })

  test('the server writes consentVersion; what the client sends is ignored', async () => {
    const anonymous = await mintAnonymous(server)
    const upload = await uploadAs(anonymous.headers, { consentVersion: 'forged-by-client' })
    expect(upload.status).toBe(201)
    const id = (await json(upload)).doc.id
    expect((await server.payload.findByID({ collection: 'recordings', id, depth: 0 })).consentVersion).toBe(TERMS_VERSION)
  })

  test('when the terms change, contributors are asked again before their next contribution', async () => {
    const outdated = await mintAnonymous(server, { termsVersion: '2000-01-01' })
    const refused = await uploadAs(outdated.headers)
    expect(refused.status).toBe(403)
    expect(JSON.stringify(await json(refused))).toMatch(/terms have changed/)
    const renewed = await consent(outdated.headers.Cookie)
    expect(renewed.response.status).toBe(200)
    expect((await uploadAs({ Cookie: renewed.cookie })).status).toBe(201)
  })

  test('a signed-in consent is recorded on the account with its date', async () => {
    const user = await createUser(server, 'contributor', 'consents', { consented: false })
    expect((await consent('', user.headers)).response.status).toBe(200)
    const account = await server.payload.findByID({ collection: 'users', id: user.id })
    expect(account.consent?.termsVersion).toBe(TERMS_VERSION)
    expect(Date.now() - new Date(account.consent!.acceptedAt as string).getTime()).toBeLessThan(60_000)
  })
})

describe('claim', () => {
  // Moving judgments is the consensus plugin's answer to `contributor.claimed`.
  testWith(['consensus'], 'moves votes and consensus skips; a judgment of the account’s own recording is dropped and counted, never aborting the claim', async () => {
    const person = await createUser(server, 'contributor', 'claimer')
    const theirs = (await readyRecording(server, asUser(person), { languageId, sentenceId })).segmentIds[0]
    const others = (await readyRecording(server, asUser(speaker), { languageId, sentenceId })).segmentIds[0]
    const skipped = (await readyRecording(server, asUser(speaker), { languageId, sentenceId })).segmentIds[0]
    const browser = await mintAnonymous(server)
    // Signed out, the browser judges someone else's clip, skips one, and votes on the person's own
    // clip (the server cannot know yet that it is theirs).
    expect((await vote(server, browser, others, true)).status).toBe(201)
    expect((await vote(server, browser, theirs, true)).status).toBe(201)
    expect((await call(server, 'POST', '/api/consensus/skip', browser, { segment: skipped })).status).toBe(201)

    const claim = await call(server, 'POST', '/api/site/claim', { headers: { ...browser.headers, ...person.headers } })
    expect(claim.status).toBe(200)
    const body = await json(claim)
    expect(body).toMatchObject({ ok: true, votes: 1, consensusSkips: 1, dropped: { votes: 1 } })
    const votes = await sqlRows<{ segment_id: number; voter_id: number | null; client_id: string | null }>(
      server,
      sql`SELECT segment_id, voter_id, client_id FROM votes WHERE segment_id IN (${others}, ${theirs}) ORDER BY segment_id`,
    )
    expect(votes).toEqual([{ segment_id: others, voter_id: person.id, client_id: null }])
    expect(await sqlRows(server, sql`SELECT contributor_id FROM consensus_skips WHERE segment_id = ${skipped}`)).toEqual([{ contributor_id: person.id }])
    // The browser is now the account's for good: signed out, it is the same judge.
    expect((await vote(server, browser, others, false, 'noisy')).status).toBe(400)
    // Claiming again is harmless.
    expect((await call(server, 'POST', '/api/site/claim', { headers: { ...browser.headers, ...person.headers } })).status).toBe(200)
  })

  test('a browser linked to one account cannot be claimed by another', async () => {
    const [first, second] = await Promise.all([createUser(server, 'contributor', 'first-owner'), createUser(server, 'contributor', 'second-owner')])
    const browser = await mintAnonymous(server)
    expect((await call(server, 'POST', '/api/site/claim', { headers: { ...browser.headers, ...first.headers } })).status).toBe(200)
    const stolen = await call(server, 'POST', '/api/site/claim', { headers: { ...browser.headers, ...second.headers } })
    expect(stolen.status).toBe(409)
  })
})
