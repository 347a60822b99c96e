import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { APIError, type Endpoint, type PayloadRequest } from 'payload'
import type pg from 'pg'

import { resolveContributor, type ContributorIdentity } from '../access/contributor'
import { activeLanguageId } from '../contribution/nextSentences'
import { checkDisplayName, checkGoal, displayNameKey } from './core'
import {
  forgetLeaderboards,
  leaderboard,
  LEADERBOARD_METRICS,
  LEADERBOARD_PERIODS,
  profileKey,
  progressOf,
  type LeaderboardMetric,
  type LeaderboardPeriod,
} from './data'

const poolOf = (req: PayloadRequest): pg.Pool => (req.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

const NO_STORE = { 'Cache-Control': 'no-store' }

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | undefined)?.code === '23505'

/**
 * A settings change must come from the site itself: a JSON body (a cross-site form cannot send one
 * without a CORS preflight, which the server does not grant to other origins) and, when the browser
 * says where the request comes from, this server's own origin. The cookies are SameSite=Lax as well.
 */
export const assertSameOriginJson = (req: PayloadRequest): void => {
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') throw new APIError('Send the settings as JSON (Content-Type: application/json).', 415, undefined, true)
  const origin = req.headers.get('origin')
  const own = new URL(req.payload.config.serverURL || 'http://localhost').origin
  if (origin && origin !== own) throw new APIError('This request did not come from this site.', 403, undefined, true)
  const site = req.headers.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw new APIError('This request did not come from this site.', 403, undefined, true)
}

const bodyOf = async (req: PayloadRequest): Promise<Record<string, unknown>> => {
  const body = await req.json?.().catch(() => undefined)
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new APIError('The body must be a JSON object.', 400, undefined, true)
  return body as Record<string, unknown>
}

const requireIdentity = async (req: PayloadRequest): Promise<ContributorIdentity> => {
  const identity = await resolveContributor(req)
  if (!identity) throw new APIError('Accept the contribution terms (or sign in) first: your goals are kept with your contributor id.', 401, undefined, true)
  return identity
}

const leaderboardSettings = async (req: PayloadRequest, identity: ContributorIdentity) => {
  const { rows } = await poolOf(req).query(`SELECT leaderboard_opt_in, display_name FROM contributor_profiles WHERE key = $1`, [profileKey(identity)])
  const row = rows[0] as { leaderboard_opt_in: boolean | null; display_name: string | null } | undefined
  // Only an account that is signed in may be listed (one person can mint many anonymous browsers).
  return { canJoin: identity.signedIn, optIn: Boolean(row?.leaderboard_opt_in) && identity.signedIn, displayName: row?.display_name ?? null }
}

const choice = <T extends string>(value: string | null, allowed: readonly T[], name: string, fallback: T): T => {
  if (value === null) return fallback
  if (!(allowed as readonly string[]).includes(value)) throw new APIError(`${name} must be one of: ${allowed.join(', ')}.`, 400, undefined, true)
  return value as T
}

/**
 * The site's goals and leaderboards (`/api/site/me/...`, `/api/site/leaderboard`). The person is
 * who the server says they are (account, or signed anonymous cookie); counts come from the
 * database, never from the client.
 */
