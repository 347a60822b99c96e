import type { Payload } from 'payload'

export { subscribeRunning } from './events'

import {
  JobValidationError,
  PermanentJobError,
  type EnqueueOptions,
  type EnqueueResult,
  type JobDataMap,
  type JobDefinition,
  type JobLogLevel,
  type JobName,
  type JobQueue,
} from './jobs'

export interface RecordedEnqueue {
  name: string
  data: unknown
  options: Omit<EnqueueOptions, 'req'>
  jobId: string
}

/**
 * An in-memory queue for plugin tests: records what was enqueued (with dedupe semantics) and
 * runs nothing. Pass `definitions` to have names and data validated as the real queue does.
 */
export const createMemoryQueue = (definitions: JobDefinition[] = []) => {
  const enqueued: RecordedEnqueue[] = []
  const byName = new Map(definitions.map((definition) => [definition.name, definition]))
  let counter = 0
  const queue: JobQueue & { enqueued: RecordedEnqueue[]; clear: () => void; take: (name: string) => RecordedEnqueue[] } = {
    enqueued,
    clear: () => void enqueued.splice(0),
    take: (name) => enqueued.filter((entry) => entry.name === name),
    async enqueue<Name extends JobName>(name: Name, data: JobDataMap[Name], options: EnqueueOptions = {}): Promise<EnqueueResult> {
      if (definitions.length > 0) {
        const definition = byName.get(name)
        if (!definition) throw new JobValidationError(`Unknown job "${name}".`)
        const problem = definition.validate?.(data)
        if (problem) throw new JobValidationError(`Invalid data for job "${name}": ${problem}`)
      }
      const { req: _req, ...rest } = options
      if (options.dedupeKey) {
        const existing = enqueued.find((entry) => entry.name === name && entry.options.dedupeKey === options.dedupeKey)
        if (existing) return { jobId: existing.jobId, deduplicated: true }
      }
      const jobId = `memory-${++counter}`
      enqueued.push({ name, data, options: rest, jobId })
      return { jobId, deduplicated: false }
    },
  }
  return queue
}

/**
 * Runs one handler as a worker would (validation first, then the handler) against a real Payload
 * instance, without Agenda. Returns what the handler logged.
 */
export const runJobHandler = async <Name extends JobName>(
  definition: JobDefinition<Name>,
  { payload, data, attempt = 1, signal }: { payload: Payload; data: JobDataMap[Name]; attempt?: number; signal?: AbortSignal },
): Promise<{ logs: { message: string; meta?: Record<string, unknown>; level: JobLogLevel }[]; progress: number[] }> => {
  const problem = definition.validate?.(data)
  if (problem) throw new PermanentJobError(`Invalid data for job "${definition.name}": ${problem}`)
  const logs: { message: string; meta?: Record<string, unknown>; level: JobLogLevel }[] = []
  const progress: number[] = []
  await definition.handler({
    data,
    payload,
    attempt,
    jobId: 'test-job',
    signal: signal ?? new AbortController().signal,
    touch: async (value) => {
      if (value !== undefined) progress.push(value)
    },
    log: (message, meta, level = 'info') => logs.push({ message, meta, level }),
  })
  return { logs, progress }
}

export { startTestDatabase, type TestDatabase } from './kit/database'
export { applyPluginMigrations, createTestConfig, startTestHost, testUsersCollection, type JobOutcome, type TestConfigOptions, type TestHost, type TestHostOptions } from './kit/host'
export { constant, speechLike, wav, type Segment, type WavOptions } from './kit/audio'
export {
  coreCollections,
  createLanguage,
  createSentence,
  createTestUser,
  RECORDINGS_FOLDER,
  SENTENCE_STATUSES,
  uploadRecording,
  type TestUser,
  type UploadRecordingOptions,
} from './kit/core'
