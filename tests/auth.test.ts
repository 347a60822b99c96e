import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { createUser, json, login, startTestServer, uniqueEmail, type TestServer, type TestUser } from './helpers/server'

let server: TestServer
let admin: TestUser

beforeAll(async () => {
  server = await startTestServer()
  admin = await createUser(server, 'admin')
})
afterAll(async () => {
  await server?.close()
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })

describe('role escalation is refused', () => {
  test('registering with roles: ["admin"] yields a contributor', async () => {
    const email = uniqueEmail('escalate')
    const response = await post('/api/users', { email, password: 'long enough password', roles: ['admin'] })
    expect(response.status).toBe(201)
    expect((await json(response)).doc.roles).toEqual(['contributor'])
    const stored = await server.payload.find({ collection: 'users', where: { email: { equals: email } } })
    expect(stored.docs[0].roles).toEqual(['contributor'])
  })

  test('a too-short password is refused with advice', async () => {
    const response = await post('/api/users', { email: uniqueEmail('short'), password: 'abc' })
    expect(response.status).toBe(400)
    expect(JSON.stringify(await json(response))).toMatch(/8 to 256 characters/)
  })

  test('a contributor or reviewer cannot change their own roles', async () => {
    for (const role of ['contributor', 'reviewer'] as const) {
      const user = await createUser(server, role)
      const response = await fetch(`${server.url}/api/users/${user.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', ...user.headers },
        body: JSON.stringify({ roles: ['admin'], name: 'still me' }),
      })
      expect(response.ok).toBe(true)
      const stored = await server.payload.findByID({ collection: 'users', id: user.id })
      expect(stored.roles).toEqual([role])
      expect(stored.name).toBe('still me')
    }
  })

  test('an admin can grant a role (to a confirmed address)', async () => {
    const user = await createUser(server, 'contributor', 'promoted')
    // Roles need a confirmed address (tests/emailFlows.test.ts covers the refusal); confirmed as the system here.
    await server.payload.update({ collection: 'users', id: user.id, data: { emailVerified: true } })
    const response = await fetch(`${server.url}/api/users/${user.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...admin.headers },
      body: JSON.stringify({ roles: ['reviewer'] }),
    })
    expect(response.ok).toBe(true)
    expect((await server.payload.findByID({ collection: 'users', id: user.id })).roles).toEqual(['reviewer'])
  })

  test('first-register is refused once an account exists (the first admin itself: tests/firstAdmin.test.ts)', async () => {
    const count = await server.payload.count({ collection: 'users' })
    expect(count.totalDocs).toBeGreaterThan(0)
    const response = await post('/api/users/first-register', { email: uniqueEmail('late-first'), password: 'long enough password' })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
  })
})

describe('lockout', () => {
  test('repeated wrong passwords lock the account; only an admin can unlock it', async () => {
    const victim = await createUser(server, 'contributor', 'locked')
    for (let attempt = 0; attempt < server.settings.maxLoginAttempts; attempt++) {
      expect((await post('/api/users/login', { email: victim.email, password: 'wrong password' })).status).toBe(401)
    }
    // Now even the right password is refused.
    const locked = await post('/api/users/login', { email: victim.email, password: victim.password })
    expect(locked.status).toBe(401)
    expect(JSON.stringify(await json(locked))).toMatch(/locked/i)

    const other = await createUser(server, 'contributor', 'helper')
    const reviewer = await createUser(server, 'reviewer', 'helper-reviewer')
    for (const actor of [other, reviewer]) {
      const response = await post('/api/users/unlock', { email: victim.email }, actor.headers)
      expect([401, 403]).toContain(response.status)
    }
    expect((await post('/api/users/unlock', { email: victim.email })).status).toBeGreaterThanOrEqual(400)
    expect((await post('/api/users/login', { email: victim.email, password: victim.password })).status).toBe(401)

    const unlocked = await post('/api/users/unlock', { email: victim.email }, admin.headers)
    expect(unlocked.status).toBe(200)
    expect((await post('/api/users/login', { email: victim.email, password: victim.password })).status).toBe(200)
  })
})

describe('sessions', () => {
  test('logout really invalidates the token', async () => {
    const user = await createUser(server, 'contributor', 'logout')
    const me = async (token: string) => (await json(await fetch(`${server.url}/api/users/me`, { headers: { Authorization: `JWT ${token}` } }))).user
    expect((await me(user.token))?.id).toBe(user.id)
    const response = await fetch(`${server.url}/api/users/logout`, { method: 'POST', headers: user.headers })
    expect(response.status).toBe(200)
    expect(await me(user.token)).toBeNull()
    // Another session of the same user is unaffected.
    const second = await login(server, user.email, user.password)
    expect((await me(second))?.id).toBe(user.id)
  })

  test('refresh issues a new working token for the same session; logout then ends both', async () => {
    const user = await createUser(server, 'contributor', 'refresh')
    const refreshed = await json(await fetch(`${server.url}/api/users/refresh-token`, { method: 'POST', headers: user.headers }))
    expect(typeof refreshed.refreshedToken).toBe('string')
    const me = async (token: string) => (await json(await fetch(`${server.url}/api/users/me`, { headers: { Authorization: `JWT ${token}` } }))).user
    expect((await me(refreshed.refreshedToken))?.id).toBe(user.id)
    await fetch(`${server.url}/api/users/logout`, { method: 'POST', headers: { Authorization: `JWT ${refreshed.refreshedToken}` } })
    expect(await me(refreshed.refreshedToken)).toBeNull()
    expect(await me(user.token)).toBeNull()
  })

  test('a deleted account\'s token stops working at once', async () => {
    const user = await createUser(server, 'contributor', 'deleted')
    await fetch(`${server.url}/api/users/${user.id}`, { method: 'DELETE', headers: admin.headers })
    const body = await json(await fetch(`${server.url}/api/users/me`, { headers: user.headers }))
    expect(body.user).toBeNull()
  })
})
