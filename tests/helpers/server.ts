import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'

import pg from 'pg'

import { settings as readSettings, type Settings } from '../../src/lib/env'
import { createApp } from '../../src/server/app'
import { bootPayload, type Booted } from '../../src/server/boot'
import { createRateLimiters } from '../../src/server/rateLimits'
import { createJobRuntime, type JobRuntime } from '../../src/jobs/runtime'
import { getRegisteredJobs, type JobDefinition, type Role } from '@shrutik/plugin-sdk'
import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'

import { CLIENT_ID_COOKIE, newClientId, signClientId } from '../../src/lib/clientId'
import { CONSENT_COOKIE, TERMS_VERSION } from '../../src/lib/terms'

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
export type SettingsOverrides = Partial<Omit<Settings, 'rateLimits'>> & { rateLimits?: Partial<Settings['rateLimits']> }

export const startTestServer = async (overrides: SettingsOverrides = {}, { booted: given }: { booted?: Booted } = {}): Promise<TestServer> => {
  // A suite may boot its own configuration (tests/pluginRemoval/); the default is payload.config.ts, without the plugins SHRUTIK_TEST_WITHOUT names.
  const booted = given ?? (await bootPayload())
  const defaults = readSettings()
  // Suites make many contributors from one address; the adversarial suite sets these limits itself.
  const roomy = { points: 100_000, durationSec: 60 }
  const settings: Settings = {
    ...defaults,
    rateLimitStore: 'memory',
    ...overrides,
    rateLimits: { ...defaults.rateLimits, newIdentity: roomy, judge: roomy, judgeIdentity: roomy, siteRead: roomy, ...overrides.rateLimits },
  }
  const limiterPool = settings.rateLimitStore === 'postgres' ? new pg.Pool({ connectionString: booted.database.url, max: 2 }) : undefined
  const limiters = await createRateLimiters(settings, limiterPool)
  // A web process enqueues (uploads queue their processing); tests that need jobs run start a worker.
  const jobs = await createJobRuntime({ payload: booted.payload, databaseUrl: booted.database.url, jobs: getRegisteredJobs(booted.payload.config), role: 'web' })
  const app = createApp({ payload: booted.payload, config: booted.config, settings, limiters })
  const server = app.listen(0, '127.0.0.1')
  // Idle keep-alive sockets outlive the client's own idle timeout, so a client never reuses a socket
  // the server is closing at that moment (an ECONNRESET on the next request).
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
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

export type { Role }

export interface TestUser {
  id: number
  email: string
  password: string
  token: string
  headers: Record<string, string>
}

/** Creates a user as the system, then logs in over HTTP like a client would. */
export const createUser = async (server: TestServer, role: Role, label: string = role, { consented = true }: { consented?: boolean } = {}): Promise<TestUser> => {
  const email = uniqueEmail(label)
  const password = `pw-${randomBytes(8).toString('hex')}`
  // Accounts have accepted the current terms unless a test says otherwise.
  const doc = await server.payload.create({
    collection: 'users',
    data: { email, password, roles: [role], ...(consented ? { consent: { termsVersion: TERMS_VERSION, acceptedAt: new Date().toISOString() } } : {}) },
  })
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

export interface AnonymousContributor {
  clientId: string
  /** The signed client-id cookie and the consent cookie, as the site's consent endpoint sets them. */
  headers: Record<string, string>
}

/**
 * An anonymous contributor as the server issues one at consent (a `contributors` row and a signed
 * cookie), written directly so suites need not spend the per-address cap on new ids.
 * `POST /api/site/consent` itself is tested in tests/trust.test.ts.
 */
export const mintAnonymous = async (server: TestServer, { termsVersion = TERMS_VERSION }: { termsVersion?: string | null } = {}): Promise<AnonymousContributor> => {
  const clientId = newClientId()
  const db = (server.payload.db as unknown as PostgresAdapter).drizzle
  await db.execute(sql`INSERT INTO contributors (client_id, terms_version, consented_at) VALUES (${clientId}, ${termsVersion}, now())`)
  const cookie = `${CLIENT_ID_COOKIE}=${encodeURIComponent(signClientId(server.payload.secret, clientId))}; ${CONSENT_COOKIE}=${TERMS_VERSION}`
  return { clientId, headers: { Cookie: cookie } }
}

/** The cookie header of a given client id, issued (row written) on first use. */
export const cookieForClientId = async (server: TestServer, clientId: string): Promise<string> => {
  const db = (server.payload.db as unknown as PostgresAdapter).drizzle
  await db.execute(sql`INSERT INTO contributors (client_id, terms_version, consented_at) VALUES (${clientId}, ${TERMS_VERSION}, now()) ON CONFLICT (client_id) DO NOTHING`)
  return `${CLIENT_ID_COOKIE}=${encodeURIComponent(signClientId(server.payload.secret, clientId))}; ${CONSENT_COOKIE}=${TERMS_VERSION}`
}

/** Headers of a fresh anonymous contributor. */
export const anonymousCookie = async (server: TestServer): Promise<Record<string, string>> => (await mintAnonymous(server)).headers

/** A made-up client id the server never issued (what an attacker would try). */
export const forgedCookie = (): Record<string, string> => ({ Cookie: `${CLIENT_ID_COOKIE}=${randomUUID()}` })

export const json = async (response: Response): Promise<any> => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * A worker for every registered job (plus `extraJobs`), as `npm start` runs beside the web process,
 * polling fast for tests. Stop it in afterAll (`await worker.stop(…)`).
 */
export const startWorker = (server: TestServer, { extraJobs = [] }: { extraJobs?: JobDefinition[] } = {}): Promise<JobRuntime> =>
  createJobRuntime({
    payload: server.payload,
    databaseUrl: server.booted.database.url,
    jobs: [...getRegisteredJobs(server.payload.config), ...extraJobs],
    role: 'worker',
    processEveryMs: 300,
    sweepUnknownJobs: false,
  })
