import { createHash } from 'node:crypto'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import type { CollectionConfig, Payload } from 'payload'

import { nobody } from './access'
import { applySuppression, assignSpeakerSplits, compareC, type SplitPolicy, DEMOGRAPHIC_COLUMNS, type DemographicColumn, type ExportRow, type ReportedSentence, type RowSource, type Split, type ValidatedSentence } from './core'

/**
 * The export plan, in PostgreSQL: one row per selected clip (and per reported sentence) of one run.
 * The planner streams the selection into it a batch at a time; splits, sentence ownership,
 * k-suppression, shard numbers and the final order (name, C locale) are computed by SQL over it,
 * and every later step reads it back a batch at a time — so no step holds the dataset in memory.
 * Only the export jobs and the CLI touch it; rows go when their run is published or given up.
 */
export const PLAN_ROWS = 'dataset-export-rows'

export const planRowsCollection = (): CollectionConfig => ({
  slug: PLAN_ROWS,
  labels: { singular: 'Export plan row', plural: 'Export plan rows' },
  admin: { hidden: true },
  access: { create: nobody, read: nobody, update: nobody, delete: nobody },
  timestamps: false,
  fields: [
    { name: 'run', type: 'text', required: true, index: true },
    { name: 'exportId', type: 'number', index: true },
    { name: 'name', type: 'text', required: true },
    { name: 'speakerRank', type: 'text' },
    { name: 'speakerId', type: 'text' },
    { name: 'sentenceHash', type: 'text' },
    { name: 'bucket', type: 'text' },
    { name: 'split', type: 'text' },
    { name: 'audioPath', type: 'text' },
    { name: 'shard', type: 'number' },
    { name: 'sha256', type: 'text' },
    { name: 'row', type: 'json' },
  ],
})

/** Rows read or written per statement. */
export const PLAN_BATCH = 1000

// The plan table is this plugin's own: SQL on it is allowed (never on another plugin's tables).
export const query = async <Row = Record<string, unknown>>(payload: Payload, statement: ReturnType<typeof sql>): Promise<Row[]> =>
  ((await (payload.db as unknown as PostgresAdapter).drizzle.execute(statement)) as unknown as { rows: Row[] }).rows

export interface PlanEntry {
  name: string
  speakerRank: string
  speakerId: string
  sentenceHash: string
  bucket: string
  row: unknown
}

export const insertPlanRows = async (payload: Payload, runId: string, exportId: number | null, entries: PlanEntry[]): Promise<void> => {
  if (entries.length === 0) return
  const json = JSON.stringify(entries.map((entry) => ({ name: entry.name, speaker_rank: entry.speakerRank, speaker_id: entry.speakerId, sentence_hash: entry.sentenceHash, bucket: entry.bucket, row: entry.row })))
  await query(
    payload,
    sql`INSERT INTO dataset_export_rows (run, export_id, name, speaker_rank, speaker_id, sentence_hash, bucket, row)
        SELECT ${runId}, ${exportId}, e.name, e.speaker_rank, e.speaker_id, e.sentence_hash, e.bucket, e.row
        FROM jsonb_to_recordset(${json}::jsonb) AS e(name text, speaker_rank text, speaker_id text, sentence_hash text, bucket text, row jsonb)`,
  )
}

/** Removes a run's plan, or every run of an export. */
export const deletePlan = async (payload: Payload, which: { runId: string } | { exportId: number }): Promise<void> => {
  await query(payload, 'runId' in which ? sql`DELETE FROM dataset_export_rows WHERE run = ${which.runId}` : sql`DELETE FROM dataset_export_rows WHERE export_id = ${which.exportId}`)
}

/** Fresh statistics after the bulk insert, so the planner joins the plan's rows by hash, not row by row. */
export const analyzePlan = async (payload: Payload): Promise<void> => {
  await query(payload, sql`ANALYZE dataset_export_rows`)
}

/** Validated clips per speaker (by seeded rank): one entry per speaker. */
export const speakerCounts = (payload: Payload, runId: string) =>
  query<{ rank: string; clips: number }>(
    payload,
    sql`SELECT speaker_rank AS rank, count(*)::int AS clips FROM dataset_export_rows WHERE run = ${runId} AND bucket = 'validated' GROUP BY speaker_rank`,
  )

/** Writes each speaker's split onto its validated rows. */
export const writeSpeakerSplits = async (payload: Payload, runId: string, speakerSplit: Map<string, Split>): Promise<void> => {
  const json = JSON.stringify([...speakerSplit].map(([rank, split]) => ({ rank, split })))
  await query(
    payload,
    sql`UPDATE dataset_export_rows r SET split = s.split FROM jsonb_to_recordset(${json}::jsonb) AS s(rank text, split text)
        WHERE r.run = ${runId} AND r.bucket = 'validated' AND r.speaker_rank = s.rank`,
  )
}

