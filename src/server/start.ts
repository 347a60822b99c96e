import path from 'node:path'

import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import express from 'express'
import next from 'next'
import pg from 'pg'

import { createJobRuntime, type ProcessRole } from '../jobs/runtime'
import { projectRoot, settings as readSettings } from '../lib/env'
import { issueFirstAdminSetupToken } from '../lib/firstAdminSetup'
import { logger } from '../lib/logger'
import { sweepUploadTempDir, UPLOAD_TEMP_SWEEP_EVERY_MS } from '../lib/uploadTempFiles'
import { sweepScratch } from '../storage/sweep'
import { registry } from '../lib/metrics'
import { isEmpty, seed } from '../seed'
import { createApp } from './app'
import { bootPayload } from './boot'
import { createRateLimiters } from './rateLimits'

export const processRole = (): ProcessRole => {
  const role = process.env.SHRUTIK_ROLE ?? 'all'
  if (role !== 'web' && role !== 'worker' && role !== 'all') {
    throw new Error(`SHRUTIK_ROLE must be web, worker or all (got "${role}").`)
  }
  return role
}

/**
 * One Shrutik process. `all` (the default): the web server — Express in front of Next (admin UI,
 * site) and Payload's REST API, with ops endpoints, security headers and rate limits — plus a job
 * worker. `web`: the server only (it still enqueues). `worker`: jobs only. Shuts down in order on
 * SIGTERM/SIGINT: stop accepting, finish requests and jobs, close the database.
 */
export const startProcess = async (role: ProcessRole = processRole()): Promise<void> => {
  const settings = readSettings()
  const booted = await bootPayload()
  const { payload, config } = booted
  if (role !== 'worker' && settings.seedOnEmpty && (await isEmpty(payload))) {
    logger.info('empty database: loading the starter languages and sentences')
    await seed(payload)
  }
  const jobs = await createJobRuntime({ payload, databaseUrl: booted.database.url, jobs: getRegisteredJobs(payload.config), role })
  // Work folders of the media store (ffmpeg's copies and outputs) that a killed process left behind.
  void sweepScratch()
    .then((removed) => removed > 0 && logger.info('removed stale media work folders', { removed }))
    .catch((error: Error) => logger.warn('media work folder sweep failed', { error: error.message }))

  let shuttingDown = false
  const closers: (() => Promise<unknown>)[] = []
  let server: import('node:http').Server | undefined

  if (role === 'worker') {
    // A worker has no web server; with WORKER_METRICS_PORT set it answers /healthz and /metrics.
    const metricsPort = Number(process.env.WORKER_METRICS_PORT ?? 0)
    if (metricsPort) {
      const app = express()
      app.set('case sensitive routing', true)
      app.set('strict routing', true)
      app.get('/healthz', (_req, res) => void res.json({ status: shuttingDown ? 'shutting-down' : 'ok', role }))
      app.get('/metrics', async (_req, res) => {
        res.setHeader('Content-Type', registry.contentType)
        res.send(await registry.metrics())
      })
      server = app.listen(metricsPort, settings.host)
    }
  } else {
    const limiterPool = new pg.Pool({ connectionString: booted.database.url, max: 2 })
    limiterPool.on('error', (error) => logger.warn('rate-limit pool error', { error: error.message }))
    closers.push(() => limiterPool.end())
    const limiters = await createRateLimiters(settings, limiterPool)

    // No account yet: the first admin needs the one-time link printed here (or the CLI).
    const setupToken = await issueFirstAdminSetupToken(payload)
    if (setupToken) {
      logger.warn(
        `Create the first admin at ${settings.serverURL}${payload.config.routes.admin}/create-first-user?setup=${setupToken} ` +
          '(a one-time link; or run `npx shrutik users:create-admin --email E --password P`)',
      )
    }

    // Temp uploads a crash or a killed request left behind: swept now and every hour.
    const tempUploads = payload.config.upload?.tempFileDir
    if (tempUploads) {
      const sweep = () => void sweepUploadTempDir(tempUploads).catch((error: Error) => logger.warn('temp upload sweep failed', { error: error.message }))
      sweep()
      const sweeper = setInterval(sweep, UPLOAD_TEMP_SWEEP_EVERY_MS)
      sweeper.unref()
      closers.push(async () => clearInterval(sweeper))
    }

    const nextApp = next({ dev: false, dir: projectRoot() })
    await nextApp.prepare()
    closers.push(() => nextApp.close())
    const nextRequestHandler = nextApp.getRequestHandler()
    const app = createApp({
      payload,
      config,
      settings,
      limiters,
      nextHandler: (req, res) => nextRequestHandler(req, res),
      isShuttingDown: () => shuttingDown,
    })
    server = app.listen(settings.port, settings.host, () => {
      logger.info(`Shrutik is listening on ${settings.serverURL} (admin: ${settings.serverURL}/admin)`, {
        port: settings.port,
        role,
        root: path.resolve(projectRoot()),
      })
    })
    // Idle keep-alive sockets outlive those of clients and proxies (nginx, browsers, Node's fetch:
    // 4–60 s), so nobody sends a request on a socket the server is closing (an ECONNRESET).
    server.keepAliveTimeout = 65_000
    server.headersTimeout = 66_000
  }

  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return
    shuttingDown = true
    logger.info('shutting down: finishing in-flight requests and jobs', { signal, role })
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting with work still open', { timeoutMs: settings.shutdownTimeoutMs })
      process.exit(1)
    }, settings.shutdownTimeoutMs + 5000)
    force.unref()
    // Stops accepting connections, closes idle keep-alive sockets, resolves when in-flight requests end.
    const serverClosed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve()
    // A socket whose request finishes after close() turns idle and would be kept for keepAliveTimeout:
    // close those as they come.
    const idleSweep = setInterval(() => server?.closeIdleConnections(), 200)
    // Requests still in flight may enqueue (an upload's processing, a sign-up's verification email)
    // in their own transaction: the queue stays open until they have ended, then jobs drain.
    const started = Date.now()
    await serverClosed
    await jobs.stop(Math.max(1000, settings.shutdownTimeoutMs - (Date.now() - started)))
    clearInterval(idleSweep)
    for (const close of closers) await close().catch(() => undefined)
    await booted.close()
    logger.info('shutdown complete')
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}
