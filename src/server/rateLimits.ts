import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

import type { Settings } from '../lib/env'
import { logger } from '../lib/logger'

export type RateLimitRule = keyof Settings['rateLimits']

export type RateLimiters = Record<RateLimitRule, RateLimiterAbstract>

const MESSAGES: Record<RateLimitRule, string> = {
  login: 'Too many sign-in attempts from this network. Wait a few minutes and try again.',
  register: 'Too many accounts created from this network. Try again later.',
  passwordReset: 'Too many password-reset requests from this network. Try again later.',
  verificationEmail: 'Too many verification emails asked for from this network. Check your inbox (and spam folder), or try again in an hour.',
  upload: 'Too many uploads from this network in a short time. Wait a moment; your recordings are kept and will be sent again.',
  newIdentity: 'Too many new contributors from this network in the last hour. Sign in with an account, or try again later.',
  judge: 'Too many judgments from this network in a short time. Take a short break and try again.',
  judgeIdentity: 'You are judging faster than anyone can listen. Take a short break and try again.',
  siteRead: 'Too many requests from this network in a short time. Wait a moment and try again.',
}

/** Limits kept in this process's memory whatever the store: hot reads, where a database round trip per request would cost more than the limit saves. */
const MEMORY_ONLY: ReadonlySet<RateLimitRule> = new Set(['siteRead'])

const TABLE = 'rate_limits'

/**
 * The limiter table, created once under an advisory lock: rate-limiter-flexible's own
 * CREATE TABLE IF NOT EXISTS races when several limiters or web processes start together.
 */
const ensureRateLimitTable = async (pool: pg.Pool): Promise<void> => {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock(727003)')
    await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`)
  } finally {
    await client.query('SELECT pg_advisory_unlock(727003)').catch(() => undefined)
    client.release()
  }
}

const postgresLimiter = (pool: pg.Pool, keyPrefix: string, points: number, duration: number): RateLimiterPostgres =>
  new RateLimiterPostgres({ storeClient: pool, storeType: 'pool', tableName: TABLE, tableCreated: true, keyPrefix, points, duration, clearExpiredByTimeout: true })

/**
 * The limiters for login, registration, password reset and uploads. The PostgreSQL store is shared
 * by every web process (the default); the in-memory store is for tests and single-process setups.
 */
export const createRateLimiters = async (settings: Settings, pool?: pg.Pool): Promise<RateLimiters> => {
  if (settings.rateLimitStore === 'postgres' && pool) await ensureRateLimitTable(pool)
  const entries = (Object.keys(settings.rateLimits) as RateLimitRule[]).map((rule) => {
    const { points, durationSec } = settings.rateLimits[rule]
    const limiter =
      settings.rateLimitStore === 'memory' || !pool || MEMORY_ONLY.has(rule)
        ? new RateLimiterMemory({ keyPrefix: rule, points, duration: durationSec })
        : postgresLimiter(pool, rule, points, durationSec)
    return [rule, limiter] as const
  })
  return Object.fromEntries(entries) as unknown as RateLimiters
}

/**
 * Express middleware: one point per request, keyed by the client's IP unless `keyOf` says otherwise
 * (e.g. the contributor); 429 with Retry-After past the limit. `keyOf` returning undefined skips the rule.
 */
export const rateLimit =
  (limiters: RateLimiters, rule: RateLimitRule, keyOf: (req: Request) => string | undefined = (req) => req.ip ?? 'unknown'): RequestHandler =>
  async (req: Request, res: Response, next: NextFunction) => {
    const key = keyOf(req)
    if (key === undefined) {
      next()
      return
    }
    try {
      await limiters[rule].consume(key)
      next()
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
        res.setHeader('Retry-After', String(retryAfter))
        res.status(429).json({ errors: [{ message: MESSAGES[rule] }], retryAfterSeconds: retryAfter })
        return
      }
      // The store failed (database down): fail open rather than lock everyone out, and say so.
      logger.warn('rate limiter store unavailable; request let through', { rule, error: String(rejection) })
      next()
    }
  }
