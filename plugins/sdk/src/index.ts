export type { EnqueueOptions, EnqueueResult, JobContext, JobDataMap, JobDefinition, JobFailureContext, JobLogLevel, JobName, JobQueue } from './jobs'
export { JobValidationError, PermanentJobError } from './jobs'
export { idOf } from './refs'
export { getFileStore, getJobQueue, getRegisteredJobs, registerJobs, setFileStore, setJobQueue } from './registry'
export { parseByteRange, serveStoredFile, type ServeStoredFileOptions } from './serveFile'
export { assertValidKey, assertValidPrefix, FileNotFoundError, joinKey, type FileStore } from './storage'
export {
  getContributorHandlers,
  registerContributorHandlers,
  type ContributorChangeResult,
  type ContributorHandlers,
  type SqlExecutor,
} from './contributors'
export { getJudgmentCounters, registerJudgmentCounter, type JudgmentCounter } from './judgments'
