import { PostgresNotificationChannel } from '@agendajs/postgres-backend'
import type pg from 'pg'

import { consoleLogger, type RuntimeLogger } from './logger'

export interface ReconnectDelayOptions {
  /** @default 250 */
  baseMs?: number
  /** @default 30000 */
  maxMs?: number
  /** @default Math.random */
  random?: () => number
}

/**
 * Delay before reconnect attempt `failures` (0 = the first): exponential up to `maxMs`, jittered
 * over the upper half of the step, so workers that lost the database together do not all come back
 * in the same millisecond.
 */
export const reconnectDelayMs = (failures: number, { baseMs = 250, maxMs = 30_000, random = Math.random }: ReconnectDelayOptions = {}): number => {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, failures), 30))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export interface ResilientChannelOptions {
  pool: pg.Pool
  channelName: string
  /** Called after a lost LISTEN connection is listening again (jobs enqueued meanwhile sent no wake-up). */
  onReconnected?: () => void
  delays?: ReconnectDelayOptions
  /** @default JSON lines on stdout/stderr */
  logger?: RuntimeLogger
}

/**
 * Agenda's PostgreSQL LISTEN channel, made to survive a lost connection unattended. Upstream
 * re-emits the client's error on an EventEmitter nobody listens to (an uncaught exception that kills
 * a worker before it reconnects), retries every 100 ms (its counter restarts on every attempt) and
 * gives up after 10 tries. Here errors are logged, retries back off with jitter and never stop
 * while the process runs, and the process is told when it listens again.
 */
export class ResilientNotificationChannel extends PostgresNotificationChannel {
  private failures = 0
  private retryTimer: NodeJS.Timeout | undefined
  private closed = false
  private readonly onReconnected?: () => void
  private readonly delays?: ReconnectDelayOptions
  private readonly logger: RuntimeLogger

  constructor(options: ResilientChannelOptions) {
    super({ pool: options.pool, channelName: options.channelName, reconnect: { enabled: true } })
    this.onReconnected = options.onReconnected
    this.delays = options.delays
    this.logger = options.logger ?? consoleLogger
    this.on('error', (error: Error) => {
      this.logger.log('warn', 'job notification channel lost its database connection; reconnecting (jobs are still found by polling meanwhile)', {
        error: error.message,
        failures: this.failures,
      })
    })
  }

  /** How many reconnect attempts have failed in a row (0 while listening). */
  get consecutiveFailures(): number {
    return this.failures
  }

  override async connect(): Promise<void> {
    this.closed = false
    const recovering = this.failures > 0
    // On failure the parent logs through 'error', schedules the next attempt and rethrows.
    await super.connect()
    this.failures = 0
    if (recovering) {
      this.logger.log('info', 'job notification channel listening again')
      this.onReconnected?.()
    }
  }

  override async disconnect(): Promise<void> {
    this.closed = true
    this.clearReconnect()
    await super.disconnect()
  }

  protected override scheduleReconnect(): void {
    if (this.closed) return
    this.clearReconnect()
    const delay = reconnectDelayMs(this.failures, this.delays)
    this.failures++
    this.setState('reconnecting')
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.connect().catch(() => undefined)
    }, delay)
  }

  /** Unlike the parent, keeps the failure count: it resets only once LISTEN succeeds. */
  protected override clearReconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }
}
