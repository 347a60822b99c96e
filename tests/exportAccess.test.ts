import { afterAll, beforeAll, expect, test } from '@jest/globals'

import { call, createLanguage } from './helpers/fixtures'
import { anonymousCookie, createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/**
 * Exports and the host's anonymous contributors: a visitor holding the signed client-id and consent
 * cookies the site issues is, to the installed export plugin, nobody: no export is created, listed,
 * cancelled or downloaded with them. (The export plugin's own access tests, on the SDK test kit,
 * cover accounts of every role.)
 */

let server: TestServer
let admin: TestUser
let languageId: number

beforeAll(async () => {
  server = await startTestServer()
  admin = await createUser(server, 'admin', 'export-access-admin')
  languageId = await createLanguage(server)
})

afterAll(async () => {
  await server?.close()
})

test('an anonymous contributor cookie gets 401/403 creating, cancelling or downloading an export, and lists none', async () => {
  const created = await call(server, 'POST', '/api/dataset-exports', { headers: admin.headers }, { language: languageId, format: 'cv', seed: 1 })
  expect(created.status).toBe(201)
  const id = (await json(created)).doc.id as number
  const headers = await anonymousCookie(server)
  const create = await call(server, 'POST', '/api/dataset-exports', { headers }, { language: languageId, format: 'cv', seed: 1 })
  expect([401, 403]).toContain(create.status)
  const download = await fetch(`${server.url}/api/export/exports/${id}/download`, { headers })
  expect([401, 403]).toContain(download.status)
  const cancel = await call(server, 'POST', `/api/export/exports/${id}/cancel`, { headers })
  expect([401, 403]).toContain(cancel.status)
  const list = await json(await call(server, 'GET', '/api/dataset-exports', { headers }))
  expect(list.docs ?? []).toHaveLength(0)
})
