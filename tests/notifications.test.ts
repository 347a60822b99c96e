import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type pg from 'pg'

import { runNotificationChecks, type NotificationSettings } from '../src/notifications/checks'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/**
 * Admin notifications: each condition (a job failed for good, an email that could not be sent, a
 * queue deep for several checks in a row, low disk space) raises one notification, kept up to date
 * while it lasts and resolved when it is gone; a new occurrence after that is a new notification.
 * Jobs are written to the queue table as the runtime leaves them; the disk is the real filesystem,
 * with thresholds on either side of its free space.
 */
let server: TestServer
let pool: pg.Pool
let admin: TestUser
let contributor: TestUser
const jobName = `notiftest.${randomUUID().slice(0, 8)}`
const queuedName = `notifqueue.${randomUUID().slice(0, 8)}`
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-notify-'))

/** Settings where nothing is wrong unless a test says so. */
const calm = (overrides: Partial<NotificationSettings> = {}): NotificationSettings => ({ diskDirs: [], diskLowBytes: 1, queueDepth: 1e9, queueChecks: 3, ...overrides })

const failJob = (name: string, error = 'boom') =>
  pool.query(`INSERT INTO agenda_jobs (name, next_run_at, type, locked_at, failed_at, fail_count, fail_reason) VALUES ($1, NULL, 'normal', NULL, now(), 3, $2)`, [name, error])
const open = async (condition: string) =>
  (await pool.query(`SELECT * FROM admin_notifications WHERE condition = $1 AND resolved_at IS NULL`, [condition])).rows
const all = async (condition: string) => (await pool.query(`SELECT * FROM admin_notifications WHERE condition = $1 ORDER BY id`, [condition])).rows
const get = (route: string, user?: TestUser) => fetch(`${server.url}${route}`, { headers: user?.headers ?? {} })
const post = (route: string, user?: TestUser) => fetch(`${server.url}${route}`, { method: 'POST', headers: user?.headers ?? {} })

