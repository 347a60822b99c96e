import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'

import pg from 'pg'

import { settings as readSettings, type Settings } from '../../src/lib/env'
import { createApp } from '../../src/server/app'
import { bootPayload, type Booted } from '../../src/server/boot'
import { createRateLimiters } from '../../src/server/rateLimits'
import { createJobRuntime } from '../../src/jobs/runtime'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import { CLIENT_ID_COOKIE } from '../../src/lib/clientId'

export interface TestServer {
  url: string
  booted: Booted
  payload: Booted['payload']
  settings: Settings
  close: () => Promise<void>
}

/**
 * The real Express app (ops endpoints, security headers, rate limits, Payload REST) on a random
 * port, against the run's PostgreSQL. Only Next (admin UI pages) is left out; the smoke test
 * covers it.
 */
export const startTestServer = async (overrides: Partial<Settings> = {}): Promise<TestServer> => {
  const booted = await bootPayload()
  const settings: Settings = { ...readSettings(), rateLimitStore: 'memory', ...overrides }
  const limiterPool = settings.rateLimitStore === 'postgres' ? new pg.Pool({ connectionString: booted.database.url, max: 2 }) : undefined
  const limiters = await createRateLimiters(settings, limiterPool)
  // A web process enqueues (uploads queue their processing); tests that need jobs run start a worker.
  const jobs = await createJobRuntime({ payload: booted.payload, databaseUrl: booted.database.url, jobs: getRegisteredJobs(booted.payload.config), role: 'web' })
  const app = createApp({ payload: booted.payload, config: booted.config, settings, limiters })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    booted,
    payload: booted.payload,
    settings,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await limiterPool?.end()
      await jobs.stop(1000)
      // Other test files reuse the database; only the pool goes.
      ;(booted.payload.db as unknown as { pool: pg.Pool }).pool.on('error', () => undefined)
    },
  }
}

export const uniqueEmail = (label: string): string => `${label}-${randomBytes(4).toString('hex')}@test.shrutik.local`

export type Role = 'admin' | 'reviewer' | 'contributor' | 'exporter'

export interface TestUser {
  id: number
  email: string
  password: string
  token: string
  headers: Record<string, string>
}

/** Creates a user as the system, then logs in over HTTP like a client would. */
export const createUser = async (server: TestServer, role: Role, label: string = role): Promise<TestUser> => {
  const email = uniqueEmail(label)
  const password = `pw-${randomBytes(8).toString('hex')}`
  const doc = await server.payload.create({ collection: 'users', data: { email, password, roles: [role] } })
  const token = await login(server, email, password)
  return { id: doc.id as number, email, password, token, headers: { Authorization: `JWT ${token}` } }
}

export const login = async (server: TestServer, email: string, password: string): Promise<string> => {
  const response = await fetch(`${server.url}/api/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  const body = (await response.json()) as { token?: string; errors?: unknown }
  if (!response.ok || !body.token) throw new Error(`login failed for ${email}: ${response.status} ${JSON.stringify(body)}`)
  return body.token
}

export const anonymousCookie = (): Record<string, string> => ({ Cookie: `${CLIENT_ID_COOKIE}=${randomUUID()}` })

export const json = async (response: Response): Promise<any> => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
