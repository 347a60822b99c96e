import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'

import { speechLike, wav } from '@shrutik/plugin-sdk/testing'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/** Downloads cut off by the client (range requests of a player that seeks, a closed tab) never leave a file open. */

let server: TestServer
let owner: TestUser
let filename: string

const openFiles = () => fs.readdirSync('/proc/self/fd').length

/** Starts a range download, reads its first chunk, then drops the connection. */
const abortedDownload = (url: string, headers: Record<string, string>) =>
  new Promise<void>((resolve, reject) => {
    const request = http.get(url, { headers: { ...headers, Range: 'bytes=0-' } }, (response) => {
      response.once('data', () => {
        request.destroy()
        resolve()
      })
      response.once('error', () => resolve())
    })
    request.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error)))
  })

beforeAll(async () => {
  server = await startTestServer()
  owner = await createUser(server, 'contributor', 'listener')
  const language = await server.payload.create({ collection: 'languages', data: { code: 'dwn', name: 'Downloadish', nativeName: 'Downloadish' } })
  const sentence = await server.payload.create({ collection: 'sentences', data: { text: 'Stream me, then hang up.', language: language.id, status: 'approved' } })
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(speechLike([{ seconds: 2 }])))], { type: 'application/octet-stream' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: language.id, mode: 'prompt', sentence: sentence.id }))
  const response = await fetch(`${server.url}/api/recordings`, { method: 'POST', headers: owner.headers, body: form })
  expect(response.status).toBe(201)
  filename = (await json(response)).doc.filename as string
  // Grown to 8 MB on disk: far more than socket and stream buffers hold, so an abandoned stream stays open.
  const staticDir = (server.payload.collections.recordings.config.upload as { staticDir: string }).staticDir
  fs.appendFileSync(path.join(staticDir, filename), Buffer.alloc(8 * 1024 * 1024))
}, 60_000)

afterAll(async () => {
  await server?.close()
})

test('30 range downloads aborted after their first chunk leave no file handle open', async () => {
  const url = `${server.url}/api/recordings/file/${filename}`
  // One complete request first, so lazily opened handles (pools, caches) are counted in the baseline.
  const whole = await fetch(url, { headers: owner.headers })
  expect(whole.status).toBe(200)
  await whole.arrayBuffer()
  const before = openFiles()
  for (let i = 0; i < 30; i++) await abortedDownload(url, owner.headers)
  // Closing is asynchronous: give the streams a moment to be torn down.
  const deadline = Date.now() + 5000
  while (openFiles() > before + 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  expect(openFiles()).toBeLessThanOrEqual(before + 3)
})

test('a range request gets exactly its bytes, with the safe download headers', async () => {
  const url = `${server.url}/api/recordings/file/${filename}`
  const whole = Buffer.from(await (await fetch(url, { headers: owner.headers })).arrayBuffer())
  const part = await fetch(url, { headers: { ...owner.headers, Range: 'bytes=10-19' } })
  expect(part.status).toBe(206)
  expect(part.headers.get('content-range')).toBe(`bytes 10-19/${whole.length}`)
  expect(part.headers.get('content-disposition')).toBe('attachment')
  expect(part.headers.get('x-content-type-options')).toBe('nosniff')
  expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(10, 20))
  expect((await fetch(url, { headers: { ...owner.headers, Range: `bytes=${whole.length + 5}-` } })).status).toBe(416)
  // Whoever may not read the recording gets nothing.
  expect((await fetch(url)).status).toBeGreaterThanOrEqual(400)
})
