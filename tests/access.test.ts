import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { sineWav } from './helpers/audio'
import { TERMS_VERSION } from '../src/lib/terms'
import { describeWith, hasPlugin } from './helpers/plugins'
import { anonymousCookie, createUser, json, startTestServer, uniqueEmail, type TestServer, type TestUser } from './helpers/server'

/**
 * The access matrix: anonymous, contributor A, contributor B, reviewer and admin against every
 * core collection and operation, over real HTTP, plus field-level hiding of PII and internals.
 */

let server: TestServer
let a: TestUser
let b: TestUser
let reviewer: TestUser
let admin: TestUser
let languageId: number
let approvedSentenceId: number
let pendingSentenceId: number
let recordingOfA: number
let segmentOfA: number
let transcriptionOfB: number

type Actor = 'anonymous' | 'contributorA' | 'contributorB' | 'reviewer' | 'admin'
const ACTORS: Actor[] = ['anonymous', 'contributorA', 'contributorB', 'reviewer', 'admin']

const headersFor = (actor: Actor, extra: Record<string, string> = {}): Record<string, string> => {
  const auth =
    actor === 'anonymous'
      ? {}
      : { contributorA: a, contributorB: b, reviewer, admin }[actor].headers
  return { ...auth, ...extra }
}

const call = (method: string, path: string, actor: Actor, body?: unknown, extra: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: headersFor(actor, body === undefined ? extra : { 'Content-Type': 'application/json', ...extra }),
    body: body === undefined ? undefined : JSON.stringify(body),
  })

const uploadRecording = (actor: Actor, extra: Record<string, string> = {}) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: approvedSentenceId, consentVersion: '1' }))
  return fetch(`${server.url}/api/recordings`, { method: 'POST', headers: headersFor(actor, extra), body: form })
}

const allowed = (response: Response) => response.status >= 200 && response.status < 300
const denied = (response: Response) => [401, 403, 404].includes(response.status)

beforeAll(async () => {
  server = await startTestServer()
  ;[a, b, reviewer, admin] = await Promise.all([
    createUser(server, 'contributor', 'a'),
    createUser(server, 'contributor', 'b'),
    createUser(server, 'reviewer'),
    createUser(server, 'admin'),
  ])
  await server.payload.update({
    collection: 'users',
    id: a.id,
    data: { demographics: { ageBand: 'thirties', gender: 'female' }, consent: { termsVersion: TERMS_VERSION, acceptedAt: new Date().toISOString() } },
  })
  const language = await server.payload.create({
    collection: 'languages',
    data: { code: `x${Math.random().toString(36).slice(2, 4)}`.slice(0, 3).replace(/[^a-z]/g, 'q'), name: 'Testish', nativeName: 'Testish' },
  }).catch(async () => server.payload.create({ collection: 'languages', data: { code: 'tst', name: 'Testish', nativeName: 'Testish' } }))
  languageId = language.id as number
  approvedSentenceId = (
    await server.payload.create({ collection: 'sentences', data: { text: `Approved sentence ${Date.now()}`, language: languageId, status: 'approved' } })
  ).id as number
  pendingSentenceId = (
    await server.payload.create({ collection: 'sentences', data: { text: `Pending sentence ${Date.now()}`, language: languageId, status: 'pending' } })
  ).id as number
  const upload = await uploadRecording('contributorA')
  expect(upload.status).toBe(201)
  recordingOfA = (await json(upload)).doc.id
  // Segments and what is transcribed of them are the audio plugin's (left out by SHRUTIK_TEST_WITHOUT: their suites below are skipped).
  if (!hasPlugin('audio-processing')) return
  // Written by the audio job in production; made directly here (system call).
  segmentOfA = (
    await server.payload.create({ collection: 'segments', data: { recording: recordingOfA, index: 0, startMs: 0, endMs: 1000, durationMs: 1000, file: 'x/y/z.ogg' } })
  ).id as number
  // B transcribes A's segment (nobody transcribes their own recording: see the consensus plugin).
  const transcription = await call('POST', '/api/transcriptions', 'contributorB', { item: segmentOfA, language: languageId, text: 'what I heard' })
  expect(transcription.status).toBe(201)
  transcriptionOfB = (await json(transcription)).doc.id
})

afterAll(async () => {
  await server?.close()
})

