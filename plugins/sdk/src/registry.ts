import type { Config, Payload, SanitizedConfig } from 'payload'

import type { JobDefinition, JobQueue } from './jobs'
import { servicesOf } from './services'
import type { FileStore } from './storage'

const JOBS_KEY = 'shrutikJobs'
const QUEUE_KEY = Symbol.for('shrutik.jobQueue')
const FILE_STORE_KEY = Symbol.for('shrutik.fileStore')

type AnyJobDefinition = JobDefinition
type ConfigWithJobs = { custom?: Record<string, unknown> }

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/

/**
 * Adds a plugin's jobs to the Payload config. Names must look like `<slug>.<verb-noun>` and be
 * unique across all plugins: a duplicate stops the boot with a message naming it.
 */
export const registerJobs = <C extends Config>(config: C, jobs: AnyJobDefinition[]): C => {
  const existing = getRegisteredJobs(config)
  const seen = new Set(existing.map((job) => job.name))
  for (const job of jobs) {
    if (!NAME.test(job.name)) {
      throw new Error(`Job name "${job.name}" must look like "<plugin-slug>.<verb-noun>", e.g. "audio-processing.process-recording".`)
    }
    if (seen.has(job.name)) throw new Error(`Job "${job.name}" is registered twice; two plugins (or one plugin twice) define it.`)
    seen.add(job.name)
  }
  return { ...config, custom: { ...config.custom, [JOBS_KEY]: [...existing, ...jobs] } }
}

/** Every job registered on a (raw or sanitized) config. */
export const getRegisteredJobs = (config: ConfigWithJobs | Config | SanitizedConfig): AnyJobDefinition[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[JOBS_KEY] as AnyJobDefinition[] | undefined) ?? []

/**
 * @deprecated Hosts hand the queue to plugins through `provideServices(payload, { queue })`. Kept
 * as the fallback of `getJobQueue()` for callers that have no Payload instance at hand.
 */
export const setJobQueue = (queue: JobQueue | undefined): void => {
  ;(globalThis as Record<symbol, unknown>)[QUEUE_KEY] = queue
}

/**
 * The queue to enqueue through, from hooks, endpoints and jobs: the one the host handed `payload`
 * (see `provideServices`). Without `payload`, the process's last started queue (deprecated).
 * Throws if the runtime has not started.
 */
export const getJobQueue = (payload?: Payload): JobQueue => {
  const queue = (payload && servicesOf(payload).queue) ?? (globalThis as Record<symbol, JobQueue | undefined>)[QUEUE_KEY]
  if (!queue) throw new Error('The job queue is not running in this process (start Shrutik with `shrutik start` or `shrutik worker`).')
  return queue
}

/** @deprecated Hosts hand the store to plugins through `provideServices(payload, { fileStore })`; kept as the fallback of `getFileStore()`. */
export const setFileStore = (store: FileStore | undefined): void => {
  ;(globalThis as Record<symbol, unknown>)[FILE_STORE_KEY] = store
}

/** The media store (local folder or S3 bucket) the host handed `payload` (see `provideServices`). Throws if the host has not set one. */
export const getFileStore = (payload?: Payload): FileStore => {
  const store = (payload && servicesOf(payload).fileStore) ?? (globalThis as Record<symbol, FileStore | undefined>)[FILE_STORE_KEY]
  if (!store) throw new Error('No file store is set in this process: Payload has not been started with Shrutik\'s config (payload.config.ts).')
  return store
}
