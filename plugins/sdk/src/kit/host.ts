import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { postgresAdapter, type PostgresAdapter } from '@payloadcms/db-postgres'
import { buildConfig, getPayload, handleEndpoints, type CollectionConfig, type Payload, type Plugin, type SanitizedConfig } from 'payload'

import type { JobDataMap, JobDefinition, JobName } from '../jobs'
import { createLocalFileStore } from '../localFileStore'
import { getRegisteredMigrations, pluginMigrationName } from '../migrations'
import { getRegisteredJobs } from '../registry'
import { ROLES, type Role } from '../roles'
import { createJobRuntime, type JobRuntime, type ProcessRole } from '../runtime/runtime'
import { JOBS_TABLE } from '../runtime/constants'
import type { RuntimeLogger } from '../runtime/logger'
import { provideServices, type ShrutikServices } from '../services'
import type { FileStore } from '../storage'
import { coreCollections, createTestUser, type TestUser } from './core'
import { startTestDatabase, type TestDatabase } from './database'

export interface TestConfigOptions {
  databaseUrl: string
  /** The plugins under test, in order (as a host lists them). */
  plugins?: Plugin[]
  /** Collections a plugin needs from its host (the kit has only `users`; `coreCollections()` gives the core ones). */
  collections?: CollectionConfig[]
  /** Services handed to the plugins in `onInit` (the queue is added when the job runtime starts). */
  services?: ShrutikServices
  /** @default a random one */
  secret?: string
}

/** The kit's own accounts: email and password, a display `name` (as Shrutik's accounts have), with the SDK's roles. */
export const testUsersCollection: CollectionConfig = {
  slug: 'users',
  auth: true,
  access: { read: () => true, create: () => true, update: () => true, delete: () => true },
  fields: [
    { name: 'name', type: 'text' },
    { name: 'roles', type: 'select', hasMany: true, options: [...ROLES], defaultValue: ['contributor'] },
  ],
}

/**
 * A minimal Payload config for a plugin's tests: PostgreSQL at `databaseUrl` (no schema push: the
 * schema comes from migrations, the plugin's own among them), a `users` collection, the host
 * collections a plugin needs (`collections`), and `plugins`. The host's services reach the plugins
 * through `onInit`, as they do in Shrutik.
 */
export const createTestConfig = ({ databaseUrl, plugins = [], collections = [], services = {}, secret = randomBytes(24).toString('hex') }: TestConfigOptions): Promise<SanitizedConfig> =>
  buildConfig({
    secret,
    telemetry: false,
    // Nothing is written into the project under test (Payload would generate its types file there).
    typescript: { autoGenerate: false },
    admin: { user: 'users', importMap: { autoGenerate: false } },
    db: postgresAdapter({ pool: { connectionString: databaseUrl, max: 5 }, push: false, tablesFilter: ['!agenda_*'] }),
    // Shallow copies: Payload's sanitizing writes into the collection objects it is given (their
    // flattened fields, say), and the kit builds more than one config from the same ones (the core
    // schema's, then the host's, where plugins add fields a stale copy would hide from the adapter).
    collections: [testUsersCollection, ...collections].map((collection) => ({ ...collection })),
    plugins,
    logger: { options: { level: (process.env.LOG_LEVEL as 'error' | undefined) ?? 'error' } },
    onInit: async (payload) => {
      provideServices(payload, services)
    },
  })

export interface TestHostOptions extends Omit<TestConfigOptions, 'databaseUrl'> {
  /** @default a fresh one from `startTestDatabase()`, removed by `stop()` */
  database?: TestDatabase
  /** `all` runs the registered jobs in this process; `web` only enqueues. @default 'all' */
  role?: ProcessRole
  /**
   * Push the plugins' schema from their config instead of applying their migrations: for a new
   * plugin before its first migration (`migrate:create --plugin`). Off, a missing or wrong
   * migration fails the tests, as it would fail a host. @default false
   */
  pushPluginSchema?: boolean
  /**
   * Install the core collections (`coreCollections()`: languages, sentences, recordings,
   * transcriptions, withdrawals) before `collections`, and, unless `services.fileStore` is given, a file store
   * in a temporary folder (`host.files`), removed by `stop()`. @default false
   */
  core?: boolean
  /** Where the job runtime writes its lines (the jobs' `log` calls among them). @default JSON lines on stdout/stderr */
  logger?: RuntimeLogger
  /**
   * Join the `database` another test host set up (a worker in a child process, say): no schema push,
   * no migrations, and `stop()` leaves the database as it is. Give it the same plugins, collections
   * and file store as that host. @default false
   */
  attach?: boolean
}

export interface TestWorkerOptions {
  /** Adjusts the registered job definitions this worker runs (a shorter backoff or timeout for a test). */
  jobs?: (registered: JobDefinition[]) => JobDefinition[]
  /** @default the host's `logger` */
  logger?: RuntimeLogger
  /** @default 300 */
  processEveryMs?: number
}