export const goalEndpoints: Endpoint[] = [
  {
    path: '/site/me/progress',
    method: 'get',
    handler: async (req) => {
      const identity = await requireIdentity(req)
      const progress = await progressOf(req.payload, identity)
      return Response.json({ ...progress, leaderboard: await leaderboardSettings(req, identity) }, { headers: NO_STORE })
    },
  },
  {
    // { recorded, validated }: whole numbers, 0 for no goal. Anonymous contributors may set goals.
    path: '/site/me/goals',
    method: 'post',
    handler: async (req) => {
      const identity = await requireIdentity(req)
      assertSameOriginJson(req)
      const body = await bodyOf(req)
      const recorded = checkGoal(body.recorded, 'recorded')
      if (!recorded.ok) throw new APIError(recorded.message, 400, undefined, true)
      const validated = checkGoal(body.validated, 'validated')
      if (!validated.ok) throw new APIError(validated.message, 400, undefined, true)
      // System write: the person was identified above; one row per person (unique key).
      await poolOf(req).query(
        `INSERT INTO contributor_profiles (key, user_id, weekly_recorded_goal, weekly_validated_goal, leaderboard_opt_in, updated_at, created_at)
         VALUES ($1, $2, $3, $4, false, now(), now())
         ON CONFLICT (key) DO UPDATE SET weekly_recorded_goal = EXCLUDED.weekly_recorded_goal, weekly_validated_goal = EXCLUDED.weekly_validated_goal, updated_at = now()`,
        [profileKey(identity), identity.userId ?? null, recorded.value, validated.value],
      )
      return Response.json({ ok: true, goals: { recorded: recorded.value, validated: validated.value } }, { headers: NO_STORE })
    },
  },
  {
    // { optIn: boolean, displayName?: string }: signed-in accounts only.
    path: '/site/me/leaderboard',
    method: 'post',
    handler: async (req) => {
      if (!req.user) throw new APIError('Sign in to appear on leaderboards: anonymous contributors see their own numbers only.', 401, undefined, true)
      const identity = await requireIdentity(req)
      assertSameOriginJson(req)
      const body = await bodyOf(req)
      if (typeof body.optIn !== 'boolean') throw new APIError('optIn must be true or false.', 400, undefined, true)
      const pool = poolOf(req)
      const key = profileKey(identity)
      let name: string | null = null
      if (body.displayName !== undefined && body.displayName !== null) {
        const checked = checkDisplayName(body.displayName)
        if (!checked.ok) throw new APIError(checked.message, 400, undefined, true)
        name = checked.value
      } else if (body.optIn) {
        const { rows } = await pool.query(`SELECT display_name FROM contributor_profiles WHERE key = $1`, [key])
        name = (rows[0] as { display_name: string | null } | undefined)?.display_name ?? null
        if (!name) throw new APIError('Choose a display name to appear on leaderboards.', 400, undefined, true)
      }
      try {
        // System write for the signed-in account. A new name replaces the old; opting out keeps it (unlisted).
        await pool.query(
          `INSERT INTO contributor_profiles (key, user_id, leaderboard_opt_in, display_name, display_name_key, updated_at, created_at)
           VALUES ($1, $2, $3, $4, $5, now(), now())
           ON CONFLICT (key) DO UPDATE SET leaderboard_opt_in = EXCLUDED.leaderboard_opt_in,
             display_name = coalesce(EXCLUDED.display_name, contributor_profiles.display_name),
             display_name_key = coalesce(EXCLUDED.display_name_key, contributor_profiles.display_name_key), updated_at = now()`,
          [key, identity.userId, body.optIn, name, name === null ? null : displayNameKey(name)],
        )
      } catch (error) {
        if (isUniqueViolation(error)) throw new APIError('Someone already uses this display name (or one that looks the same). Choose another.', 409, undefined, true)
        throw error
      }
      forgetLeaderboards()
      return Response.json({ ok: true, leaderboard: await leaderboardSettings(req, identity) }, { headers: NO_STORE })
    },
  },
  {
    // ?language=bn&metric=recorded|validated&period=week|all — public, opted-in accounts only.
    path: '/site/leaderboard',
    method: 'get',
    handler: async (req) => {
      const value = req.searchParams.get('language')
      if (!value) throw new APIError('Say which language: ?language=bn (a language code) or its id.', 400, undefined, true)
      const languageId = await activeLanguageId(req.payload, value)
      if (languageId === undefined) throw new APIError(`No language "${value}" is open for contribution.`, 404, undefined, true)
      const metric = choice<LeaderboardMetric>(req.searchParams.get('metric'), LEADERBOARD_METRICS, 'metric', 'recorded')
      const period = choice<LeaderboardPeriod>(req.searchParams.get('period'), LEADERBOARD_PERIODS, 'period', 'week')
      const entries = await leaderboard(req.payload, { languageId, metric, period })
      return Response.json({ language: value, metric, period, entries }, { headers: NO_STORE })
    },
  },
]
