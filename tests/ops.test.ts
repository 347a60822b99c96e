import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { registerGauge } from '../src/lib/metrics'
import { databaseFor } from '../src/db/transaction'
import { sql } from '@payloadcms/db-postgres'
import { startTestServer, type TestServer } from './helpers/server'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

describe('ops endpoints', () => {
  test('GET /healthz answers 200 while the process is alive', async () => {
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok' })
  })

  test('GET /readyz is 200 with the database reachable and migrations applied', async () => {
    const response = await fetch(`${server.url}/readyz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ready: true, database: 'ok', migrations: 'ok' })
  })

  test('GET /readyz is 503 and names the migration when one is not applied', async () => {
    const db = await databaseFor({ payload: server.payload } as never)
    const rows = (await db.execute(sql`SELECT name, batch FROM payload_migrations ORDER BY name DESC LIMIT 1`)).rows as {
      name: string
      batch: number
    }[]
    const latest = rows[0]
    await db.execute(sql`DELETE FROM payload_migrations WHERE name = ${latest.name}`)
    try {
      const response = await fetch(`${server.url}/readyz`)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ ready: false, migrations: 'pending', pendingMigrations: [latest.name] })
    } finally {
      await db.execute(sql`INSERT INTO payload_migrations (name, batch, updated_at, created_at) VALUES (${latest.name}, ${latest.batch}, now(), now())`)
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
  })

  test('GET /metrics is Prometheus text with the HTTP histogram, process metrics and registered gauges', async () => {
    registerGauge({ name: 'shrutik_test_gauge', help: 'a gauge registered by another module', collect: (gauge) => gauge.set(42) })
    await fetch(`${server.url}/api/languages`)
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(text).toMatch(/# TYPE http_request_duration_seconds histogram/)
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*method="GET"[^}]*route="\/api\/languages"[^}]*status="200"/)
    expect(text).toMatch(/process_resident_memory_bytes \d+/)
    expect(text).toMatch(/shrutik_test_gauge 42/)
  })

  test('/metrics answers on its exact path only (a proxy denying `= /metrics` cannot be sidestepped)', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200)
    for (const variant of ['/METRICS', '/Metrics', '/metrics/', '/METRICS/']) {
      const response = await fetch(`${server.url}${variant}`)
      expect({ variant, status: response.status }).toEqual({ variant, status: 404 })
      expect(await response.text()).not.toMatch(/http_request_duration_seconds/)
    }
  })
})

describe('every response', () => {
  test('carries a request id: a sane incoming X-Request-Id is echoed, otherwise one is generated', async () => {
    const echoed = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } })
    expect(echoed.headers.get('x-request-id')).toBe('abc-123')
    const generated = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'bad id with spaces <script>' } })
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('has security headers and a CSP that forbids framing and foreign scripts', async () => {
    const response = await fetch(`${server.url}/api/languages`)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-powered-by')).toBeNull()
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
  })
})

describe('API abuse limits', () => {
  test('list size is capped at API_MAX_LIMIT, including limit=0 and pagination=false', async () => {
    for (const query of ['limit=100000', 'limit=0', 'pagination=false&limit=5000']) {
      const body = await (await fetch(`${server.url}/api/languages?${query}`)).json()
      expect(body.limit).toBe(server.settings.apiMaxLimit)
    }
  })

  test('the cap also holds for a query sent as POST with X-HTTP-Method-Override: GET (form, JSON or URL)', async () => {
    const cap = server.settings.apiMaxLimit
    const language = await server.payload.create({ collection: 'languages', data: { code: 'ovr', name: 'Override', nativeName: 'Override' } })
    try {
      for (let start = 0; start < cap + 20; start += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, offset) =>
            server.payload.create({ collection: 'sentences', data: { text: `Override sentence number ${start + offset}`, language: language.id, status: 'approved' } }),
          ),
        )
      }
      const inLanguage = `where[language][equals]=${language.id}`
      const override = (body: string, contentType: string, query = '') =>
        fetch(`${server.url}/api/sentences${query}`, { method: 'POST', headers: { 'Content-Type': contentType, 'X-HTTP-Method-Override': 'GET' }, body })
      const answers = [
        await override(`${inLanguage}&pagination=false`, 'application/x-www-form-urlencoded'),
        await override(`${inLanguage}&limit=100000`, 'application/x-www-form-urlencoded; charset=UTF-8'),
        await override(`${inLanguage}&limit=0&limit=100000`, 'application/x-www-form-urlencoded'),
        await override('', 'text/plain', `?${inLanguage}&pagination=false`),
        await override(JSON.stringify({ limit: 100000, pagination: false }), 'application/json', `?${inLanguage}`),
      ]
      for (const response of answers) {
        expect(response.status).toBe(200)
        const body = await response.json()
        expect(body.totalDocs).toBe(cap + 20)
        expect(body.docs.length).toBeLessThanOrEqual(cap)
      }
      const tooLong = await override(`${inLanguage}&x=${'a'.repeat(300 * 1024)}`, 'application/x-www-form-urlencoded')
      expect(tooLong.status).toBe(413)
      expect((await tooLong.json()).errors[0].message).toMatch(/X-HTTP-Method-Override/)
    } finally {
      await server.payload.delete({ collection: 'sentences', where: { language: { equals: language.id } } })
      await server.payload.delete({ collection: 'languages', id: language.id })
    }
  })

  test('GraphQL is disabled', async () => {
    const response = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
    })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
  })
})
