import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'

import { freePort, loadEmbeddedPostgres, placeCluster } from '../../src/db/embedded'
import { pluginsLeftOutForTests } from '../../src/lib/removablePlugins'

declare global {
  var __SHRUTIK_PG__: { stop: () => Promise<void> } | undefined
}

/**
 * One real PostgreSQL for the whole run: the embedded server in a throwaway directory inside the
 * project, unless DATABASE_URL is given. As root, with the project in a folder the postgres user
 * cannot enter (a checkout in /root), the cluster and a copy of the binaries go to a throwaway
 * PostgreSQL home instead, as `npm start` does with /var/lib/shrutik (src/db/embedded.ts).
 */
export default async function globalSetup() {
  const root = path.resolve('tests/.tmp', `run-${process.pid}-${randomBytes(3).toString('hex')}`)
  fs.mkdirSync(root, { recursive: true })
  process.env.SHRUTIK_TEST_ROOT = root
  process.env.SHRUTIK_DATA_DIR = path.join(root, 'data')
  process.env.PAYLOAD_SECRET = randomBytes(32).toString('hex')
  process.env.SEED_ON_EMPTY = 'false'
  process.env.LOG_LEVEL ??= 'error'
  // Every embedded cluster of this run kept outside the project goes here, and is removed with it.
  const postgresHome = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-test-pg-'))
  fs.chmodSync(postgresHome, 0o755)
  process.env.SHRUTIK_POSTGRES_HOME = path.join(postgresHome, 'home')
  process.env.SHRUTIK_TEST_POSTGRES_HOME = postgresHome
  if (process.env.DATABASE_URL) {
    // A run without some plugins (SHRUTIK_TEST_WITHOUT) migrates a database of its own, as a fresh
    // install of that configuration would: never one where the removed plugins' tables exist.
    if (pluginsLeftOutForTests().length) {
      // Dropped again by globalTeardown.
      process.env.SHRUTIK_TEST_SERVER_URL = process.env.DATABASE_URL
      process.env.DATABASE_URL = await freshDatabase(process.env.DATABASE_URL)
      process.env.SHRUTIK_TEST_FRESH_DATABASE = new URL(process.env.DATABASE_URL).pathname.slice(1)
    }
    return
  }

  const port = await freePort()
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: placeCluster(path.join(root, 'run')),
    port,
    user: 'postgres',
    password: 'test',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
  })
  await server.initialise()
  await server.start()
  await server.createDatabase('shrutik_test')
  process.env.DATABASE_URL = `postgres://postgres:test@127.0.0.1:${port}/shrutik_test`
  globalThis.__SHRUTIK_PG__ = server
}

const freshDatabase = async (serverUrl: string): Promise<string> => {
  const name = `shrutik_test_without_${randomBytes(4).toString('hex')}`
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}
