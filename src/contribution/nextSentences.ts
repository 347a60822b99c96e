import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload, Where } from 'payload'
import pg from 'pg'

import { BCP47 } from '../../collections/Languages'
import type { ContributorIdentity } from '../access/contributor'

/** Who is served: the account and/or the browser's anonymous id (serving reads only, no consent needed). */
export type Contributor = Pick<ContributorIdentity, 'userId' | 'clientId'>

export interface ServedSentence {
  id: number
  text: string
  recordingCount: number
}

const OPEN_TO_CONTRIBUTOR = `s.language_id = $1 AND s.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.sentence_id = s.id AND (r.owner_id = $3 OR r.client_id = $4))
  AND NOT EXISTS (SELECT 1 FROM sentence_skips k WHERE k.sentence_id = s.id AND (k.user_id = $3 OR k.client_id = $4))`

/**
 * The next sentences for a contributor to read: approved, in the language, not yet recorded,
 * skipped or reported by them; the least-recorded first and, among equals, from a random point of
 * each sentence's fixed random rank (`shuffle`), so concurrent contributors spread over the corpus.
 *
 * One statement: three index range scans on (language, status, recording_count, shuffle) — the
 * lowest-count tier from the random point, the same tier before it, then higher tiers — appended
 * and cut at `limit`, so PostgreSQL stops as soon as it has enough rows. What this contributor
 * already handled is filtered by index lookups. Parameters: $1 language, $2 limit, $3 user id,
 * $4 client id, $5 random start.
 */
export const NEXT_SENTENCES_SQL = `WITH floor AS (
    SELECT recording_count AS tier FROM sentences WHERE language_id = $1 AND status = 'approved' ORDER BY recording_count LIMIT 1
  )
  SELECT id, text, recording_count FROM (
    (SELECT s.id, s.text, s.recording_count FROM sentences s
      WHERE ${OPEN_TO_CONTRIBUTOR} AND s.recording_count = (SELECT tier FROM floor) AND s.shuffle >= $5 ORDER BY s.shuffle LIMIT $2)
    UNION ALL
    (SELECT s.id, s.text, s.recording_count FROM sentences s
      WHERE ${OPEN_TO_CONTRIBUTOR} AND s.recording_count = (SELECT tier FROM floor) AND s.shuffle < $5 ORDER BY s.shuffle LIMIT $2)
    UNION ALL
    (SELECT s.id, s.text, s.recording_count FROM sentences s
      WHERE ${OPEN_TO_CONTRIBUTOR} AND s.recording_count > (SELECT tier FROM floor) ORDER BY s.recording_count, s.shuffle LIMIT $2)
  ) served LIMIT $2`

/** Prepared once per connection: planning this statement costs more than running it. */
export const NEXT_SENTENCES_STATEMENT = 'shrutik-next-sentences'

/**
 * A small pool of its own for the site's hot prepared reads, whose sessions always reuse the
 * generic plan: PostgreSQL would otherwise re-plan this statement for every random start (about
 * 1.4 ms of planning for 0.3 ms of work). Only our named statements run here, so the setting
 * touches nothing else.
 */
const readPools = new WeakMap<object, pg.Pool>()
export const siteReadPool = (payload: Payload): pg.Pool => {
  const adapter = payload.db as unknown as PostgresAdapter
  let pool = readPools.get(adapter)
  if (!pool) {
    const { connectionString } = adapter.pool.options as { connectionString?: string }
    pool = new pg.Pool({ connectionString, max: 4, idleTimeoutMillis: 30_000, allowExitOnIdle: true, options: '-c plan_cache_mode=force_generic_plan' })
    // A lost connection is replaced on next use; never an uncaught error.
    pool.on('error', () => undefined)
    readPools.set(adapter, pool)
  }
  return pool
}

export const nextSentences = async (
  payload: Payload,
  { languageId, limit, contributor, start = Math.floor(Math.random() * 2 ** 31) }: { languageId: number; limit: number; contributor: Contributor; start?: number },
): Promise<ServedSentence[]> => {
  const { rows } = await siteReadPool(payload).query<{ id: number; text: string; recording_count: string }>({
    name: NEXT_SENTENCES_STATEMENT,
    text: NEXT_SENTENCES_SQL,
    values: [languageId, limit, contributor.userId ?? null, contributor.clientId ?? null, start],
  })
  return rows.map((row) => ({ id: Number(row.id), text: row.text, recordingCount: Number(row.recording_count) }))
}

const LANGUAGE_CACHE_MS = 30_000
/**
 * Only languages that exist are cached, under their code and their id: a few dozen entries. The
 * bound is a backstop so that no request input can grow the cache without limit.
 */
export const LANGUAGE_CACHE_MAX = 256
const languages = new Map<string, { id: number; at: number }>()

/** Entries held now (for tests and diagnostics). */
export const languageCacheSize = (): number => languages.size

/**
 * An active language by code or id, cached for 30 s per process (every batch of sentences asks;
 * an admin switching a language off takes effect within half a minute). A value that is not an id
 * or a language tag is answered without a query, and a miss is not cached: a client sending
 * random codes costs one indexed lookup each, never memory. System read.
 */
export const activeLanguageId = async (payload: Payload, value: string): Promise<number | undefined> => {
  const isId = /^\d{1,9}$/.test(value)
  if (!isId && !BCP47.test(value)) return undefined
  const cached = languages.get(value)
  if (cached && Date.now() - cached.at < LANGUAGE_CACHE_MS) return cached.id
  if (cached) languages.delete(value)
  const where: Where = isId ? { id: { equals: Number(value) } } : { code: { equals: value } }
  // System read, cached for every visitor: which languages are active is public.
  const found = await payload.find({ collection: 'languages', where: { and: [where, { isActive: { equals: true } }] }, limit: 1, depth: 0, pagination: false })
  if (!found.docs[0]) return undefined
  const id = Number(found.docs[0].id)
  // Oldest out first: a Map keeps insertion order, and a refreshed entry is inserted anew.
  while (languages.size >= LANGUAGE_CACHE_MAX) languages.delete(languages.keys().next().value as string)
  languages.set(value, { id, at: Date.now() })
  return id
}
