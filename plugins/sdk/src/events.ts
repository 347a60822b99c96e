import type { Config, Payload, PayloadRequest, SanitizedConfig } from 'payload'

import type { SqlExecutor } from './contributors'
import type { JobContext, JobDefinition } from './jobs'
import { getJobQueue, getRegisteredJobs, registerJobs } from './registry'

/**
 * Event name → data. The host and its plugins announce state changes another plugin may care
 * about; a plugin adds its own events by declaration merging, as with `JobDataMap`. Data holds ids
 * and small scalars, never documents, personal data or bytes: a listener reads what it needs.
 */
export interface EventMap {
  /** A recording's audio was processed: `ready` (segments written) or `rejected` (a check failed). Emitted by audio-processing. */
  'recording.processed': { recordingId: number; status: 'ready' | 'rejected'; durationMs: number | null; segmentIds: number[] }
  /** A segment's audio is ready to be judged (new, or its file changed on a reprocess). Emitted by audio-processing. */
  'segment.ready': { segmentId: number; recordingId: number; kind: 'prompt' | 'transcription' }
  /** A segment was decided (`accepted`, `rejected`) or sent to review (`needs-review`), by the crowd or a reviewer. Emitted by consensus. */
  'segment.decided': { segmentId: number; status: 'accepted' | 'rejected' | 'needs-review'; decidedBy: 'crowd' | 'reviewer'; text: string | null }
  /** An anonymous browser's contributions became an account's. Emitted by the host. */
  'contributor.claimed': { userId: number; contributorId: number }
  /** A person withdrew (an account, browser ids, or both); their data is being purged. Emitted by the host. */
  'contributor.withdrawn': { withdrawalId: number; userId: number | null }
}

export type EventName = keyof EventMap & string

/** What a listener's handler gets: the event, and everything a job handler gets. */
export interface EventContext<Name extends EventName> extends Omit<JobContext<EventDelivery<Name>>, 'data'> {
  event: Name
  data: EventMap[Name]
  /** When the change was committed (ms since the epoch), as seen by the emitter. */
  emittedAt: number
}

export interface EventDelivery<Name extends EventName = EventName> {
  event: Name
  data: EventMap[Name]
  emittedAt: number
}

export interface EventListener<Name extends EventName = EventName> {
  /** The listening plugin's slug: the delivery job is `<plugin>.on-<event>` (dots become dashes). */
  plugin: string
  event: Name
  handler(context: EventContext<Name>): Promise<void>
  /** Retries after a failed delivery, with exponential backoff (as jobs). @default 3 */
  retries?: number
  /** How many deliveries of this listener run at once in one worker. @default 5 */
  concurrency?: number
  timeoutMs?: number
}

export interface EmitOptions {
  /** Emit inside this Payload request's transaction: delivered only if it commits. */
  req?: PayloadRequest
  /** Emit inside this raw SQL transaction (a Drizzle transaction): delivered only if it commits. */
  db?: SqlExecutor
}

const KEY = 'shrutikEventListeners'
const EVENT_NAME = /^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*$/

/** The delivery job of one listener. */
export const listenerJobName = (plugin: string, event: string): string => `${plugin}.on-${event.replace(/\./g, '-')}`

const listenersOf = (config: Config | SanitizedConfig): EventListener[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[KEY] as EventListener[] | undefined) ?? []

/** Every listener registered on a (raw or sanitized) config, for one event or all. */
export const getEventListeners = (config: Config | SanitizedConfig, event?: EventName): EventListener[] =>
  listenersOf(config).filter((listener) => event === undefined || listener.event === event)

/**
 * Subscribes a plugin to an event, from its `(config) => config`. Each delivery is a job of the
 * listener's own (`<plugin>.on-<event>`): durable, retried with backoff, run by any worker, at
 * least once — so a handler must be idempotent (re-read state; the same event may come twice).
 */
export const listen = <C extends Config, Name extends EventName>(config: C, listener: EventListener<Name>): C => {
  if (!EVENT_NAME.test(listener.event)) throw new Error(`Event name "${listener.event}" must look like "<thing>.<what-happened>", e.g. "segment.decided".`)
  const job: JobDefinition = {
    name: listenerJobName(listener.plugin, listener.event),
    retries: listener.retries ?? 3,
    concurrency: listener.concurrency,
    timeoutMs: listener.timeoutMs,
    validate: (data) => {
      const delivery = data as Partial<EventDelivery>
      if (delivery?.event !== listener.event) return `expected a "${listener.event}" event`
      if (typeof delivery.data !== 'object' || delivery.data === null) return 'the event has no data'
      return undefined
    },
    handler: async (context) => {
      const delivery = context.data as unknown as EventDelivery<Name>
      await listener.handler({ ...context, event: delivery.event, data: delivery.data, emittedAt: delivery.emittedAt })
    },
  }
  const withJob = registerJobs(config, [job])
  return { ...withJob, custom: { ...withJob.custom, [KEY]: [...listenersOf(config), listener] } }
}

/**
 * Announces a committed state change to every listener. Pass the writer's transaction (`req` or
 * `db`) so the deliveries commit with the change, or not at all; without one, call it only after
 * the change has committed. Returns how many listeners were told.
 */
export const emit = async <Name extends EventName>(payload: Payload, event: Name, data: EventMap[Name], options: EmitOptions = {}): Promise<number> => {
  const listeners = getEventListeners(payload.config, event)
  if (listeners.length === 0) return 0
  const delivery: EventDelivery<Name> = { event, data, emittedAt: Date.now() }
  const queue = getJobQueue(payload)
  for (const listener of listeners) {
    await queue.enqueue(listenerJobName(listener.plugin, event), delivery as never, { req: options.req, db: options.db })
  }
  return listeners.length
}

/**
 * For tests of a running host: subscribes listeners on an already-built Payload, as `listen` does
 * on a config. Returns their delivery jobs, to hand to the test's worker.
 */
export const subscribeRunning = (payload: Payload, listeners: EventListener[]): JobDefinition[] => {
  const built = listeners.reduce<Config>((config, listener) => listen(config, listener), { custom: {} } as Config)
  const custom = payload.config.custom as Record<string, unknown>
  custom[KEY] = [...listenersOf(payload.config), ...listenersOf(built)]
  return getRegisteredJobs(built)
}
