import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type pg from 'pg'

import { DEFAULT_GOALS, STREAK_MAX_DAYS, streakOf, weekStart, type Streak, type WeeklyGoals } from './core'
import { listableOnLeaderboard } from './listable'

/**
 * Goals, streaks and leaderboards from the server's own rows (never from anything the client says).
 *
 * A recorded clip is a recording of the person's that is not withdrawn and whose audio was not
 * rejected (or failed) by the audio checks; a validated clip is a vote the person cast on someone's
 * clip (the consensus plugin's published view `consensus_votes`, when it is installed).
 * Every query is bounded by the person (indexes on `recordings.owner_id`/`client_id` and, beneath
 * the view, on the voter and client id of votes) or by the opted-in accounts.
 */

const poolOf = (payload: Payload): pg.Pool => (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

interface Sources {
  votes: boolean
  audio: boolean
}

const sourcesByPayload = new WeakMap<Payload, Promise<Sources>>()

/** Which plugins' published views exist (asked once per process). */
const sourcesOf = (payload: Payload): Promise<Sources> => {
  let sources = sourcesByPayload.get(payload)
  if (!sources) {
    sources = poolOf(payload)
      .query(
        `SELECT to_regclass('consensus_votes') IS NOT NULL AND to_regclass('audio_segments') IS NOT NULL AS votes,
                to_regclass('audio_recordings') IS NOT NULL AS audio`,
      )
      .then(({ rows }) => rows[0] as Sources)
    sources.catch(() => sourcesByPayload.delete(payload))
    sourcesByPayload.set(payload, sources)
  }
  return sources
}

/** A recording that counts: not withdrawn, and not refused by the audio checks (the audio-processing plugin's published `audio_recordings`). */
const countedRecording = (alias: string, sources: Sources): string =>
  `${alias}.withdrawal_id IS NULL${sources.audio ? ` AND NOT EXISTS (SELECT 1 FROM audio_recordings a WHERE a.id = ${alias}.id AND a.status IN ('rejected', 'failed'))` : ''}`

/** The person as the site counts them: an account (and browsers linked to it), or one anonymous browser. */
export interface Person {
  userId?: number
  clientId?: string
}

export interface Progress {
  week: { start: string; recorded: number; validated: number }
  allTime: { recorded: number; validated: number }
  goals: WeeklyGoals
  /** Whether the goals are the site's defaults (the person never chose any). */
  defaultGoals: boolean
  streak: Streak
}

const personFilter = (person: Person, owner: string, client: string, offset: number): { where: string; params: unknown[] } =>
  person.userId !== undefined
    ? { where: `${owner} = $${offset}`, params: [person.userId] }
    : { where: `${client} = $${offset} AND ${owner} IS NULL`, params: [person.clientId] }

export const profileKey = (person: Person): string => (person.userId !== undefined ? `u:${person.userId}` : `c:${person.clientId}`)

/**
 * One person's week, all-time totals, goals and streak, as of `now` (a parameter so that tests can
 * fix the clock). Activity after `now` is ignored.
 */
export const progressOf = async (payload: Payload, person: Person, now: Date = new Date()): Promise<Progress> => {
  if (person.userId === undefined && !person.clientId) throw new Error('progressOf needs an account or a client id')
  const pool = poolOf(payload)
  const sources = await sourcesOf(payload)
  const start = weekStart(now)
  const streakFrom = new Date(start.getTime() - STREAK_MAX_DAYS * 86_400_000)
  const recordings = personFilter(person, 'r.owner_id', 'r.client_id', 1)
  const activity = [
    `SELECT r.created_at AS at FROM recordings r WHERE ${recordings.where} AND ${countedRecording('r', sources)} AND r.created_at <= $2`,
  ]
  if (sources.votes) {
    const votes = personFilter(person, 'v.contributor_id', 'v.client_id', 1)
    activity.push(`SELECT v.created_at FROM consensus_votes v WHERE ${votes.where} AND v.created_at <= $2`)
  }
  const [counts, days, profile] = await Promise.all([
    pool.query(
      `SELECT count(*) FILTER (WHERE kind = 'r' AND at >= $3)::int AS week_recorded, count(*) FILTER (WHERE kind = 'v' AND at >= $3)::int AS week_validated,
              count(*) FILTER (WHERE kind = 'r')::int AS recorded, count(*) FILTER (WHERE kind = 'v')::int AS validated
         FROM (${activity.map((part, index) => part.replace('SELECT ', `SELECT '${index === 0 ? 'r' : 'v'}' AS kind, `)).join(' UNION ALL ')}) a`,
      [...recordings.params, now, start],
    ),
    pool.query(
      `SELECT DISTINCT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM (${activity.join(' UNION ALL ')}) a WHERE at >= $3`,
      [...recordings.params, now, streakFrom],
    ),
    pool.query(`SELECT weekly_recorded_goal, weekly_validated_goal FROM contributor_profiles WHERE key = $1`, [profileKey(person)]),
  ])
  const row = counts.rows[0] as { week_recorded: number; week_validated: number; recorded: number; validated: number }
  const goals = profile.rows[0] as { weekly_recorded_goal: string | number | null; weekly_validated_goal: string | number | null } | undefined
  const chosen = goals && (goals.weekly_recorded_goal !== null || goals.weekly_validated_goal !== null)
  return {
    week: { start: start.toISOString(), recorded: row.week_recorded, validated: row.week_validated },
    allTime: { recorded: row.recorded, validated: row.validated },
    goals: {
      // numeric columns arrive as strings
      recorded: goals?.weekly_recorded_goal != null ? Number(goals.weekly_recorded_goal) : DEFAULT_GOALS.recorded,
      validated: goals?.weekly_validated_goal != null ? Number(goals.weekly_validated_goal) : DEFAULT_GOALS.validated,
    },
    defaultGoals: !chosen,
    streak: streakOf(
      days.rows.map((day: { day: string }) => day.day),
      now,
    ),
  }
}

export const LEADERBOARD_METRICS = ['recorded', 'validated'] as const
export const LEADERBOARD_PERIODS = ['week', 'all'] as const
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number]
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number]
export const LEADERBOARD_SIZE = 20

