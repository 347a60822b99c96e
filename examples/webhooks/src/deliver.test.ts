import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { deliver, isPrivateAddress, sanitizeOptions, signatureOf, WebhooksOptionsError } from '.'

/** The webhooks plugin's own rules, against a real HTTP receiver on loopback. Built on the SDK alone. */

type Received = { headers: http.IncomingHttpHeaders; body: string }
let receiver: http.Server
let base: string
const received: Received[] = []
let answer: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_request, response) => response.writeHead(204).end()

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      received.push({ headers: request.headers, body })
      answer(request, response)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})

afterAll(async () => {
  receiver.closeAllConnections()
  await new Promise((resolve) => receiver.close(resolve))
})

const SECRET = 'a-shared-secret-of-some-length'
const attempt = (overrides: Partial<Parameters<typeof deliver>[0]> = {}) =>
  deliver({ url: new URL(`${base}/hook`), deliveryId: 'd-1', event: 'segment.decided', body: '{"id":"d-1"}', secret: SECRET, allowPrivateAddresses: true, timeoutMs: 2000, ...overrides })

describe('options', () => {
  test.each([
    [{ urls: ['http://example.org/hook'], secret: SECRET }, /must use https/],
    [{ urls: ['not a url'], secret: SECRET }, /is not a URL/],
    [{ urls: ['https://user:pw@example.org/hook'], secret: SECRET }, /carries credentials/],
    [{ urls: ['https://example.org/hook'], secret: 'short' }, /at least 16 characters/],
    [{ urls: ['https://example.org/hook'] }, /at least 16 characters/],
    [{ urls: ['https://example.org/hook'], secret: SECRET, events: ['segment.exploded'] }, /unknown event "segment.exploded"/],
    [{ urls: ['https://example.org/hook'], secret: SECRET, timeoutMs: 5 }, /timeoutMs/],
    [{ urls: ['https://example.org/hook'], secret: SECRET, retries: -1 }, /retries/],
  ])('%j is refused with a message saying what to fix', (options, message) => {
    expect(() => sanitizeOptions(options as never)).toThrow(WebhooksOptionsError)
    expect(() => sanitizeOptions(options as never)).toThrow(message)
  })

  test('sensible defaults; no receivers needs no secret; http only for a private receiver', () => {
    expect(sanitizeOptions({ urls: ['https://example.org/hook'], secret: SECRET })).toMatchObject({ events: ['segment.decided'], allowPrivateAddresses: false, timeoutMs: 10_000, retries: 5, enabled: true })
    expect(sanitizeOptions({ urls: [] }).urls).toEqual([])
    expect(sanitizeOptions({ urls: ['http://127.0.0.1:9/hook'], secret: SECRET, allowPrivateAddresses: true }).urls[0].href).toBe('http://127.0.0.1:9/hook')
  })
})

describe('addresses a webhook may not reach', () => {
  test.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:10.0.0.1', true],
    ['not-an-address', true],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
    ['::ffff:93.184.216.34', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected)
  })
})

describe('one delivery attempt', () => {
  test('a signed JSON POST with the event and a delivery id the receiver can check', async () => {
    received.length = 0
    answer = (_request, response) => response.writeHead(204).end()
    expect(await attempt()).toEqual({ outcome: 'delivered', status: 204 })
    const [request] = received
    expect(request.body).toBe('{"id":"d-1"}')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['x-shrutik-event']).toBe('segment.decided')
    expect(request.headers['x-shrutik-delivery']).toBe('d-1')
    const expected = `sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`
    expect(request.headers['x-shrutik-signature']).toBe(expected)
    expect(signatureOf(SECRET, request.body)).toBe(expected)
  })

  test('a loopback receiver is refused unless private addresses are allowed, and nothing is sent', async () => {
    received.length = 0
    const result = await attempt({ allowPrivateAddresses: false })
    expect(result).toMatchObject({ outcome: 'refused' })
    expect((result as { error: string }).error).toMatch(/127\.0\.0\.1, a private or loopback address/)
    expect(received).toHaveLength(0)
    // A name that resolves to loopback is refused the same way.
    expect(await attempt({ url: new URL(base.replace('127.0.0.1', 'localhost') + '/hook'), allowPrivateAddresses: false })).toMatchObject({ outcome: 'refused' })
    expect(received).toHaveLength(0)
  })

  test.each([
    [500, 'retry'],
    [503, 'retry'],
    [429, 'retry'],
    [408, 'retry'],
    [404, 'refused'],
    [410, 'refused'],
    [302, 'refused'],
  ])('an answer %i means %s', async (status, outcome) => {
    answer = (_request, response) => response.writeHead(status, status === 302 ? { Location: 'http://169.254.169.254/' } : {}).end()
    expect(await attempt()).toMatchObject({ outcome, status })
  })

  test('no answer in time is worth retrying; an unreachable port too', async () => {
    answer = () => undefined
    const slow = await attempt({ timeoutMs: 300 })
    expect(slow).toMatchObject({ outcome: 'retry' })
    expect((slow as { error: string }).error).toMatch(/300 ms/)
    answer = (_request, response) => response.writeHead(204).end()
    expect(await attempt({ url: new URL('http://127.0.0.1:9/hook') })).toMatchObject({ outcome: 'retry' })
  })
})