/**
 * Sentence-disjoint splits in SQL (as `assignSplits` does in memory): each sentence stays in the
 * split holding most of its validated clips (ties: train, dev, test); its clips in other splits are
 * held out (split NULL). Returns how many were held out.
 */
export const holdOutRepeatedSentences = async (payload: Payload, runId: string): Promise<number> => {
  const [row] = await query<{ held: number }>(
    payload,
    sql`WITH counts AS MATERIALIZED (
          SELECT sentence_hash, split, count(*) AS clips FROM dataset_export_rows WHERE run = ${runId} AND bucket = 'validated' AND split IS NOT NULL GROUP BY sentence_hash, split
        ), owners AS MATERIALIZED (
          SELECT DISTINCT ON (sentence_hash) sentence_hash, split FROM counts
          ORDER BY sentence_hash, clips DESC, CASE split WHEN 'train' THEN 0 WHEN 'dev' THEN 1 ELSE 2 END
        ), held AS (
          UPDATE dataset_export_rows r SET split = NULL FROM owners o
          WHERE r.run = ${runId} AND r.bucket = 'validated' AND r.sentence_hash = o.sentence_hash AND r.split <> o.split RETURNING 1
        )
        SELECT count(*)::int AS held FROM held`,
  )
  return row.held
}

/**
 * Splits over a run's plan, exactly as `assignSplits` decides them in memory: the speakers'
 * validated clip counts (one row per speaker) go through `assignSpeakerSplits`, then SQL holds
 * out repeated sentences. Returns the held-out count and the dev/test budget.
 */
export const assignPlanSplits = async (payload: Payload, runId: string, policy: SplitPolicy): Promise<{ heldOut: number; target: number }> => {
  const { speakerSplit, target } = assignSpeakerSplits(
    (await speakerCounts(payload, runId)).map(({ rank, clips }) => ({ speaker: rank, rank, clips })),
    policy,
  )
  await writeSpeakerSplits(payload, runId, speakerSplit)
  const heldOut = (policy.sentenceDisjoint ?? true) ? await holdOutRepeatedSentences(payload, runId) : 0
  return { heldOut, target }
}

export interface StoredRow {
  id: number
  name: string
  split: Split | null
  audio_path: string | null
  sha256: string | null
  row: ExportRow
}

const toRow = (stored: StoredRow, blanked?: Record<DemographicColumn, Set<string>>): ExportRow => {
  const row = { ...stored.row, split: stored.split ?? null }
  return blanked ? { ...row, demographics: applySuppression(row.demographics, blanked) } : row
}

/** Plan rows in name order (C locale), a batch at a time: every row of the run's clips, or only those written (with an audio path), one bucket/split/shard. */
export async function* scanPlan(
  payload: Payload,
  runId: string,
  filter: { written?: boolean; bucket?: string; split?: Split; shard?: number } = {},
): AsyncGenerator<StoredRow> {
  let last = ''
  for (;;) {
    const batch = await query<StoredRow>(
      payload,
      sql`SELECT id, name, split, audio_path, sha256, row FROM dataset_export_rows
          WHERE run = ${runId} AND bucket <> 'reported'
            ${filter.written ? sql`AND audio_path IS NOT NULL` : sql``}
            ${filter.bucket ? sql`AND bucket = ${filter.bucket}` : sql``}
            ${filter.split ? sql`AND split = ${filter.split}` : sql``}
            ${filter.shard !== undefined ? sql`AND shard = ${filter.shard}` : sql``}
            AND name COLLATE "C" > ${last}
          ORDER BY name COLLATE "C" LIMIT ${PLAN_BATCH}`,
    )
    yield* batch
    if (batch.length < PLAN_BATCH) return
    last = batch.at(-1)!.name
  }
}

/** Sets the audio path and shard of each row written (rows without one are not written). */
export const writeAudioPaths = async (payload: Payload, paths: { id: number; path: string; shard: number }[]): Promise<void> => {
  if (paths.length === 0) return
  await query(
    payload,
    sql`UPDATE dataset_export_rows r SET audio_path = v.path, shard = v.shard FROM jsonb_to_recordset(${JSON.stringify(paths)}::jsonb) AS v(id int, path text, shard int) WHERE r.id = v.id`,
  )
}

export const writtenCount = async (payload: Payload, runId: string): Promise<number> =>
  (await query<{ clips: number }>(payload, sql`SELECT count(*)::int AS clips FROM dataset_export_rows WHERE run = ${runId} AND audio_path IS NOT NULL`))[0].clips

