import { sql } from '@payloadcms/db-postgres'
import { getJudgmentCounters, type JobDefinition } from '@shrutik/plugin-sdk'
import { commitTransaction, createLocalReq, initTransaction, killTransaction, type CollectionConfig, type CollectionSlug, type Payload } from 'payload'

import { isAdmin, nobody } from '../access'
import { databaseFor } from '../db/transaction'
import { queueEmail } from './index'
import { localeOrDefault, renderEmail } from './templates'
import { unsubscribeHeaders, unsubscribeLink } from './unsubscribe'
import { siteName } from './verification'

export const WEEKLY_SUMMARY = 'email.weekly-summary'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'email.weekly-summary': Record<string, never>
  }
}

const DAY_MS = 24 * 60 * 60 * 1000

/** The ISO week before `now` (Monday 00:00 UTC to Monday 00:00 UTC) and its label, e.g. `2026-W48`. */
export const previousWeek = (now: Date): { key: string; start: Date; end: Date } => {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  const end = new Date(today - ((new Date(today).getUTCDay() + 6) % 7) * DAY_MS)
  const start = new Date(end.getTime() - 7 * DAY_MS)
  // ISO week-numbering: the week belongs to the year of its Thursday.
  const thursday = new Date(start.getTime() + 3 * DAY_MS)
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1
  return { key: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`, start, end }
}

/**
 * One row per summary sent (account + week, unique): a week's summary goes out once however often
 * the job runs, and the next one counts validations since this one.
 */
export const WeeklySummaries: CollectionConfig = {
  slug: 'weekly-summaries',
  labels: { singular: 'Weekly summary', plural: 'Weekly summaries sent' },
  admin: { group: 'People', defaultColumns: ['user', 'week', 'recorded', 'validated', 'createdAt'], description: 'The weekly summary emails sent to contributors who asked for them.' },
  access: { create: nobody, read: isAdmin, update: nobody, delete: isAdmin },
  fields: [
    // Not required: a deleted account's rows stay (numbers only, no address) with no user.
    { name: 'user', type: 'relationship', relationTo: 'users', index: true, maxDepth: 0 },
    { name: 'week', type: 'text', required: true, maxLength: 10 },
    { name: 'recorded', type: 'number', required: true, admin: { description: 'Recordings made that week.' } },
    { name: 'validated', type: 'number', required: true, admin: { description: 'Validations of their clips since the previous summary.' } },
    { name: 'validationsTotal', type: 'number', required: true, admin: { description: 'All validations of their clips when this summary was sent.' } },
  ],
  indexes: [{ fields: ['user', 'week'], unique: true }],
  timestamps: true,
}

/**
 * Validations of one account's clips, all time: its recordings' segments (the audio-processing
 * plugin's documented `recording` field), counted by every judgment counter a plugin registered
 * through the SDK (the consensus plugin counts its votes). No SQL on another plugin's tables.
 */
const validationsOf = async (payload: Payload, userId: number): Promise<number> => {
  const counters = getJudgmentCounters(payload.config)
  if (counters.length === 0 || !payload.collections.segments) return 0
  const db = (payload.db as unknown as { drizzle: Awaited<ReturnType<typeof databaseFor>> }).drizzle
  const { rows } = (await db.execute(sql`SELECT id FROM recordings WHERE owner_id = ${userId} AND withdrawal_id IS NULL`)) as unknown as { rows: { id: number }[] }
  if (rows.length === 0) return 0
  // System read of segment ids.
  const segments = await payload.find({ collection: 'segments' as CollectionSlug, where: { recording: { in: rows.map((row) => row.id) } }, pagination: false, depth: 0, select: { id: true } })
  const segmentIds = segments.docs.map((segment) => segment.id)
  if (segmentIds.length === 0) return 0
  let total = 0
  for (const counter of counters) for (const count of (await counter.count({ payload, segmentIds })).values()) total += count
  return total
}

/** Sends (queues) one account's summary for `week`, unless it was already sent. True when queued. */
export const sendWeeklySummary = async (payload: Payload, user: { id: number; email: string; ui_locale: string | null }, week: ReturnType<typeof previousWeek>): Promise<boolean> => {
  const db = (payload.db as unknown as { drizzle: Awaited<ReturnType<typeof databaseFor>> }).drizzle
  const { rows: recordedRows } = (await db.execute(sql`
    SELECT count(*)::int AS n FROM recordings
     WHERE owner_id = ${user.id} AND withdrawal_id IS NULL AND created_at >= ${week.start.toISOString()} AND created_at < ${week.end.toISOString()}`)) as unknown as { rows: { n: number }[] }
  const recorded = Number(recordedRows[0]?.n ?? 0)
  const total = await validationsOf(payload, user.id)
  const { rows: previous } = (await db.execute(sql`SELECT validations_total FROM weekly_summaries WHERE user_id = ${user.id} ORDER BY created_at DESC LIMIT 1`)) as unknown as {
    rows: { validations_total: number }[]
  }
  const sinceLast = previous.length > 0
  const validated = Math.max(0, total - Number(previous[0]?.validations_total ?? 0))
  const locale = localeOrDefault(user.ui_locale)
  const serverURL = payload.config.serverURL ?? ''
  const unsubscribe = unsubscribeLink(serverURL, payload.secret, user.id, 'weekly-summary')
  const message = renderEmail('weekly-summary', locale, { site: siteName(), recorded, validated, sinceLast, siteLink: `${serverURL}/${locale}/speak`, unsubscribeLink: unsubscribe })
  const req = await createLocalReq({}, payload)
  const own = await initTransaction(req)
  try {
    // The unique (user, week) index backs this check up: a second runner fails and retries into it.
    const { rows: sent } = (await (await databaseFor(req)).execute(sql`SELECT 1 FROM weekly_summaries WHERE user_id = ${user.id} AND week = ${week.key}`)) as unknown as { rows: unknown[] }
    if (sent.length > 0) {
      if (own) await commitTransaction(req)
      return false
    }
    // System write. The row and the email's job commit together: sent once, or not at all.
    await payload.create({ collection: 'weekly-summaries', data: { user: user.id, week: week.key, recorded, validated, validationsTotal: total }, req })
    await queueEmail(payload, { to: user.email, ...message, headers: unsubscribeHeaders(unsubscribe) }, { req })
    if (own) await commitTransaction(req)
    return true
  } catch (error) {
    if (own) await killTransaction(req)
    throw error
  }
}

/**
 * Hourly: each verified account that opted in gets last week's summary once (the first run after
 * Monday 00:00 UTC sends them; later runs find them sent, and pick up an account that failed).
 */
export const weeklySummaryJob: JobDefinition<typeof WEEKLY_SUMMARY> = {
  name: WEEKLY_SUMMARY,
  every: '1 hour',
  retries: 2,
  async handler({ payload, log, touch }) {
    const week = previousWeek(new Date())
    const db = (payload.db as unknown as { drizzle: Awaited<ReturnType<typeof databaseFor>> }).drizzle
    let sent = 0
    let after = 0
    // In batches, by id: each account once, however many there are.
    for (;;) {
      const { rows } = (await db.execute(sql`
        SELECT u.id, u.email, u.ui_locale FROM users u
         WHERE u.weekly_summary AND u.email_verified AND u.id > ${after}
           AND NOT EXISTS (SELECT 1 FROM weekly_summaries s WHERE s.user_id = u.id AND s.week = ${week.key})
         ORDER BY u.id LIMIT 200`)) as unknown as { rows: { id: number; email: string; ui_locale: string | null }[] }
      if (rows.length === 0) break
      for (const user of rows) {
        if (await sendWeeklySummary(payload, user, week)) sent += 1
        after = user.id
      }
      await touch()
    }
    log('weekly summaries queued', { week: week.key, sent })
  },
}
