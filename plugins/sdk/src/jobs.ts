import type { Payload, PayloadRequest } from 'payload'

/**
 * Job name → data type. Plugins add their jobs by declaration merging:
 *
 * ```ts
 * declare module '@shrutik/plugin-sdk' {
 *   interface JobDataMap {
 *     'audio-processing.process-recording': { recordingId: number }
 *   }
 * }
 * ```
 * Job data holds ids and small scalars, never documents or bytes.
 */
export interface JobDataMap {
  [name: string]: object
}

export type JobName = keyof JobDataMap & string

export interface JobContext<Data> {
  /** The data given at enqueue time (validated). */
  data: Data
  /** A Payload instance. Jobs run as the system: say so when calling the Local API. */
  payload: Payload
  /** 1 on the first run, 2 on the first retry, ... (counts runs cut short by a crash, too). */
  attempt: number
  jobId: string
  /** Extends the job's lock and records progress (0–100). The runtime also heartbeats on its own. */
  touch: (progress?: number) => Promise<void>
  /** Aborted on timeout or shutdown: pass it to child processes (`spawn(..., { signal })`) and long awaits. */
  signal: AbortSignal
  /** Structured log line tagged with the job's name, id and attempt. Tool output (ffmpeg stderr) goes at `debug`. @default level 'info' */
  log: (message: string, meta?: Record<string, unknown>, level?: JobLogLevel) => void
}

export type JobLogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A job is data: a name, a handler and a few numbers. `src/jobs` turns it into an Agenda definition. */
export interface JobDefinition<Name extends JobName = JobName> {
  /** `<plugin-slug>.<verb-noun>`, e.g. `audio-processing.process-recording`. Unique across plugins. */
  name: Name
  /** Idempotent: re-read state, write outputs atomically, rethrow failures so backoff can retry. */
  handler(context: JobContext<JobDataMap[Name]>): Promise<void>
  /** Returns a message when `data` is unusable; such a job fails at once and is not retried. */
  validate?(data: unknown): string | undefined
  /** How many of these run at once in one worker process. @default 5 */
  concurrency?: number
  /** Retries after the first failure, with exponential backoff. @default 3 */
  retries?: number
  /** First retry delay in ms; doubles each time. @default 1000 */
  backoffMs?: number
  /** Repeat on this interval ("5 minutes", "1 hour" or ms); scheduled once for the whole cluster. */
  every?: string | number
  /** If the worker stops heartbeating for this long, another worker may take the job over. @default 600000 */
  lockLifetimeMs?: number
  /** Hard limit: past it the job is failed and `signal` aborts (killing child processes). @default 3600000 */
  timeoutMs?: number
  /**
   * Called once when the job has failed for good (out of retries, or a permanent error), before it
   * is marked failed: write a terminal state a person can see (e.g. `status: 'failed'` with the
   * reason). Runs as the system. An error thrown here is logged, never retried.
   */
  onFailed?(context: JobFailureContext<JobDataMap[Name]>): Promise<void>
}

export interface JobFailureContext<Data> {
  data: Data
  payload: Payload
  /** The last attempt's error. */
  error: Error
  /** How many attempts were made. */
  attempts: number
  jobId: string
  log: JobContext<Data>['log']
}

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number
  /**
   * At most one pending (not yet started) job per name and key: a second enqueue while one waits
   * returns the waiting job. Enforced by a unique index, so concurrent enqueues cannot race.
   */
  dedupeKey?: string
  /**
   * Enqueue inside this request's database transaction (from a Payload hook): the job becomes
   * visible to workers only when the document it is about is committed, and vanishes if it is not.
   */
  req?: PayloadRequest
  /**
   * Enqueue inside this raw SQL transaction (a Drizzle transaction, as `drizzle.transaction(tx => …)`
   * hands out): the job commits with the rows it is about. Takes precedence over `req`.
   */
  db?: { execute(query: unknown): Promise<unknown> }
}

export interface EnqueueResult {
  jobId: string
  /** True when an already pending job with the same dedupe key was returned instead. */
  deduplicated: boolean
}

/** The port plugins enqueue through. */
export interface JobQueue {
  enqueue<Name extends JobName>(name: Name, data: JobDataMap[Name], options?: EnqueueOptions): Promise<EnqueueResult>
}

/** A job that must not be retried (bad data, unknown name): it fails at once with this message. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError'
}

/** Thrown by `enqueue` for an unknown job name or data its definition rejects. */
export class JobValidationError extends Error {
  override name = 'JobValidationError'
}
