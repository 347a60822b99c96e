import { AsyncLocalStorage } from 'node:async_hooks'

import winston from 'winston'

/** Per-request context (request id), carried through async calls and into log lines. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>()

const addRequestId = winston.format((info) => {
  const context = requestContext.getStore()
  if (context && info.requestId === undefined) info.requestId = context.requestId
  return info
})

/** JSON lines on stdout: one object per event, easy to ship to any log collector. */
export const logger = winston.createLogger({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  format: winston.format.combine(addRequestId(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
  defaultMeta: { service: 'shrutik' },
  transports: [new winston.transports.Console()],
})

/** pino's numeric levels as winston's names. */
const PINO_LEVELS: Record<number, string> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' }

interface PinoLine {
  level?: number
  msg?: unknown
  err?: { message?: string; stack?: string; type?: string }
  time?: unknown
  pid?: unknown
  hostname?: unknown
  name?: unknown
  [key: string]: unknown
}

/**
 * A pino destination that writes through winston: Payload's own log lines come out in the same
 * JSON format (level, message, timestamp, service, requestId) as everything else, in one stream.
 * pino writes synchronously, so the request's context (its id) is still current here.
 */
export const payloadLogDestination = {
  write(line: string): void {
    let parsed: PinoLine
    try {
      parsed = JSON.parse(line) as PinoLine
    } catch {
      logger.info(String(line).trim(), { source: 'payload' })
      return
    }
    const { level, msg, err, time: _time, pid: _pid, hostname: _hostname, name: _name, ...rest } = parsed
    const message = typeof msg === 'string' && msg ? msg : (err?.message ?? '')
    logger.log(PINO_LEVELS[level ?? 30] ?? 'info', message, {
      source: 'payload',
      ...rest,
      ...(err ? { error: err.message, stack: err.stack } : {}),
    })
  },
}
