import { sql } from '@payloadcms/db-postgres'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'

export interface LanguageTotals {
  code: string
  name: string
  nativeName: string
  sentences: number
  recordedHours: number
  validatedHours: number
  contributors: number
  /** Hours of validated speech the community aims for (the language's `targetHours`). */
  targetHours: number
}

export interface SiteStats {
  recordedHours: number
  validatedHours: number
  contributors: number
  languages: LanguageTotals[]
  at: string
}

const CACHE_MS = 30_000
let cached: { at: number; value: Promise<SiteStats> } | undefined

const hours = (ms: unknown) => Math.round((Number(ms ?? 0) / 3_600_000) * 100) / 100

/**
 * Live totals for the home page, computed at most every 30 s per process: a busy home page costs
 * one aggregate query per half minute. Recorded = accepted audio; validated = segments the
 * consensus engine accepted (when the audio-processing plugin provides segments).
 */
export const siteStats = (payload: Payload): Promise<SiteStats> => {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.value
  const value = computeStats(payload)
  cached = { at: Date.now(), value }
  value.catch(() => (cached = undefined))
  return value
}

/** Withdrawn recordings (`withdrawal_id` set) count nowhere, from the moment of withdrawal. */
const computeStats = async (payload: Payload): Promise<SiteStats> => {
  const db = (payload.db as unknown as PostgresAdapter).drizzle
  // Durations come from the audio-processing plugin's published views, validation from the consensus plugin's, when installed.
  const { segments: hasSegments, audio: hasAudio, consensus: hasConsensus } = (
    await db.execute(sql`SELECT to_regclass('audio_segments') IS NOT NULL AS segments, to_regclass('audio_recordings') IS NOT NULL AS audio,
      to_regclass('consensus_segments') IS NOT NULL AS consensus`)
  ).rows[0] as { segments: boolean; audio: boolean; consensus: boolean }
  const recorded = hasAudio
    ? sql`(SELECT coalesce(sum(a.duration_ms), 0) FROM recordings r JOIN audio_recordings a ON a.id = r.id WHERE r.language_id = l.id AND a.ready AND r.withdrawal_id IS NULL)`
    : sql`0`
  const validated =
    hasSegments && hasConsensus
      ? sql`(SELECT coalesce(sum(g.duration_ms), 0) FROM consensus_segments c JOIN audio_segments g ON g.id = c.segment_id JOIN recordings r2 ON r2.id = g.recording_id
             WHERE r2.language_id = l.id AND c.status = 'accepted' AND r2.withdrawal_id IS NULL)`
      : sql`0`
  const rows = (
    await db.execute(sql`
      SELECT l.code, l.name, l.native_name, l.target_hours,
        (SELECT count(*) FROM sentences s WHERE s.language_id = l.id AND s.status = 'approved') AS sentences,
        ${recorded} AS recorded_ms,
        ${validated} AS validated_ms,
        (SELECT count(DISTINCT coalesce(r.owner_id::text, r.client_id)) FROM recordings r WHERE r.language_id = l.id AND r.withdrawal_id IS NULL) AS contributors
      FROM languages l WHERE l.is_active ORDER BY l.name`)
  ).rows as Record<string, unknown>[]
  const everyone = (
    (await db.execute(sql`SELECT count(DISTINCT coalesce(owner_id::text, client_id)) AS n FROM recordings WHERE withdrawal_id IS NULL`)).rows[0] as { n: string }
  ).n
  const languages = rows.map((row) => ({
    code: String(row.code),
    name: String(row.name),
    nativeName: String(row.native_name),
    sentences: Number(row.sentences),
    recordedHours: hours(row.recorded_ms),
    validatedHours: hours(row.validated_ms),
    contributors: Number(row.contributors),
    targetHours: Number(row.target_hours ?? 0),
  }))
  return {
    recordedHours: Math.round(languages.reduce((sum, language) => sum + language.recordedHours, 0) * 100) / 100,
    validatedHours: Math.round(languages.reduce((sum, language) => sum + language.validatedHours, 0) * 100) / 100,
    contributors: Number(everyone),
    languages,
    at: new Date().toISOString(),
  }
}
