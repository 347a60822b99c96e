import type { Payload } from 'payload'

import type { JobLogLevel, JobQueue } from './jobs'
import type { FileStore } from './storage'

/** A structured logger (winston's fits): one JSON line per call. */
export interface ServiceLogger {
  log(level: JobLogLevel, message: string, meta?: Record<string, unknown>): void
}

/**
 * What the host hands every plugin when Payload starts: the job queue to enqueue through, the media
 * store, a logger, and the host's settings. Read them from the Payload instance a hook, endpoint or
 * job is given (`servicesOf(payload)`, or `getJobQueue(payload)` / `getFileStore(payload)`), never
 * from a global, so two Payload instances in one process (two test hosts, say) never cross.
 */
export interface ShrutikServices {
  /** Present once the job runtime has started in this process (web and worker processes alike). */
  queue?: JobQueue
  /** The media store (local folder or S3 bucket). */
  fileStore?: FileStore
  logger?: ServiceLogger
  /** Host settings a plugin may read (public site URL, data folder, ...); plugins take their own options as plugin options. */
  settings?: Readonly<Record<string, unknown>>
}

// On the instance under a registry-wide symbol, so two copies of the SDK (its source and its build) agree.
const SERVICES = Symbol.for('shrutik.services')

type WithServices = { [SERVICES]?: ShrutikServices }

/**
 * Hands services to the plugins of one Payload instance: called by the host (and the test kit) from
 * the config's `onInit` and when the job runtime starts. Merges with what was provided before.
 */
export const provideServices = (payload: Payload, services: ShrutikServices): ShrutikServices => {
  const target = payload as unknown as WithServices
  target[SERVICES] = { ...target[SERVICES], ...services }
  return target[SERVICES]
}

/** The services the host handed this Payload instance (empty before `onInit`). */
export const servicesOf = (payload: Payload): ShrutikServices => (payload as unknown as WithServices | undefined)?.[SERVICES] ?? {}