describe('users', () => {
  test('create: open self-registration for anyone; the new account is always a contributor', async () => {
    for (const actor of ACTORS) {
      const response = await call('POST', '/api/users', actor, { email: uniqueEmail(`reg-${actor}`), password: 'correct horse battery' })
      expect(response.status).toBe(201)
      expect((await json(response)).doc.roles).toEqual(['contributor'])
    }
  })

  test('read: contributors and reviewers see only themselves; admins see everyone', async () => {
    for (const actor of ['contributorA', 'contributorB', 'reviewer'] as const) {
      const body = await json(await call('GET', '/api/users?limit=100', actor))
      const self = { contributorA: a, contributorB: b, reviewer }[actor]
      expect(body.docs.map((doc: { id: number }) => doc.id)).toEqual([self.id])
    }
    expect(denied(await call('GET', '/api/users', 'anonymous'))).toBe(true)
    expect(denied(await call('GET', `/api/users/${b.id}`, 'contributorA'))).toBe(true)
    const all = await json(await call('GET', '/api/users?limit=100', 'admin'))
    expect(all.totalDocs).toBeGreaterThanOrEqual(4)
  })

  test('update: yourself or, for admins, anyone; never someone else', async () => {
    expect(allowed(await call('PATCH', `/api/users/${a.id}`, 'contributorA', { name: 'A' }))).toBe(true)
    expect(denied(await call('PATCH', `/api/users/${b.id}`, 'contributorA', { name: 'pwned' }))).toBe(true)
    expect(denied(await call('PATCH', `/api/users/${b.id}`, 'reviewer', { name: 'pwned' }))).toBe(true)
    expect(denied(await call('PATCH', `/api/users/${b.id}`, 'anonymous', { name: 'pwned' }))).toBe(true)
    expect(allowed(await call('PATCH', `/api/users/${b.id}`, 'admin', { name: 'B' }))).toBe(true)
    expect((await server.payload.findByID({ collection: 'users', id: b.id })).name).toBe('B')
  })

  test('delete: admins only', async () => {
    const victim = await createUser(server, 'contributor', 'victim')
    for (const actor of ['anonymous', 'contributorA', 'reviewer'] as const) {
      expect(denied(await call('DELETE', `/api/users/${victim.id}`, actor))).toBe(true)
    }
    expect(denied(await call('DELETE', `/api/users/${a.id}`, 'contributorA'))).toBe(true)
    expect(allowed(await call('DELETE', `/api/users/${victim.id}`, 'admin'))).toBe(true)
  })

  test('hidden auth fields never appear, and other people\'s email and demographics stay private', async () => {
    const forbidden = ['hash', 'salt', 'resetPasswordToken', 'resetPasswordExpiration', 'loginAttempts', 'lockUntil']
    const asAdmin = await json(await call('GET', '/api/users?limit=100&depth=2', 'admin'))
    const asSelf = await json(await call('GET', '/api/users/me', 'contributorA'))
    for (const doc of [...asAdmin.docs, asSelf.user]) {
      for (const field of forbidden) expect(doc).not.toHaveProperty(field)
    }
    expect(asSelf.user.email).toBe(a.email)
    expect(asSelf.user.demographics).toMatchObject({ ageBand: 'thirties' })

    // A reviewer reading A's recording, even with deep population, gets no email or demographics of A.
    const recording = await json(await call('GET', `/api/recordings/${recordingOfA}?depth=3`, 'reviewer'))
    expect(JSON.stringify(recording)).not.toContain(a.email)
    expect(recording).not.toHaveProperty('demographicsSnapshot')
    expect(recording).not.toHaveProperty('clientId')
  })

  test('API keys: set by admins, usable by external clients, and never readable back by anyone', async () => {
    // Payload keeps API keys write-only: the admin UI shows a new key once; reads only say whether one exists.
    const withKey = await createUser(server, 'contributor', 'apikey')
    const apiKey = `key-${Date.now()}-abcdefghijklmnop`
    // A contributor cannot mint a key for themselves: the key they send never authenticates.
    await call('PATCH', `/api/users/${a.id}`, 'contributorA', { enableAPIKey: true, apiKey: 'self-made-key-123456789' })
    const selfMade = await json(await fetch(`${server.url}/api/users/me`, { headers: { Authorization: 'users API-Key self-made-key-123456789' } }))
    expect(selfMade.user ?? null).toBeNull()
    expect(allowed(await call('PATCH', `/api/users/${withKey.id}`, 'admin', { enableAPIKey: true, apiKey }))).toBe(true)
    const viaKey = await json(await fetch(`${server.url}/api/users/me`, { headers: { Authorization: `users API-Key ${apiKey}` } }))
    expect(viaKey.user?.id).toBe(withKey.id)
    const asAdmin = await json(await call('GET', `/api/users/${withKey.id}`, 'admin'))
    expect(asAdmin.hasAPIKey).toBe(true)
    const asOwner = await json(await fetch(`${server.url}/api/users/me`, { headers: withKey.headers }))
    for (const body of [asAdmin, asOwner.user]) expect(JSON.stringify(body)).not.toContain(apiKey)
    for (const actor of ['contributorA', 'reviewer', 'anonymous'] as const) {
      const body = await json(await call('GET', '/api/users?limit=100', actor))
      expect(JSON.stringify(body)).not.toContain(apiKey)
      expect(JSON.stringify(body)).not.toContain(withKey.email)
    }
  })

  test('no query can filter on hidden auth fields to probe them', async () => {
    const probes = [
      'where[hash][exists]=true',
      'where[salt][like]=a',
      'where[resetPasswordToken][exists]=true',
      'where[apiKey][exists]=true',
      'where[apiKeyIndex][exists]=true',
      'where[sessions.id][exists]=true',
    ]
    for (const probe of probes) {
      for (const actor of ['contributorA', 'reviewer'] as const) {
        const response = await call('GET', `/api/users?${probe}`, actor)
        const body = await json(response)
        if (response.ok) {
          const self = actor === 'contributorA' ? a : reviewer
          expect(body.docs.every((doc: { id: number }) => doc.id === self.id)).toBe(true)
        } else {
          expect(response.status).toBeGreaterThanOrEqual(400)
          expect(response.status).toBeLessThan(500)
        }
      }
      expect(denied(await call('GET', `/api/users?${probe}`, 'anonymous'))).toBe(true)
    }
    // Filtering on another user's email from a contributor account finds nothing.
    const byEmail = await json(await call('GET', `/api/users?where[email][equals]=${encodeURIComponent(b.email)}`, 'contributorA'))
    expect(byEmail.docs ?? []).toHaveLength(0)
  })
})

