import os from 'node:os'

import { PostgresBackend } from '@agendajs/postgres-backend'
import { Agenda, backoffStrategies, type Job } from 'agenda'
import type { Payload } from 'payload'
import pg from 'pg'

import { PermanentJobError, type JobDefinition, type JobLogLevel, type JobQueue } from '../jobs'
import { setJobQueue } from '../registry'
import { provideServices, servicesOf } from '../services'
import { consoleLogger, type RuntimeLogger } from './logger'
import { ResilientNotificationChannel } from './notificationChannel'
import { guardPool } from './pools'
import { createPostgresQueue, META_KEY, type JobMeta } from './queue'
import { DEDUPE_TABLE, ensureJobSchema, JOBS_CHANNEL, JOBS_TABLE } from './schema'
import { keepUnsavedJobStates, type JobStateWriter } from './unsavedStates'

export type ProcessRole = 'web' | 'worker' | 'all'

export interface JobRuntimeOptions {
  payload: Payload
  databaseUrl: string
  jobs: JobDefinition[]
  /** `web` only enqueues; `worker` and `all` also run jobs. */
  role: ProcessRole
  /** How often a worker looks for due jobs besides being woken by NOTIFY (also how fast expired locks are found). @default 5000 */
  processEveryMs?: number
  /** Jobs run at once in this process, all names together. @default 20 */
  maxConcurrency?: number
  /** Fail queued jobs that no registered definition handles. Off only in tests that share a database. @default true */
  sweepUnknownJobs?: boolean
  /** @default JSON lines on stdout/stderr */
  logger?: RuntimeLogger
  /** Called after every run (for metrics). */
  onJobRun?: (run: { name: string; outcome: 'success' | 'failure'; seconds: number }) => void
  /** The id of the request being served when a job is enqueued, carried into the job's log lines. */
  requestId?: () => string | undefined
}

export interface JobRuntime {
  queue: JobQueue
  pool: pg.Pool
  /** Stops taking jobs, lets running ones finish for up to `timeoutMs`, then releases what is left. */
  stop: (timeoutMs: number) => Promise<void>
}

const DEFAULTS = { concurrency: 5, retries: 3, backoffMs: 1000, lockLifetimeMs: 10 * 60_000, timeoutMs: 60 * 60_000 }

class JobTimeoutError extends Error {
  override name = 'JobTimeoutError'
}

interface Running {
  controller: AbortController
}

/** A stopped runtime's queue leaves the services, unless another runtime of this instance has handed over its own since. */
const forgetQueue = (payload: Payload, queue: JobQueue): void => {
  if (servicesOf(payload).queue === queue) provideServices(payload, { queue: undefined })
}

/**
 * Starts the job system for this process: the queue always; with role `worker`/`all`, an Agenda
 * worker on the same PostgreSQL that runs every registered job.
 */
