import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type pg from 'pg'

/** Read-aloud pace, about the same in English and Bengali script (as in the site's passages). */
export const READING_CHARS_PER_SECOND = 14
/** Recording counts from this one up share the last histogram bar. */
export const HISTOGRAM_TOP = 10

const poolOf = (payload: Payload): pg.Pool => (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool

export interface Coverage {
  language: { id: number; code: string; name: string; recordingsPerSentence: number }
  sentences: { approved: number; pending: number; rejected: number; retired: number }
  /** Approved sentences by recordings each: index i = i recordings, the last = HISTOGRAM_TOP or more. */
  recordingsHistogram: number[]
  neverRecorded: number
  byDomain: { domain: string; approved: number; pending: number; neverRecorded: number }[]
  bySource: { source: string; approved: number; pending: number; neverRecorded: number }[]
  /** Speech the approved corpus can still yield at the target, at the read-aloud pace. */
  hoursStillAvailable: number
  secondsStillAvailable: number
}

/** One language's corpus in numbers, for the admin's coverage view. */
export const corpusCoverage = async (payload: Payload, languageId: number): Promise<Coverage | undefined> => {
  const pool = poolOf(payload)
  const language = await pool.query('SELECT id, code, name, COALESCE(recordings_per_sentence, 1)::int AS target FROM languages WHERE id = $1', [languageId])
  if (!language.rows[0]) return undefined
  const target = language.rows[0].target as number
  const [statuses, histogram, domains, sources, remaining] = await Promise.all([
    pool.query(`SELECT status::text, count(*)::int AS n FROM sentences WHERE language_id = $1 GROUP BY status`, [languageId]),
    pool.query(
      `SELECT LEAST(recording_count, $2)::int AS bucket, count(*)::int AS n FROM sentences WHERE language_id = $1 AND status = 'approved' GROUP BY 1 ORDER BY 1`,
      [languageId, HISTOGRAM_TOP],
    ),
    pool.query(
      `SELECT COALESCE(domain, '') AS key, count(*) FILTER (WHERE status = 'approved')::int AS approved, count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'approved' AND recording_count = 0)::int AS "neverRecorded"
         FROM sentences WHERE language_id = $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`,
      [languageId],
    ),
    pool.query(
      `SELECT COALESCE(source, '') AS key, count(*) FILTER (WHERE status = 'approved')::int AS approved, count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'approved' AND recording_count = 0)::int AS "neverRecorded"
         FROM sentences WHERE language_id = $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`,
      [languageId],
    ),
    pool.query(
      `SELECT COALESCE(sum(GREATEST($2 - recording_count, 0) * char_length(text)), 0)::float8 AS characters
         FROM sentences WHERE language_id = $1 AND status = 'approved' AND recording_count < $2`,
      [languageId, target],
    ),
  ])
  const count = (status: string) => statuses.rows.find((row) => row.status === status)?.n ?? 0
  const recordingsHistogram = Array.from({ length: HISTOGRAM_TOP + 1 }, (_, bucket) => histogram.rows.find((row) => row.bucket === bucket)?.n ?? 0)
  return {
    language: { id: languageId, code: language.rows[0].code, name: language.rows[0].name, recordingsPerSentence: target },
    sentences: { approved: count('approved'), pending: count('pending'), rejected: count('rejected'), retired: count('retired') },
    recordingsHistogram,
    neverRecorded: recordingsHistogram[0],
    byDomain: domains.rows.map(({ key, ...rest }) => ({ domain: key, ...rest })),
    bySource: sources.rows.map(({ key, ...rest }) => ({ source: key, ...rest })),
    hoursStillAvailable: Math.round((remaining.rows[0].characters / READING_CHARS_PER_SECOND / 3600) * 100) / 100,
    secondsStillAvailable: Math.round(remaining.rows[0].characters / READING_CHARS_PER_SECOND),
  }
}

export const CORPUS_KINDS = ['validated', 'unvalidated'] as const
export type CorpusKind = (typeof CORPUS_KINDS)[number]

const tsvCell = (value: unknown): string => (value === null || value === undefined ? '' : String(value).replace(/[\t\r\n]+/gu, ' '))

/**
 * Common Voice's sentence files, streamed in id order: validated_sentences.tsv (approved, and
 * retired ones with is_used 0) and unvalidated_sentences.tsv (pending). sentence_id is the
 * sentence's SHA-256 dedupe hash, as Common Voice uses a SHA-256 of the sentence.
 */
export async function* corpusTsv(payload: Payload, languageId: number, kind: CorpusKind): AsyncGenerator<string> {
  const pool = poolOf(payload)
  yield kind === 'validated' ? 'sentence_id\tsentence\tsentence_domain\tsource\tis_used\tclips_count\n' : 'sentence_id\tsentence\tsentence_domain\tsource\n'
  const statuses = kind === 'validated' ? ['approved', 'retired'] : ['pending']
  let after = 0
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id, normalized_hash, text, domain, source, status::text, recording_count::int AS clips FROM sentences
        WHERE language_id = $1 AND status = ANY($2::enum_sentences_status[]) AND id > $3 ORDER BY id LIMIT 5000`,
      [languageId, statuses, after],
    )
    if (rows.length === 0) return
    let chunk = ''
    for (const row of rows) {
      const cells = [row.normalized_hash, row.text, row.domain, row.source]
      if (kind === 'validated') cells.push(row.status === 'approved' ? 1 : 0, row.clips)
      chunk += `${cells.map(tsvCell).join('\t')}\n`
    }
    yield chunk
    after = rows.at(-1).id
  }
}
