/**
 * The job runtime: Agenda 6 on the same PostgreSQL as Payload, with a transactional, deduplicating
 * queue. The host starts it once per process; the test kit (`@shrutik/plugin-sdk/testing`) starts
 * the same code for a plugin's own tests. Plugins never import it: they register jobs and enqueue
 * through the queue their services hand them.
 */
export { createJobRuntime, failUnknownJobs, type JobRuntime, type JobRuntimeOptions, type ProcessRole } from './runtime'
export { createPostgresQueue, META_KEY, type JobMeta } from './queue'
export { DEDUPE_TABLE, ensureJobSchema, JOBS_CHANNEL, JOBS_TABLE } from './schema'
export { ResilientNotificationChannel, reconnectDelayMs, type ReconnectDelayOptions, type ResilientChannelOptions } from './notificationChannel'
export { keepUnsavedJobStates, type JobStateWriter, type UnsavedJobStates } from './unsavedStates'
export { guardPool } from './pools'
export { databaseFor } from './transaction'
export { consoleLogger, type RuntimeLogger } from './logger'
