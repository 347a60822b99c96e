import { createHash, randomUUID } from 'node:crypto'

import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import helmet from 'helmet'
import { handleEndpoints, type Payload, type SanitizedConfig } from 'payload'

import type { Settings } from '../lib/env'
import { logger, requestContext } from '../lib/logger'
import { httpRequestDuration, registry, routeLabel } from '../lib/metrics'
import { checkReadiness } from '../db/readiness'
import { sendFetchResponse, toFetchRequest } from './fetchBridge'
import { rateLimit, type RateLimiters } from './rateLimits'
import { upgradeLegacyClientCookie } from './legacyClientCookie'
import { readClientCookie, verifiedClientCookie } from '../lib/clientId'
import { serveNextSentences, SiteRequestError } from '../site/serveNextSentences'

export interface AppOptions {
  payload: Payload
  config: SanitizedConfig | Promise<SanitizedConfig>
  settings: Settings
  limiters: RateLimiters
  /** Next's request handler (admin UI and public site); absent in API-only tests. */
  nextHandler?: (req: Request, res: Response) => Promise<void>
  /** Set when shutdown begins: /readyz answers 503 so a load balancer stops sending traffic. */
  isShuttingDown?: () => boolean
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Multipart framing on top of the file itself; beyond this a Content-Length is refused up front. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024

const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id')
  const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID()
  res.setHeader('X-Request-Id', id)
  requestContext.run({ requestId: id }, next)
}

const accessLogAndMetrics =
  (apiSlugs: ReadonlySet<string>): RequestHandler =>
  (req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const route = routeLabel(req.path, apiSlugs)
      httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds)
      // winston formats a line before its transports filter it: skip the work when it would be dropped.
      if (route === '/_next' || !logger.isInfoEnabled()) return
      logger.info('request', {
        requestId: res.getHeader('X-Request-Id'),
        method: req.method,
        path: req.path,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
        bytes: Number(res.getHeader('content-length') ?? 0) || undefined,
      })
    })
    next()
  }

/**
 * Content-Security-Policy under which the Payload admin UI and the Next site work: Next inlines its
 * bootstrap scripts and Payload inlines styles, hence 'unsafe-inline'; nothing may be framed or
 * loaded from elsewhere.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
  strictTransportSecurity: false,
})

/** Caps list sizes: `limit` above the maximum (or 0, which Payload reads as "everything") and `pagination=false` are clamped. */
const capListQueries = (url: URL, maxLimit: number): void => {
  const limit = url.searchParams.get('limit')
  if (limit !== null) {
    const value = Number(limit)
    if (!Number.isFinite(value) || value <= 0 || value > maxLimit) url.searchParams.set('limit', String(maxLimit))
  }
  if (url.searchParams.get('pagination') === 'false') url.searchParams.delete('pagination')
}

const refuseOversizeUpload =
  (maxBytes: number): RequestHandler =>
  (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0)
    if (declared > maxBytes + MULTIPART_OVERHEAD_BYTES) {
      res.status(413).json({ errors: [{ message: `The file is too large. The limit is ${Math.round(maxBytes / 1024 / 1024)} MB.` }] })
      return
    }
    next()
  }

/** TRUST_PROXY: `false`, `true`, a hop count ("1") or addresses/subnets ("loopback, 10.0.0.0/8"). */
const trustProxyValue = (raw: string): boolean | number | string => {
  if (/^(false|0|no|off)$/i.test(raw)) return false
  if (/^(true|yes|on)$/i.test(raw)) return true
  if (/^\d+$/.test(raw)) return Number(raw)
  return raw
}

