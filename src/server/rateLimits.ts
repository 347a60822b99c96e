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
  upload: 'Too many uploads from this network in a short time. Wait a moment; your recordings are kept and will be sent again.',
}

const postgresLimiter = (pool: pg.Pool, keyPrefix: string, points: number, duration: number): Promise<RateLimiterPostgres> =>
  new Promise((resolve, reject) => {
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(
      { storeClient: pool, storeType: 'pool', tableName: 'rate_limits', keyPrefix, points, duration, clearExpiredByTimeout: true },
      (error?: Error) => (error ? reject(error) : resolve(limiter)),
    )
  })

/**
 * The limiters for login, registration, password reset and uploads. The PostgreSQL store is shared
 * by every web process (the default); the in-memory store is for tests and single-process setups.
 */
export const createRateLimiters = async (settings: Settings, pool?: pg.Pool): Promise<RateLimiters> => {
  const entries = await Promise.all(
    (Object.keys(settings.rateLimits) as RateLimitRule[]).map(async (rule) => {
      const { points, durationSec } = settings.rateLimits[rule]
      const limiter =
        settings.rateLimitStore === 'memory' || !pool
          ? new RateLimiterMemory({ keyPrefix: rule, points, duration: durationSec })
          : await postgresLimiter(pool, rule, points, durationSec)
      return [rule, limiter] as const
    }),
  )
  return Object.fromEntries(entries) as unknown as RateLimiters
}

/** Express middleware: one point per request from the client's IP; 429 with Retry-After past the limit. */
export const rateLimit =
  (limiters: RateLimiters, rule: RateLimitRule): RequestHandler =>
  async (req: Request, res: Response, next: NextFunction) => {
    try {
      await limiters[rule].consume(req.ip ?? 'unknown')
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
