import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { emit } from '@shrutik/plugin-sdk'
import { applyPluginMigrations, startTestHost, type TestHost } from '@shrutik/plugin-sdk/testing'

import { DELIVER, recentDeliveries, webhooksPlugin } from '../src'

const SECRET = 'a-test-secret-of-some-length'
const received: { headers: http.IncomingHttpHeaders; body: string }[] = []
const receiver = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    received.push({ headers: req.headers, body })
    res.writeHead(204).end()
  })
})
let host: TestHost

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  // A minimal host from the SDK's test kit: the plugin's own migrations, the real job runtime.
  host = await startTestHost({ plugins: [webhooksPlugin({ urls: [url], secret: SECRET, allowPrivateAddresses: true, events: ['segment.decided'] })] })
})

afterAll(async () => {
  await host?.stop()
  receiver.close()
})

test('the plugin migrations create its collection, and an event reaches the receiver signed, through real jobs', async () => {
  expect(host.migrations).toEqual([expect.stringMatching(/^webhooks:\d{8}_\d{6}_baseline$/)])
  await emit(host.payload, 'segment.decided', { segmentId: 7, status: 'accepted', decidedBy: 'crowd', text: 'hello' })
  await host.settle()

  expect(received).toHaveLength(1)
  const [{ headers, body }] = received
  expect(JSON.parse(body)).toMatchObject({ event: 'segment.decided', data: { segmentId: 7 } })
  expect(headers['x-shrutik-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`)
  const [delivery] = await recentDeliveries(host.payload, 'segment.decided')
  expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 })
})

test('a delivery job for an unknown delivery does nothing and succeeds (idempotent re-runs)', async () => {
  const outcome = await host.runJob(DELIVER, { deliveryId: 'no-such-delivery' })
  expect(outcome).toMatchObject({ failed: false, attempts: 1 })
  expect(received).toHaveLength(1)
})

test('the migration is recorded as the host records it, and applying again changes nothing', async () => {
  const recorded = await host.payload.find({ collection: 'payload-migrations', limit: 0, pagination: false, depth: 0 })
  expect(recorded.docs.map((doc) => (doc as { name?: string }).name)).toEqual(host.migrations)
  expect(await applyPluginMigrations(host.payload)).toEqual([])
})
