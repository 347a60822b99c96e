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