export interface JobOutcome {
  jobId: string
  name: string
  failed: boolean
  failReason: string | null
  attempts: number
}

export interface TestHost {
  payload: Payload
  database: TestDatabase
  runtime: JobRuntime
  /** Plugin migrations applied at start, as recorded (`<plugin>:<name>`). */
  migrations: string[]
  /** The file store handed to the plugins, and its folder when the kit made it (`core: true`). */
  files: { store?: FileStore; dir?: string }
  /**
   * A request through Payload's REST handler (the collections' REST API and every plugin
   * endpoint, with Payload's authentication: pass a user's `headers`), without an HTTP server.
   * `path` starts with `/api/`.
   */
  fetch: (path: string, init?: RequestInit) => Promise<Response>
  /**
   * Starts a worker of its own on this host, as `shrutik worker` runs beside a web process: with
   * `role: 'web'`, a test decides when jobs run, and with which definitions. Stop it when done;
   * the host's queue then serves enqueues again.
   */
  startWorker: (options?: TestWorkerOptions) => Promise<JobRuntime>
  /** An account with `role`, logged in (`headers` for `fetch`, `user` for the Local API). */
  createUser: (role?: Role, label?: string) => Promise<TestUser>
  /** Enqueues a job through the real queue and waits until the real worker has finished it (throws if it failed for good). */
  runJob: <Name extends JobName>(name: Name, data: JobDataMap[Name], options?: { timeoutMs?: number }) => Promise<JobOutcome>
  /** Waits until no job is queued or running (jobs that enqueue others included); throws after `timeoutMs` (default 30 s). */
  settle: (options?: { timeoutMs?: number }) => Promise<void>
  /** Stops the worker, closes Payload and removes the database. */
  stop: () => Promise<void>
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const withTimeout = (promise: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())])

const close = async (payload: Payload): Promise<void> => {
  const pool = (payload.db as unknown as PostgresAdapter).pool
  pool.on('error', () => undefined)
  await withTimeout(payload.destroy(), 2000)
  await withTimeout(pool.end(), 2000)
}

/**
 * Creates the schema a host would have before the plugins' migrations: Payload's own tables and the
 * `users` and extra collections, pushed from a config without the plugins (with them, under
 * `pushPluginSchema`). The plugins' tables and columns then come from their migrations only, so a
 * missing or wrong migration fails the test.
 */
const createCoreSchema = async (options: TestHostOptions, databaseUrl: string): Promise<void> => {
  const config = await createTestConfig({ ...options, databaseUrl, plugins: options.pushPluginSchema ? options.plugins : [] })
  const payload = await getPayload({ config, key: `shrutik-kit-core-${randomBytes(6).toString('hex')}` })
  try {
    const adapter = payload.db as unknown as PostgresAdapter & {
      requireDrizzleKit: () => { pushSchema: (...args: unknown[]) => Promise<{ apply: () => Promise<void> }> }
      schema: unknown
      tablesFilter?: string[]
    }
    const { apply } = await adapter.requireDrizzleKit().pushSchema(adapter.schema, adapter.drizzle, undefined, adapter.tablesFilter, undefined)
    await apply()
  } finally {
    await close(payload)
  }
}

/**
 * Applies the migrations every plugin in `payload`'s config registered (`registerMigrations`), in
 * plugin order, recorded as `<plugin>:<name>` as Shrutik records them; those already applied are
 * skipped. Returns the names applied now.
 */
export const applyPluginMigrations = async (payload: Payload): Promise<string[]> => {
  const pluginMigrations = getRegisteredMigrations(payload.config).flatMap(({ plugin, migrations }) =>
    migrations.map((migration) => ({ ...migration, name: pluginMigrationName(plugin, migration.name) })),
  )
  // System read (the migration runner's own table), no user: the Local API's default access applies.
  const before = new Set(((await payload.find({ collection: 'payload-migrations', limit: 0, pagination: false, depth: 0 })).docs as { name?: string }[]).map((doc) => doc.name))
  await payload.db.migrate({ migrations: pluginMigrations as never })
  return pluginMigrations.map((migration) => migration.name).filter((name) => !before.has(name))
}

/**
 * A minimal Shrutik host for a plugin's integration tests: a throwaway PostgreSQL database, Payload
 * with the plugins, the plugins' migrations applied (as `shrutik migrate` does), and the real job
 * runtime (Agenda on the same database, the code Shrutik itself runs).
 *
 * ```ts
 * const host = await startTestHost({ plugins: [myPlugin({ ... })] })
 * await host.runJob('my-plugin.do-thing', { id: 1 })
 * await host.stop()
 * ```
 */
