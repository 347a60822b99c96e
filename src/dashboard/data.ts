import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type pg from 'pg'

import { JOBS_TABLE } from '../jobs/constants'

/** Days the chart covers (today included). */
export const DASHBOARD_DAYS = 90
/** Weeks of active contributors shown. */
export const DASHBOARD_WEEKS = 13
/** Rejection reasons listed (the rest are summed as "other"). */
export const TOP_REJECTIONS = 10

const poolOf = (payload: Payload): pg.Pool => (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool
const hours = (ms: unknown): number => Math.round((Number(ms ?? 0) / 3_600_000) * 100) / 100

export interface LanguageProgress {
  code: string
  name: string
  targetHours: number
  recordings: number
  recordedHours: number
  validatedHours: number
  /** Hours in the language's latest finished export (0 when none). */
  exportedHours: number
  exportedClips: number
  lastExportAt: string | null
}

export interface DayFigures {
  day: string
  clips: number
  recordedHours: number
  validatedClips: number
  validatedHours: number
  reviewerDecisions: number
}

export interface WeekFigures {
  week: string
  contributors: number
}

export interface BacklogRow {
  code: string
  name: string
  pending: number
  needsReview: number
  accepted: number
  rejected: number
  /** Reviewer decisions in the last 7 and 30 days. */
  reviewed7d: number
  reviewed30d: number
}

export interface QueueRow {
  name: string
  /** Due and waiting for a worker. */
  waiting: number
  /** Scheduled for later (retries with backoff, repeating jobs). */
  scheduled: number
  running: number
  /** Runs that failed in the last 24 hours (retried or not). */
  failed24h: number
  /** Failed for good: out of retries, waiting for an admin. */
  failedForGood: number
}

export interface RejectionRow {
  code: string
  recordings: number
}

export interface DashboardData {
  /** When the rollup was last rebuilt (null: the worker has not run it yet). */
  refreshedAt: string | null
  language: string | null
  days: number
  totals: { recordings: number; recordedHours: number; validatedHours: number; targetHours: number; pendingAudio: number }
  languages: LanguageProgress[]
  daily: DayFigures[]
  weekly: WeekFigures[]
  backlog: BacklogRow[]
  queue: QueueRow[]
  rejections: RejectionRow[]
}

export class UnknownLanguageError extends Error {}

/**
 * The admin dashboard's figures: per-language progress, the last 90 days by day, active
 * contributors by week, the consensus backlog and review throughput (all from the rollup, see
 * rollup.ts), the job queue (agenda_jobs, by its indexes) and the latest finished export per
 * language (export plugin's documented `dataset_exports` columns: status, summary.hours/clips).
 * `language` (a code) narrows the chart, weeks and rejection reasons to one language.
 */
export const dashboardData = async (payload: Payload, { language }: { language?: string | null } = {}): Promise<DashboardData> => {
  const pool = poolOf(payload)
  let languageId = 0
  if (language) {
    const { rows } = await pool.query('SELECT id FROM languages WHERE code = $1', [language])
    if (!rows[0]) throw new UnknownLanguageError(`There is no language with the code "${language}".`)
    languageId = rows[0].id as number
  }
  const { rows: exportsInstalled } = await pool.query(`SELECT to_regclass('dataset_exports') IS NOT NULL AS ok`)
  const exportsSql = exportsInstalled[0].ok
    ? `SELECT DISTINCT ON (language_id) language_id, (summary->>'hours')::float8 AS hours, (summary->>'clips')::int AS clips, finished_at
         FROM dataset_exports WHERE status = 'done' AND language_id IS NOT NULL ORDER BY language_id, finished_at DESC NULLS LAST, id DESC`
    : `SELECT NULL::int AS language_id, 0::float8 AS hours, 0 AS clips, NULL::timestamptz AS finished_at WHERE false`
  const since = `((now() AT TIME ZONE 'UTC')::date - ${DASHBOARD_DAYS - 1})`
  const [state, languages, daily, weekly, backlog, queue, rejections] = await Promise.all([
    pool.query('SELECT refreshed_at FROM dashboard_state WHERE id = 1'),
    pool.query(
      `WITH totals AS (
         SELECT language_id, sum(recordings)::int AS recordings, sum(recorded_ms)::int8 AS recorded_ms, sum(validated_ms)::int8 AS validated_ms,
                sum(audio_pending)::int AS audio_pending
           FROM dashboard_daily GROUP BY language_id),
       exported AS (${exportsSql})
       SELECT l.code, l.name, coalesce(l.target_hours, 0)::float8 AS target_hours, coalesce(t.recordings, 0) AS recordings,
              coalesce(t.recorded_ms, 0) AS recorded_ms, coalesce(t.validated_ms, 0) AS validated_ms, coalesce(t.audio_pending, 0) AS audio_pending,
              coalesce(e.hours, 0) AS exported_hours, coalesce(e.clips, 0) AS exported_clips, e.finished_at
         FROM languages l LEFT JOIN totals t ON t.language_id = l.id LEFT JOIN exported e ON e.language_id = l.id
        ORDER BY l.is_active DESC, l.name`,
    ),
    pool.query(
      `SELECT to_char(g, 'YYYY-MM-DD') AS day, coalesce(sum(d.recordings), 0)::int AS clips, coalesce(sum(d.recorded_ms), 0)::int8 AS recorded_ms,
              coalesce(sum(d.segments_accepted), 0)::int AS validated_clips, coalesce(sum(d.validated_ms), 0)::int8 AS validated_ms,
              coalesce(sum(d.reviewer_decisions), 0)::int AS reviewer_decisions
         FROM generate_series(${since}, (now() AT TIME ZONE 'UTC')::date, interval '1 day') g
         LEFT JOIN dashboard_daily d ON d.day = g::date AND ($1 = 0 OR d.language_id = $1)
        GROUP BY g ORDER BY g`,
      [languageId],
    ),
    pool.query(
      `SELECT to_char(g, 'YYYY-MM-DD') AS week, coalesce(w.contributors, 0)::int AS contributors
         FROM generate_series(date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7 * ${DASHBOARD_WEEKS - 1}, date_trunc('week', now() AT TIME ZONE 'UTC')::date, interval '7 days') g
         LEFT JOIN dashboard_weekly w ON w.week = g::date AND w.language_id = $1
        ORDER BY g`,
      [languageId],
    ),
    pool.query(
      `SELECT l.code, l.name, coalesce(sum(d.segments_pending), 0)::int AS pending, coalesce(sum(d.segments_needs_review), 0)::int AS needs_review,
              coalesce(sum(d.segments_accepted), 0)::int AS accepted, coalesce(sum(d.segments_rejected), 0)::int AS rejected,
              coalesce(sum(d.reviewer_decisions) FILTER (WHERE d.day > (now() AT TIME ZONE 'UTC')::date - 7), 0)::int AS reviewed_7d,
              coalesce(sum(d.reviewer_decisions) FILTER (WHERE d.day > (now() AT TIME ZONE 'UTC')::date - 30), 0)::int AS reviewed_30d
         FROM languages l LEFT JOIN dashboard_daily d ON d.language_id = l.id
        GROUP BY l.id ORDER BY l.is_active DESC, l.name`,
    ),
    // Each count reads one partial index of Agenda's table (next_run_at, locked_at, failed_at).
    pool.query(
      `WITH waiting AS (
         SELECT name, count(*) FILTER (WHERE next_run_at <= now())::int AS waiting, count(*) FILTER (WHERE next_run_at > now() AND type = 'normal')::int AS scheduled
           FROM ${JOBS_TABLE} WHERE next_run_at IS NOT NULL AND locked_at IS NULL AND disabled = FALSE GROUP BY name),
       running AS (SELECT name, count(*)::int AS running FROM ${JOBS_TABLE} WHERE locked_at IS NOT NULL GROUP BY name),
       failed AS (
         SELECT name, count(*) FILTER (WHERE failed_at > now() - interval '24 hours')::int AS failed_24h,
                count(*) FILTER (WHERE next_run_at IS NULL AND locked_at IS NULL AND COALESCE(fail_count, 0) > 0)::int AS failed_for_good
           FROM ${JOBS_TABLE} WHERE failed_at IS NOT NULL GROUP BY name)
       SELECT name, coalesce(waiting, 0) AS waiting, coalesce(scheduled, 0) AS scheduled, coalesce(running, 0) AS running,
              coalesce(failed_24h, 0) AS failed_24h, coalesce(failed_for_good, 0) AS failed_for_good
         FROM waiting FULL JOIN running USING (name) FULL JOIN failed USING (name)
        ORDER BY name`,
    ),
    pool.query(
      `SELECT code, sum(recordings)::int AS recordings FROM dashboard_rejections
        WHERE day >= ${since} AND ($1 = 0 OR language_id = $1) GROUP BY code ORDER BY 2 DESC, 1`,
      [languageId],
    ),
  ])
  const languageRows: LanguageProgress[] = languages.rows.map((row) => ({
    code: row.code,
    name: row.name,
    targetHours: Number(row.target_hours),
    recordings: Number(row.recordings),
    recordedHours: hours(row.recorded_ms),
    validatedHours: hours(row.validated_ms),
    exportedHours: Math.round(Number(row.exported_hours) * 100) / 100,
    exportedClips: Number(row.exported_clips),
    lastExportAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  }))
  const reasons = rejections.rows.map((row) => ({ code: String(row.code), recordings: Number(row.recordings) }))
  const other = reasons.slice(TOP_REJECTIONS).reduce((sum, row) => sum + row.recordings, 0)
  return {
    refreshedAt: state.rows[0]?.refreshed_at ? new Date(state.rows[0].refreshed_at).toISOString() : null,
    language: language ?? null,
    days: DASHBOARD_DAYS,
    totals: {
      recordings: languageRows.reduce((sum, row) => sum + row.recordings, 0),
      recordedHours: hours(languages.rows.reduce((sum, row) => sum + Number(row.recorded_ms), 0)),
      validatedHours: hours(languages.rows.reduce((sum, row) => sum + Number(row.validated_ms), 0)),
      targetHours: languageRows.reduce((sum, row) => sum + row.targetHours, 0),
      pendingAudio: languages.rows.reduce((sum, row) => sum + Number(row.audio_pending), 0),
    },
    languages: languageRows,
    daily: daily.rows.map((row) => ({
      day: row.day,
      clips: row.clips,
      recordedHours: hours(row.recorded_ms),
      validatedClips: row.validated_clips,
      validatedHours: hours(row.validated_ms),
      reviewerDecisions: row.reviewer_decisions,
    })),
    weekly: weekly.rows.map((row) => ({ week: row.week, contributors: row.contributors })),
    backlog: backlog.rows.map((row) => ({
      code: row.code,
      name: row.name,
      pending: row.pending,
      needsReview: row.needs_review,
      accepted: row.accepted,
      rejected: row.rejected,
      reviewed7d: row.reviewed_7d,
      reviewed30d: row.reviewed_30d,
    })),
    queue: queue.rows.map((row) => ({
      name: row.name,
      waiting: row.waiting,
      scheduled: row.scheduled,
      running: row.running,
      failed24h: row.failed_24h,
      failedForGood: row.failed_for_good,
    })),
    rejections: other > 0 ? [...reasons.slice(0, TOP_REJECTIONS), { code: 'other', recordings: other }] : reasons,
  }
}

export const DASHBOARD_TABLES = ['languages', 'daily', 'weekly', 'backlog', 'queue', 'rejections'] as const
export type DashboardTable = (typeof DASHBOARD_TABLES)[number]

/** A spreadsheet would run a cell starting with these as a formula (CSV injection): such cells get a leading quote. */
const FORMULA_START = /^[=+\-@\t\r]/u

export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/u.test(text) ? `"${text.replace(/"/gu, '""')}"` : text
}

