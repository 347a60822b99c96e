import { afterAll, describe, expect, test } from '@jest/globals'

import { settings as readSettings } from '../src/lib/env'
import { json, startTestServer, uniqueEmail, type TestServer } from './helpers/server'

const tight = (store: 'memory' | 'postgres') => {
  const base = readSettings()
  return {
    rateLimitStore: store,
    rateLimits: {
      login: { points: 3, durationSec: 60 },
      register: { points: 2, durationSec: 60 },
      passwordReset: { points: 2, durationSec: 60 },
      upload: { points: 2, durationSec: 60 },
    },
    apiMaxLimit: base.apiMaxLimit,
  } as const
}

const servers: TestServer[] = []

/** Each test starts from an empty shared store (the table outlives a single test server). */
const startClean = async (store: 'memory' | 'postgres'): Promise<TestServer> => {
  const server = await startTestServer(tight(store))
  servers.push(server)
  if (store === 'postgres') {
    await (server.payload.db as unknown as { pool: { query: (q: string) => Promise<unknown> } }).pool.query('DELETE FROM rate_limits')
  }
  return server
}

afterAll(async () => {
  for (const server of servers) await server.close()
})

const post = (server: TestServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

describe.each(['memory', 'postgres'] as const)('rate limits (%s store)', (store) => {
  test('login: past the limit a 429 with Retry-After and a readable message', async () => {
    const server = await startClean(store)
    const email = uniqueEmail('rl')
    for (let i = 0; i < 3; i++) expect((await post(server, '/api/users/login', { email, password: 'x' })).status).toBe(401)
    const limited = await post(server, '/api/users/login', { email, password: 'x' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await json(limited)).errors[0].message).toMatch(/Too many sign-in attempts/)
  })

  test('registration, password reset and uploads are limited too; other routes are not', async () => {
    const server = await startClean(store)
    const statuses = async (path: string, body: () => unknown, times: number) => {
      const result: number[] = []
      for (let i = 0; i < times; i++) result.push((await post(server, path, body())).status)
      return result
    }
    // Some account exists, whatever ran before (on an empty database registration asks for the first-admin setup token).
    await server.payload.create({ collection: 'users', data: { email: uniqueEmail('rl-existing'), password: 'long enough password', roles: ['contributor'] } })
    const register = await statuses('/api/users', () => ({ email: uniqueEmail('rl-reg'), password: 'long enough password' }), 3)
    expect(register.slice(0, 2)).toEqual([201, 201])
    expect(register[2]).toBe(429)
    const reset = await statuses('/api/users/forgot-password', () => ({ email: uniqueEmail('rl-reset') }), 3)
    expect(reset[2]).toBe(429)
    const upload = await statuses('/api/recordings', () => ({}), 3)
    expect(upload[2]).toBe(429)
    const reads = await Promise.all(Array.from({ length: 10 }, () => fetch(`${server.url}/api/languages`)))
    expect(reads.every((response) => response.status === 200)).toBe(true)
  })
})

test('the PostgreSQL store is shared: a second web process sees the first one\'s count', async () => {
  const first = await startClean('postgres')
  const second = await startTestServer(tight('postgres'))
  servers.push(second)
  const email = uniqueEmail('shared')
  // Both "processes" see the same client IP; the limiters share one table.
  expect((await post(first, '/api/users/login', { email, password: 'x' })).status).toBe(401)
  expect((await post(second, '/api/users/login', { email, password: 'x' })).status).toBe(401)
  expect((await post(first, '/api/users/login', { email, password: 'x' })).status).toBe(401)
  expect((await post(second, '/api/users/login', { email, password: 'x' })).status).toBe(429)
})
