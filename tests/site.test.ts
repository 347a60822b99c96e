import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { CLIENT_ID_COOKIE } from '../src/lib/clientId'
import { activeLanguageId, LANGUAGE_CACHE_MAX, languageCacheSize, nextSentences } from '../src/contribution/nextSentences'
import { TERMS_VERSION } from '../src/site/terms'
import { sineWav } from './helpers/audio'
import { cookieForClientId, createUser, json, login, startTestServer, uniqueEmail, type TestServer, type TestUser } from './helpers/server'

/** The public site's API: serving sentences, skips and reports, consent, claiming, totals. */

let server: TestServer
let a: TestUser
let reviewer: TestUser
let languageId: number
let code: string
const sentenceIds: number[] = []

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers })
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const served = async (headers: Record<string, string> = {}, limit = 20) => {
  const response = await get(`/api/site/next-sentences?language=${code}&limit=${limit}`, headers)
  expect(response.status).toBe(200)
  return ((await json(response)).sentences as { id: number; text: string; recordingCount: number }[]).map((sentence) => sentence.id)
}
const upload = async (sentence: number, headers: Record<string, string>) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence, consentVersion: TERMS_VERSION }))
  const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers, body: form })
  expect(response.status).toBe(201)
  return (await json(response)).doc.id as number
}
const cookieOf = async () => ({ Cookie: await cookieForClientId(server, randomUUID()) })

beforeAll(async () => {
  server = await startTestServer()
  ;[a, reviewer] = await Promise.all([createUser(server, 'contributor', 'site-a'), createUser(server, 'reviewer', 'site-reviewer')])
  code = `s${randomUUID().replace(/[^a-z]/g, '').slice(0, 2)}`
  languageId = (await server.payload.create({ collection: 'languages', data: { code, name: 'Siteish', nativeName: 'Siteish' } })).id as number
  for (let i = 0; i < 12; i++) {
    const doc = await server.payload.create({ collection: 'sentences', data: { text: `Site sentence number ${i} for reading.`, language: languageId, status: 'approved' } })
    sentenceIds.push(doc.id as number)
  }
  await server.payload.create({ collection: 'sentences', data: { text: 'A pending sentence nobody is served.', language: languageId, status: 'pending' } })
}, 60_000)

afterAll(async () => {
  await server?.close()
})

