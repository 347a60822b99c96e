import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import sharp from 'sharp'

import { mediaDir, dataDir } from '../src/lib/env'
import { STALE_UPLOAD_TEMP_MS, sweepUploadTempDir } from '../src/lib/uploadTempFiles'
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

  test('a site image keeps its extension through the safe-name filter, and is served as an image', async () => {
    const form = new FormData()
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } }).png().toBuffer()
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'Our Logo <x>.png')
    form.append('_payload', JSON.stringify({ alt: 'The logo' }))
    const response = await fetch(`${server.url}/api/media`, { method: 'POST', headers: admin.headers, body: form })
    expect(response.status).toBe(201)
    const { doc } = await json(response)
    expect(doc.filename).toBe('OurLogox.png')
    const served = await fetch(`${server.url}/api/media/file/${doc.filename}`)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect((await fetch(`${server.url}/api/media/${doc.id}`, { method: 'DELETE', headers: admin.headers })).status).toBe(200)
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

describe('multipart bodies never leave a temp file behind', () => {
  const tempDir = () => path.join(dataDir(), 'tmp', 'uploads')
  const post = (route: string, form: FormData, headers: Record<string, string> = user.headers, method = 'POST') =>
    fetch(`${server.url}${route}`, { method, headers, body: form })
  const recordingForm = (...files: [string, Blob, string][]) => {
    const form = new FormData()
    form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
    for (const [part, blob, name] of files) form.append(part, blob, name)
    return form
  }

  test('a file posted to a route that takes none → 400 naming where files go; nothing written', async () => {
    const before = await snapshot()
    for (const headers of [{}, user.headers, admin.headers]) {
      const form = new FormData()
      form.append('_payload', JSON.stringify({ code: 'fil', name: 'Filish', nativeName: 'Filish' }))
      form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'take.wav')
      const response = await post('/api/languages', form, headers)
      expect(response.status).toBe(400)
      expect((await json(response)).errors[0].message).toMatch(/does not take files.*\/api\/recordings/)
      expect(listFiles(tempDir())).toEqual([])
    }
    expect((await server.payload.count({ collection: 'languages', where: { code: { equals: 'fil' } } })).totalDocs).toBe(0)
    expect(await snapshot()).toEqual(before)
  })

  test('a form without a file still works on any route (the admin UI sends every form as multipart)', async () => {
    const form = new FormData()
    form.append('_payload', JSON.stringify({ code: 'frm', name: 'Formish', nativeName: 'Formish' }))
    const response = await post('/api/languages', form, admin.headers)
    expect(response.status).toBe(201)
    await server.payload.delete({ collection: 'languages', id: (await json(response)).doc.id })
  })

  test('two file parts, or a file under another name, on an upload route → 400; nothing written', async () => {
    const wav = () => new Blob([sineWav(0.5)], { type: 'audio/wav' })
    // The first file is large enough to be half written when the second part arrives.
    const large = new Blob([sineWav(150_000 / 32_000)], { type: 'audio/wav' })
    for (const form of [
      recordingForm(['file', wav(), 'a.wav'], ['file', wav(), 'b.wav']),
      recordingForm(['file', large, 'a.wav'], ['extra', wav(), 'b.wav']),
      recordingForm(['audio', wav(), 'a.wav']),
    ]) {
      const before = await snapshot()
      const response = await post('/api/recordings', form)
      expect(response.status).toBe(400)
      expect((await json(response)).errors[0].message).toMatch(/exactly one file, in the form part named "file"/)
      expect(await snapshot()).toEqual(before)
      expect(listFiles(tempDir())).toEqual([])
    }
    const patched = await post(`/api/recordings/1`, recordingForm(['file', wav(), 'a.wav'], ['file', wav(), 'b.wav']), admin.headers, 'PATCH')
    expect(patched.status).toBe(400)
    expect(listFiles(tempDir())).toEqual([])
  })

  test('an upload refused by access, or with a _payload that is not JSON → 4xx; no temp file left', async () => {
    const before = await snapshot()
    // No account and no consent cookie.
    const anonymous = await post('/api/recordings', recordingForm(['file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'a.wav']), {})
    expect(anonymous.status).toBe(403)
    const form = new FormData()
    form.append('_payload', '{not json')
    form.append('file', new Blob([sineWav(0.5)], { type: 'audio/wav' }), 'a.wav')
    const badJson = await post('/api/recordings', form)
    expect(badJson.status).toBeGreaterThanOrEqual(400)
    expect(badJson.status).toBeLessThan(500)
    expect(await snapshot()).toEqual(before)
    expect(listFiles(tempDir())).toEqual([])
  })

  test('the temp upload folder is swept of files older than a few minutes', async () => {
    const dir = path.join(dataDir(), 'tmp', 'sweep-test')
    fs.mkdirSync(dir, { recursive: true })
    try {
      fs.writeFileSync(path.join(dir, 'tmp-stale'), 'left by a crash')
      fs.writeFileSync(path.join(dir, 'tmp-in-flight'), 'still being written')
      const old = new Date(Date.now() - STALE_UPLOAD_TEMP_MS - 60_000)
      fs.utimesSync(path.join(dir, 'tmp-stale'), old, old)
      expect(await sweepUploadTempDir(dir)).toBe(1)
      expect(listFiles(dir)).toEqual(['tmp-in-flight'])
      expect(await sweepUploadTempDir(path.join(dir, 'missing'))).toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
