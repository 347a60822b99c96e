import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { getFileStore, joinKey, type JobDefinition } from '@shrutik/plugin-sdk'
import type { CollectionSlug, Payload, Where } from 'payload'
import yazl from 'yazl'

import { dataDir } from '../lib/env'
import { MEDIA_FOLDERS } from '../storage'

export const BUILD_TAKEOUT = 'contributors.build-takeout'
export const TAKEOUT_DAYS = 7

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'contributors.build-takeout': { takeoutId: number }
  }
}

export const takeoutDir = (): string => path.join(dataDir(), 'takeouts')

/** Whose data: an account (with every browser linked to it) or one anonymous browser. */
export interface TakeoutContributor {
  userId?: number
  clientIds: string[]
}

const whereOwn = (contributor: TakeoutContributor, userField: string): Where => ({
  or: [
    ...(contributor.userId !== undefined ? [{ [userField]: { equals: contributor.userId } }] : []),
    ...(contributor.clientIds.length ? [{ clientId: { in: contributor.clientIds } }] : []),
  ],
})

/** Every document of `collection` this person wrote, when the collection exists (plugins may be absent). System read. */
const allOf = async (payload: Payload, collection: string, where: Where, select?: (doc: Record<string, unknown>) => unknown) => {
  if (!payload.collections[collection as CollectionSlug]) return undefined
  const rows: unknown[] = []
  for (let page = 1; ; page++) {
    const found = await payload.find({ collection: collection as CollectionSlug, where, depth: 0, limit: 500, page, overrideAccess: true })
    rows.push(...found.docs.map((doc) => (select ? select(doc as Record<string, unknown>) : doc)))
    if (!found.hasNextPage) break
  }
  return rows
}

/** Builds the zip: `shrutik-data.json` (everything held about the person) and `recordings/` (their audio as uploaded). */
export const buildTakeout = async (payload: Payload, contributor: TakeoutContributor, target: string): Promise<number> => {
  const drizzle = (payload.db as unknown as PostgresAdapter).drizzle
  const account =
    contributor.userId !== undefined
      ? await payload.findByID({ collection: 'users', id: contributor.userId, depth: 0, overrideAccess: true }).catch(() => undefined)
      : undefined
  const browsers = (
    (await drizzle.execute(
      sql`SELECT client_id, terms_version, consented_at, created_at FROM contributors WHERE client_id IN (SELECT value FROM jsonb_array_elements_text(${JSON.stringify(contributor.clientIds)}::jsonb))`,
    )) as unknown as { rows: Record<string, unknown>[] }
  ).rows
  const recordings = (await allOf(payload, 'recordings', whereOwn(contributor, 'owner'))) as Record<string, unknown>[]
  const zip = new yazl.ZipFile()
  const store = getFileStore(payload)
  const files: { id: unknown; file: string }[] = []
  for (const recording of recordings) {
    const filename = typeof recording.filename === 'string' ? recording.filename : undefined
    // From the media store (disk or S3); each file is opened only when the zip reaches it.
    const key = filename ? joinKey(MEDIA_FOLDERS.recordings, filename) : undefined
    const stored = key ? await store.stat(key) : undefined
    if (key && stored) {
      const name = `recordings/${String(recording.id)}-${filename}`
      zip.addReadStreamLazy(name, { mtime: new Date(String(recording.createdAt)), size: stored.bytes }, (done) => {
        store.get(key).then((stream) => done(null, stream), (error: unknown) => done(error, undefined as never))
      })
      files.push({ id: recording.id, file: name })
    }
  }
  const data = {
    exportedAt: new Date().toISOString(),
    account: account
      ? { id: account.id, email: account.email, name: account.name, roles: account.roles, uiLocale: account.uiLocale, demographics: account.demographics, consent: account.consent, createdAt: account.createdAt }
      : null,
    browsers,
    recordings: recordings.map((recording) => ({ ...recording, file: files.find((entry) => entry.id === recording.id)?.file ?? null })),
    transcriptions: await allOf(payload, 'transcriptions', whereOwn(contributor, 'author')),
    votes: await allOf(payload, 'votes', whereOwn(contributor, 'voter')),
    segmentSkips: await allOf(payload, 'consensus-skips', whereOwn(contributor, 'contributor')),
    sentenceSkips: await allOf(payload, 'sentence-skips', whereOwn(contributor, 'user')),
  }
  zip.addBuffer(Buffer.from(JSON.stringify(data, null, 2)), 'shrutik-data.json')
  zip.end()
  const temporary = `${target}.${randomUUID()}.part`
  try {
    await pipeline(zip.outputStream, fs.createWriteStream(temporary, { mode: 0o600 }))
    fs.renameSync(temporary, target)
  } finally {
    fs.rmSync(temporary, { force: true })
  }
  return fs.statSync(target).size
}

/** `contributors.build-takeout`: builds a requested takeout into `<data dir>/takeouts` (temp file, then rename). System job. */
export const buildTakeoutJob: JobDefinition<typeof BUILD_TAKEOUT> = {
  name: BUILD_TAKEOUT,
  retries: 3,
  backoffMs: 10_000,
  timeoutMs: 30 * 60_000,
  validate: (data) => (Number.isInteger((data as { takeoutId?: unknown })?.takeoutId) ? undefined : 'takeoutId must be a whole number'),
  async handler({ data, payload }) {
    const takeout = await payload.findByID({ collection: 'takeouts', id: data.takeoutId, depth: 0, overrideAccess: true }).catch(() => undefined)
    if (!takeout || takeout.status === 'ready') return
    const drizzle = (payload.db as unknown as PostgresAdapter).drizzle
    const userId = takeout.user === null || takeout.user === undefined ? undefined : Number(takeout.user)
    const linked =
      userId === undefined
        ? []
        : ((await drizzle.execute(sql`SELECT client_id FROM contributors WHERE user_id = ${userId}`)) as unknown as { rows: { client_id: string }[] }).rows.map((row) => row.client_id)
    const contributor: TakeoutContributor = { userId, clientIds: [...new Set([...linked, ...(takeout.clientId ? [String(takeout.clientId)] : [])])] }
    fs.mkdirSync(takeoutDir(), { recursive: true, mode: 0o700 })
    const file = `${randomUUID()}.zip`
    const bytes = await buildTakeout(payload, contributor, path.join(takeoutDir(), file))
    await payload.update({
      collection: 'takeouts',
      id: data.takeoutId,
      data: { status: 'ready', file, bytes, expiresAt: new Date(Date.now() + TAKEOUT_DAYS * 86_400_000).toISOString() },
      overrideAccess: true,
    })
  },
}
