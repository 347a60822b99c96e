import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { JobDefinition } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'
import type pg from 'pg'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'dashboard.refresh-rollup': { full?: boolean }
  }
}

/**
 * The dashboard's rollup: per language per UTC day (dashboard_daily, dashboard_rejections) and per
 * week (dashboard_weekly), so a dashboard request reads a few hundred small rows instead of
 * aggregating every recording, segment and vote.
 *
 * Rebuilt by the `dashboard.refresh-rollup` job every minute: the days touched since the last run
 * (rows of recordings and segments updated since, reviewer decisions made since, and today) are
 * recomputed from scratch, each an indexed range scan on `created_at`; once a day (and on the first
 * run) everything is rebuilt, which also catches rows deleted outright. A day is attributed by the
 * upload's creation time (UTC), reviewer decisions by the decision's time.
 *
 * Plugin-owned data is read through the views the plugins publish, and only when they are
 * installed (their migrations made the view): the audio-processing plugin's `audio_recordings`
 * (status, duration, checks) and `audio_segments` (duration), the consensus plugin's
 * `consensus_segments` (status, changed_at; a segment it has no row for yet is pending),
 * `consensus_reviews` (its reviewers' decisions) and `consensus_votes`. Without a plugin its figures
 * are zero, never an error. PostgreSQL inlines a view, and (from version 18) drops the join of a
 * table with itself (self-join elimination), so `recordings` joined to `audio_recordings` is one scan.
 */

/** Rows committed this long after their `updated_at` was stamped are still seen by the next run. */
export const REFRESH_OVERLAP_MINUTES = 10
/** Hours between full rebuilds. */
export const FULL_REBUILD_HOURS = 24
const LOCK_KEY = 727_018

