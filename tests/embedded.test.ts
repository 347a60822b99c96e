import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, expect, test } from '@jest/globals'
import pg from 'pg'

import { ensureDatabase } from '../src/db/embedded'

const saved = { url: process.env.DATABASE_URL, dataDir: process.env.SHRUTIK_DATA_DIR }
const dir = path.join(process.env.SHRUTIK_TEST_ROOT ?? 'tests/.tmp', 'embedded-data')

beforeAll(() => {
  delete process.env.DATABASE_URL
  process.env.SHRUTIK_DATA_DIR = dir
})
afterAll(() => {
  process.env.DATABASE_URL = saved.url
  process.env.SHRUTIK_DATA_DIR = saved.dataDir
  fs.rmSync(dir, { recursive: true, force: true })
})

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

test('with no DATABASE_URL an embedded PostgreSQL is created in the data directory, reused while running, and keeps data across restarts', async () => {
  const first = await ensureDatabase()
  expect(first.owned).toBe(true)
  expect(fs.existsSync(path.join(dir, 'postgres', 'PG_VERSION'))).toBe(true)
  await query(first.url, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$survives$$)')

  // A second process (say `shrutik seed` beside `npm start`) reuses the running server.
  const second = await ensureDatabase()
  expect(second.owned).toBe(false)
  expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'survives' }])

  await first.stop()
  const restarted = await ensureDatabase()
  try {
    expect(restarted.owned).toBe(true)
    expect(await query(restarted.url, 'SELECT note FROM kept')).toEqual([{ note: 'survives' }])
    // It listens on loopback only.
    expect(new URL(restarted.url).hostname).toBe('127.0.0.1')
  } finally {
    await restarted.stop()
  }
})
