import path from 'node:path'

import next from 'next'
import pg from 'pg'

import { projectRoot, settings as readSettings } from '../lib/env'
import { logger } from '../lib/logger'
import { isEmpty, seed } from '../seed'
import { createApp } from './app'
import { bootPayload } from './boot'
import { createRateLimiters } from './rateLimits'

/**
 * The production server: Express in front of Next (admin UI, site) and Payload's REST API, with
 * ops endpoints, security headers, rate limits and graceful shutdown.
 */
export const startServer = async (): Promise<void> => {
  const settings = readSettings()
  const booted = await bootPayload()
  const { payload, config } = booted
  if (settings.seedOnEmpty && (await isEmpty(payload))) {
    logger.info('empty database: loading the starter languages and sentences')
    await seed(payload)
  }

  const limiterPool = new pg.Pool({ connectionString: booted.database.url, max: 2 })
  limiterPool.on('error', (error) => logger.warn('rate-limit pool error', { error: error.message }))
  const limiters = await createRateLimiters(settings, limiterPool)

  const nextApp = next({ dev: false, dir: projectRoot() })
  await nextApp.prepare()
  const nextRequestHandler = nextApp.getRequestHandler()

  let shuttingDown = false
  const app = createApp({
    payload,
    config,
    settings,
    limiters,
    nextHandler: (req, res) => nextRequestHandler(req, res),
    isShuttingDown: () => shuttingDown,
  })
  const server = app.listen(settings.port, settings.host, () => {
    logger.info(`Shrutik is listening on ${settings.serverURL} (admin: ${settings.serverURL}/admin)`, {
      port: settings.port,
      root: path.resolve(projectRoot()),
    })
  })

  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return
    shuttingDown = true
    logger.info('shutting down: finishing in-flight requests', { signal })
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting with requests still open', { timeoutMs: settings.shutdownTimeoutMs })
      process.exit(1)
    }, settings.shutdownTimeoutMs)
    force.unref()
    // Stops accepting connections, closes idle keep-alive sockets, resolves when in-flight requests end.
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await limiterPool.end().catch(() => undefined)
    await nextApp.close().catch(() => undefined)
    await booted.close()
    logger.info('shutdown complete')
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}
