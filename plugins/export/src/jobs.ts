import type { Doc } from './doc'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { getJobQueue, type JobDefinition } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'

import { writeArchive } from './archive'
import { requestOf } from './collections'
import { BUILD_DATASET, ENCODE_SHARD, FINALIZE_DATASET, RUN_SCHEDULES } from './jobNames'
import { EXPORTS, type SanitizedExportOptions } from './options'
import { deletePlan } from './planStore'
import { encodeShard, ExportRefusedError, instanceSalt, planExport, summaryOf, writeManifests } from './run'
import { NothingToExportError } from './select'
import { publishedDirOf, readPlan, removeWorkDirs, workDirOf, writePlan } from './workDir'


const rows = async <Row>(payload: Payload, query: ReturnType<typeof sql>): Promise<Row[]> =>
  ((await (payload.db as unknown as PostgresAdapter).drizzle.execute(query)) as unknown as { rows: Row[] }).rows

/** System read of an export (jobs act for the admin who asked). */
// Export jobs run as the system: their Local API calls keep the default overrideAccess.
const load = (payload: Payload, id: number) => payload.findByID({ collection: EXPORTS as 'dataset-exports', id, depth: 0, showHiddenFields: true }).catch(() => null) as Promise<Doc | null>

const save = (payload: Payload, id: number, data: Doc) => payload.update({ collection: EXPORTS as 'dataset-exports', id, data, depth: 0 })

const isNumber = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? undefined : 'must be a whole number')
const checkData = (data: unknown, fields: Record<string, (value: unknown) => string | undefined>) => {
  for (const [name, check] of Object.entries(fields)) {
    const problem = check((data as Record<string, unknown>)?.[name])
    if (problem) return `${name} ${problem}`
  }
  return undefined
}
const isRunId = (value: unknown) => (typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value) ? undefined : 'must be a run id')

/** After the last retry, the export is marked failed with the reason (instead of looking busy for ever). */
const markFailedIfLast = async (payload: Payload, id: number, attempt: number, retries: number, error: unknown): Promise<void> => {
  if (attempt <= retries) return
  await rows(
    payload,
    sql`UPDATE dataset_exports SET status = 'failed', phase = NULL, error = ${`The export failed after ${attempt} attempts: ${(error as Error).message}`}, finished_at = now(), updated_at = now()
        WHERE id = ${id} AND status IN ('queued', 'running') RETURNING id`,
  ).catch(() => undefined)
  // A failed export's plan is of no further use (a new attempt plans afresh).
  await deletePlan(payload, { exportId: id }).catch(() => undefined)
}

/** Runs a handler body; on its last attempt a failure also marks the export failed. */
const lastAttemptFails = async (payload: Payload, id: number, attempt: number, retries: number, body: () => Promise<void>): Promise<void> => {
  try {
    await body()
  } catch (error) {
    await markFailedIfLast(payload, id, attempt, retries, error)
    throw error
  }
}

/**
 * `export.build-dataset`: a fresh run (new run id, earlier runs' files removed — so a killed attempt
 * is redone from scratch), the selection streamed in batches, the plan written to the work folder,
 * and one shard job per `shardSize` clips that any worker can take.
 */
