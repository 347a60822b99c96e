import { randomBytes } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type pg from 'pg'

import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/**
 * Long sentence lists get an estimated count (src/db/estimatedCount.ts): through the real REST API
 * on real PostgreSQL, with 20,000 sentences of one language (above the 1,000 a count is estimated from).
 */

let server: TestServer
let admin: TestUser
let language: number
const ROWS = 20_000
const COMMON = 'সাধারণ'
const RARE = `বিরল${randomBytes(2).toString('hex')}`
const pool = () => (server.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

beforeAll(async () => {
  server = await startTestServer()
  admin = await createUser(server, 'admin', 'estimated-admin')
  const letters = Array.from(randomBytes(4), (byte) => String.fromCharCode(97 + (byte % 26)))
  // A BCP-47 tag unlikely to meet another suite's: a private-use-looking language with a region.
  const code = `q${letters[0]}${letters[1]}-${letters[2].toUpperCase()}${letters[3].toUpperCase()}`
  language = Number((await server.payload.create({ collection: 'languages', data: { code, name: `Estimates ${code}`, nativeName: 'বাংলা' } })).id)
  // Straight into the table (as a bulk import would): half the sentences share a common word, 25 a rare one.
  await pool().query(
    `INSERT INTO sentences (text, language_id, normalized_hash, status, domain, licence, recording_count, shuffle)
     SELECT CASE WHEN g <= 25 THEN $3 || ' বাক্য ' || g || '।' WHEN g % 2 = 0 THEN $2 || ' বাক্য ' || g || '।' ELSE 'অন্য বাক্য ' || g || '।' END,
            $1, md5($4 || g), 'pending', 'general', 'CC0-1.0', 0, g
       FROM generate_series(1, ${ROWS}) g`,
    [language, COMMON, RARE, code],
  )
  await pool().query('ANALYZE sentences')
}, 120_000)

afterAll(async () => {
  await pool().query('DELETE FROM sentences WHERE language_id = $1', [language])
  if (language) await server.payload.delete({ collection: 'languages', id: language })
  await server?.close()
})

const list = async (query: string) => {
  const response = await fetch(`${server.url}/api/sentences?depth=0&limit=10&page=1&sort=-createdAt&where[and][0][language][equals]=${language}${query}`, { headers: admin.headers })
  expect(response.status).toBe(200)
  return (await json(response)) as { docs: unknown[]; totalDocs: number; totalPages: number; totalDocsEstimated?: boolean }
}

describe('estimated counts for long lists', () => {
  test('a list of tens of thousands says its count is an estimate, close to the truth', async () => {
    const all = await list('')
    expect(all.totalDocsEstimated).toBe(true)
    expect(all.docs).toHaveLength(10)
    expect(all.totalDocs).toBeGreaterThan(ROWS * 0.8)
    expect(all.totalDocs).toBeLessThan(ROWS * 1.25)
    expect(all.totalPages).toBe(Math.ceil(all.totalDocs / 10))
  })

  test('paging through an estimated list reaches every sentence, and the last page says where it ends', async () => {
    // A loop over every page, as system code writes it (REST caps a page at 100; the Local API does not).
    const ids = new Set<unknown>()
    let pages = 0
    for (let page = 1; page < 20; page++) {
      const found = (await server.payload.find({ collection: 'sentences', depth: 0, limit: 3000, page, sort: 'id', where: { language: { equals: language } } })) as Awaited<
        ReturnType<typeof server.payload.find>
      > & { totalDocsEstimated?: boolean }
      for (const doc of found.docs) ids.add(doc.id)
      pages += 1
      if (page === 1) expect(found.totalDocsEstimated).toBe(true)
      if (!found.hasNextPage) {
        // A short last page knows the exact total.
        expect(found.totalDocs).toBe(ROWS)
        expect(found.totalDocsEstimated).toBeUndefined()
        break
      }
    }
    expect(ids.size).toBe(ROWS)
    expect(pages).toBe(Math.ceil(ROWS / 3000))
  })

  test('a search matching few sentences is counted exactly, and says nothing of estimates', async () => {
    const rare = await list(`&where[and][1][text][like]=${encodeURIComponent(RARE)}`)
    expect(rare.totalDocsEstimated).toBeUndefined()
    expect(rare.totalDocs).toBe(25)
    const none = await list(`&where[and][1][text][like]=${encodeURIComponent('নেইএমন')}`)
    expect(none.totalDocs).toBe(0)
  })

  test('payload.count stays exact, and other collections are never estimated', async () => {
    const { totalDocs } = await server.payload.count({ collection: 'sentences', where: { language: { equals: language } } })
    expect(totalDocs).toBe(ROWS)
    const languages = await fetch(`${server.url}/api/languages?limit=1`, { headers: admin.headers }).then(async (r) => (await json(r)) as Record<string, unknown>)
    expect(languages.totalDocsEstimated).toBeUndefined()
  })

  test('sorting the list by text walks an index (no sort of every sentence)', async () => {
    // The ORDER BY Payload writes for ?sort=text and ?sort=-text (its tie-break is created_at descending).
    for (const order of ['"text" ASC, "created_at" DESC', '"text" DESC, "created_at" DESC']) {
      const { rows } = await pool().query(`EXPLAIN SELECT id FROM sentences ORDER BY ${order} LIMIT 10`)
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n')
      expect(plan).toMatch(/sentences_text_created_at_idx/u)
    }
  })
})
