import type { Config, Payload, SanitizedConfig } from 'payload'

import type { JobDefinition, JobQueue } from './jobs'
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

/** Set by the job runtime at boot. One queue per process. */
export const setJobQueue = (queue: JobQueue | undefined): void => {
  ;(globalThis as Record<symbol, unknown>)[QUEUE_KEY] = queue
}

/** The queue to enqueue through, from hooks and endpoints. Throws if the runtime has not started. */
export const getJobQueue = (_payload?: Payload): JobQueue => {
  const queue = (globalThis as Record<symbol, JobQueue | undefined>)[QUEUE_KEY]
  if (!queue) throw new Error('The job queue is not running in this process (start Shrutik with `shrutik start` or `shrutik worker`).')
  return queue
}

/** Set by the host when Payload starts (payload.config.ts `onInit`). One store per process. */
export const setFileStore = (store: FileStore | undefined): void => {
  ;(globalThis as Record<symbol, unknown>)[FILE_STORE_KEY] = store
}

/** The media store (local folder or S3 bucket) every plugin reads and writes through. Throws if the host has not set one. */
export const getFileStore = (_payload?: Payload): FileStore => {
  const store = (globalThis as Record<symbol, FileStore | undefined>)[FILE_STORE_KEY]
  if (!store) throw new Error('No file store is set in this process: Payload has not been started with Shrutik\'s config (payload.config.ts).')
  return store
}