export const createBuildDatasetJob = (settings: SanitizedExportOptions): JobDefinition<typeof BUILD_DATASET> => ({
  name: BUILD_DATASET,
  validate: (data) => checkData(data, { exportId: isNumber }),
  concurrency: 1,
  retries: 2,
  lockLifetimeMs: settings.lockLifetimeMs,
  timeoutMs: 6 * 60 * 60_000,
  async handler({ data, payload, touch, log }) {
    const doc = await load(payload, data.exportId)
    if (!doc || doc.status === 'done' || doc.status === 'cancelled') return
    const runId = randomUUID()
    await removeWorkDirs(settings, doc.id)
    // Conditional: a cancel that came in meanwhile wins.
    const started = await rows(
      payload,
      sql`UPDATE dataset_exports SET status = 'running', phase = 'selecting', run_id = ${runId}, done_shards = '[]'::jsonb, shard_progress = '{}'::jsonb,
            clips_done = 0, clips_total = 0, shards_total = 0, error = NULL, updated_at = now()
          WHERE id = ${doc.id} AND status IN ('queued', 'running') RETURNING id`,
    )
    if (started.length === 0) return
    // Earlier runs' plans go (a killed attempt is redone from scratch).
    await deletePlan(payload, { exportId: doc.id })
    let planned
    try {
      planned = await planExport(payload, await requestOf(payload, settings, doc), {
        salt: doc.salt || instanceSalt(payload),
        saltRotated: Boolean(doc.salt),
        runId,
        exportId: doc.id,
        onProgress: () => touch(),
      })
    } catch (error) {
      if (error instanceof NothingToExportError || error instanceof ExportRefusedError) {
        await deletePlan(payload, { runId })
        await rows(
          payload,
          sql`UPDATE dataset_exports SET status = 'failed', phase = NULL, error = ${error.message}, finished_at = now(), updated_at = now()
              WHERE id = ${doc.id} AND run_id = ${runId} AND status = 'running' RETURNING id`,
        )
        log('export refused', { reason: error.message })
        return
      }
      throw error
    }
    const work = workDirOf(settings, doc.id, runId)
    await fs.promises.mkdir(path.join(work, 'files'), { recursive: true })
    await writePlan(work, planned)
    const shards = planned.shards
    const current = await load(payload, doc.id)
    if (current?.runId !== runId || current.status !== 'running') return
    await save(payload, doc.id, { phase: 'encoding', clipsTotal: planned.clips, shardsTotal: shards })
    for (let shard = 0; shard < shards; shard++) {
      await getJobQueue(payload).enqueue(ENCODE_SHARD, { exportId: doc.id, runId, shard }, { dedupeKey: `export-${doc.id}-${runId}-${shard}` })
    }
    log('export planned', { clips: planned.clips, shards })
  },
})

/** Stores a shard's progress; returns the export's status (so a shard notices a cancel). */
const recordProgress = async (payload: Payload, id: number, runId: string, shard: number, done: number): Promise<string | undefined> => {
  const [row] = await rows<{ status: string }>(
    payload,
    sql`UPDATE dataset_exports SET
          shard_progress = jsonb_set(COALESCE(shard_progress, '{}'::jsonb), ARRAY[${String(shard)}], to_jsonb(${done}::int)),
          clips_done = (SELECT COALESCE(SUM(value::int), 0) FROM jsonb_each_text(jsonb_set(COALESCE(shard_progress, '{}'::jsonb), ARRAY[${String(shard)}], to_jsonb(${done}::int))))
        WHERE id = ${id} AND run_id = ${runId}
        RETURNING status`,
  )
  return row?.status
}

/** Marks a shard done once (idempotent); true when it was the last one. */
const markShardDone = async (payload: Payload, id: number, runId: string, shard: number): Promise<boolean> => {
  const [row] = await rows<{ done: number; total: number }>(
    payload,
    sql`UPDATE dataset_exports SET done_shards = CASE
            WHEN COALESCE(done_shards, '[]'::jsonb) @> to_jsonb(${shard}::int) THEN done_shards
            ELSE COALESCE(done_shards, '[]'::jsonb) || to_jsonb(${shard}::int) END
        WHERE id = ${id} AND run_id = ${runId} AND status = 'running'
        RETURNING jsonb_array_length(done_shards) AS done, shards_total AS total`,
  )
  return Boolean(row) && Number(row.done) >= Number(row.total)
}