describe('languages', () => {
  test('anyone reads; only admins create, update and delete', async () => {
    for (const actor of ACTORS) expect(allowed(await call('GET', `/api/languages/${languageId}`, actor))).toBe(true)
    for (const actor of ['anonymous', 'contributorA', 'reviewer'] as const) {
      expect(denied(await call('POST', '/api/languages', actor, { code: 'zz', name: 'Z', nativeName: 'Z' }))).toBe(true)
      expect(denied(await call('PATCH', `/api/languages/${languageId}`, actor, { name: 'changed' }))).toBe(true)
      expect(denied(await call('DELETE', `/api/languages/${languageId}`, actor))).toBe(true)
    }
    const created = await call('POST', '/api/languages', 'admin', { code: 'sat-Olck', name: 'Santali', nativeName: 'ᱥᱟᱱᱛᱟᱲᱤ' })
    expect(created.status).toBe(201)
    const id = (await json(created)).doc.id
    expect(allowed(await call('PATCH', `/api/languages/${id}`, 'admin', { targetHours: 10 }))).toBe(true)
    expect(allowed(await call('DELETE', `/api/languages/${id}`, 'admin'))).toBe(true)
  })

  test('a malformed language code is refused with a message', async () => {
    const response = await call('POST', '/api/languages', 'admin', { code: 'not a tag', name: 'X', nativeName: 'X' })
    expect(response.status).toBe(400)
    expect(JSON.stringify(await json(response))).toContain('BCP-47')
  })
})

