import fs from 'node:fs'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'

import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { exportSettings, selectClips } from '@shrutik/plugin-export'
import type { SqlExecutor } from '@shrutik/plugin-sdk'

import type { JobRuntime } from '../src/jobs/runtime'
import { withdraw } from '../src/contribution/withdrawal'
import { mediaDir } from '../src/lib/env'
import { sineWav } from './helpers/audio'
import { type AnonymousContributor, createUser, json, mintAnonymous, startTestServer, startWorker, type TestServer, type TestUser } from './helpers/server'
import { asUser, call, createLanguage, createSentence, eventually, sqlRows, vote } from './helpers/fixtures'
import { hasPlugin, testWith } from './helpers/plugins'

/** Self-service: a person downloads what is held about them, and withdraws (also by deleting the account). */

let server: TestServer
let worker: JobRuntime
let languageId: number
let sentenceIds: number[]
let admin: TestUser
let listener: TestUser
const processing = hasPlugin('audio-processing')
// Votes are the consensus plugin's, on the audio plugin's segments.
const judging = processing && hasPlugin('consensus')

const upload = async (headers: Record<string, string>, sentence: number) => {
  const form = new FormData()
  form.append('file', new Blob([sineWav(2)], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence }))
  const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers, body: form })
  expect(response.status).toBe(201)
  const created = (await json(response)).doc as { id: number; filename: string }
  const id = created.id
  // Processed into a segment by the audio plugin; left pending without it (SHRUTIK_TEST_WITHOUT).
  if (!processing) return { id, filename: created.filename, segment: 0 }
  const doc = await eventually(
    () => server.payload.findByID({ collection: 'recordings', id, depth: 0 }) as Promise<Record<string, any>>,
    (value) => ['ready', 'rejected', 'failed'].includes(value.audio?.status),
    30_000,
  )
  expect(doc.audio.status).toBe('ready')
  const segment = (await server.payload.find({ collection: 'segments', where: { recording: { equals: id } }, depth: 0 })).docs[0]
  return { id, filename: doc.filename as string, segment: segment.id as number }
}

/** One file out of a zip (local headers; what yazl writes), for checking a takeout. */
const unzipEntry = (zip: Buffer, name: string): Buffer | undefined => {
  for (let at = zip.indexOf('PK\x03\x04'); at !== -1; at = zip.indexOf('PK\x03\x04', at + 4)) {
    const method = zip.readUInt16LE(at + 8)
    let size = zip.readUInt32LE(at + 18)
    const nameLength = zip.readUInt16LE(at + 26)
    const extra = zip.readUInt16LE(at + 28)
    const entry = zip.subarray(at + 30, at + 30 + nameLength).toString()
    const start = at + 30 + nameLength + extra
    if (entry !== name) continue
    if (size === 0) size = zip.indexOf('PK', start) - start
    const data = zip.subarray(start, start + size)
    return method === 8 ? inflateRawSync(data) : data
  }
  return undefined
}

const entryNames = (zip: Buffer): string[] => {
  const names: string[] = []
  for (let at = zip.indexOf('PK\x01\x02'); at !== -1; at = zip.indexOf('PK\x01\x02', at + 4)) {
    names.push(zip.subarray(at + 46, at + 46 + zip.readUInt16LE(at + 28)).toString())
  }
  return names
}

beforeAll(async () => {
  server = await startTestServer()
  worker = await startWorker(server)
  languageId = await createLanguage(server)
  sentenceIds = [await createSentence(server, languageId), await createSentence(server, languageId), await createSentence(server, languageId)]
  ;[admin, listener] = await Promise.all([createUser(server, 'admin', 'withdraw-admin'), createUser(server, 'contributor', 'withdraw-listener')])
})

afterAll(async () => {
  await worker?.stop(1000)
  await server?.close()
})