/** `export.encode-shard`: one slice of the clips, bounded parallel ffmpeg children; a clip already written is kept. */
export const createEncodeShardJob = (settings: SanitizedExportOptions): JobDefinition<typeof ENCODE_SHARD> => ({
  name: ENCODE_SHARD,
  validate: (data) => checkData(data, { exportId: isNumber, runId: isRunId, shard: isNumber }),
  concurrency: 1,
  retries: 3,
  lockLifetimeMs: settings.lockLifetimeMs,
  timeoutMs: 3 * 60 * 60_000,
  async handler({ data, payload, signal, touch, log }) {
    const doc = await load(payload, data.exportId)
    if (!doc || doc.runId !== data.runId || doc.status !== 'running') return
    const header = await readPlan(workDirOf(settings, doc.id, data.runId))
    const stop = new AbortController()
    const abort = () => stop.abort(signal.reason)
    signal.addEventListener('abort', abort, { once: true })
    let done = 0
    let clips: number
    let lastReport = 0
    try {
      clips = await encodeShard(payload, settings, header, data.shard, path.join(workDirOf(settings, doc.id, data.runId), 'files'), {
        signal: stop.signal,
        tempDir: path.join(workDirOf(settings, doc.id, data.runId), 'tmp'),
        link: true,
        onClip: async () => {
          done++
          if (Date.now() - lastReport < 500) return
          lastReport = Date.now()
          await touch()
          const status = await recordProgress(payload, doc.id, data.runId, data.shard, done)
          if (status !== 'running') stop.abort(new Error('cancelled'))
        },
      })
    } catch (error) {
      // A cancelled or superseded export ends its shards quietly; anything else is retried.
      const current = await load(payload, doc.id)
      if (current?.runId !== data.runId || current.status !== 'running') return
      throw error
    } finally {
      signal.removeEventListener('abort', abort)
    }
    await recordProgress(payload, doc.id, data.runId, data.shard, clips)
    log('shard encoded', { exportId: doc.id, shard: data.shard, clips, pid: process.pid })
    if (await markShardDone(payload, doc.id, data.runId, data.shard)) {
      await getJobQueue(payload).enqueue(FINALIZE_DATASET, { exportId: doc.id, runId: data.runId }, { dedupeKey: `export-${doc.id}-${data.runId}-final` })
    }
  },
})

/**
 * `export.finalize-dataset`: once every shard is done, manifests, datasheet and SHA256SUMS, then
 * the archive in the work folder, renamed into the published folder only when whole; then the
 * export is marked done. Until then nothing is downloadable.
 */
export const createFinalizeDatasetJob = (settings: SanitizedExportOptions): JobDefinition<typeof FINALIZE_DATASET> => ({
  name: FINALIZE_DATASET,
  validate: (data) => checkData(data, { exportId: isNumber, runId: isRunId }),
  concurrency: 1,
  retries: 3,
  lockLifetimeMs: settings.lockLifetimeMs,
  timeoutMs: 6 * 60 * 60_000,
  async handler({ data, payload, signal, log }) {
    const doc = await load(payload, data.exportId)
    if (!doc || doc.runId !== data.runId || doc.status !== 'running') return
    if ((doc.doneShards ?? []).length < doc.shardsTotal) throw new Error(`Export ${doc.id}: ${(doc.doneShards ?? []).length} of ${doc.shardsTotal} shards are done; finalizing waits for all.`)
    const work = workDirOf(settings, doc.id, data.runId)
    const filesDir = path.join(work, 'files')
    await save(payload, doc.id, { phase: 'writing' })
    const planned = await readPlan(work)
    const { stats, datasheet, files } = await writeManifests(payload, settings, planned, filesDir)
    await save(payload, doc.id, { phase: 'archiving' })
    // Named after what it holds, not the export's id: the same request gives the same bytes.
    const name = `shrutik-${planned.language.code}-${planned.request.format}-seed${planned.request.seed ?? 0}`
    const temporary = path.join(work, 'archive.tar.gz')
    const { sha256, bytes } = await writeArchive(filesDir, files(), name, temporary, true, signal)
    const published = publishedDirOf(settings, doc.id)
    const archive = path.join(published, `${name}.tar.gz`)
    await fs.promises.mkdir(published, { recursive: true })
    await fs.promises.rename(temporary, archive)
    // One conditional statement makes it downloadable: a cancel that came first wins, and then
    // the archive goes again.
    const summary = summaryOf(stats, sha256, bytes)
    const marked = await rows(
      payload,
      sql`UPDATE dataset_exports SET status = 'done', phase = 'done', archive_file = ${`${name}.tar.gz`}, archive_bytes = ${bytes}, sha256 = ${sha256},
            summary = ${JSON.stringify(summary)}::jsonb, datasheet = ${datasheet}, clips_done = ${planned.clips}, finished_at = now(), updated_at = now()
          WHERE id = ${doc.id} AND run_id = ${data.runId} AND status = 'running' RETURNING id`,
    )
    if (marked.length === 0) await fs.promises.rm(archive, { force: true })
    await fs.promises.rm(work, { recursive: true, force: true })
    await deletePlan(payload, { runId: data.runId })
    log('export published', { clips: planned.clips, bytes })
  },
})