export const createJobRuntime = async (options: JobRuntimeOptions): Promise<JobRuntime> => {
  const { payload, jobs, role } = options
  const logger = options.logger ?? consoleLogger
  const onJobRun = options.onJobRun ?? (() => undefined)
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: Number(process.env.JOBS_POOL_MAX ?? 10) })
  guardPool(pool, 'jobs', logger)
  await ensureJobSchema(pool)

  const definitions = new Map(jobs.map((job) => [job.name, job]))
  const queue = createPostgresQueue(pool, definitions, options.requestId)
  // Plugins reach the queue through the services of their Payload instance; the process-wide
  // accessor stays for callers without one (deprecated).
  provideServices(payload, { queue })
  setJobQueue(queue)

  if (role === 'web') {
    return {
      queue,
      pool,
      stop: async () => {
        forgetQueue(payload, queue)
        setJobQueue(undefined)
        await pool.end()
      },
    }
  }

  const running = new Map<string, Running>()
  let refillAll = (): void => undefined
  const name = `${os.hostname()}:${process.pid}`
  const backend = new PostgresBackend({ pool, tableName: JOBS_TABLE, channelName: JOBS_CHANNEL, ensureSchema: false, disableNotifications: true })
  // How a run ended, when the database was away at that moment, is written once it is back (not after the lock expires).
  const unsaved = keepUnsavedJobStates({ writer: backend.repository as unknown as JobStateWriter, pool, owner: name, logger })
  // Our own LISTEN channel: survives a terminated connection (see notificationChannel.ts).
  const notificationChannel = new ResilientNotificationChannel({
    pool,
    channelName: JOBS_CHANNEL,
    logger,
    onReconnected: () => {
      void unsaved.flush().finally(() => refillAll())
    },
  })
  const agenda = new Agenda({
    backend,
    notificationChannel,
    name,
    processEvery: options.processEveryMs ?? Number(process.env.JOBS_PROCESS_EVERY_MS ?? 5000),
    maxConcurrency: options.maxConcurrency ?? Number(process.env.JOBS_MAX_CONCURRENCY ?? 20),
    defaultLockLifetime: DEFAULTS.lockLifetimeMs,
  })
  agenda.on('error', (error) => logger.log('error', 'job runtime error', { error: error.message }))

  const refill = createRefiller(agenda, logger)
  // Jobs enqueued while the channel was down sent their wake-up to nobody: look for them at once.
  refillAll = () => {
    for (const definition of jobs) refill(definition.name)
  }
  for (const definition of jobs) defineJob(agenda, definition, { payload, pool, running, refill, logger, onJobRun })

  await agenda.start()
  for (const definition of jobs) {
    // `every` creates one row per name (type 'single', unique in the database): many processes
    // starting at once still schedule it once.
    if (definition.every !== undefined) await agenda.every(definition.every, definition.name, undefined, { skipImmediate: true })
  }
  const sweep = () => failUnknownJobs(pool, [...definitions.keys()], logger).catch((error) => logger.log('warn', 'unknown-job sweep failed', { error: String(error) }))
  const sweeper = options.sweepUnknownJobs === false ? undefined : setInterval(sweep, 60_000)
  if (sweeper) {
    sweeper.unref()
    await sweep()
  }
  logger.log('info', 'job worker started', { jobs: jobs.map((job) => job.name) })

  return {
    queue,
    pool,
    stop: async (timeoutMs) => {
      clearInterval(sweeper)
      const result = await agenda.drain({ timeout: timeoutMs })
      if (result.timedOut && running.size > 0) {
        const ids = [...running.keys()]
        logger.log('warn', 'shutdown: jobs still running after the drain timeout are aborted and released for another worker', { ids })
        for (const { controller } of running.values()) controller.abort(new Error('the worker is shutting down'))
        // Released rows run again elsewhere at once (next_run_at now), counting as a new attempt.
        await pool.query(`UPDATE ${JOBS_TABLE} SET locked_at = NULL, next_run_at = COALESCE(next_run_at, now()) WHERE id = ANY($1::uuid[])`, [ids])
      }
      await agenda.stop()
      await unsaved.flush()
      unsaved.stop()
      forgetQueue(payload, queue)
      setJobQueue(undefined)
      await pool.end()
      logger.log('info', 'job worker stopped', { completedWhileDraining: result.completed, released: result.running })
    },
  }
}

interface AgendaProcessorInternals {
  jobProcessor?: { jobQueueFilling(name: string): Promise<void>; jobProcessing(): void }
}

/**
 * Agenda locks every due job of a name at once (one worker can hoard a whole backlog, and then
 * scans it on every pick). We cap locked-but-waiting jobs per name (`lockLimit`) and, since Agenda
 * itself only refills on its poll or a NOTIFY, refill a name as soon as one of its jobs finishes.
 */
