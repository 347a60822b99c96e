import type pg from 'pg'

import { consoleLogger, type RuntimeLogger } from './logger'
import { JOBS_TABLE } from './schema'

/** The part of Agenda's job repository that writes how a run ended (its `saveJobState`). */
export interface JobStateWriter {
  saveJobState(attrs: JobStateAttrs, options?: { lastModifiedBy?: string }): Promise<void>
}

interface JobStateAttrs {
  _id?: unknown
  name: string
  lockedAt?: Date | null
}

interface Unsaved {
  attrs: JobStateAttrs
  options?: { lastModifiedBy?: string }
  /** When the write failed: a lock taken after this is a new run's, not ours. */
  failedAt: Date
  /** Writes tried while the database answered. */
  tries: number
}

export interface UnsavedJobStates {
  /** Job ids whose end is not written yet. */
  readonly pending: ReadonlySet<string>
  /** Writes what is pending now (a no-op while the database is still away). */
  flush: () => Promise<void>
  stop: () => void
}

/**
 * A worker that loses the database while jobs run cannot write how they ended: Agenda drops the
 * failed write, and the row stays locked until its lock expires (minutes, `lockLifetimeMs`) before
 * any worker retries it. Here the end of such a run (success, or a failure with its back-off) is
 * kept and written again every `retryMs` until the database answers, provided the row is still
 * locked by this worker from before the failure (not taken over, not locked again since).
 */
export const keepUnsavedJobStates = ({
  writer,
  pool,
  owner,
  retryMs = 1000,
  logger = consoleLogger,
}: {
  writer: JobStateWriter
  pool: pg.Pool
  /** This worker's name, which Agenda writes as `last_modified_by` when it locks a job. */
  owner: string
  retryMs?: number
  logger?: RuntimeLogger
}): UnsavedJobStates => {
  const unsaved = new Map<string, Unsaved>()
  const save = writer.saveJobState.bind(writer)
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> | undefined
  let stopped = false

  const schedule = () => {
    if (stopped || timer || unsaved.size === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void flush().finally(schedule)
    }, retryMs)
    timer.unref()
  }

  writer.saveJobState = async (attrs, options) => {
    const id = String(attrs._id)
    try {
      await save(attrs, options)
      unsaved.delete(id)
    } catch (error) {
      // Only the final write of a run (lock released) matters; a failed heartbeat is retried by the next one.
      if (!attrs.lockedAt && attrs._id !== undefined) {
        unsaved.set(id, { attrs: { ...attrs }, options, failedAt: new Date(), tries: 0 })
        logger.log('warn', 'could not write how a job ended (is the database away?); writing it again once the database answers', {
          jobId: id,
          job: attrs.name,
          error: (error as Error).message,
        })
        schedule()
      }
      throw error
    }
  }

  const flushOnce = async (): Promise<void> => {
    if (unsaved.size === 0) return
    const entries = [...unsaved.entries()]
    let stillOurs: Set<string>
    try {
      const { rows } = await pool.query<{ id: string; locked_at: Date }>(
        `SELECT id::text AS id, locked_at FROM ${JOBS_TABLE} WHERE id = ANY($1::uuid[]) AND locked_at IS NOT NULL AND last_modified_by = $2`,
        [entries.map(([id]) => id), owner],
      )
      stillOurs = new Set(rows.filter((row) => entries.some(([id, entry]) => id === row.id && row.locked_at < entry.failedAt)).map((row) => row.id))
    } catch {
      return // still away: try again later
    }
    for (const [id, entry] of entries) {
      if (unsaved.get(id) !== entry) continue
      unsaved.delete(id)
      if (!stillOurs.has(id)) continue // removed, taken over after its lock expired, or locked again since
      try {
        await save(entry.attrs, entry.options)
        logger.log('info', 'wrote how a job ended after the database came back', { jobId: id, job: entry.attrs.name })
      } catch (error) {
        // Gone again between the check and the write: keep it, a few times.
        if (++entry.tries < 10 && !unsaved.has(id)) unsaved.set(id, entry)
        else logger.log('warn', 'could not write how a job ended; its lock expires and another worker runs it again', { jobId: id, error: (error as Error).message })
      }
    }
  }

  const flush = (): Promise<void> => {
    flushing ??= flushOnce().finally(() => (flushing = undefined))
    return flushing
  }

  return {
    get pending() {
      return new Set(unsaved.keys())
    },
    flush,
    stop: () => {
      stopped = true
      clearTimeout(timer)
      timer = undefined
    },
  }
}