const poolOf = (payload: Payload): pg.Pool => (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

interface Installed {
  audio: boolean
  segments: boolean
  consensus: boolean
  decisions: boolean
  votes: boolean
  transcriptions: boolean
}

/** Which plugins' published views exist in this database. */
export const installedSources = async (db: pg.Pool | pg.PoolClient): Promise<Installed> => {
  const { rows } = await db.query(`
    SELECT to_regclass('audio_recordings') IS NOT NULL AS audio,
           to_regclass('audio_segments') IS NOT NULL AS segments,
           to_regclass('consensus_segments') IS NOT NULL AS consensus,
           to_regclass('consensus_reviews') IS NOT NULL AS decisions,
           to_regclass('consensus_votes') IS NOT NULL AS votes,
           to_regclass('transcriptions') IS NOT NULL AS transcriptions`)
  return rows[0] as Installed
}

/**
 * Each statement below runs either over everything (a full rebuild: one pass, hash joins) or over
 * one span of whole UTC days or weeks, `$1 <= created_at < $2` (an incremental refresh: an index
 * range scan, since the planner sees the bounds). `within(column)` is that filter.
 */
type Within = (column: string) => string
const everything: Within = () => 'TRUE'
const inSpan: Within = (column) => `${column} >= $1::timestamptz AND ${column} < $2::timestamptz`
const dayOf = (column: string): string => `(${column} AT TIME ZONE 'UTC')::date`
const weekOf = (column: string): string => `date_trunc('week', ${column} AT TIME ZONE 'UTC')::date`

const dailySql = (has: Installed, within: Within): string => {
  const audio = has.audio
    ? `coalesce(sum(a.duration_ms) FILTER (WHERE a.ready), 0)::bigint AS recorded_ms,
       count(*) FILTER (WHERE a.status IS NULL OR a.status IN ('pending', 'processing'))::int AS audio_pending,
       count(*) FILTER (WHERE a.ready)::int AS audio_ready,
       count(*) FILTER (WHERE a.status = 'rejected')::int AS audio_rejected,
       count(*) FILTER (WHERE a.status = 'failed')::int AS audio_failed`
    : `0::bigint AS recorded_ms, count(*)::int AS audio_pending, 0 AS audio_ready, 0 AS audio_rejected, 0 AS audio_failed`
  // Without the consensus plugin nothing is decided: every segment is pending.
  const status = has.consensus ? `coalesce(c.status::text, 'pending')` : `'pending'`
  const segments = has.segments
    ? `SELECT r.language_id, ${dayOf('r.created_at')} AS day,
         count(*) FILTER (WHERE ${status} = 'pending')::int AS segments_pending,
         count(*) FILTER (WHERE ${status} = 'needs-review')::int AS segments_needs_review,
         count(*) FILTER (WHERE ${status} = 'accepted')::int AS segments_accepted,
         count(*) FILTER (WHERE ${status} = 'rejected')::int AS segments_rejected,
         coalesce(sum(g.duration_ms) FILTER (WHERE ${status} = 'accepted'), 0)::bigint AS validated_ms
       FROM recordings r JOIN audio_segments g ON g.recording_id = r.id ${has.consensus ? 'LEFT JOIN consensus_segments c ON c.segment_id = g.id' : ''}
       WHERE ${within('r.created_at')} AND r.withdrawal_id IS NULL AND r.language_id IS NOT NULL GROUP BY 1, 2`
    : `SELECT NULL::int AS language_id, NULL::date AS day, 0 AS segments_pending, 0 AS segments_needs_review, 0 AS segments_accepted, 0 AS segments_rejected, 0::bigint AS validated_ms WHERE false`
  // Decisions on segments deleted since have no language left, and are not counted.
  const reviews =
    has.decisions && has.segments
      ? `SELECT r.language_id, ${dayOf('c.created_at')} AS day, count(*)::int AS reviewer_decisions
           FROM consensus_reviews c JOIN audio_segments g ON g.id = c.segment_id JOIN recordings r ON r.id = g.recording_id
          WHERE ${within('c.created_at')} AND r.withdrawal_id IS NULL AND r.language_id IS NOT NULL GROUP BY 1, 2`
      : `SELECT NULL::int AS language_id, NULL::date AS day, 0 AS reviewer_decisions WHERE false`
  return `
    WITH rec AS (
      SELECT r.language_id, ${dayOf('r.created_at')} AS day, count(*)::int AS recordings, ${audio}
        FROM recordings r ${has.audio ? 'JOIN audio_recordings a ON a.id = r.id' : ''}
       WHERE ${within('r.created_at')} AND r.withdrawal_id IS NULL AND r.language_id IS NOT NULL GROUP BY 1, 2),
    seg AS (${segments}),
    rev AS (${reviews})
    INSERT INTO dashboard_daily (language_id, day, recordings, recorded_ms, audio_pending, audio_ready, audio_rejected, audio_failed,
                                 segments_pending, segments_needs_review, segments_accepted, segments_rejected, validated_ms, reviewer_decisions)
    SELECT language_id, day, coalesce(rec.recordings, 0), coalesce(rec.recorded_ms, 0), coalesce(rec.audio_pending, 0), coalesce(rec.audio_ready, 0),
           coalesce(rec.audio_rejected, 0), coalesce(rec.audio_failed, 0), coalesce(seg.segments_pending, 0), coalesce(seg.segments_needs_review, 0),
           coalesce(seg.segments_accepted, 0), coalesce(seg.segments_rejected, 0), coalesce(seg.validated_ms, 0), coalesce(rev.reviewer_decisions, 0)
      FROM rec FULL JOIN seg USING (language_id, day) FULL JOIN rev USING (language_id, day)`
}

/** A rejected upload's reason: the first check with severity "error" (the one that rejected it). */
const rejectionsSql = (within: Within): string => `
  INSERT INTO dashboard_rejections (language_id, day, code, recordings)
  SELECT r.language_id, ${dayOf('r.created_at')}, coalesce(first.code, 'unknown'), count(*)::int
    FROM recordings r
    JOIN audio_recordings a ON a.id = r.id
    LEFT JOIN LATERAL (
      SELECT c->>'code' AS code FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.checks) = 'array' THEN a.checks ELSE '[]'::jsonb END) WITH ORDINALITY AS e(c, n)
       WHERE c->>'severity' = 'error' ORDER BY n LIMIT 1) first ON true
   WHERE ${within('r.created_at')} AND a.status = 'rejected' AND r.withdrawal_id IS NULL AND r.language_id IS NOT NULL
   GROUP BY 1, 2, 3`

/**
 * Distinct contributors per ISO week (Monday, UTC) who recorded, voted or transcribed, per
 * language and (language 0) across all languages: distinct counts do not add up, so both are kept.
 */
const weeklySql = (has: Installed, within: Within): string => {
  const parts = [
    `SELECT r.language_id, ${weekOf('r.created_at')} AS week, coalesce('u' || r.owner_id, 'c' || r.client_id) AS who
       FROM recordings r
      WHERE ${within('r.created_at')} AND r.withdrawal_id IS NULL AND r.language_id IS NOT NULL AND (r.owner_id IS NOT NULL OR r.client_id IS NOT NULL)`,
  ]
  if (has.votes && has.segments) {
    parts.push(`SELECT r.language_id, ${weekOf('v.created_at')}, coalesce('u' || v.contributor_id, 'c' || v.client_id)
       FROM consensus_votes v JOIN audio_segments g ON g.id = v.segment_id JOIN recordings r ON r.id = g.recording_id
      WHERE ${within('v.created_at')} AND r.language_id IS NOT NULL AND (v.contributor_id IS NOT NULL OR v.client_id IS NOT NULL)`)
  }
  if (has.transcriptions) {
    parts.push(`SELECT t.language_id, ${weekOf('t.created_at')}, coalesce('u' || t.author_id, 'c' || t.client_id)
       FROM transcriptions t
      WHERE ${within('t.created_at')} AND t.language_id IS NOT NULL AND (t.author_id IS NOT NULL OR t.client_id IS NOT NULL)`)
  }
  return `
    WITH active AS (${parts.join('\n UNION ALL \n')})
    INSERT INTO dashboard_weekly (language_id, week, contributors)
    SELECT coalesce(language_id, 0), week, count(DISTINCT who)::int FROM active GROUP BY GROUPING SETS ((language_id, week), (week))`
}

export interface RefreshResult {
  full: boolean
  days: number
  ms: number
}

/**
 * Recomputes the touched days (or everything: `full`, the first run, or a day after the last full
 * rebuild) in one transaction, so the dashboard never reads a half-written day. Returns undefined
 * when another process is refreshing at this moment.
 */
export const refreshDashboardRollup = async (payload: Payload, { full: forceFull = false }: { full?: boolean } = {}): Promise<RefreshResult | undefined> => {
  const started = performance.now()
  const client = await poolOf(payload).connect()
  try {
    await client.query('BEGIN')
    const { rows: locked } = await client.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_KEY])
    if (!locked[0].ok) {
      await client.query('ROLLBACK')
      return undefined
    }
    const has = await installedSources(client)
    const { rows: stateRows } = await client.query('SELECT watermark, full_at FROM dashboard_state WHERE id = 1')
    // The next run looks back from this run's start (the transaction's now()).
    const { rows: clock } = await client.query('SELECT now() AS now')
    const state = stateRows[0] as { watermark: Date | null; full_at: Date | null } | undefined
    const full = forceFull || !state?.watermark || !state.full_at || Date.now() - state.full_at.getTime() > FULL_REBUILD_HOURS * 3_600_000
    let days = 0
    if (full) {
      await client.query('DELETE FROM dashboard_daily; DELETE FROM dashboard_rejections; DELETE FROM dashboard_weekly')
      await client.query(dailySql(has, everything))
      if (has.audio) await client.query(rejectionsSql(everything))
      await client.query(weeklySql(has, everything))
      days = Number((await client.query('SELECT count(DISTINCT day)::int AS n FROM dashboard_daily')).rows[0].n)
    } else {
      const since = new Date(state!.watermark!.getTime() - REFRESH_OVERLAP_MINUTES * 60_000)
      const sources = [
        `SELECT DISTINCT ${dayOf('created_at')} AS day FROM recordings WHERE updated_at >= $1`,
        `SELECT g::date FROM generate_series(${dayOf('$1::timestamptz')}, ${dayOf('now()')}, interval '1 day') g`,
      ]
      if (has.segments) sources.push(`SELECT DISTINCT ${dayOf('r.created_at')} FROM audio_segments g JOIN recordings r ON r.id = g.recording_id WHERE g.updated_at >= $1`)
      if (has.segments && has.consensus) {
        sources.push(`SELECT DISTINCT ${dayOf('r.created_at')} FROM consensus_segments c JOIN audio_segments g ON g.id = c.segment_id JOIN recordings r ON r.id = g.recording_id WHERE c.changed_at >= $1`)
      }
      // Touched days, and the weeks they fall in, as spans of consecutive days [from, to) in UTC.
      const { rows: spans } = await client.query(
        `WITH touched AS (${sources.join(' UNION ')}),
         islands AS (SELECT day, day - (row_number() OVER (ORDER BY day))::int AS island FROM touched)
         SELECT 'day' AS kind, (min(day)::timestamp AT TIME ZONE 'UTC') AS "from", ((max(day) + 1)::timestamp AT TIME ZONE 'UTC') AS "to", count(*)::int AS n FROM islands GROUP BY island
         UNION ALL
         SELECT 'week', (w::timestamp AT TIME ZONE 'UTC'), ((w + 7)::timestamp AT TIME ZONE 'UTC'), 1 FROM (SELECT DISTINCT date_trunc('week', day)::date AS w FROM touched) weeks`,
        [since],
      )
      for (const span of spans as { kind: 'day' | 'week'; from: Date; to: Date; n: number }[]) {
        const bounds = [span.from, span.to]
        if (span.kind === 'week') {
          await client.query(`DELETE FROM dashboard_weekly WHERE week >= ${dayOf('$1::timestamptz')} AND week < ${dayOf('$2::timestamptz')}`, bounds)
          await client.query(weeklySql(has, inSpan), bounds)
          continue
        }
        days += span.n
        await client.query(`DELETE FROM dashboard_daily WHERE day >= ${dayOf('$1::timestamptz')} AND day < ${dayOf('$2::timestamptz')}`, bounds)
        await client.query(`DELETE FROM dashboard_rejections WHERE day >= ${dayOf('$1::timestamptz')} AND day < ${dayOf('$2::timestamptz')}`, bounds)
        await client.query(dailySql(has, inSpan), bounds)
        if (has.audio) await client.query(rejectionsSql(inSpan), bounds)
      }
    }
    await client.query(
      `INSERT INTO dashboard_state (id, refreshed_at, watermark, full_at) VALUES (1, now(), $1, CASE WHEN $2 THEN now() END)
       ON CONFLICT (id) DO UPDATE SET refreshed_at = now(), watermark = $1, full_at = CASE WHEN $2 THEN now() ELSE dashboard_state.full_at END`,
      [clock[0].now, full],
    )
    await client.query('COMMIT')
    return { full, days, ms: Math.round(performance.now() - started) }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** Every minute, one run per cluster: the dashboard's figures are at most about a minute old. */
export const refreshDashboardRollupJob: JobDefinition<'dashboard.refresh-rollup'> = {
  name: 'dashboard.refresh-rollup',
  every: '1 minute',
  retries: 1,
  async handler({ payload, data, log }) {
    const result = await refreshDashboardRollup(payload, { full: data?.full === true })
    if (result) log('dashboard rollup refreshed', { ...result }, 'debug')
  },
}