const createRefiller = (agenda: Agenda, logger: RuntimeLogger) => {
  const state = new Map<string, { running: boolean; again: boolean }>()
  return (name: string): void => {
    const entry = state.get(name) ?? { running: false, again: false }
    state.set(name, entry)
    if (entry.running) {
      entry.again = true
      return
    }
    entry.running = true
    const run = async (): Promise<void> => {
      const processor = (agenda as unknown as AgendaProcessorInternals).jobProcessor
      if (!processor) return
      do {
        entry.again = false
        await processor.jobQueueFilling(name)
        processor.jobProcessing()
      } while (entry.again)
    }
    setImmediate(() => {
      run()
        .catch((error: Error) => logger.log('warn', 'job refill failed', { name, error: error.message }))
        .finally(() => (entry.running = false))
    })
  }
}

/** Marks a job's queued rows without a handler in this deployment as failed, with the reason. */
export const failUnknownJobs = async (pool: pg.Pool, known: string[], logger: RuntimeLogger = consoleLogger): Promise<void> => {
  const result = await pool.query(
    `UPDATE ${JOBS_TABLE}
        SET failed_at = now(), next_run_at = NULL, fail_count = COALESCE(fail_count, 0) + 1,
            fail_reason = 'No handler is registered for job "' || name || '" (was its plugin removed or renamed?). It was not run.'
      WHERE next_run_at IS NOT NULL AND locked_at IS NULL AND type = 'normal' AND NOT (name = ANY($1::text[]))`,
    [known],
  )
  if (result.rowCount) logger.log('warn', 'failed queued jobs that no plugin handles', { count: result.rowCount })
}

/** Set on an error after the job's last attempt: the one place that decides "no more retries". */
const FINAL = Symbol('shrutik.final-attempt')

/** True when this failure ends the job: a permanent error, or no retries left (runs cut short by a crash count). */
const isFinalFailure = (definition: JobDefinition, error: unknown, attempt: number): boolean =>
  (error as Error | undefined)?.name === 'PermanentJobError' || attempt > (definition.retries ?? DEFAULTS.retries)

/** Backoff: exponential up to `retries`; never after the final attempt (see `isFinalFailure`). */
const retryPolicy = (definition: JobDefinition) => {
  const exponential = backoffStrategies.exponential({
    delay: definition.backoffMs ?? DEFAULTS.backoffMs,
    // The attempt count decides (FINAL); this cap only guards against a missing mark.
    maxRetries: (definition.retries ?? DEFAULTS.retries) + 1,
    factor: 2,
    jitter: 0.1,
  })
  return (context: Parameters<typeof exponential>[0]) =>
    context.error?.name === 'PermanentJobError' || (context.error as { [FINAL]?: boolean } | undefined)?.[FINAL] ? null : exponential(context)
}

/** Counts the attempt and frees the dedupe key in one statement: from here on a new enqueue makes a new job. */
const markStarted = async (pool: pg.Pool, jobId: string, fallback: number): Promise<number> => {
  const result = await pool.query(
    `WITH freed AS (DELETE FROM ${DEDUPE_TABLE} WHERE job_id = $1)
     UPDATE ${JOBS_TABLE}
        SET data = jsonb_set(COALESCE(data, '{}'::jsonb), '{${META_KEY},attempts}',
                             to_jsonb(COALESCE((data #>> '{${META_KEY},attempts}')::int, 0) + 1), true)
      WHERE id = $1
      RETURNING (data #>> '{${META_KEY},attempts}')::int AS attempts`,
    [jobId],
  )
  return (result.rows[0]?.attempts as number | undefined) ?? fallback
}

