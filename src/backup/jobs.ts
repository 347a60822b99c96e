import fs from 'node:fs'
import path from 'node:path'

import { getJobQueue, type JobDefinition } from '@shrutik/plugin-sdk'
import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, Payload } from 'payload'

import { dataDir, projectRoot } from '../lib/env'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'backup.create': { backupId: number }
    'backup.run-schedule': Record<string, never>
  }
}

/** Where backups are written: BACKUP_DIR, or `backups/` in the data folder (never itself backed up). */
export const backupDir = (): string => path.resolve(projectRoot(), process.env.BACKUP_DIR ?? path.join(dataDir(), 'backups'))

export interface BackupSchedule {
  schedule?: 'off' | 'daily' | 'weekly' | null
  hour?: number | null
  weekday?: string | null
}

/** The most recent time (UTC) a scheduled backup was due at or before `now`; undefined when off. */
export const lastScheduledSlot = (settings: BackupSchedule, now: Date): Date | undefined => {
  if (!settings.schedule || settings.schedule === 'off') return undefined
  const hour = Math.min(23, Math.max(0, Math.trunc(settings.hour ?? 3)))
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour))
  if (settings.schedule === 'daily') {
    if (slot > now) slot.setUTCDate(slot.getUTCDate() - 1)
    return slot
  }
  const weekday = Number(settings.weekday ?? 0)
  slot.setUTCDate(slot.getUTCDate() - ((slot.getUTCDay() - weekday + 7) % 7))
  if (slot > now) slot.setUTCDate(slot.getUTCDate() - 7)
  return slot
}

const fileName = (id: number, at: Date): string => `shrutik-backup-${at.toISOString().replace(/[:.]/g, '-')}-${id}.tar`

/** A backup document created (by an admin, or by the schedule) is written by a job. */
export const enqueueBackupAfterCreate: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create') return doc
  await getJobQueue(req.payload).enqueue('backup.create', { backupId: Number(doc.id) }, { req, dedupeKey: `backup-${doc.id}` })
  return doc
}

/** Deleting a backup document deletes its file. */
export const removeBackupFileAfterDelete: CollectionAfterDeleteHook = async ({ doc }) => {
  const file = typeof doc.file === 'string' ? doc.file : ''
  if (file && file === path.basename(file)) await fs.promises.rm(path.join(backupDir(), file), { force: true })
}

/** Deletes finished backups beyond the newest `keep` (rows and files). System call: overrideAccess. */
const applyRetention = async (payload: Payload, keep: number, log: (message: string, meta?: Record<string, unknown>) => void) => {
  const done = await payload.find({ collection: 'backups', where: { status: { equals: 'done' } }, sort: '-createdAt', limit: 1000, depth: 0, overrideAccess: true })
  for (const old of done.docs.slice(Math.max(0, keep))) {
    await payload.delete({ collection: 'backups', id: old.id, overrideAccess: true })
    log('deleted an old backup', { file: old.file })
  }
}

export const createBackupJob: JobDefinition<'backup.create'> = {
  name: 'backup.create',
  concurrency: 1,
  retries: 2,
  backoffMs: 60_000,
  timeoutMs: 6 * 60 * 60_000,
  validate: (data) => (Number.isInteger((data as { backupId?: unknown })?.backupId) ? undefined : 'backupId must be a whole number'),
  async handler({ data, payload, touch, signal, log }) {
    // System job: it reads every table and file, so every Local API call overrides access.
    const backup = await payload.findByID({ collection: 'backups', id: data.backupId, depth: 0, overrideAccess: true }).catch(() => undefined)
    if (!backup || backup.status === 'done') return
    const folder = backupDir()
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 })
    const file = fileName(Number(backup.id), new Date(backup.createdAt))
    // A previous attempt that died after writing, before recording it: write it again.
    await fs.promises.rm(path.join(folder, file), { force: true })
    await payload.update({ collection: 'backups', id: backup.id, data: { status: 'running', file, progress: 0, error: null }, overrideAccess: true })
    const { createBackup } = await import('./backup')
    const { packageVersion } = await import('../lib/buildStamp')
    let lastTouch = 0
    const result = await createBackup({
      databaseUrl: process.env.DATABASE_URL!,
      out: path.join(folder, file),
      shrutikVersion: packageVersion(projectRoot()),
      signal,
      onProgress: ({ phase, done, total }) => {
        if (Date.now() - lastTouch < 2000) return
        lastTouch = Date.now()
        // The database is a tenth of the work at most; files the rest.
        const percent = phase === 'database' ? Math.round((done / Math.max(1, total)) * 10) : phase === 'files' ? 10 + Math.round((done / Math.max(1, total)) * 89) : 100
        void touch(percent).catch(() => undefined)
      },
    })
    // Room for this one first (it counts among the kept), then it is marked done.
    const settings = await payload.findGlobal({ slug: 'backup-settings', depth: 0, overrideAccess: true })
    await applyRetention(payload, Math.max(1, Number(settings.keep ?? 7)) - 1, log)
    await payload.update({
      collection: 'backups',
      id: backup.id,
      data: { status: 'done', progress: 100, bytes: result.bytes, sha256: result.sha256, tables: result.tables, rows: result.rows, files: result.files, finishedAt: new Date().toISOString() },
      overrideAccess: true,
    })
    log('backup written', { file, bytes: result.bytes, seconds: result.seconds })
  },
  async onFailed({ data, payload, error }) {
    await payload.update({ collection: 'backups', id: data.backupId, data: { status: 'failed', error: error.message.slice(0, 500) }, overrideAccess: true }).catch(() => undefined)
  },
}

/** Every 15 minutes: starts the scheduled backup when its slot has passed and none was made since. */
export const runBackupScheduleJob: JobDefinition<'backup.run-schedule'> = {
  name: 'backup.run-schedule',
  every: '15 minutes',
  retries: 0,
  async handler({ payload, log }) {
    // System job: reads the admin's settings and creates the backup document.
    const settings = (await payload.findGlobal({ slug: 'backup-settings', depth: 0, overrideAccess: true })) as BackupSchedule
    const slot = lastScheduledSlot(settings, new Date())
    if (!slot) return
    const since = await payload.count({
      collection: 'backups',
      where: { and: [{ trigger: { equals: 'schedule' } }, { createdAt: { greater_than_equal: slot.toISOString() } }] },
      overrideAccess: true,
    })
    if (since.totalDocs > 0) return
    const created = await payload.create({ collection: 'backups', data: { trigger: 'schedule', note: `scheduled (${settings.schedule})` }, overrideAccess: true })
    log('scheduled backup started', { backupId: created.id, slot: slot.toISOString() })
  },
}
