import { randomBytes } from 'node:crypto'

import { expect } from '@jest/globals'
import { buildConfig } from 'payload'
import pg from 'pg'

import { createConfig, type RemovablePlugin } from '../../payload.config'
import { bootPayload } from '../../src/server/boot'
import { TERMS_VERSION } from '../../src/lib/terms'
import type { JobRuntime } from '../../src/jobs/runtime'
import { sineWav } from './audio'
import { createUser, json, mintAnonymous, startTestServer, startWorker, type TestServer, type TestUser } from './server'

/**
 * The platform without one plugin, for the removal suites (tests/pluginRemoval/): the host's
 * configuration built by `createConfig({ without })`, booted on a new, empty database (every
 * migration of that configuration applied). One platform per test file: Payload's REST handlers
 * find their instance in a per-file cache under the default key.
 */

export const eventually = async <T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (check(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export interface Platform {
  server: TestServer
  worker: JobRuntime
  admin: TestUser
  languageId: number
  code: string
  sentenceIds: number[]
  close: () => Promise<void>
}

/** The host without `plugin`, on a database of its own, with a worker and an admin. */
export const bootWithout = async (plugin: RemovablePlugin): Promise<Platform> => {
  const name = `without_${plugin.replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`
  const maintenance = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await maintenance.connect()
  await maintenance.query(`CREATE DATABASE ${name}`)
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${name}`
  const booted = await bootPayload({ config: buildConfig(createConfig({ without: [plugin], databaseUrl: url.toString() })) })
  booted.database = { url: url.toString(), owned: false, stop: async () => undefined }
  const server = await startTestServer({}, { booted })
  const worker = await startWorker(server)
  const admin = await createUser(server, 'admin', `without-${plugin}`)
  // A language of this database alone (a private-use code).
  const code = 'qaa'
  const languageId = (await server.payload.create({ collection: 'languages', data: { code, name: 'Removal', nativeName: 'Removal' } })).id as number
  const sentenceIds: number[] = []
  for (let i = 0; i < 3; i++) {
    const sentence = await server.payload.create({ collection: 'sentences', data: { text: `Removal sentence number ${i} to read.`, language: languageId, status: 'approved' } })
    sentenceIds.push(sentence.id as number)
  }
  return {
    server,
    worker,
    admin,
    languageId,
    code,
    sentenceIds,
    close: async () => {
      await worker.stop(1000)
      await server.close()
      await booted.close()
      // A connection still closing keeps the database: it goes with the run's throwaway cluster then.
      await maintenance.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined)
      await maintenance.end()
    },
  }
}

export const get = (platform: Platform, path: string, headers: Record<string, string> = {}) => fetch(`${platform.server.url}${path}`, { headers })

/** Serving, an upload by an anonymous contributor, the dashboard and readiness: what every configuration offers. */
export const coreFlows = async (platform: Platform): Promise<number> => {
  expect((await get(platform, '/readyz')).status).toBe(200)
  const served = await get(platform, `/api/site/next-sentences?language=${platform.code}&limit=5`)
  expect(served.status).toBe(200)
  expect(((await json(served)).sentences as { id: number }[]).map((sentence) => sentence.id).sort()).toEqual([...platform.sentenceIds].sort())
  const contributor = await mintAnonymous(platform.server)
  const form = new FormData()
  form.append('file', new Blob([sineWav(1.5)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: platform.languageId, mode: 'prompt', sentence: platform.sentenceIds[0], consentVersion: TERMS_VERSION }))
  const uploaded = await fetch(`${platform.server.url}/api/recordings?depth=0`, { method: 'POST', headers: contributor.headers, body: form })
  expect(uploaded.status).toBe(201)
  const dashboard = await get(platform, '/api/dashboard', platform.admin.headers)
  expect(dashboard.status).toBe(200)
  return (await json(uploaded)).doc.id as number
}

/** Asks for an export over the REST API as the admin and waits for it to end. */
export const exportOnce = async (platform: Platform, include: 'accepted' | 'all') => {
  const response = await fetch(`${platform.server.url}/api/dataset-exports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...platform.admin.headers },
    body: JSON.stringify({ language: platform.languageId, format: 'cv', include, seed: 1 }),
  })
  expect(response.status).toBe(201)
  const id = (await json(response)).doc.id as number
  return eventually(
    () => platform.server.payload.findByID({ collection: 'dataset-exports', id, depth: 0 }) as Promise<Record<string, any>>,
    (doc) => ['done', 'failed', 'cancelled'].includes(doc.status),
    90_000,
  )
}