const defineJob = (
  agenda: Agenda,
  definition: JobDefinition,
  {
    payload,
    pool,
    running,
    refill,
    logger,
    onJobRun,
  }: {
    payload: Payload
    pool: pg.Pool
    running: Map<string, Running>
    refill: (name: string) => void
    logger: RuntimeLogger
    onJobRun: NonNullable<JobRuntimeOptions['onJobRun']>
  },
): void => {
  // JOBS_LOCK_LIFETIME_MS caps every job's: how long a silent (killed) worker keeps its jobs before another takes them.
  const lockCap = Number(process.env.JOBS_LOCK_LIFETIME_MS ?? 0)
  const lockLifetime = Math.min(definition.lockLifetimeMs ?? DEFAULTS.lockLifetimeMs, lockCap > 0 ? lockCap : Infinity)
  const concurrency = definition.concurrency ?? DEFAULTS.concurrency
  const timeoutMs = definition.timeoutMs ?? DEFAULTS.timeoutMs

  agenda.define(
    definition.name,
    async (job: Job<Record<string, unknown>>) => {
      const jobId = String(job.attrs._id)
      const started = process.hrtime.bigint()
      const { [META_KEY]: meta, ...data } = (job.attrs.data ?? {}) as Record<string, unknown> & { [META_KEY]?: JobMeta }
      // Recorded before the handler starts, so a run cut short by a crash still counts.
      const attempt = await markStarted(pool, jobId, (meta?.attempts ?? 0) + 1)
      const log = (message: string, extra?: Record<string, unknown>, level: JobLogLevel = 'info') =>
        logger.log(level, message, { job: definition.name, jobId, attempt, requestId: meta?.requestId, ...extra })

      const controller = new AbortController()
      running.set(jobId, { controller })
      // Heartbeat: keeps the lock while this process is alive; if it dies, the lock expires and
      // another worker takes the job over.
      const heartbeat = setInterval(() => {
        job.touch().catch((error: Error) => logger.log('warn', 'job heartbeat failed', { jobId, error: error.message }))
      }, Math.max(250, Math.floor(lockLifetime / 3)))
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new JobTimeoutError(`Job "${definition.name}" ran longer than its ${timeoutMs} ms limit and was stopped.`)
          controller.abort(error)
          reject(error)
        }, timeoutMs)
      })
      try {
        const problem = definition.validate?.(data)
        if (problem) throw new PermanentJobError(`Invalid data for job "${definition.name}": ${problem}`)
        await Promise.race([
          definition.handler({
            data: data as never,
            payload,
            attempt,
            jobId,
            signal: controller.signal,
            touch: (progress) => job.touch(progress),
            log,
          }),
          timedOut,
        ])
        onJobRun({ name: definition.name, outcome: 'success', seconds: Number(process.hrtime.bigint() - started) / 1e9 })
      } catch (error) {
        onJobRun({ name: definition.name, outcome: 'failure', seconds: Number(process.hrtime.bigint() - started) / 1e9 })
        const final = isFinalFailure(definition, error, attempt)
        logger.log('warn', final ? 'job failed for good' : 'job attempt failed', { job: definition.name, jobId, attempt, error: (error as Error).message })
        // Duck-typed: errors from Node's core (fs, child processes) may come from another realm.
        if (final && typeof error === 'object' && error !== null) {
          ;(error as Error & { [FINAL]?: boolean })[FINAL] = true
          if (definition.onFailed) {
            await definition
              .onFailed({ data: data as never, payload, error: error as Error, attempts: attempt, jobId, log })
              .catch((problem: Error) => logger.log('error', 'job failure handler failed', { job: definition.name, jobId, error: problem.message }))
          }
        }
        throw error
      } finally {
        clearInterval(heartbeat)
        clearTimeout(timer)
        running.delete(jobId)
        refill(definition.name)
      }
    },
    {
      concurrency,
      // Locked and waiting, beyond those running: enough to keep the slots busy, few enough that
      // other workers share a backlog and a crash strands little.
      lockLimit: concurrency * 2,
      lockLifetime,
      backoff: retryPolicy(definition),
      // Keep finished rows for the admin view; a periodic cleanup can prune them.
      removeOnComplete: false,
    },
  )
}
