import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import type { JobRuntime } from '../src/jobs/runtime'
import { sineWav } from './helpers/audio'
import { createUser, json, mintAnonymous, startTestServer, startWorker, type TestServer, type TestUser } from './helpers/server'
import { asUser, call, createLanguage, createSentence, eventually, vote } from './helpers/fixtures'
import { hasPlugin, testWith } from './helpers/plugins'

/**
 * The example webhooks plugin installed in the real host: a processed recording and a decided
 * segment reach two receivers as signed POSTs, after their commit, recorded per receiver.
 */

const SECRET = 'webhook-secret-for-the-tests'
const BIN = path.resolve(import.meta.dirname, '../bin/shrutik.mjs')
type Received = { path: string; headers: http.IncomingHttpHeaders; body: Record<string, any>; raw: string }
const received: Received[] = []
let receiver: http.Server
let base: string
let server: TestServer
let worker: JobRuntime
let languageId: number
let sentenceId: number
let admin: TestUser
let voters: TestUser[]

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk) => (raw += chunk))
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(raw), raw })
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  // Read when the config loads (at the server's boot below).
  process.env.WEBHOOK_URLS = `${base}/first, ${base}/second?token=path-secret-token`
  process.env.WEBHOOK_SECRET = SECRET
  process.env.WEBHOOK_EVENTS = 'recording.processed,segment.decided'
  process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = 'true'
  server = await startTestServer()
  worker = await startWorker(server)
  ;[admin, ...voters] = await Promise.all([createUser(server, 'admin', 'webhooks-admin'), ...[0, 1].map((index) => createUser(server, 'contributor', `webhooks-voter-${index}`))])
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId)
}, 60_000)

afterAll(async () => {
  await worker?.stop(5000)
  await server?.close()
  receiver?.closeAllConnections()
  await new Promise((resolve) => receiver?.close(resolve))
  for (const name of ['WEBHOOK_URLS', 'WEBHOOK_SECRET', 'WEBHOOK_EVENTS', 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES']) delete process.env[name]
})

/** The CLI in a child process, without blocking this process (the receiver answers from here). */
const shrutik = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '', ...env } }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })

const deliveredTo = (event: string, match: (data: Record<string, any>) => boolean) => received.filter((entry) => entry.body.event === event && match(entry.body.data))

describe('webhooks in the host', () => {
  let recordingId: number
  let segmentId: number

  testWith(['audio-processing'], 'a processed recording reaches both receivers, signed, once each', async () => {
    const speaker = await mintAnonymous(server)
    const form = new FormData()
    form.append('file', new Blob([sineWav(1)], { type: 'audio/wav' }), 'take.wav')
    form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
    const upload = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: speaker.headers, body: form })
    expect(upload.status).toBe(201)
    recordingId = (await json(upload)).doc.id
    const posts = await eventually(async () => deliveredTo('recording.processed', (data) => data.recordingId === recordingId), (found) => found.length >= 2, 30_000)
    expect(posts.map((post) => post.path).sort()).toEqual(['/first', '/second?token=path-secret-token'])
    for (const post of posts) {
      expect(post.headers['x-shrutik-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(post.raw).digest('hex')}`)
      expect(post.body).toMatchObject({ event: 'recording.processed', data: { recordingId, status: 'ready' } })
      expect(post.headers['x-shrutik-delivery']).toBe(post.body.id)
    }
    segmentId = posts[0].body.data.segmentIds[0]
    expect(new Set(posts.map((post) => post.body.id)).size).toBe(2)
  })

  testWith(['audio-processing', 'consensus'], 'a segment decided by the crowd is announced; each delivery is recorded without the URL’s secret path', async () => {
    for (const voter of voters) expect((await vote(server, asUser(voter), segmentId, true)).status).toBe(201)
    const posts = await eventually(async () => deliveredTo('segment.decided', (data) => data.segmentId === segmentId), (found) => found.length >= 2, 30_000)
    expect(posts[0].body.data).toMatchObject({ segmentId, status: 'accepted', decidedBy: 'crowd' })
    const rows = await eventually(
      // System read of the plugin's collection, reached through the config.
      async () =>
        (await server.payload.find({ collection: 'webhook-deliveries' as never, where: { event: { equals: 'segment.decided' } }, sort: '-createdAt', limit: 100, depth: 0 })).docs as unknown as {
          status: string
          payload: unknown
        }[],
      (list) => list.filter((row) => (row as any).payload.data.segmentId === segmentId && row.status === 'delivered').length === 2,
      15_000,
    )
    const mine = rows.filter((row) => (row as any).payload.data.segmentId === segmentId)
    expect(mine.map((row) => (row as any).receiver)).toEqual([base, base])
    expect(JSON.stringify(mine)).not.toContain('path-secret-token')
    for (const row of mine) expect(row).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 204 })
  })

  test('only admins read the deliveries', async () => {
    expect((await call(server, 'GET', '/api/webhook-deliveries', asUser(voters[0]))).status).toBe(403)
    expect((await call(server, 'GET', '/api/webhook-deliveries')).status).toBe(403)
    const listed = await call(server, 'GET', '/api/webhook-deliveries?limit=1', asUser(admin))
    expect(listed.status).toBe(200)
    // Two per announcement above (each needs its plugins).
    const announced = (hasPlugin('audio-processing') ? 1 : 0) + (hasPlugin('audio-processing') && hasPlugin('consensus') ? 1 : 0)
    expect((await json(listed)).totalDocs).toBeGreaterThanOrEqual(2 * announced)
    expect((await call(server, 'POST', '/api/webhook-deliveries', asUser(admin), { deliveryId: 'forged' })).status).toBe(403)
  })

  test('shrutik webhooks ping posts a signed test event to every receiver; with none configured it says so', async () => {
    const before = received.length
    const ping = await shrutik(['webhooks', 'ping'])
    expect(ping.stderr).not.toMatch(/Error/)
    expect(ping.status).toBe(0)
    expect(ping.stdout).toMatch(new RegExp(`${base.replace(/[.:/]/g, '\\$&')}: delivered \\(204\\)`))
    expect(received.slice(before).filter((entry) => entry.body.event === 'ping')).toHaveLength(2)
    const none = await shrutik(['webhooks', 'ping'], { WEBHOOK_URLS: '' })
    expect(none.status).toBe(78)
    expect(none.stderr).toMatch(/No webhook receivers are configured \(WEBHOOK_URLS\)/)
  }, 200_000)
})
