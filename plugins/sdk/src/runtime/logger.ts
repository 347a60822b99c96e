import type { JobLogLevel } from '../jobs'

/** Where the job runtime writes its lines. Winston's logger fits; the default writes JSON lines to stdout/stderr. */
export interface RuntimeLogger {
  log(level: JobLogLevel, message: string, meta?: Record<string, unknown>): void
}

const rank: Record<JobLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** JSON lines at `info` and above (`LOG_LEVEL` changes the floor): for hosts without a logger of their own, such as the test kit. */
export const consoleLogger: RuntimeLogger = {
  log(level, message, meta) {
    const floor = rank[(process.env.LOG_LEVEL as JobLogLevel | undefined) ?? 'info'] ?? rank.info
    if (rank[level] < floor) return
    const line = `${JSON.stringify({ level, message, ...meta, timestamp: new Date().toISOString() })}\n`
    ;(rank[level] >= rank.warn ? process.stderr : process.stdout).write(line)
  },
}
