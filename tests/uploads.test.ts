import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { mediaDir, dataDir } from '../src/lib/env'
import { bytes, sineWav, tinyPng } from './helpers/audio'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

const LIMIT = 200_000
const previousLimit = process.env.UPLOAD_MAX_BYTES
process.env.UPLOAD_MAX_BYTES = String(LIMIT)

let server: TestServer
let user: TestUser
let admin: TestUser
let languageId: number
let sentenceId: number

const recordingsDir = () => path.join(mediaDir(), 'recordings')
const listFiles = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])

const snapshot = async () => ({
  rows: (await server.payload.count({ collection: 'recordings' })).totalDocs,
  files: listFiles(recordingsDir()),
  temp: listFiles(path.join(dataDir(), 'tmp', 'uploads')),
})

const upload = (file: Blob, name: string, data: Record<string, unknown> = {}) => {
  const form = new FormData()
  form.append('file', file, name)
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId, ...data }))
  return fetch(`${server.url}/api/recordings`, { method: 'POST', headers: user.headers, body: form })
}

/** Expects a 4xx with a message, and that nothing was left behind: no row, no stored file, no temp file. */
const expectRejectedCleanly = async (response: Response, status: number, message: RegExp, before: Awaited<ReturnType<typeof snapshot>>) => {
  expect(response.status).toBe(status)
  const body = await json(response)
  expect(JSON.stringify(body)).toMatch(message)
  expect(await snapshot()).toEqual(before)
}

beforeAll(async () => {
  server = await startTestServer()
  user = await createUser(server, 'contributor', 'uploader')
  admin = await createUser(server, 'admin', 'upload-admin')
  const language = await server.payload.create({ collection: 'languages', data: { code: 'upl', name: 'Uploadish', nativeName: 'Uploadish' } })
  languageId = language.id as number
  sentenceId = (await server.payload.create({ collection: 'sentences', data: { text: 'Read me aloud please.', language: languageId, status: 'approved' } }))
    .id as number
})

afterAll(async () => {
  if (previousLimit === undefined) delete process.env.UPLOAD_MAX_BYTES
  else process.env.UPLOAD_MAX_BYTES = previousLimit
  await server?.close()
})

describe('accepted uploads', () => {
  test('a WAV is stored under a generated name, owned by the uploader, and counted on its sentence', async () => {
    const response = await upload(new Blob([sineWav(1)], { type: 'audio/wav' }), '../../etc/passwd .wav')
    expect(response.status).toBe(201)
    const { doc } = await json(response)
    expect(doc.filename).toMatch(/^[0-9a-f-]{36}\.wav$/)
    expect(doc.mimeType).toBe('audio/wav')
    expect(doc.owner).toBe(user.id)
    expect(fs.existsSync(path.join(recordingsDir(), doc.filename))).toBe(true)
    expect((await server.payload.findByID({ collection: 'sentences', id: sentenceId })).recordingCount).toBe(1)

    const removed = await fetch(`${server.url}/api/recordings/${doc.id}`, { method: 'DELETE', headers: admin.headers })
    expect(removed.status).toBe(200)
    expect(fs.existsSync(path.join(recordingsDir(), doc.filename))).toBe(false)
    expect((await server.payload.findByID({ collection: 'sentences', id: sentenceId })).recordingCount).toBe(0)
  })
})

describe('rejected uploads leave nothing behind', () => {
  test('over the size limit (declared length) → 413', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([bytes(LIMIT + 2 * 1024 * 1024)]), 'big.wav')
    await expectRejectedCleanly(response, 413, /too large/i, before)
  })

  test('over the size limit (streamed, within the framing allowance) → 413, not a truncated file', async () => {
    const before = await snapshot()
    const big = sineWav((LIMIT * 1.5) / 32_000)
    const response = await upload(new Blob([big], { type: 'audio/wav' }), 'big.wav')
    await expectRejectedCleanly(response, 413, /size|large|limit/i, before)
  })

  test('a PNG renamed .wav → 415 with the reason', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([tinyPng()], { type: 'audio/wav' }), 'voice.wav')
    await expectRejectedCleanly(response, 415, /image\/png, not audio/, before)
  })

  test('random bytes and HTML named .wav → 415', async () => {
    for (const content of [new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)), bytes('<html><script>alert(1)</script></html>')]) {
      const before = await snapshot()
      const response = await upload(new Blob([content], { type: 'audio/wav' }), 'voice.wav')
      await expectRejectedCleanly(response, 415, /not a recognisable audio file/, before)
    }
  })

  test('zero bytes → 400', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([]), 'empty.wav')
    await expectRejectedCleanly(response, 400, /empty/i, before)
  })

  test('no file at all → 400', async () => {
    const before = await snapshot()
    const form = new FormData()
    form.append('_payload', JSON.stringify({ language: languageId, sentence: sentenceId }))
    const response = await fetch(`${server.url}/api/recordings`, { method: 'POST', headers: user.headers, body: form })
    expect(response.status).toBe(400)
    expect(await snapshot()).toEqual(before)
  })

  test('a valid file with data the database refuses (unknown sentence) → 4xx and the file is removed', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'ok.wav', { sentence: 99_999_999 })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(await snapshot()).toEqual(before)
  })

  test('a long recording naming a language that does not exist → 400 and the written file is removed', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'long.wav', {
      mode: 'long',
      sentence: null,
      scriptText: 'A passage to read.',
      language: 99_999_999,
    })
    await expectRejectedCleanly(response, 400, /does not exist/, before)
  })

  test('a prompt recording without its sentence → 400 with the reason', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'ok.wav', { sentence: null })
    await expectRejectedCleanly(response, 400, /needs the sentence/, before)
  })

  test('a sentence that is not an id → 400 naming the value, nothing stored', async () => {
    const before = await snapshot()
    const response = await upload(new Blob([sineWav(0.3)], { type: 'audio/wav' }), 'ok.wav', { sentence: 'abc' })
    expect(response.status).toBe(400)
    expect(JSON.stringify(await json(response))).toMatch(/abc/)
    expect(await snapshot()).toEqual(before)
  })
})
