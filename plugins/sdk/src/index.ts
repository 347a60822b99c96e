export type { EnqueueOptions, EnqueueResult, JobContext, JobDataMap, JobDefinition, JobFailureContext, JobLogLevel, JobName, JobQueue } from './jobs'
export { JobValidationError, PermanentJobError } from './jobs'
export { idOf } from './refs'
export { provideServices, servicesOf, type ServiceLogger, type ShrutikServices } from './services'
export { getFileStore, getJobQueue, getRegisteredJobs, registerJobs, setFileStore, setJobQueue } from './registry'
export { parseByteRange, serveStoredFile, type ServeStoredFileOptions } from './serveFile'
export { assertValidKey, assertValidPrefix, FileNotFoundError, joinKey, type FileStore } from './storage'
export { createLocalFileStore } from './localFileStore'
export {
  getContributorHandlers,
  registerContributorHandlers,
  type ContributorChangeResult,
  type ContributorHandlers,
  type SqlExecutor,
} from './contributors'
export { getJudgmentCounters, registerJudgmentCounter, type JudgmentCounter } from './judgments'
export {
  emit,
  getEventListeners,
  listen,
  listenerJobName,
  type EmitOptions,
  type EventContext,
  type EventDelivery,
  type EventListener,
  type EventMap,
  type EventName,
} from './events'
export { CommandError, getRegisteredCommands, registerCommands, type CommandContext, type PluginCommand, type RegisteredCommands } from './commands'
export {
  getRegisteredMigrations,
  pluginMigrationName,
  registerMigrations,
  type MigrationArgs,
  type PluginMigration,
  type RegisteredMigrations,
  type SchemaOwnership,
} from './migrations'
export { databaseFor } from './database'
export { getSegmentSource, registerSegmentSource, type SegmentSource } from './segments'
export { folderOf } from './paths'
export { hasRole, ROLES, type Role, type RoleHolder } from './roles'
export { MEDIA_TYPES, mediaTypeOf, UPLOAD_AUDIO_TYPES } from './media'