describe('next sentences', () => {
  test('serves approved sentences of the language, a batch of the asked size', async () => {
    const ids = await served({}, 5)
    expect(ids).toHaveLength(5)
    for (const id of ids) expect(sentenceIds).toContain(id)
    expect(new Set(await served({}, 20)).size).toBe(12)
  })

  test('bad requests get a clear 4xx', async () => {
    for (const limit of ['0', '21', 'many']) {
      const response = await get(`/api/site/next-sentences?language=${code}&limit=${limit}`)
      expect(response.status).toBe(400)
      expect((await json(response)).errors[0].message).toMatch(/limit/)
    }
    expect((await get('/api/site/next-sentences')).status).toBe(400)
    const unknown = await get('/api/site/next-sentences?language=zzz')
    expect(unknown.status).toBe(404)
    expect((await json(unknown)).errors[0].message).toMatch(/zzz/)
  })

  test('the ?language= cache holds real languages only, and has a hard bound', async () => {
    const before = languageCacheSize()
    // 10,000 distinct codes that name no language: every fifth shaped like a real tag (so it is looked up).
    const bogus = Array.from({ length: 10_000 }, (_, index) => {
      const letters = index.toString(26).replace(/./g, (digit) => String.fromCharCode(97 + parseInt(digit, 26))).padStart(3, 'a')
      return index % 5 === 0 ? `${letters.slice(-3)}-Zxxx` : `${randomUUID()}-${index}`
    })
    for (let start = 0; start < bogus.length; start += 100) {
      const answers = await Promise.all(bogus.slice(start, start + 100).map((value) => activeLanguageId(server.payload, value)))
      expect(answers.every((answer) => answer === undefined)).toBe(true)
    }
    expect(languageCacheSize()).toBe(before)
    const unknown = await get(`/api/site/next-sentences?language=${encodeURIComponent('not a language')}`)
    expect(unknown.status).toBe(404)
    expect(languageCacheSize()).toBe(before)

    const created: number[] = []
    try {
      // A real language is cached, under its code and its id.
      const real = await server.payload.create({ collection: 'languages', data: { code: 'qzz-Zyyy', name: 'Cached', nativeName: 'Cached' } })
      created.push(real.id as number)
      expect(await activeLanguageId(server.payload, 'qzz-Zyyy')).toBe(real.id)
      expect(await activeLanguageId(server.payload, String(real.id))).toBe(real.id)
      expect(languageCacheSize()).toBe(before + 2)

      // More real languages than the bound, asked by code and id: the cache stays at the bound.
      for (let index = 0; created.length * 2 <= LANGUAGE_CACHE_MAX; index++) {
        const tag = `q${String.fromCharCode(97 + Math.floor(index / 26))}${String.fromCharCode(97 + (index % 26))}-Zyyy`
        const doc = await server.payload.create({ collection: 'languages', data: { code: tag, name: tag, nativeName: tag } })
        created.push(doc.id as number)
        expect(await activeLanguageId(server.payload, tag)).toBe(doc.id)
        expect(await activeLanguageId(server.payload, String(doc.id))).toBe(doc.id)
        expect(languageCacheSize()).toBeLessThanOrEqual(LANGUAGE_CACHE_MAX)
      }
      expect(languageCacheSize()).toBe(LANGUAGE_CACHE_MAX)
    } finally {
      await server.payload.delete({ collection: 'languages', where: { id: { in: created } } })
    }
  }, 120_000)

  test('least recorded first; a contributor never gets what they recorded', async () => {
    const visitor = await cookieOf()
    const recorded = sentenceIds[0]
    await upload(recorded, visitor)
    // Someone else's first batch: every sentence with no recording comes before the recorded one.
    const others = await served(await cookieOf(), 11)
    expect(others).not.toContain(recorded)
    // The visitor never gets it back, whatever the batch size.
    expect(await served(visitor, 20)).not.toContain(recorded)
    expect((await served(await cookieOf(), 12)).at(-1)).toBe(recorded)
  })

  test('contributors start at different random points among equals', async () => {
    const first = await nextSentences(server.payload, { languageId, limit: 3, contributor: {}, start: 0 })
    const middle = await nextSentences(server.payload, { languageId, limit: 3, contributor: {}, start: 2 ** 30 })
    expect(first.map((sentence) => sentence.id)).not.toEqual(middle.map((sentence) => sentence.id))
    // Wrapping around: a start past every rank still fills the batch from the same tier.
    expect(await nextSentences(server.payload, { languageId, limit: 3, contributor: {}, start: 2 ** 31 })).toHaveLength(3)
  })
})

describe('skip and report', () => {
  test('need consent (a client id) or an account', async () => {
    const response = await post(`/api/site/sentences/${sentenceIds[1]}/skip`, {})
    expect(response.status).toBe(403)
    expect((await json(response)).errors[0].message).toMatch(/terms/)
  })

  test('a skipped or reported sentence is not served to that contributor again; reviewers see reports', async () => {
    const visitor = await cookieOf()
    expect((await post(`/api/site/sentences/${sentenceIds[2]}/skip`, {}, visitor)).status).toBe(200)
    expect((await post(`/api/site/sentences/${sentenceIds[3]}/skip`, { reason: 'offensive' }, visitor)).status).toBe(200)
    // Repeating changes the reason instead of failing.
    expect((await post(`/api/site/sentences/${sentenceIds[3]}/skip`, { reason: 'grammar-spelling' }, visitor)).status).toBe(200)
    const ids = await served(visitor, 20)
    expect(ids).not.toContain(sentenceIds[2])
    expect(ids).not.toContain(sentenceIds[3])
    expect(await served(await cookieOf(), 20)).toContain(sentenceIds[3])
    expect((await post(`/api/site/sentences/${sentenceIds[4]}/skip`, { reason: 'offensive' }, a.headers)).status).toBe(200)

    const reports = await json(await get(`/api/sentence-skips?where[sentence][equals]=${sentenceIds[3]}`, reviewer.headers))
    expect(reports.docs.map((doc: { reason: string }) => doc.reason)).toEqual(['grammar-spelling'])
    expect((await get('/api/sentence-skips', a.headers)).status).toBe(403)
    expect((await get('/api/sentence-skips')).status).toBe(403)
  })

  test('bad input: unknown reason, unknown sentence, not a number', async () => {
    const visitor = await cookieOf()
    const badReason = await post(`/api/site/sentences/${sentenceIds[5]}/skip`, { reason: 'boring' }, visitor)
    expect(badReason.status).toBe(400)
    expect((await json(badReason)).errors[0].message).toMatch(/offensive/)
    expect((await post('/api/site/sentences/999999999/skip', {}, visitor)).status).toBe(404)
    expect((await post('/api/site/sentences/abc/skip', {}, visitor)).status).toBe(400)
  })
})