const COLUMNS: { [Table in DashboardTable]: [string, (row: DashboardData[Table][number]) => unknown][] } = {
  languages: [
    ['code', (row) => row.code],
    ['name', (row) => row.name],
    ['target_hours', (row) => row.targetHours],
    ['recordings', (row) => row.recordings],
    ['recorded_hours', (row) => row.recordedHours],
    ['validated_hours', (row) => row.validatedHours],
    ['exported_hours', (row) => row.exportedHours],
    ['exported_clips', (row) => row.exportedClips],
    ['last_export_at', (row) => row.lastExportAt],
  ],
  daily: [
    ['day', (row) => row.day],
    ['clips', (row) => row.clips],
    ['recorded_hours', (row) => row.recordedHours],
    ['validated_clips', (row) => row.validatedClips],
    ['validated_hours', (row) => row.validatedHours],
    ['reviewer_decisions', (row) => row.reviewerDecisions],
  ],
  weekly: [
    ['week_starting', (row) => row.week],
    ['active_contributors', (row) => row.contributors],
  ],
  backlog: [
    ['code', (row) => row.code],
    ['name', (row) => row.name],
    ['pending', (row) => row.pending],
    ['needs_review', (row) => row.needsReview],
    ['accepted', (row) => row.accepted],
    ['rejected', (row) => row.rejected],
    ['reviewer_decisions_7d', (row) => row.reviewed7d],
    ['reviewer_decisions_30d', (row) => row.reviewed30d],
  ],
  queue: [
    ['job', (row) => row.name],
    ['waiting', (row) => row.waiting],
    ['scheduled', (row) => row.scheduled],
    ['running', (row) => row.running],
    ['failed_24h', (row) => row.failed24h],
    ['failed_for_good', (row) => row.failedForGood],
  ],
  rejections: [
    ['check', (row) => row.code],
    ['recordings', (row) => row.recordings],
  ],
}

/** One of the dashboard's tables as CSV (RFC 4180, CRLF line ends, a header row). */
export const dashboardCsv = <Table extends DashboardTable>(data: DashboardData, table: Table): string => {
  const columns = COLUMNS[table] as [string, (row: unknown) => unknown][]
  const rows = data[table] as unknown[]
  return [columns.map(([name]) => name).join(','), ...rows.map((row) => columns.map(([, read]) => csvCell(read(row))).join(','))].join('\r\n') + '\r\n'
}
