import { randomBytes } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import pg from 'pg'

import { issueFirstAdminSetupToken } from '../src/lib/firstAdminSetup'
import { json, startTestServer, uniqueEmail, type TestServer } from './helpers/server'

/**
 * The first admin of an empty install: only with the one-time setup token printed at start, never
 * by the first anonymous registration. Runs on a database of its own, so it really is empty.
 */

const sharedUrl = process.env.DATABASE_URL as string
const database = `shrutik_first_admin_${randomBytes(4).toString('hex')}`
let server: TestServer

const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: sharedUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${database}`)
  const url = new URL(sharedUrl)
  url.pathname = `/${database}`
  process.env.DATABASE_URL = url.toString()
  server = await startTestServer()
}, 120_000)

afterAll(async () => {
  await server?.close()
  process.env.DATABASE_URL = sharedUrl
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined)
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const account = () => ({ email: uniqueEmail('first'), password: 'a long first password' })
const users = async () => (await server.payload.find({ collection: 'users', limit: 10, depth: 0 })).docs
const removeAllUsers = () => server.payload.delete({ collection: 'users', where: { id: { exists: true } } })

describe('the first admin of an empty install', () => {
  test('an anonymous registration on an empty database is refused with where to find the setup link; nothing is created', async () => {
    expect(await users()).toEqual([])
    await issueFirstAdminSetupToken(server.payload)
    for (const path of ['/api/users', '/api/users/first-register']) {
      const response = await post(path, { ...account(), 'confirm-password': 'a long first password', roles: ['admin'] })
      expect(response.status).toBe(403)
      expect((await json(response)).errors[0].message).toMatch(/setup link.*server log.*users:create-admin/)
    }
    const forged = await post('/api/users/first-register', account(), { 'X-Setup-Token': randomBytes(32).toString('base64url') })
    expect(forged.status).toBe(403)
    expect(await users()).toEqual([])
  })

  test('the setup link sets an HttpOnly cookie, with which the first registration becomes the admin, once', async () => {
    const token = (await issueFirstAdminSetupToken(server.payload)) as string
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const link = await fetch(`${server.url}/admin/create-first-user?setup=${token}`, { redirect: 'manual' })
    expect(link.status).toBe(303)
    expect(link.headers.get('location')).toBe('/admin/create-first-user')
    const cookie = link.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^shrutik-setup=[A-Za-z0-9_-]{43};/)
    expect(cookie).toMatch(/HttpOnly/i)

    const first = account()
    const created = await post('/api/users/first-register', { ...first, 'confirm-password': first.password }, { Cookie: cookie.split(';')[0] })
    expect(created.status).toBe(200)
    expect((await users()).map((user) => user.roles)).toEqual([['admin']])

    // Spent: the link says so, and a later registration with the token is an ordinary contributor.
    const again = await fetch(`${server.url}/admin/create-first-user?setup=${token}`, { redirect: 'manual' })
    expect(again.status).toBe(403)
    expect(await again.text()).toMatch(/admin account exists already/)
    const later = await post('/api/users', account(), { 'X-Setup-Token': token })
    expect(later.status).toBe(201)
    expect((await json(later)).doc.roles).toEqual(['contributor'])

    // Even on an empty database again, the used token does not work a second time.
    await removeAllUsers()
    const reused = await post('/api/users/first-register', { ...account(), 'confirm-password': 'a long first password' }, { 'X-Setup-Token': token })
    expect(reused.status).toBe(403)
    expect(await users()).toEqual([])
  })

  test('two registrations racing with the same token: exactly one admin', async () => {
    await removeAllUsers()
    const token = (await issueFirstAdminSetupToken(server.payload)) as string
    const answers = await Promise.all(
      [account(), account(), account()].map((first) => post('/api/users/first-register', { ...first, 'confirm-password': first.password }, { 'X-Setup-Token': token })),
    )
    expect(answers.filter((response) => response.status === 200)).toHaveLength(1)
    expect(answers.every((response) => response.status === 200 || (response.status >= 400 && response.status < 500))).toBe(true)
    expect((await users()).filter((user) => (user.roles as string[]).includes('admin'))).toHaveLength(1)
  })

  test('a wrong or missing setup link is refused with advice; no token is issued once an account exists', async () => {
    const wrong = await fetch(`${server.url}/admin/create-first-user?setup=not-a-token`, { redirect: 'manual' })
    expect(wrong.status).toBe(403)
    expect(await issueFirstAdminSetupToken(server.payload)).toBeUndefined()
  })
})
