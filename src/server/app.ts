import { createHash, randomUUID } from 'node:crypto'

import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import helmet from 'helmet'
import { handleEndpoints, type Payload, type SanitizedConfig } from 'payload'

import { MULTIPART_OVERHEAD_BYTES, type Settings } from '../lib/env'
import { hasAnyUser, isLiveSetupToken, SETUP_COOKIE, SETUP_COOKIE_MAX_AGE_SECONDS } from '../lib/firstAdminSetup'
import { logger, requestContext } from '../lib/logger'
import { httpRequestDuration, registry, routeLabel } from '../lib/metrics'
import { checkReadiness } from '../db/readiness'
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../lib/databaseErrors'
import { fetchHeaders, sendFetchResponse, toFetchRequest } from './fetchBridge'
import { createMultipartGuard, MultipartRefusal, type MultipartGuard } from './multipartGuard'
import { rateLimit, type RateLimiters } from './rateLimits'
import { upgradeLegacyClientCookie } from './legacyClientCookie'
import { readClientCookie, verifiedClientCookie } from '../lib/clientId'
import { parseCookies } from '../lib/cookies'
import { serveNextSentences, SiteRequestError } from '../contribution/serveNextSentences'

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
const capListQueries = (params: URLSearchParams, maxLimit: number): void => {
  const limits = params.getAll('limit')
  if (limits.length > 0) {
    const value = Number(limits[0])
    const capped = !Number.isFinite(value) || value <= 0 || value > maxLimit ? maxLimit : value
    // set() also drops repeats, which Payload's query parser would turn into an array.
    params.set('limit', String(capped))
  }
  params.delete('pagination')
}

/** The same cap for a JSON query body (`{ limit, pagination, ... }`). */
const capListQueryObject = (query: Record<string, unknown>, maxLimit: number): void => {
  if ('limit' in query) {
    const value = Number(query.limit)
    query.limit = !Number.isFinite(value) || value <= 0 || value > maxLimit ? maxLimit : value
  }
  delete query.pagination
}

/** Payload's admin sends long queries as a POST with this header; Payload then reads the query from the body. */
const isMethodOverrideGet = (req: Request): boolean =>
  req.method === 'POST' &&
  [req.get('x-http-method-override'), req.get('x-payload-http-method-override')].some((value) => value?.trim().toUpperCase() === 'GET')

/** A query, even a long `where`, is far below this; a bigger override body is refused. */
const OVERRIDE_BODY_MAX_BYTES = 256 * 1024

class OverrideBodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

const readSmallBody = async (req: Request, maxBytes: number): Promise<string> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw new OverrideBodyError(`A query sent as POST with X-HTTP-Method-Override: GET may be at most ${maxBytes / 1024} KB.`, 413)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const mediaTypeOf = (req: Request): string => (req.get('content-type') ?? '').split(';')[0].trim().toLowerCase()

/**
 * A POST with `X-HTTP-Method-Override: GET` is a read whose query travels in the body, where the
 * list cap on the URL would not see it. It is rewritten here into the request Payload would have
 * made of it, with the cap applied: a form body becomes a plain GET with the query in the URL; a
 * JSON body (which some endpoints read) is capped and passed on.
 */