describe('takeout and withdrawal of an anonymous contributor', () => {
  let person: AnonymousContributor
  let takes: Awaited<ReturnType<typeof upload>>[]
  let othersSegment: number

  beforeAll(async () => {
    person = await mintAnonymous(server)
    takes = [await upload(person.headers, sentenceIds[0]), await upload(person.headers, sentenceIds[1])]
    othersSegment = (await upload(listener.headers, sentenceIds[2])).segment
    // Without either plugin (SHRUTIK_TEST_WITHOUT) the person has only recordings.
    if (judging) {
      expect((await vote(server, person, othersSegment, true)).status).toBe(201)
      expect((await vote(server, asUser(listener), takes[0].segment, true)).status).toBe(201)
    }
  })

  test('the takeout zip holds their recordings and everything about them as JSON', async () => {
    const asked = await call(server, 'POST', '/api/site/takeout', person)
    expect(asked.status).toBe(202)
    const listed = await eventually(
      async () => (await json(await call(server, 'GET', '/api/site/takeout', person))).docs as { status: string; downloadUrl: string | null }[],
      (docs) => docs[0]?.status === 'ready',
      30_000,
    )
    // Nobody else can fetch it.
    expect((await call(server, 'GET', listed[0].downloadUrl!, asUser(listener))).status).toBe(404)
    const download = await call(server, 'GET', listed[0].downloadUrl!, person)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toMatch(/attachment/)
    const zip = Buffer.from(await download.arrayBuffer())
    const names = entryNames(zip)
    for (const take of takes) expect(names).toContain(`recordings/${take.id}-${take.filename}`)
    const data = JSON.parse(unzipEntry(zip, 'shrutik-data.json')!.toString())
    expect(data.recordings.map((recording: { id: number }) => recording.id).sort()).toEqual(takes.map((take) => take.id).sort())
    if (judging) expect(data.votes).toHaveLength(1)
    else expect(data).not.toHaveProperty('votes')
    expect(data.browsers[0].client_id).toBe(person.clientId)
  })

  test('withdrawal removes their clips from serving and totals at once, deletes the files by a job, and keeps a tombstone without personal data', async () => {
    const refused = await call(server, 'POST', '/api/site/withdraw', person, {})
    expect(refused.status).toBe(400)
    expect(JSON.stringify(await json(refused))).toMatch(/confirm/)
    const before = (await json(await fetch(`${server.url}/api/site/stats`))) as { contributors: number }
    const count = async (id: number) => (await sqlRows<{ recording_count: number }>(server, sql`SELECT recording_count FROM sentences WHERE id = ${id}`))[0].recording_count

    const withdrawn = await call(server, 'POST', '/api/site/withdraw', person, { confirm: true })
    expect(withdrawn.status).toBe(202)
    const result = await json(withdrawn)
    expect(result).toMatchObject({ ok: true, recordings: 2, votes: judging ? 1 : 0 })
    expect(withdrawn.headers.getSetCookie().some((line) => /^shrutik_cid=;/.test(line))).toBe(true)

    // At once: not served to listeners, not counted, the sentences open again.
    if (judging) {
      const served = (await json(await call(server, 'GET', `/api/consensus/next-validation?language=${languageId}&limit=20`, asUser(admin)))).docs as { id: number }[]
      for (const take of takes) expect(served.map((doc) => doc.id)).not.toContain(take.segment)
    }
    expect(Number(await count(sentenceIds[0]))).toBe(0)
    const stats = (await json(await fetch(`${server.url}/api/site/stats?fresh=${Date.now()}`))) as { contributors: number }
    expect(stats.contributors).toBeLessThanOrEqual(before.contributors)
    // Their vote is gone; the browser id no longer works.
    if (judging) expect(await sqlRows(server, sql`SELECT count(*)::int AS n FROM votes WHERE client_id = ${person.clientId}`)).toEqual([{ n: 0 }])
    expect((await call(server, 'POST', '/api/site/takeout', person)).status).toBe(401)

    // The job deletes the recordings with their files.
    await eventually(
      () => sqlRows<{ status: string }>(server, sql`SELECT status FROM withdrawals WHERE id = ${result.withdrawalId}`),
      (rows) => rows[0]?.status === 'done',
      30_000,
    )
    for (const take of takes) {
      expect(fs.existsSync(path.join(mediaDir(), 'recordings', take.filename))).toBe(false)
      expect(fs.existsSync(path.join(mediaDir(), 'processed', String(take.id)))).toBe(false)
    }
    expect(await sqlRows(server, sql`SELECT count(*)::int AS n FROM recordings WHERE id IN (${takes[0].id}, ${takes[1].id})`)).toEqual([{ n: 0 }])
    // The tombstone: counts, no person.
    const columns = (await sqlRows<{ column_name: string }>(server, sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'withdrawals'`)).map((row) => row.column_name)
    expect(columns.filter((column) => /user|client|email|^ip|address/.test(column))).toEqual([])
    const audit = await call(server, 'GET', '/api/withdrawals?limit=100', asUser(admin))
    expect(((await json(audit)).docs as { id: number }[]).map((doc) => doc.id)).toContain(result.withdrawalId)
    expect((await call(server, 'GET', '/api/withdrawals', asUser(listener))).status).toBe(403)
  })
})

describe('exports after a withdrawal', () => {
  // The export plugin's clips are the audio plugin's segments.
  testWith(['audio-processing', 'export'], 'a withdrawn contributor’s clips are absent from the next export, and counted as removed', async () => {
    const person = await mintAnonymous(server)
    const take = await upload(person.headers, sentenceIds[0])
    const { code } = (await server.payload.findByID({ collection: 'languages', id: languageId, depth: 0 })) as unknown as { code: string }
    const request = { language: code, format: 'cv', include: 'all' as const }
    const before = await selectClips(server.payload, exportSettings(server.payload), request)
    expect(before.clips.map((clip) => clip.id)).toContain(take.segment)
    // Withdrawn in a transaction of its own, the purge not yet run: the export must skip the clip.
    const drizzle = (server.payload.db as unknown as PostgresAdapter).drizzle
    await drizzle.transaction(async (tx) => {
      await withdraw(tx as unknown as SqlExecutor, server.payload, { kind: 'anonymous', clientIds: [person.clientId] })
    })
    const after = await selectClips(server.payload, exportSettings(server.payload), request)
    expect(after.clips.map((clip) => clip.id)).not.toContain(take.segment)
    expect(after.withdrawn).toBeGreaterThanOrEqual(1)
  })
})

describe('account deletion', () => {
  test('deleting an account withdraws it: recordings and files go, a tombstone stays', async () => {
    const user = await createUser(server, 'contributor', 'deleted-account')
    const take = await upload(user.headers, sentenceIds[2])
    expect((await call(server, 'DELETE', `/api/users/${user.id}`, asUser(admin))).status).toBe(200)
    const [tombstone] = await sqlRows<{ id: number; recordings: string; kind: string }>(server, sql`SELECT id, recordings, kind FROM withdrawals ORDER BY id DESC LIMIT 1`)
    expect(tombstone).toMatchObject({ kind: 'account-deleted' })
    expect(Number(tombstone.recordings)).toBe(1)
    await eventually(() => sqlRows<{ n: number }>(server, sql`SELECT count(*)::int AS n FROM recordings WHERE id = ${take.id}`), (rows) => rows[0].n === 0, 30_000)
    expect(fs.existsSync(path.join(mediaDir(), 'recordings', take.filename))).toBe(false)
  })
})