beforeAll(async () => {
  server = await startTestServer()
  pool = (server.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool
  ;[admin, contributor] = await Promise.all([createUser(server, 'admin'), createUser(server, 'contributor')])
  // Failed emails other suites left behind would keep that condition true: they are not this suite's.
  await pool.query(`DELETE FROM agenda_jobs WHERE name = 'email.send' AND next_run_at IS NULL AND failed_at IS NOT NULL`)
})

afterAll(async () => {
  if (pool) {
    await pool.query(`DELETE FROM agenda_jobs WHERE name = ANY($1::text[]) OR (name = 'email.send' AND fail_reason = 'smtp down (test)')`, [[jobName, queuedName]])
    await pool.query(`DELETE FROM admin_notifications WHERE condition = ANY($1::text[]) OR condition LIKE 'disk-low:%shrutik-notify-%'`, [[`job-failed:${jobName}`, 'email-failed', 'queue-growing']])
    await pool.query(`DELETE FROM notification_checks WHERE name = 'queue-depth'`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
  await server?.close()
})

describe('notification checks', () => {
  it('raises one notification for failed runs of a job, updates it, resolves it, and raises anew later', async () => {
    const condition = `job-failed:${jobName}`
    await failJob(jobName, 'first failure')
    expect((await runNotificationChecks(server.payload, calm()))!.raised).toContain(condition)
    await failJob(jobName, 'second failure')
    const again = (await runNotificationChecks(server.payload, calm()))!
    expect(again.raised).not.toContain(condition)
    expect(again.active).toContain(condition)
    const [row] = await open(condition)
    expect(await open(condition)).toHaveLength(1)
    expect(row.kind).toBe('job-failed')
    expect(Number(row.occurrences)).toBe(2)
    expect(row.detail).toContain('second failure')

    // Retried (or pruned): resolved, once.
    await pool.query(`DELETE FROM agenda_jobs WHERE name = $1`, [jobName])
    expect((await runNotificationChecks(server.payload, calm()))!.resolved).toContain(condition)
    expect(await open(condition)).toHaveLength(0)
    expect((await runNotificationChecks(server.payload, calm()))!.resolved).not.toContain(condition)

    // It fails again: a new notification, the old one stays resolved.
    await failJob(jobName)
    expect((await runNotificationChecks(server.payload, calm()))!.raised).toContain(condition)
    const history = await all(condition)
    expect(history).toHaveLength(2)
    expect(history[0].resolved_at).not.toBeNull()
    expect(history[1].resolved_at).toBeNull()
    await pool.query(`DELETE FROM agenda_jobs WHERE name = $1`, [jobName])
    await runNotificationChecks(server.payload, calm())
  })

  it('reports emails that could not be sent as failed emails', async () => {
    await failJob('email.send', 'smtp down (test)')
    await failJob('email.send', 'smtp down (test)')
    const result = (await runNotificationChecks(server.payload, calm()))!
    expect(result.raised).toContain('email-failed')
    expect(result.active.filter((condition) => condition.startsWith('job-failed:email'))).toEqual([])
    const [row] = await open('email-failed')
    expect(row.kind).toBe('email-failed')
    expect(row.title).toBe('2 emails could not be sent')
    await pool.query(`DELETE FROM agenda_jobs WHERE name = 'email.send' AND fail_reason = 'smtp down (test)'`)
    expect((await runNotificationChecks(server.payload, calm()))!.resolved).toContain('email-failed')
  })

  it('raises "queue growing" only when the queue stays deep for consecutive checks, and resolves when it drains', async () => {
    const baseline = Number((await pool.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE locked_at IS NULL AND next_run_at <= now() AND disabled = false`)).rows[0].n)
    const settings = calm({ queueDepth: baseline + 3, queueChecks: 3 })
    await pool.query(`INSERT INTO agenda_jobs (name, next_run_at, type) SELECT $1, now() - interval '1 minute', 'normal' FROM generate_series(1, 5)`, [queuedName])
    expect((await runNotificationChecks(server.payload, settings))!.active).not.toContain('queue-growing')
    expect((await runNotificationChecks(server.payload, settings))!.active).not.toContain('queue-growing')
    expect((await runNotificationChecks(server.payload, settings))!.raised).toContain('queue-growing')
    expect((await runNotificationChecks(server.payload, settings))!.raised).not.toContain('queue-growing')
    expect(await open('queue-growing')).toHaveLength(1)
    await pool.query(`DELETE FROM agenda_jobs WHERE name = $1`, [queuedName])
    expect((await runNotificationChecks(server.payload, settings))!.resolved).toContain('queue-growing')
    // The count starts over: one deep check is not enough.
    await pool.query(`INSERT INTO agenda_jobs (name, next_run_at, type) SELECT $1, now() - interval '1 minute', 'normal' FROM generate_series(1, 5)`, [queuedName])
    expect((await runNotificationChecks(server.payload, settings))!.active).not.toContain('queue-growing')
    await pool.query(`DELETE FROM agenda_jobs WHERE name = $1`, [queuedName])
  })

  it('raises "disk space low" from the real free space of the folder, and resolves it', async () => {
    const condition = `disk-low:${dir}`
    const low = (await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER })))!
    expect(low.raised).toEqual([condition])
    const [row] = await open(condition)
    expect(row.kind).toBe('disk-low')
    expect(row.title).toMatch(/^Disk space low: [\d.]+ GiB free$/)
    expect((await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER })))!.raised).toEqual([])
    expect((await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: 1024 })))!.resolved).toEqual([condition])
  })

  it('keeps one open notification per condition in the database, and one checker at a time', async () => {
    const condition = `disk-low:${dir}`
    await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER }))
    await expect(
      pool.query(`INSERT INTO admin_notifications (kind, condition, title, first_seen_at, last_seen_at) VALUES ('disk-low', $1, 'copy', now(), now())`, [condition]),
    ).rejects.toThrow(/unique/)
    const both = await Promise.all([
      runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER })),
      runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER })),
    ])
    expect(both.filter(Boolean).length).toBeGreaterThanOrEqual(1)
    expect(await open(condition)).toHaveLength(1)
    await runNotificationChecks(server.payload, calm())
  })
})

describe('notification endpoints', () => {
  it('counts unread for the badge, marks read, dismisses, marks all read — admins only', async () => {
    await failJob(jobName, 'for the badge')
    await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER }))
    const [failed] = await open(`job-failed:${jobName}`)
    const [disk] = await open(`disk-low:${dir}`)

    expect((await get('/api/notifications/summary')).status).toBe(401)
    expect((await get('/api/notifications/summary', contributor)).status).toBe(403)
    expect((await post(`/api/notifications/${failed.id}/read`, contributor)).status).toBe(403)
    expect((await get('/api/admin-notifications', contributor)).status).toBe(403)
    expect((await get('/api/admin-notifications')).status).toBe(403)
    const reviewer = await createUser(server, 'reviewer')
    expect((await get('/api/admin-notifications', reviewer)).status).toBe(403)
    expect((await get('/api/notifications/summary', reviewer)).status).toBe(403)
    // Nobody makes one up, not even an admin: only the checks raise them.
    const forged = await fetch(`${server.url}/api/admin-notifications`, {
      method: 'POST',
      headers: { ...admin.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'disk-low', condition: 'forged', title: 'forged', firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString() }),
    })
    expect(forged.status).toBe(403)
    expect([403, 404]).toContain((await fetch(`${server.url}/api/admin-notifications/${failed.id}`, { method: 'DELETE', headers: contributor.headers })).status)

    const before = (await json(await get('/api/notifications/summary', admin))).unread as number
    expect(before).toBeGreaterThanOrEqual(2)
    const read = await post(`/api/notifications/${failed.id}/read`, admin)
    expect(read.status).toBe(200)
    expect((await json(read)).unread).toBe(before - 1)
    const dismissed = await post(`/api/notifications/${disk.id}/dismiss`, admin)
    expect((await json(dismissed)).unread).toBe(before - 2)
    expect((await pool.query(`SELECT dismissed_at FROM admin_notifications WHERE id = $1`, [disk.id])).rows[0].dismissed_at).not.toBeNull()
    // Dismissed is not resolved: the same condition does not come back as a new notification.
    expect((await runNotificationChecks(server.payload, calm({ diskDirs: [dir], diskLowBytes: Number.MAX_SAFE_INTEGER })))!.raised).toEqual([])

    expect((await post('/api/notifications/999999999/read', admin)).status).toBe(404)
    expect((await post('/api/notifications/abc/read', admin)).status).toBe(400)
    // An admin cannot rewrite what the checks recorded.
    const rewrite = await fetch(`${server.url}/api/admin-notifications/${failed.id}`, {
      method: 'PATCH',
      headers: { ...admin.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'changed', resolvedAt: new Date().toISOString() }),
    })
    expect(rewrite.status).toBe(200)
    const after = (await pool.query(`SELECT title, resolved_at FROM admin_notifications WHERE id = $1`, [failed.id])).rows[0]
    expect(after.title).not.toBe('changed')
    expect(after.resolved_at).toBeNull()

    expect((await json(await post('/api/notifications/read-all', admin))).unread).toBe(0)
    await pool.query(`DELETE FROM agenda_jobs WHERE name = $1`, [jobName])
    await runNotificationChecks(server.payload, calm())
  })
})
