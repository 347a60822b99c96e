import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { JobDefinition } from '@shrutik/plugin-sdk'
import type { Payload } from 'payload'
import type pg from 'pg'

import type { NotificationKind } from '../../collections/AdminNotifications'
import { SEND_EMAIL } from '../email'
import { dueJobCount, failedJobsByName } from '../jobs/admin'
import { freeBytes } from '../lib/diskSpace'
import { dataDir, mediaDir, s3Settings } from '../lib/env'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'notifications.check': Record<string, never>
  }
}

const MIB = 1024 * 1024
const LOCK_KEY = 727_019

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}").`)
  return value
}

export interface NotificationSettings {
  /** Folders whose filesystem is watched for free space. */
  diskDirs: string[]
  /** Below this many free bytes, "disk space low". */
  diskLowBytes: number
  /** Due jobs above this many... */
  queueDepth: number
  /** ...at this many checks in a row (a minute apart), "queue keeps growing". */
  queueChecks: number
}

/**
 * From the environment: NOTIFY_DISK_FREE_MB (default 2048: a few hours of uploads on a busy day,
 * and room for PostgreSQL), NOTIFY_QUEUE_DEPTH (default 500 due jobs) and NOTIFY_QUEUE_CHECKS
 * (default 5 checks, so five minutes). The media folder is watched unless media is on S3, and
 * the data folder (the embedded database, exports, backups) always.
 */
export const notificationSettings = (): NotificationSettings => ({
  diskDirs: [...new Set([...(s3Settings() ? [] : [mediaDir()]), dataDir()])],
  diskLowBytes: positive('NOTIFY_DISK_FREE_MB', 2048) * MIB,
  queueDepth: positive('NOTIFY_QUEUE_DEPTH', 500),
  queueChecks: Math.round(positive('NOTIFY_QUEUE_CHECKS', 5)),
})

interface Condition {
  condition: string
  kind: NotificationKind
  title: string
  detail: string
  occurrences: number
}

const gib = (bytes: number): string => `${(bytes / 1024 / MIB).toFixed(1)} GiB`

export interface CheckResult {
  /** Conditions that got a new notification in this run. */
  raised: string[]
  /** Conditions whose notification was resolved in this run. */
  resolved: string[]
  /** Every condition true at this run. */
  active: string[]
}

/**
 * One round of checks (the `notifications.check` job, every minute, one runner at a time): what
 * holds now is raised (a new notification when none is open for that condition, else the open one
 * is brought up to date) and what no longer holds is resolved. The database's partial unique index
 * keeps one open notification per condition even if two rounds overlap.
 */
export const runNotificationChecks = async (payload: Payload, settings: NotificationSettings = notificationSettings()): Promise<CheckResult | undefined> => {
  const client = await ((payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool).connect()
  try {
    await client.query('BEGIN')
    const { rows: locked } = await client.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_KEY])
    if (!locked[0].ok) {
      await client.query('ROLLBACK')
      return undefined
    }
    const active: Condition[] = []

    for (const group of await failedJobsByName(client)) {
      const email = group.name === SEND_EMAIL
      active.push({
        condition: email ? 'email-failed' : `job-failed:${group.name}`,
        kind: email ? 'email-failed' : 'job-failed',
        title: email ? `${group.failed} email${group.failed === 1 ? '' : 's'} could not be sent` : `Job "${group.name}" failed (${group.failed})`,
        detail: `${group.failed} run${group.failed === 1 ? '' : 's'} failed for good, the last at ${group.lastFailedAt.toISOString()}. Last error: ${(group.lastError ?? 'unknown').slice(0, 1000)}\nRetry or look into them in Jobs (/admin/jobs).${email ? ' Check the SMTP settings with "Send a test email".' : ''}`,
        occurrences: group.failed,
      })
    }

    const depth = await dueJobCount(client)
    const { rows: streak } = await client.query(
      `INSERT INTO notification_checks (name, consecutive, last_value, updated_at) VALUES ('queue-depth', CASE WHEN $1::bigint > $2::bigint THEN 1 ELSE 0 END, $1::bigint, now())
       ON CONFLICT (name) DO UPDATE SET consecutive = CASE WHEN $1::bigint > $2::bigint THEN notification_checks.consecutive + 1 ELSE 0 END, last_value = $1::bigint, updated_at = now()
       RETURNING consecutive`,
      [depth, settings.queueDepth],
    )
    if (streak[0].consecutive >= settings.queueChecks) {
      active.push({
        condition: 'queue-growing',
        kind: 'queue-growing',
        title: `The job queue is backed up (${depth} jobs waiting)`,
        detail: `More than ${settings.queueDepth} jobs have been waiting for a worker at ${streak[0].consecutive} checks in a row (now ${depth}). Are the workers running (SHRUTIK_ROLE=worker or all)? Do they need more concurrency, or another worker?`,
        occurrences: depth,
      })
    }

    for (const dir of settings.diskDirs) {
      const free = freeBytes(dir)
      if (free !== undefined && free < settings.diskLowBytes) {
        active.push({
          condition: `disk-low:${dir}`,
          kind: 'disk-low',
          title: `Disk space low: ${gib(free)} free`,
          detail: `The filesystem holding ${dir} has ${gib(free)} free (the warning threshold is ${gib(settings.diskLowBytes)}, NOTIFY_DISK_FREE_MB). Uploads are refused when it is full: free space, move media to S3, or grow the disk.`,
          occurrences: 1,
        })
      }
    }

    const raised: string[] = []
    for (const item of active) {
      const { rows } = await client.query(
        `INSERT INTO admin_notifications (kind, condition, title, detail, occurrences, first_seen_at, last_seen_at, updated_at, created_at)
         VALUES ($1::enum_admin_notifications_kind, $2, $3, $4, $5, now(), now(), now(), now())
         ON CONFLICT (condition) WHERE resolved_at IS NULL
         DO UPDATE SET title = EXCLUDED.title, detail = EXCLUDED.detail, occurrences = EXCLUDED.occurrences, last_seen_at = now(), updated_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [item.kind, item.condition, item.title, item.detail, item.occurrences],
      )
      if (rows[0].inserted) raised.push(item.condition)
    }
    const { rows: resolved } = await client.query(
      `UPDATE admin_notifications SET resolved_at = now(), updated_at = now() WHERE resolved_at IS NULL AND NOT (condition = ANY($1::text[])) RETURNING condition`,
      [active.map((item) => item.condition)],
    )
    await client.query('COMMIT')
    return { raised, resolved: resolved.map((row) => row.condition), active: active.map((item) => item.condition) }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** Every minute, one run per cluster. */
export const checkNotificationsJob: JobDefinition<'notifications.check'> = {
  name: 'notifications.check',
  every: '1 minute',
  retries: 1,
  async handler({ payload, log }) {
    const result = await runNotificationChecks(payload)
    if (result && (result.raised.length || result.resolved.length)) log('admin notifications updated', { raised: result.raised, resolved: result.resolved })
  },
}