const methodOverrideRequest = async (req: Request, url: URL, maxLimit: number): Promise<globalThis.Request> => {
  const body = await readSmallBody(req, OVERRIDE_BODY_MAX_BYTES)
  const headers = fetchHeaders(req)
  const mediaType = mediaTypeOf(req)
  if (mediaType === 'application/json') {
    let query: unknown
    try {
      query = body === '' ? {} : JSON.parse(body)
    } catch {
      throw new OverrideBodyError('The query body is not valid JSON.', 400)
    }
    if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new OverrideBodyError('The query body must be a JSON object.', 400)
    capListQueryObject(query as Record<string, unknown>, maxLimit)
    capListQueries(url.searchParams, maxLimit)
    headers.set('content-type', 'application/json')
    headers.delete('content-length')
    return new globalThis.Request(url, { method: 'POST', headers, body: JSON.stringify(query) })
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body)) url.searchParams.append(name, value)
  }
  capListQueries(url.searchParams, maxLimit)
  for (const name of ['content-type', 'content-length', 'transfer-encoding', 'x-http-method-override', 'x-payload-http-method-override']) headers.delete(name)
  return new globalThis.Request(url, { method: 'GET', headers })
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

  // Ops routes answer on their exact path only: a proxy rule such as nginx's `location = /metrics`
  // must not be sidestepped by `/METRICS` or `/metrics/`. (Only here: the rate-limited API routes
  // keep Express's lenient matching, as Payload, which answers them, ignores a trailing slash.)
  const ops = express.Router({ caseSensitive: true, strict: true })
  app.use(ops)
  ops.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  })
  ops.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting-down' })
      return
    }
    const readiness = await checkReadiness(payload)
    res.status(readiness.ready ? 200 : 503).json(readiness)
  })
  ops.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType)
    res.send(await registry.metrics())
  })

  // The first-admin setup link (printed at start while there is no account): a valid token becomes
  // an HttpOnly cookie for Payload's own create-first-user screen, and leaves the address bar.
  const createFirstUserPath = `${payload.config.routes.admin}/create-first-user`
  app.get(createFirstUserPath, async (req, res, next) => {
    const token = req.query.setup
    if (typeof token !== 'string') return next()
    try {
      if (!(await isLiveSetupToken(payload, token))) {
        const message = (await hasAnyUser(payload))
          ? `An admin account exists already, so this setup link is spent. Sign in at ${payload.config.routes.admin}.`
          : 'This setup link is not valid: it was used or mistyped. Use the latest "Create the first admin at" link in the server log (each start prints a new one), or run `npx shrutik users:create-admin`.'
        res.status(403).type('text/plain').send(message)
        return
      }
      res.cookie(SETUP_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.serverURL.startsWith('https://'),
        path: '/',
        maxAge: SETUP_COOKIE_MAX_AGE_SECONDS * 1000,
      })
      res.setHeader('Cache-Control', 'no-store')
      res.redirect(303, createFirstUserPath)
    } catch (error) {
      next(error)
    }
  })

  // Abuse limits on the costly or guessable auth and upload routes.
  const authCollection = '/api/users'
  app.post(`${authCollection}/login`, rateLimit(limiters, 'login'))
  app.post([authCollection, `${authCollection}/first-register`], rateLimit(limiters, 'register'))
  app.post([`${authCollection}/forgot-password`, `${authCollection}/reset-password`], rateLimit(limiters, 'passwordReset'))
  // Email: new verification links send mail; accepting an invitation creates an account.
  app.post('/api/email/resend-verification', rateLimit(limiters, 'verificationEmail'))
  app.post('/api/invitations/accept', rateLimit(limiters, 'register'))
  app.post('/api/recordings', refuseOversizeUpload(settings.uploadMaxBytes), rateLimit(limiters, 'upload'))
  app.patch('/api/recordings/:id', refuseOversizeUpload(settings.uploadMaxBytes), rateLimit(limiters, 'upload'))

  // Anonymous ids: cookies from before ids were signed are swapped for signed ones (once), and new
  // ids per address are capped. Judgments are limited per address and per person.
  const secret = payload.secret
  const tokenCookieName = `${payload.config.cookiePrefix}-token`
  const tokenCookie = `${tokenCookieName}=`
  app.use('/api', upgradeLegacyClientCookie(payload))
  app.post(
    '/api/site/consent',
    rateLimit(limiters, 'newIdentity', (req) => (readClientCookie(secret, req.headers.cookie).kind === 'signed' ? undefined : (req.ip ?? 'unknown'))),
  )
  const contributorKey = (req: Request): string => {
    const cookie = verifiedClientCookie(secret, req.headers.cookie)
    if (cookie) return cookie.linkedUserId !== undefined ? `u:${cookie.linkedUserId}` : `c:${cookie.clientId}`
    const token = req.headers.authorization ?? parseCookies(req.headers.cookie).get(tokenCookieName)
    return token ? `t:${createHash('sha256').update(token).digest('base64url').slice(0, 32)}` : `ip:${req.ip ?? 'unknown'}`
  }
  const judgmentRoutes = ['/api/votes', '/api/transcriptions', '/api/consensus/skip', '/api/site/sentences/:id/skip', '/api/curation/sentences/:id/review']
  app.post(judgmentRoutes, rateLimit(limiters, 'judge'), rateLimit(limiters, 'judgeIdentity', contributorKey))
  app.get(
    ['/api/site/next-sentences', '/api/site/passage', '/api/consensus/next-validation', '/api/consensus/next-transcription'],
    rateLimit(limiters, 'siteRead'),
  )
  // Goals and leaderboards: reads, and settings a script could hammer (or probe display names with).
  app.get(['/api/site/me/progress', '/api/site/leaderboard'], rateLimit(limiters, 'siteRead'))
  app.post(['/api/site/me/goals', '/api/site/me/leaderboard'], rateLimit(limiters, 'siteRead'))

  // The site's hottest read, answered here without Payload's per-request setup: its only route
  // (src/contribution/serveNextSentences.ts).
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

  // Files are taken only where one file is stored: create or update of an upload collection.
  const uploadSlugs = payload.config.collections.filter((collection) => collection.upload).map((collection) => collection.slug)
  const uploadPaths = uploadSlugs.map((slug) => `/api/${slug}`)
  const isUploadRoute = (req: Request): boolean => {
    const [, api, slug, id, ...rest] = req.path.replace(/\/+$/, '').split('/')
    if (api !== 'api' || !uploadSlugs.includes(slug) || rest.length > 0) return false
    return (req.method === 'POST' && id === undefined) || (req.method === 'PATCH' && id !== undefined && id !== '')
  }
  const multipartGuardFor = (req: Request): MultipartGuard | undefined => {
    const contentType = req.get('content-type') ?? ''
    // Payload parses any body whose type mentions multipart/ (and only for these methods).
    if (!contentType.toLowerCase().includes('multipart/') || !['POST', 'PATCH', 'PUT'].includes(req.method)) return undefined
    return createMultipartGuard(contentType, { uploadRoute: isUploadRoute(req), uploadPaths })
  }

  // Payload's REST API, answered here through the same handler Next's route would use.
  app.all('/api/{*path}', async (req, res, next) => {
    // A body the handler never read (a refused upload) is drained so the connection can be reused.
    res.on('finish', () => {
      if (!req.complete) req.resume()
    })
    let refusal: MultipartRefusal | undefined
    try {
      const url = new URL(req.originalUrl, settings.serverURL)
      if (req.method === 'GET') capListQueries(url.searchParams, settings.apiMaxLimit)
      const guard = multipartGuardFor(req)
      const inspectBody = guard
        ? (chunk: Uint8Array) => {
            try {
              guard.inspect(chunk)
            } catch (error) {
              if (error instanceof MultipartRefusal) refusal = error
              throw error
            }
          }
        : undefined
      const request = isMethodOverrideGet(req) ? await methodOverrideRequest(req, url, settings.apiMaxLimit) : toFetchRequest(req, url, inspectBody)
      const response = await handleEndpoints({ config, request })
      // Payload answered a body cut short by the guard (after removing what it had written): the
      // refusal is the answer the client can act on.
      if (refusal) {
        await response.body?.cancel()
        throw refusal
      }
      await sendFetchResponse(response, res)
    } catch (error) {
      const refused = refusal ?? (error instanceof OverrideBodyError ? error : undefined)
      if (refused && !res.headersSent) res.status(refused.status).json({ errors: [{ message: refused.message }] })
      else next(error)
    }
  })

  if (nextHandler) {
    app.all('/{*path}', (req, res, next) => {
      nextHandler(req, res).catch(next)
    })
  }

  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (isDatabaseUnavailable(error)) {
      logger.warn('request failed: the database is unavailable', { error: error.message })
      if (res.headersSent) {
        res.end()
        return
      }
      res.status(503).set('Retry-After', '10').json({ errors: [{ message: DATABASE_UNAVAILABLE_MESSAGE }] })
      return
    }
    logger.error('unhandled request error', { error: error.message, stack: error.stack })
    if (res.headersSent) {
      res.end()
      return
    }
    res.status(500).json({ errors: [{ message: 'Something went wrong on the server. The error was logged; please try again.' }] })
  })

  return app
}