describe('sentences', () => {
  test('the public sees approved sentences only; reviewers and admins see every status', async () => {
    for (const actor of ['anonymous', 'contributorA'] as const) {
      expect(allowed(await call('GET', `/api/sentences/${approvedSentenceId}`, actor))).toBe(true)
      expect(denied(await call('GET', `/api/sentences/${pendingSentenceId}`, actor))).toBe(true)
      const list = await json(await call('GET', `/api/sentences?where[language][equals]=${languageId}`, actor))
      expect(list.docs.every((doc: { status: string }) => doc.status === 'approved')).toBe(true)
    }
    for (const actor of ['reviewer', 'admin'] as const) {
      expect(allowed(await call('GET', `/api/sentences/${pendingSentenceId}`, actor))).toBe(true)
    }
  })

  test('reviewers and admins add and edit; only admins delete', async () => {
    for (const actor of ['anonymous', 'contributorA'] as const) {
      expect(denied(await call('POST', '/api/sentences', actor, { text: `Nope ${actor}`, language: languageId }))).toBe(true)
      expect(denied(await call('PATCH', `/api/sentences/${approvedSentenceId}`, actor, { status: 'retired' }))).toBe(true)
    }
    const created = await call('POST', '/api/sentences', 'reviewer', { text: `Reviewer added ${Date.now()}`, language: languageId })
    expect(created.status).toBe(201)
    const id = (await json(created)).doc.id
    expect(allowed(await call('PATCH', `/api/sentences/${id}`, 'reviewer', { status: 'approved' }))).toBe(true)
    expect(denied(await call('DELETE', `/api/sentences/${id}`, 'reviewer'))).toBe(true)
    expect(allowed(await call('DELETE', `/api/sentences/${id}`, 'admin'))).toBe(true)
  })

  test('nobody sets recordingCount or the hash through the API except admins for the count', async () => {
    const created = await json(
      await call('POST', '/api/sentences', 'reviewer', { text: `Counted ${Date.now()}`, language: languageId, recordingCount: 99, normalizedHash: 'x' }),
    )
    expect(created.doc.recordingCount).toBe(0)
    expect(created.doc.normalizedHash).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('recordings', () => {
  test('create: logged-in contributors, and anonymous visitors only with a client-id cookie', async () => {
    expect((await uploadRecording('anonymous')).status).toBe(403)
    const anonymous = await uploadRecording('anonymous', await anonymousCookie(server))
    expect(anonymous.status).toBe(201)
    const doc = (await json(anonymous)).doc
    expect(doc.owner ?? null).toBeNull()
    expect((await server.payload.findByID({ collection: 'recordings', id: doc.id })).clientId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await uploadRecording('contributorB')).status).toBe(201)
  })

  test('read: contributors their own; reviewers and admins all; anonymous none', async () => {
    expect(denied(await call('GET', '/api/recordings', 'anonymous'))).toBe(true)
    expect(denied(await call('GET', `/api/recordings/${recordingOfA}`, 'contributorB'))).toBe(true)
    const own = await json(await call('GET', '/api/recordings?limit=100', 'contributorA'))
    expect(own.docs.length).toBeGreaterThan(0)
    expect(own.docs.every((doc: { owner: number | { id: number } }) => (typeof doc.owner === 'object' ? doc.owner.id : doc.owner) === a.id)).toBe(true)
    expect((await json(await call('GET', `/api/recordings/${recordingOfA}`, 'contributorA'))).demographicsSnapshot).toMatchObject({ ageBand: 'thirties' })
    for (const actor of ['reviewer', 'admin'] as const) expect(allowed(await call('GET', `/api/recordings/${recordingOfA}`, actor))).toBe(true)
    expect((await json(await call('GET', `/api/recordings/${recordingOfA}`, 'admin'))).demographicsSnapshot).toMatchObject({ ageBand: 'thirties' })
  })

  test('the file itself follows the same read rules and is served as an attachment', async () => {
    const { filename } = await server.payload.findByID({ collection: 'recordings', id: recordingOfA })
    expect(filename).toMatch(/^[0-9a-f-]{36}\.wav$/)
    expect(denied(await call('GET', `/api/recordings/file/${filename}`, 'anonymous'))).toBe(true)
    expect(denied(await call('GET', `/api/recordings/file/${filename}`, 'contributorB'))).toBe(true)
    const file = await call('GET', `/api/recordings/file/${filename}`, 'contributorA')
    expect(file.status).toBe(200)
    expect(file.headers.get('content-disposition')).toMatch(/^attachment/)
    expect(file.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test('update and delete: admins only, and nobody forges the owner', async () => {
    for (const actor of ['anonymous', 'contributorA', 'contributorB', 'reviewer'] as const) {
      expect(denied(await call('PATCH', `/api/recordings/${recordingOfA}`, actor, { mode: 'long' }))).toBe(true)
      expect(denied(await call('DELETE', `/api/recordings/${recordingOfA}`, actor))).toBe(true)
    }
    const form = new FormData()
    form.append('file', new Blob([sineWav(0.2)], { type: 'audio/wav' }), 'x.wav')
    form.append('_payload', JSON.stringify({ language: languageId, sentence: approvedSentenceId, owner: a.id, clientId: 'forged', consentVersion: 'forged' }))
    const forged = await json(await fetch(`${server.url}/api/recordings`, { method: 'POST', headers: b.headers, body: form }))
    const stored = await server.payload.findByID({ collection: 'recordings', id: forged.doc.id, depth: 0 })
    expect(stored.owner).toBe(b.id)
    expect(stored.clientId ?? null).toBeNull()
    expect(stored.consentVersion).toBe(TERMS_VERSION)
    expect(allowed(await call('DELETE', `/api/recordings/${forged.doc.id}`, 'admin'))).toBe(true)
  })
})

describeWith(['audio-processing'], 'segments (audio-processing plugin)', () => {
  test("read follows the recording's rule: the owner, reviewers and admins; nobody writes them through the API", async () => {
    for (const actor of ['contributorA', 'reviewer', 'admin'] as const) expect(allowed(await call('GET', `/api/segments/${segmentOfA}`, actor))).toBe(true)
    for (const actor of ['anonymous', 'contributorB'] as const) expect(denied(await call('GET', `/api/segments/${segmentOfA}`, actor))).toBe(true)
    expect((await json(await call('GET', '/api/segments?limit=100', 'contributorB'))).docs).toEqual([])
    for (const actor of ACTORS) {
      expect(denied(await call('PATCH', `/api/segments/${segmentOfA}`, actor, { startMs: 5 }))).toBe(true)
      expect(denied(await call('POST', '/api/segments', actor, { recording: recordingOfA, index: 9, startMs: 0, endMs: 1, durationMs: 1, file: 'f' }))).toBe(true)
    }
  })
})

// What is transcribed is a segment of the audio plugin.
describeWith(['audio-processing'], 'transcriptions', () => {
  test('create: contributors and anonymous with a cookie; one per item and author; never of one\'s own recording', async () => {
    expect((await call('POST', '/api/transcriptions', 'anonymous', { item: segmentOfA, language: languageId, text: 'x' })).status).toBe(403)
    expect(
      (await call('POST', '/api/transcriptions', 'anonymous', { item: segmentOfA, language: languageId, text: 'anon heard' }, await anonymousCookie(server))).status,
    ).toBe(201)
    const again = await call('POST', '/api/transcriptions', 'contributorB', { item: segmentOfA, language: languageId, text: 'second try' })
    expect(again.status).toBe(400)
    expect(JSON.stringify(await json(again))).toMatch(/unique/i)
    // Transcribing is done on other people's segments (served by the consensus plugin).
    const own = await call('POST', '/api/transcriptions', 'contributorA', { item: segmentOfA, language: languageId, text: 'my own words' })
    expect(own.status).toBe(403)
    expect((await call('POST', '/api/transcriptions', 'reviewer', { item: segmentOfA, language: languageId, text: 'reviewer heard' })).status).toBe(201)
  })

  test('read: own, or reviewers and admins; update: own or admin; delete: admin', async () => {
    expect(denied(await call('GET', `/api/transcriptions/${transcriptionOfB}`, 'anonymous'))).toBe(true)
    expect(denied(await call('GET', `/api/transcriptions/${transcriptionOfB}`, 'contributorA'))).toBe(true)
    for (const actor of ['contributorB', 'reviewer', 'admin'] as const) {
      expect(allowed(await call('GET', `/api/transcriptions/${transcriptionOfB}`, actor))).toBe(true)
    }
    expect(denied(await call('PATCH', `/api/transcriptions/${transcriptionOfB}`, 'contributorA', { text: 'vandal' }))).toBe(true)
    expect(denied(await call('PATCH', `/api/transcriptions/${transcriptionOfB}`, 'reviewer', { text: 'vandal' }))).toBe(true)
    expect(allowed(await call('PATCH', `/api/transcriptions/${transcriptionOfB}`, 'contributorB', { text: '  what   I heard  ' }))).toBe(true)
    expect((await server.payload.findByID({ collection: 'transcriptions', id: transcriptionOfB })).text).toBe('what I heard')
    for (const actor of ['anonymous', 'contributorB', 'reviewer'] as const) {
      expect(denied(await call('DELETE', `/api/transcriptions/${transcriptionOfB}`, actor))).toBe(true)
    }
  })
})