export const createApp = ({ payload, config, settings, limiters, nextHandler, isShuttingDown = () => false }: AppOptions) => {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', trustProxyValue(settings.trustProxy))
  const apiSlugs = new Set(payload.config.collections.map((collection) => collection.slug))

  app.use(requestId)
  app.use(accessLogAndMetrics(apiSlugs))
  app.use(securityHeaders)

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  })
  app.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting-down' })
      return
    }
    const readiness = await checkReadiness(payload)
    res.status(readiness.ready ? 200 : 503).json(readiness)
  })
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType)
    res.send(await registry.metrics())
  })

  // Abuse limits on the costly or guessable auth and upload routes.
  const authCollection = '/api/users'
  app.post(`${authCollection}/login`, rateLimit(limiters, 'login'))
  app.post([authCollection, `${authCollection}/first-register`], rateLimit(limiters, 'register'))
  app.post([`${authCollection}/forgot-password`, `${authCollection}/reset-password`], rateLimit(limiters, 'passwordReset'))
  app.post('/api/recordings', refuseOversizeUpload(settings.uploadMaxBytes), rateLimit(limiters, 'upload'))
  app.patch('/api/recordings/:id', refuseOversizeUpload(settings.uploadMaxBytes), rateLimit(limiters, 'upload'))

  // Anonymous ids: cookies from before ids were signed are swapped for signed ones (once), and new
  // ids per address are capped. Judgments are limited per address and per person.
  const secret = payload.secret
  const tokenCookie = `${payload.config.cookiePrefix}-token=`
  app.use('/api', upgradeLegacyClientCookie(payload))
  app.post(
    '/api/site/consent',
    rateLimit(limiters, 'newIdentity', (req) => (readClientCookie(secret, req.headers.cookie).kind === 'signed' ? undefined : (req.ip ?? 'unknown'))),
  )
  const contributorKey = (req: Request): string => {
    const cookie = verifiedClientCookie(secret, req.headers.cookie)
    if (cookie) return cookie.linkedUserId !== undefined ? `u:${cookie.linkedUserId}` : `c:${cookie.clientId}`
    const token = req.headers.authorization ?? /(?:^|;\s*)[\w-]+-token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
    return token ? `t:${createHash('sha256').update(token).digest('base64url').slice(0, 32)}` : `ip:${req.ip ?? 'unknown'}`
  }
  const judgmentRoutes = ['/api/votes', '/api/transcriptions', '/api/consensus/skip', '/api/site/sentences/:id/skip']
  app.post(judgmentRoutes, rateLimit(limiters, 'judge'), rateLimit(limiters, 'judgeIdentity', contributorKey))
  app.get(
    ['/api/site/next-sentences', '/api/site/passage', '/api/consensus/next-validation', '/api/consensus/next-transcription'],
    rateLimit(limiters, 'siteRead'),
  )

  // The site's hottest read, answered without Payload's per-request setup (same rules and code as
  // the Payload endpoint /api/site/next-sentences, which serves `next dev`).
  app.get('/api/site/next-sentences', async (req, res, next) => {
    try {
      const cookies = req.headers.cookie ?? ''
      const signedIn = req.headers.authorization !== undefined || cookies.includes(tokenCookie)
      const user = signedIn ? (await payload.auth({ headers: new Headers(req.headers as Record<string, string>) })).user : null
      const query = req.originalUrl.indexOf('?')
      const params = new URLSearchParams(query === -1 ? '' : req.originalUrl.slice(query + 1))
      const cookie = verifiedClientCookie(secret, cookies)
      const contributor = { userId: user ? Number(user.id) : cookie?.linkedUserId, clientId: cookie?.clientId }
      const body = JSON.stringify(await serveNextSentences(payload, params, contributor))
      // Written directly: no ETag to hash for an answer that is never cached.
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
      res.end(body)
    } catch (error) {
      if (error instanceof SiteRequestError) res.status(error.status).json({ errors: [{ message: error.message }] })
      else next(error)
    }
  })

  // Payload's REST API, answered here through the same handler Next's route would use.
  app.all('/api/{*path}', async (req, res, next) => {
    // A body the handler never read (a refused upload) is drained so the connection can be reused.
    res.on('finish', () => {
      if (!req.complete) req.resume()
    })
    try {
      const url = new URL(req.originalUrl, settings.serverURL)
      if (req.method === 'GET') capListQueries(url, settings.apiMaxLimit)
      const response = await handleEndpoints({ config, request: toFetchRequest(req, url) })
      await sendFetchResponse(response, res)
    } catch (error) {
      next(error)
    }
  })

  if (nextHandler) {
    app.all('/{*path}', (req, res, next) => {
      nextHandler(req, res).catch(next)
    })
  }

  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    logger.error('unhandled request error', { error: error.message, stack: error.stack })
    if (res.headersSent) {
      res.end()
      return
    }
    res.status(500).json({ errors: [{ message: 'Something went wrong on the server. The error was logged; please try again.' }] })
  })

  return app
}