/** Per demographic column, the values fewer than k speakers of the written rows share (blanked everywhere). */
export const rareDemographics = async (payload: Payload, runId: string, k: number): Promise<Record<DemographicColumn, string[]>> => {
  const found = await query<{ col: DemographicColumn; value: string; speakers: number }>(
    payload,
    sql`SELECT c.col, c.value, count(DISTINCT r.speaker_id)::int AS speakers
        FROM dataset_export_rows r,
          LATERAL (VALUES ('age', r.row->'demographics'->>'age'), ('gender', r.row->'demographics'->>'gender'),
                          ('accents', r.row->'demographics'->>'accents'), ('variant', r.row->'demographics'->>'variant')) AS c(col, value)
        WHERE r.run = ${runId} AND r.audio_path IS NOT NULL AND c.value <> ''
        GROUP BY c.col, c.value`,
  )
  const blanked = Object.fromEntries(DEMOGRAPHIC_COLUMNS.map((column) => [column, [] as string[]])) as Record<DemographicColumn, string[]>
  for (const entry of found) if (entry.speakers < k) blanked[entry.col].push(entry.value)
  for (const column of DEMOGRAPHIC_COLUMNS) blanked[column].sort(compareC)
  return blanked
}

/** Stores the SHA-256 of each written clip (computed as it was written), for SHA256SUMS. */
export const writeClipHashes = async (payload: Payload, hashes: { id: number; sha256: string }[]): Promise<void> => {
  for (let start = 0; start < hashes.length; start += PLAN_BATCH) {
    const json = JSON.stringify(hashes.slice(start, start + PLAN_BATCH))
    await query(payload, sql`UPDATE dataset_export_rows r SET sha256 = v.sha256 FROM jsonb_to_recordset(${json}::jsonb) AS v(id int, sha256 text) WHERE r.id = v.id`)
  }
}

/** Written clips' audio paths with their SHA-256 (null if not yet known), in path order (C locale). */
export async function* audioFiles(payload: Payload, runId: string): AsyncGenerator<{ path: string; sha256: string | null }> {
  let last = ''
  for (;;) {
    const batch = await query<{ path: string; sha256: string | null }>(
      payload,
      sql`SELECT audio_path AS path, sha256 FROM dataset_export_rows WHERE run = ${runId} AND audio_path IS NOT NULL AND audio_path COLLATE "C" > ${last}
          ORDER BY audio_path COLLATE "C" LIMIT ${PLAN_BATCH}`,
    )
    yield* batch
    if (batch.length < PLAN_BATCH) return
    last = batch.at(-1)!.path
  }
}

/** The name a report gets in the plan: sorts by sentence id, then reason. */
export const reportName = (report: ReportedSentence, id: number): string => `${report.sentenceHash}-${report.reason}-${String(id).padStart(10, '0')}`

/** A RowSource over one run's plan: rows k-suppressed with `blanked`, read a batch at a time. */
export const planSource = (payload: Payload, runId: string, blanked: Record<DemographicColumn, string[]>): RowSource => {
  const sets = Object.fromEntries(DEMOGRAPHIC_COLUMNS.map((column) => [column, new Set(blanked[column])])) as Record<DemographicColumn, Set<string>>
  return {
    async *rows(filter = {}) {
      for await (const stored of scanPlan(payload, runId, { written: true, ...filter })) yield toRow(stored, sets)
    },
    async *sentences(): AsyncGenerator<ValidatedSentence> {
      let last = ''
      for (;;) {
        const batch = await query<StoredRow & { clips: number; sentence_hash: string }>(
          payload,
          sql`WITH firsts AS (
                SELECT sentence_hash, count(*)::int AS clips, min(name COLLATE "C") AS first FROM dataset_export_rows
                WHERE run = ${runId} AND audio_path IS NOT NULL AND bucket = 'validated' AND sentence_hash COLLATE "C" > ${last}
                GROUP BY sentence_hash ORDER BY sentence_hash COLLATE "C" LIMIT ${PLAN_BATCH}
              )
              SELECT f.clips, f.sentence_hash, r.id, r.name, r.split, r.audio_path, r.sha256, r.row FROM firsts f
              JOIN dataset_export_rows r ON r.run = ${runId} AND r.name = f.first
              ORDER BY f.sentence_hash COLLATE "C"`,
        )
        for (const stored of batch) yield { row: toRow(stored, sets), clips: stored.clips }
        if (batch.length < PLAN_BATCH) return
        last = batch.at(-1)!.sentence_hash
      }
    },
    async *reported() {
      let last = ''
      for (;;) {
        const batch = await query<{ name: string; row: ReportedSentence }>(
          payload,
          sql`SELECT name, row FROM dataset_export_rows WHERE run = ${runId} AND bucket = 'reported' AND name COLLATE "C" > ${last} ORDER BY name COLLATE "C" LIMIT ${PLAN_BATCH}`,
        )
        for (const stored of batch) yield stored.row
        if (batch.length < PLAN_BATCH) return
        last = batch.at(-1)!.name
      }
    },
  }
}

/** SHA-256 of a text as it is written (UTF-8). */
export const sha256Text = (text: string) => createHash('sha256').update(text).digest('hex')