export interface LeaderboardEntry {
  rank: number
  displayName: string
  clips: number
}

interface RankedRow {
  profile: number
  name: string
  clips: number
}

/** Seconds a computed leaderboard is reused (per language, metric and period, per process). */
export const LEADERBOARD_CACHE_MS = 30_000
const cache = new Map<string, { at: number; rows: Promise<RankedRow[]> }>()

/** After an opt-in, opt-out or rename in this process: the next request recomputes. */
export const forgetLeaderboards = (): void => cache.clear()

const rankedRows = async (payload: Payload, languageId: number, metric: LeaderboardMetric, period: LeaderboardPeriod, now: Date): Promise<RankedRow[]> => {
  const pool = poolOf(payload)
  const sources = await sourcesOf(payload)
  if (metric === 'validated' && !sources.votes) return []
  const since = period === 'week' ? weekStart(now) : new Date(0)
  // For each opted-in account (few), its clips in the language: an index scan per account.
  const counted =
    metric === 'recorded'
      ? `SELECT count(*) FROM recordings r WHERE r.owner_id = p.user_id AND r.language_id = $1 AND ${countedRecording('r', sources)} AND r.created_at >= $2 AND r.created_at <= $3`
      : `SELECT count(*) FROM consensus_votes v JOIN audio_segments g ON g.id = v.segment_id JOIN recordings r ON r.id = g.recording_id
          WHERE v.contributor_id = p.user_id AND r.language_id = $1 AND r.withdrawal_id IS NULL AND v.created_at >= $2 AND v.created_at <= $3`
  const { rows } = await pool.query(
    `SELECT profile, name, clips FROM (
       SELECT p.id AS profile, p.display_name AS name, (${counted})::int AS clips
         FROM contributor_profiles p JOIN users u ON u.id = p.user_id
        WHERE ${listableOnLeaderboard('p', 'u')}) ranked
      WHERE clips > 0 ORDER BY clips DESC, name LIMIT $4`,
    [languageId, since, now, LEADERBOARD_SIZE],
  )
  return rows as RankedRow[]
}

/**
 * The top contributors of one language by clips recorded or validated, this ISO week (UTC) or all
 * time. Only accounts that `listableOnLeaderboard` admits, under their display name; never an
 * e-mail address or an id. Counts are reused for up to LEADERBOARD_CACHE_MS, but who is listed and
 * under which name is checked again on every call, so an opt-out is honoured at once everywhere.
 */
export const leaderboard = async (
  payload: Payload,
  { languageId, metric, period, now = new Date() }: { languageId: number; metric: LeaderboardMetric; period: LeaderboardPeriod; now?: Date },
): Promise<LeaderboardEntry[]> => {
  const key = `${languageId}:${metric}:${period}:${period === 'week' ? weekStart(now).toISOString() : ''}`
  let entry = cache.get(key)
  if (!entry || Date.now() - entry.at > LEADERBOARD_CACHE_MS) {
    // Keys are valid language ids only (the endpoint checks), but weeks go by: drop stale entries.
    for (const [old, value] of cache) if (Date.now() - value.at > LEADERBOARD_CACHE_MS) cache.delete(old)
    entry = { at: Date.now(), rows: rankedRows(payload, languageId, metric, period, now) }
    entry.rows.catch(() => cache.delete(key))
    cache.set(key, entry)
  }
  const rows = await entry.rows
  if (rows.length === 0) return []
  const { rows: current } = await poolOf(payload).query(
    `SELECT p.id, p.display_name FROM contributor_profiles p JOIN users u ON u.id = p.user_id WHERE p.id = ANY($1::int[]) AND ${listableOnLeaderboard('p', 'u')}`,
    [rows.map((row) => row.profile)],
  )
  const names = new Map((current as { id: number; display_name: string }[]).map((row) => [row.id, row.display_name]))
  return rows
    .filter((row) => names.has(row.profile))
    .map((row, index) => ({ rank: index + 1, displayName: names.get(row.profile)!, clips: row.clips }))
}