export const startTestHost = async (given: TestHostOptions = {}): Promise<TestHost> => {
  let mediaDir: string | undefined
  let options = given
  if (given.core) {
    let fileStore = given.services?.fileStore
    if (!fileStore) {
      mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-kit-media-'))
      fileStore = createLocalFileStore({ root: path.join(mediaDir, 'media'), scratchRoot: path.join(mediaDir, 'scratch') })
    }
    options = { ...given, collections: [...coreCollections(), ...(given.collections ?? [])], services: { ...given.services, fileStore } }
  }
  const removeMedia = () => {
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true })
  }
  if (options.attach && !options.database) throw new Error('startTestHost: `attach` joins a database another host set up: give it as `database`.')
  const database = options.database ?? (await startTestDatabase().catch((error: unknown) => {
    removeMedia()
    throw error
  }))
  const key = `shrutik-kit-${randomBytes(6).toString('hex')}`
  let payload: Payload | undefined
  let runtime: JobRuntime | undefined
  let applied: string[] = []
  try {
    if (!options.attach) await createCoreSchema(options, database.url)
    const config = await createTestConfig({ ...options, databaseUrl: database.url })
    payload = await getPayload({ config, key })
    if (!options.pushPluginSchema && !options.attach) applied = await applyPluginMigrations(payload)
    runtime = await createJobRuntime({
      payload,
      databaseUrl: database.url,
      jobs: getRegisteredJobs(payload.config),
      role: options.role ?? 'all',
      processEveryMs: 500,
      sweepUnknownJobs: false,
      logger: options.logger,
    })
  } catch (error) {
    await runtime?.stop(1000).catch(() => undefined)
    if (payload) await close(payload).catch(() => undefined)
    if (!options.database) await database.stop().catch(() => undefined)
    removeMedia()
    throw error
  }
  const ready = { payload, runtime }

  const outcomeOf = async (jobId: string): Promise<JobOutcome | undefined> => {
    const row = (
      await ready.runtime.pool.query(
        `SELECT name, next_run_at, locked_at, last_finished_at, failed_at, fail_reason, (data #>> '{__shrutik,attempts}')::int AS attempts
           FROM ${JOBS_TABLE} WHERE id = $1`,
        [jobId],
      )
    ).rows[0] as { name: string; next_run_at: Date | null; locked_at: Date | null; last_finished_at: Date | null; failed_at: Date | null; fail_reason: string | null; attempts: number | null } | undefined
    if (!row) throw new Error(`Job ${jobId} is gone from the queue.`)
    if (row.next_run_at !== null || row.locked_at !== null || row.last_finished_at === null) return undefined
    const failed = row.failed_at !== null && row.failed_at.getTime() >= row.last_finished_at.getTime()
    return { jobId, name: row.name, failed, failReason: failed ? row.fail_reason : null, attempts: row.attempts ?? 0 }
  }

  return {
    payload,
    database,
    runtime,
    migrations: applied,
    files: { store: options.services?.fileStore, dir: mediaDir && path.join(mediaDir, 'media') },
    fetch: (requestPath, init) =>
      handleEndpoints({ config: ready.payload.config, payloadInstanceCacheKey: key, request: new Request(new URL(requestPath, 'http://localhost'), init) }),
    createUser: (role, label) => createTestUser(ready.payload, role, label),
    async startWorker({ jobs = (registered: JobDefinition[]) => registered, logger = options.logger, processEveryMs = 300 } = {}) {
      const worker = await createJobRuntime({
        payload: ready.payload,
        databaseUrl: database.url,
        jobs: jobs(getRegisteredJobs(ready.payload.config)),
        role: 'worker',
        processEveryMs,
        sweepUnknownJobs: false,
        logger,
      })
      return {
        ...worker,
        async stop(timeoutMs) {
          await worker.stop(timeoutMs)
          // Enqueues go through the host's own queue again.
          provideServices(ready.payload, { queue: ready.runtime.queue })
        },
      }
    },
    async runJob(name, data, { timeoutMs = 30_000 } = {}) {
      const { jobId } = await ready.runtime.queue.enqueue(name, data)
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const outcome = await outcomeOf(jobId)
        if (outcome?.failed) throw new Error(`Job "${name}" (${jobId}) failed: ${outcome.failReason}`)
        if (outcome) return outcome
        if (Date.now() > deadline) throw new Error(`Job "${name}" (${jobId}) did not finish within ${timeoutMs} ms.`)
        await pause(50)
      }
    },
    async settle({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const { rows } = await ready.runtime.pool.query(`SELECT count(*)::int AS open FROM ${JOBS_TABLE} WHERE type = 'normal' AND (next_run_at IS NOT NULL OR locked_at IS NOT NULL)`)
        if ((rows[0] as { open: number }).open === 0) return
        if (Date.now() > deadline) throw new Error(`Jobs were still queued or running after ${timeoutMs} ms.`)
        await pause(50)
      }
    },
    async stop() {
      await ready.runtime.stop(2000)
      await close(ready.payload)
      if (!options.database) await database.stop()
      removeMedia()
    },
  }
}
