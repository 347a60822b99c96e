import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'

import { dataDir } from '../src/lib/env'
import { silentWav } from './helpers/audio'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/** UPLOAD_MAX_BYTES above Payload's own 50 MB multipart default is honoured, and still enforced. */

const MB = 1024 * 1024
const LIMIT = 56 * MB
const previousLimit = process.env.UPLOAD_MAX_BYTES
process.env.UPLOAD_MAX_BYTES = String(LIMIT)

let server: TestServer
let user: TestUser
let languageId: number
let sentenceId: number

const tempFiles = () => {
  const dir = path.join(dataDir(), 'tmp', 'uploads')
  return fs.existsSync(dir) ? fs.readdirSync(dir) : []
}

const upload = (size: number) => {
  const form = new FormData()
  form.append('file', new Blob([silentWav(size)], { type: 'audio/wav' }), 'long-take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
  return fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: user.headers, body: form })
}

beforeAll(async () => {
  server = await startTestServer()
  user = await createUser(server, 'contributor', 'large-uploader')
  languageId = (await server.payload.create({ collection: 'languages', data: { code: 'lrg', name: 'Largish', nativeName: 'Largish' } })).id as number
  sentenceId = (await server.payload.create({ collection: 'sentences', data: { text: 'A long take of silence.', language: languageId, status: 'approved' } })).id as number
})

afterAll(async () => {
  if (previousLimit === undefined) delete process.env.UPLOAD_MAX_BYTES
  else process.env.UPLOAD_MAX_BYTES = previousLimit
  await server?.payload.delete({ collection: 'recordings', where: { language: { equals: languageId } } })
  await server?.payload.delete({ collection: 'sentences', where: { language: { equals: languageId } } })
  await server?.payload.delete({ collection: 'languages', id: languageId })
  await server?.close()
})

test('with UPLOAD_MAX_BYTES=56 MB a 52 MB recording is accepted', async () => {
  const response = await upload(52 * MB)
  const body = await json(response)
  expect({ status: response.status, body: response.status === 201 ? 'created' : body }).toEqual({ status: 201, body: 'created' })
  expect(body.doc.filesize).toBe(52 * MB)
  expect(tempFiles()).toEqual([])
}, 120_000)

test('a file just over the limit is still refused with 413, streamed or declared, and leaves nothing', async () => {
  // Within the multipart allowance, so only the streaming limit can catch it.
  const streamed = await upload(LIMIT + 200 * 1024)
  expect(streamed.status).toBe(413)
  expect((await json(streamed)).errors[0].message).toMatch(/too large.*56 MB/)
  const declared = await upload(LIMIT + 2 * MB)
  expect(declared.status).toBe(413)
  expect((await json(declared)).errors[0].message).toMatch(/too large/)
  expect((await server.payload.count({ collection: 'recordings', where: { language: { equals: languageId } } })).totalDocs).toBeLessThanOrEqual(1)
  expect(tempFiles()).toEqual([])
}, 120_000)