const INTERVALS = { daily: 24 * 60 * 60_000, weekly: 7 * 24 * 60 * 60_000 } as const

/** `export.run-schedules` (every `scheduleCheck`): each due template makes a new export with its settings. */
export const createRunSchedulesJob = (settings: SanitizedExportOptions): JobDefinition<typeof RUN_SCHEDULES> => ({
  name: RUN_SCHEDULES,
  every: settings.scheduleCheck === false ? undefined : settings.scheduleCheck,
  concurrency: 1,
  retries: 1,
  async handler({ payload, log }) {
    await runDueSchedules(payload, log)
  },
})

export const runDueSchedules = async (payload: Payload, log: (message: string, meta?: Record<string, unknown>) => void = () => undefined): Promise<number> => {
  const now = new Date()
  const due = await payload.find({
    collection: EXPORTS as 'dataset-exports',
    where: { and: [{ schedule: { in: ['daily', 'weekly'] } }, { nextRunAt: { less_than_equal: now.toISOString() } }] },
    pagination: false,
    depth: 0,
  })
  let created = 0
  for (const template of due.docs as Doc[]) {
    const interval = INTERVALS[template.schedule as keyof typeof INTERVALS]
    // Claim the slot first (compare-and-set on nextRunAt), so two schedulers never both copy it.
    const claimed = await rows(
      payload,
      sql`UPDATE dataset_exports SET next_run_at = ${new Date(now.getTime() + interval).toISOString()} WHERE id = ${template.id} AND next_run_at = ${new Date(template.nextRunAt).toISOString()} RETURNING id`,
    )
    if (claimed.length === 0) continue
    if (!template.language) {
      log('scheduled export skipped: its language was deleted', { template: template.id, languageCode: template.languageCode })
      continue
    }
    const fields = ['language', 'format', 'include', 'minConfidence', 'recordedFrom', 'recordedBefore', 'domains', 'minDurationMs', 'maxDurationMs', 'audio', 'sampleRate', 'speaker', 'sentenceDisjoint', 'seed', 'rotateSalt']
    const data = Object.fromEntries(fields.map((field) => [field, template[field] ?? undefined]))
    const copy = await payload.create({ collection: EXPORTS as 'dataset-exports', data: { ...data, schedule: 'none' } as never, depth: 0 })
    await payload.update({ collection: EXPORTS as 'dataset-exports', id: copy.id, data: { scheduledFrom: template.id } as never, depth: 0 })
    created++
    log('scheduled export created', { template: template.id, export: copy.id })
  }
  return created
}

/** An export job whose last failed attempt marks its export failed. */
const markingFailures = <Name extends typeof BUILD_DATASET | typeof ENCODE_SHARD | typeof FINALIZE_DATASET>(definition: JobDefinition<Name>): JobDefinition<Name> => ({
  ...definition,
  handler: (context) => lastAttemptFails(context.payload, context.data.exportId, context.attempt, definition.retries ?? 3, () => definition.handler(context)),
})

export const exportJobs = (settings: SanitizedExportOptions): JobDefinition[] =>
  [
    markingFailures(createBuildDatasetJob(settings)),
    markingFailures(createEncodeShardJob(settings)),
    markingFailures(createFinalizeDatasetJob(settings)),
    ...(settings.scheduleCheck === false ? [] : [createRunSchedulesJob(settings)]),
  ] as JobDefinition[]