test('a take sent twice (same uploadId) is stored once; the repeat gets 409', async () => {
  const fs = await import('node:fs')
  const path = await import('node:path')
  const { mediaDir } = await import('../src/lib/env')
  // Other suites share the media folder (some with a database of their own): look at new files only.
  const before = new Set(fs.existsSync(path.join(mediaDir(), 'recordings')) ? fs.readdirSync(path.join(mediaDir(), 'recordings')) : [])
  const visitor = await cookieOf()
  const uploadId = randomUUID()
  const send = () => {
    const form = new FormData()
    form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'take.wav')
    form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceIds[8], consentVersion: TERMS_VERSION, uploadId }))
    return fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: visitor, body: form })
  }
  const [first, second] = await Promise.all([send(), send()])
  expect([first.status, second.status].sort()).toEqual([201, 409])
  const repeat = await send()
  expect(repeat.status).toBe(409)
  expect((await json(repeat)).errors[0].message).toMatch(/already received/)
  const stored = await server.payload.find({ collection: 'recordings', where: { uploadId: { equals: uploadId } } })
  expect(stored.totalDocs).toBe(1)
  const files = fs.readdirSync(path.join(mediaDir(), 'recordings')).filter((name) => !before.has(name))
  const rows = await server.payload.find({ collection: 'recordings', limit: 1000, pagination: false, depth: 0 })
  const known = new Set(rows.docs.map((doc) => doc.filename))
  // No orphan file from the refused repeats.
  expect(files.filter((name) => !known.has(name))).toEqual([])
})

describe('consent and claiming', () => {
  test('accepting the current terms sets the client-id and consent cookies; an old version is refused', async () => {
    const stale = await post('/api/site/consent', { termsVersion: 'old' })
    expect(stale.status).toBe(409)
    expect((await json(stale)).errors[0].message).toMatch(TERMS_VERSION)
    const accepted = await post('/api/site/consent', { termsVersion: TERMS_VERSION })
    expect(accepted.status).toBe(200)
    const cookies = accepted.headers.getSetCookie()
    expect(cookies.find((cookie) => cookie.startsWith(`${CLIENT_ID_COOKIE}=`))).toMatch(/HttpOnly/)
    expect(cookies.some((cookie) => cookie.startsWith(`shrutik_consent=${TERMS_VERSION}`))).toBe(true)
  })

  test('after signing up, what this browser contributed anonymously becomes the account’s', async () => {
    const visitor = await cookieOf()
    const recording = await upload(sentenceIds[6], visitor)
    await post(`/api/site/sentences/${sentenceIds[7]}/skip`, {}, visitor)
    const email = uniqueEmail('claimer')
    expect((await post('/api/users', { email, password: 'a long enough password' })).status).toBe(201)
    const token = await login(server, email, 'a long enough password')
    expect((await post('/api/site/claim', {})).status).toBe(401)
    const claim = await post('/api/site/claim', {}, { ...visitor, Authorization: `JWT ${token}` })
    expect(claim.status).toBe(200)
    expect(await json(claim)).toMatchObject({ recordings: 1, skips: 1 })
    const mine = await json(await get('/api/recordings?depth=0', { Authorization: `JWT ${token}` }))
    expect(mine.docs.map((doc: { id: number }) => doc.id)).toEqual([recording])
    expect(await served({ Authorization: `JWT ${token}` }, 20)).not.toContain(sentenceIds[7])
    // The browser's session cookie identifies the account too (same-origin requests only: CSRF).
    expect(await served({ Cookie: `shrutik-token=${token}`, 'Sec-Fetch-Site': 'same-origin' }, 20)).not.toContain(sentenceIds[7])
  })
})

test('live totals per language', async () => {
  const stats = await json(await get('/api/site/stats'))
  expect(stats).toMatchObject({ recordedHours: expect.any(Number), validatedHours: expect.any(Number), contributors: expect.any(Number) })
  const mine = stats.languages.find((language: { code: string }) => language.code === code)
  expect(mine).toMatchObject({ sentences: 12, recordedHours: 0 })
  expect(mine.contributors).toBeGreaterThanOrEqual(1)
})
