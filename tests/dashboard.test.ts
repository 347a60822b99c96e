import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type pg from 'pg'

import { refreshDashboardRollup, refreshDashboardRollupJob } from '../src/dashboard/rollup'
import type { DashboardData } from '../src/dashboard/data'
import { hasPlugin, testWith } from './helpers/plugins'
import { createUser, json, startTestServer, type TestServer, type TestUser } from './helpers/server'

/**
 * The dashboard's data endpoint on a seeded fixture: two languages of this suite's own, uploads
 * spread over 100 days with every audio outcome, segments in every consensus state, reviewer
 * decisions, votes and transcriptions, exports and jobs — written by SQL as the plugins' jobs
 * would leave them (the figures, not the processing, are under test). Figures across all
 * languages include other suites' data and are checked only where this fixture decides them.
 */
let server: TestServer
let pool: pg.Pool
let admin: TestUser
let reviewer: TestUser
let contributor: TestUser
let code: string
let otherCode: string
const jobName = `dashtest.${randomUUID().slice(0, 8)}`
let languageId = 0
let otherLanguageId = 0

const day = (offset: number): string => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10)
/** Noon UTC `offset` days ago (today: a minute ago, so it is never in the future). */
const at = (offset: number): string => (offset === 0 ? new Date(Date.now() - 60_000).toISOString() : `${day(offset)}T12:00:00Z`)

const get = (path: string, user?: TestUser) => fetch(`${server.url}${path}`, { headers: user?.headers ?? {} })
const dashboard = async (query = ''): Promise<DashboardData> => {
  const response = await get(`/api/dashboard${query}`, admin)
  expect(response.status).toBe(200)
  return (await response.json()) as DashboardData
}

interface Upload {
  offset: number
  owner?: number
  client?: string
  status: 'pending' | 'ready' | 'rejected' | 'failed'
  ms?: number
  checks?: { code: string; severity: string }[]
  withdrawn?: boolean
  language?: number
}

const insertRecording = async (upload: Upload): Promise<number> => {
  let withdrawal: number | null = null
  if (upload.withdrawn) withdrawal = (await pool.query(`INSERT INTO withdrawals (kind) VALUES ('anonymous') RETURNING id`)).rows[0].id
  const { rows } = await pool.query(
    `INSERT INTO recordings (owner_id, client_id, language_id, mode, filename, mime_type, filesize, consent_version, audio_status, audio_duration_ms, audio_checks, withdrawal_id, created_at, updated_at)
     VALUES ($1, $2, $3, 'long', $4, 'audio/wav', 100, 'test', $5, $6, $7, $8, $9, $9) RETURNING id`,
    [upload.owner ?? null, upload.client ?? null, upload.language ?? languageId, `dash-${randomUUID()}.wav`, upload.status, upload.ms ?? null, upload.checks ? JSON.stringify(upload.checks) : null, withdrawal, at(upload.offset)],
  )
  return rows[0].id
}

/**
 * A segment and its decision (the consensus plugin's row; without the plugin there is no such table);
 * a pending one has none yet, as before the plugin hears of it, and counts as pending.
 */
const insertSegment = async (recording: number, index: number, ms: number, status: string): Promise<number> => {
  const { rows } = await pool.query(`INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file) VALUES ($1, $2, 0, $3, $3, $4) RETURNING id`, [
    recording,
    index,
    ms,
    `${recording}/seg-${index}.ogg`,
  ])
  if (status !== 'pending' && consensusIn) await pool.query(`INSERT INTO segment_decisions (segment_id, status) VALUES ($1, $2::text::enum_segment_decisions_status)`, [rows[0].id, status])
  return rows[0].id
}

const H = 3_600_000
// Without the consensus plugin (SHRUTIK_TEST_WITHOUT) its rows below are left alone: nothing is
// validated or reviewed, every segment is pending and votes make nobody a contributor.
const consensusIn = hasPlugin('consensus')
// Durations, verdicts and segments are the audio plugin's columns: the figures built on them need it.
const decided = (figure: number): number => (consensusIn ? figure : 0)
const client = { a: randomUUID(), b: randomUUID(), c: randomUUID(), d: randomUUID() }

beforeAll(async () => {
  server = await startTestServer()
  pool = (server.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool
  ;[admin, reviewer, contributor] = await Promise.all([createUser(server, 'admin'), createUser(server, 'reviewer'), createUser(server, 'contributor')])
  // Languages of this suite's own: private-use codes (qaa–qtz), retried on the rare collision.
  for (let attempt = 0; !languageId; attempt++) {
    code = `q${String.fromCharCode(97 + Math.floor(Math.random() * 20))}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}`
    otherCode = `${code}-BD`
    try {
      languageId = (await server.payload.create({ collection: 'languages', data: { code, name: `Dash ${code}`, nativeName: 'ড্যাশ', targetHours: 10 } })).id as number
      // A name a spreadsheet would run as a formula: the CSV must defuse it.
      otherLanguageId = (await server.payload.create({ collection: 'languages', data: { code: otherCode, name: '=HYPERLINK("http://evil.example")', nativeName: 'x', targetHours: 5 } })).id as number
    } catch (error) {
      if (attempt > 10) throw error
      if (languageId) await server.payload.delete({ collection: 'languages', id: languageId })
      languageId = 0
    }
  }

  const owner = contributor.id
  const r1 = await insertRecording({ offset: 0, owner, status: 'ready', ms: H })
  const r2 = await insertRecording({ offset: 0, client: client.a, status: 'ready', ms: H / 2 })
  await insertRecording({ offset: 1, client: client.a, status: 'rejected', checks: [{ code: 'noisy', severity: 'warning' }, { code: 'too-short', severity: 'error' }, { code: 'silent', severity: 'error' }] })
  await insertRecording({ offset: 1, client: client.b, status: 'rejected', checks: [{ code: 'silent', severity: 'error' }] })
  await insertRecording({ offset: 10, client: client.b, status: 'rejected', checks: [{ code: 'too-short', severity: 'error' }] })
  await insertRecording({ offset: 10, owner, status: 'pending' })
  await insertRecording({ offset: 10, owner, status: 'failed' })
  const r7 = await insertRecording({ offset: 100, client: client.a, status: 'ready', ms: 2 * H })
  // Withdrawn: counts nowhere.
  const r8 = await insertRecording({ offset: 0, client: client.b, status: 'ready', ms: 5 * H, withdrawn: true })
  const r10 = await insertRecording({ offset: 0, client: client.d, status: 'ready', ms: H / 6, language: otherLanguageId })

  const s1 = await insertSegment(r1, 0, H, 'accepted')
  const s2 = await insertSegment(r2, 0, H / 2, 'pending')
  const s7a = await insertSegment(r7, 0, H, 'accepted')
  const s7b = await insertSegment(r7, 1, H, 'needs-review')
  await insertSegment(r8, 0, 5 * H, 'accepted')
  await insertSegment(r10, 0, H / 6, 'rejected')

  await pool.query(
    `INSERT INTO consensus_decisions (segment_id, reviewer_id, decision, created_at, updated_at) VALUES
       ($1, $4, 'accepted', $5, $5), ($2, $4, 'accepted', $6, $6), ($3, $4, 'accepted', $7, $7)`,
    [s7a, s1, s2, reviewer.id, at(0), at(10), at(40)],
  )
  // This week: a vote by another anonymous contributor and by the reviewer, a transcription by a third.
  await pool.query(`INSERT INTO votes (segment_id, client_id, valid) VALUES ($1, $2, true)`, [s1, client.b])
  await pool.query(`INSERT INTO votes (segment_id, voter_id, valid) VALUES ($1, $2, true)`, [s2, reviewer.id])
  await pool.query(`INSERT INTO transcriptions (item_id, language_id, text, client_id) VALUES ($1, $2, 'words', $3)`, [s7b, languageId, client.c])

  await pool.query(
    `INSERT INTO dataset_exports (language_id, status, summary, finished_at, seed) VALUES
       ($1, 'done', '{"clips": 3, "hours": 0.5}', now() - interval '2 days', 0),
       ($1, 'done', '{"clips": 5, "hours": 1.25}', now() - interval '1 day', 0),
       ($1, 'failed', '{"clips": 9, "hours": 9}', now(), 0)`,
    [languageId],
  )
  await pool.query(
    `INSERT INTO agenda_jobs (name, next_run_at, type, locked_at, failed_at, fail_count) VALUES
       ($1, now() - interval '1 minute', 'normal', NULL, NULL, NULL),
       ($1, now() - interval '2 minutes', 'normal', NULL, NULL, NULL),
       ($1, now() + interval '1 hour', 'normal', NULL, now() - interval '1 minute', 1),
       ($1, NULL, 'normal', NULL, now() - interval '2 hours', 3),
       ($1, NULL, 'normal', now(), NULL, NULL)`,
    [jobName],
  )
  await refreshDashboardRollup(server.payload, { full: true })
})

afterAll(async () => {
  await pool?.query('DELETE FROM agenda_jobs WHERE name = $1', [jobName])
  await server?.close()
})

describe('GET /api/dashboard', () => {
  it('is for admins and reviewers only: 401 signed out, 403 for a contributor', async () => {
    expect((await get('/api/dashboard')).status).toBe(401)
    expect((await get('/api/dashboard', contributor)).status).toBe(403)
    expect((await get('/api/dashboard/languages.csv')).status).toBe(401)
    expect((await get('/api/dashboard/languages.csv', contributor)).status).toBe(403)
    expect((await get('/api/dashboard', reviewer)).status).toBe(200)
    expect((await get('/api/dashboard', admin)).headers.get('cache-control')).toContain('no-store')
  })

  it('refuses an unknown language or table with a message', async () => {
    const unknown = await get('/api/dashboard?language=zz-nope', admin)
    expect(unknown.status).toBe(400)
    expect((await json(unknown)).errors[0].message).toContain('zz-nope')
    const table = await get('/api/dashboard/passwords.csv', admin)
    expect(table.status).toBe(404)
    expect((await json(table)).errors[0].message).toContain('languages.csv')
  })

  testWith(['audio-processing'], 'reports each language against its target: recorded, validated and exported hours', async () => {
    const data = await dashboard()
    const mine = data.languages.find((row) => row.code === code)
    // Recorded: accepted audio of uploads not withdrawn (1 + 0.5 + 2 h); validated: accepted segments (1 + 1 h);
    // exported: the latest finished export (1.25 h, not the failed one).
    expect(mine).toEqual({ code, name: `Dash ${code}`, targetHours: 10, recordings: 8, recordedHours: 3.5, validatedHours: decided(2), exportedHours: 1.25, exportedClips: 5, lastExportAt: expect.any(String) })
    expect(data.languages.find((row) => row.code === otherCode)).toMatchObject({ recordings: 1, recordedHours: 0.17, validatedHours: 0, exportedHours: 0 })
    expect(data.refreshedAt).not.toBeNull()
  })

  testWith(['audio-processing'], 'gives clips and hours per day for the last 90 days, one language at a time', async () => {
    const data = await dashboard(`?language=${code}`)
    expect(data.language).toBe(code)
    expect(data.daily).toHaveLength(90)
    expect(data.daily.at(-1)!.day).toBe(day(0))
    expect(data.daily[0].day).toBe(day(89))
    const byDay = Object.fromEntries(data.daily.map((row) => [row.day, row]))
    expect(byDay[day(0)]).toEqual({ day: day(0), clips: 2, recordedHours: 1.5, validatedClips: decided(1), validatedHours: decided(1), reviewerDecisions: decided(1) })
    expect(byDay[day(1)]).toEqual({ day: day(1), clips: 2, recordedHours: 0, validatedClips: 0, validatedHours: 0, reviewerDecisions: 0 })
    expect(byDay[day(10)]).toEqual({ day: day(10), clips: 3, recordedHours: 0, validatedClips: 0, validatedHours: 0, reviewerDecisions: decided(1) })
    expect(byDay[day(40)].reviewerDecisions).toBe(decided(1))
    // 100 days ago is outside the chart, inside the totals (above).
    expect(data.daily.reduce((sum, row) => sum + row.clips, 0)).toBe(7)
  })

  it('counts each contributor once per week, across recording, voting and transcribing', async () => {
    const data = await dashboard(`?language=${code}`)
    expect(data.weekly).toHaveLength(13)
    // This week: the account and client a recorded, client b and the reviewer voted, client c transcribed.
    // Without votes: client b only when yesterday, when b recorded, is in this week (today is not a Monday).
    expect(data.weekly.at(-1)!.contributors).toBe(consensusIn ? 5 : new Date().getUTCDay() === 1 ? 3 : 4)
    const other = await dashboard(`?language=${otherCode}`)
    expect(other.weekly.at(-1)!.contributors).toBe(1)
  })

  testWith(['audio-processing'], 'shows the consensus backlog and review throughput per language', async () => {
    const data = await dashboard()
    expect(data.backlog.find((row) => row.code === code)).toEqual(
      consensusIn
        ? { code, name: `Dash ${code}`, pending: 1, needsReview: 1, accepted: 2, rejected: 0, reviewed7d: 1, reviewed30d: 2 }
        : { code, name: `Dash ${code}`, pending: 4, needsReview: 0, accepted: 0, rejected: 0, reviewed7d: 0, reviewed30d: 0 },
    )
    expect(data.backlog.find((row) => row.code === otherCode)).toMatchObject(consensusIn ? { pending: 0, rejected: 1 } : { pending: 1, rejected: 0 })
  })

  it('shows the queue depth and failures by job', async () => {
    const data = await dashboard()
    expect(data.queue.find((row) => row.name === jobName)).toEqual({ name: jobName, waiting: 2, scheduled: 1, running: 1, failed24h: 2, failedForGood: 1 })
  })

  testWith(['audio-processing'], 'lists why uploads were rejected: the first failing check of each', async () => {
    const data = await dashboard(`?language=${code}`)
    expect(data.rejections).toEqual([
      { code: 'too-short', recordings: 2 },
      { code: 'silent', recordings: 1 },
    ])
  })

  testWith(['audio-processing'], 'downloads each table as CSV, with formula-like cells defused', async () => {
    const rejections = await get(`/api/dashboard/rejections.csv?language=${code}`, admin)
    expect(rejections.status).toBe(200)
    expect(rejections.headers.get('content-type')).toContain('text/csv')
    expect(rejections.headers.get('content-disposition')).toBe(`attachment; filename="shrutik-rejections-${code}.csv"`)
    expect(await rejections.text()).toBe('check,recordings\r\ntoo-short,2\r\nsilent,1\r\n')
    const languages = await (await get('/api/dashboard/languages.csv', reviewer)).text()
    expect(languages.split('\r\n')[0]).toBe('code,name,target_hours,recordings,recorded_hours,validated_hours,exported_hours,exported_clips,last_export_at')
    expect(languages).toContain(`${code},Dash ${code},10,8,3.5,${decided(2)},1.25,5,`)
    expect(languages).toContain(`${otherCode},"'=HYPERLINK(""http://evil.example"")",5,1,0.17,0,0,0,`)
    for (const table of ['daily', 'weekly', 'backlog', 'queue']) {
      const response = await get(`/api/dashboard/${table}.csv`, admin)
      expect(response.status).toBe(200)
      expect((await response.text()).split('\r\n').length).toBeGreaterThan(2)
    }
  })

  testWith(['audio-processing'], 'follows changes on the next incremental refresh (the job), old days included, withdrawals too', async () => {
    const before = await dashboard(`?language=${code}`)
    // Processing finishes for the upload of 10 days ago; a new upload arrives; today's first upload is withdrawn.
    await pool.query(`UPDATE recordings SET audio_status = 'ready', audio_duration_ms = $2, updated_at = now() WHERE language_id = $1 AND audio_status = 'pending'`, [languageId, H / 4])
    await insertRecording({ offset: 0, client: client.c, status: 'ready', ms: H })
    const { rows } = await pool.query(`INSERT INTO withdrawals (kind) VALUES ('account') RETURNING id`)
    await pool.query(`UPDATE recordings SET withdrawal_id = $2, owner_id = NULL, updated_at = now() WHERE language_id = $1 AND owner_id = $3 AND audio_status = 'ready' AND created_at > now() - interval '1 day'`, [
      languageId,
      rows[0].id,
      contributor.id,
    ])
    const logged: unknown[] = []
    await refreshDashboardRollupJob.handler({ payload: server.payload, data: {}, attempt: 1, touch: async () => undefined, log: (...args: unknown[]) => logged.push(args) } as never)
    const after = await dashboard(`?language=${code}`)
    const mine = after.languages.find((row) => row.code === code)!
    // + 0.25 h processed, + 1 h new, − 1 h withdrawn (and its accepted segment).
    expect(mine.recordedHours).toBe(3.75)
    expect(mine.validatedHours).toBe(decided(1))
    expect(mine.recordings).toBe(8)
    const today = after.daily.at(-1)!
    expect(today).toMatchObject({ clips: 2, recordedHours: 1.5, validatedClips: 0, reviewerDecisions: decided(1) })
    expect(after.daily.find((row) => row.day === day(10))!.recordedHours).toBe(0.25)
    expect(before.daily.find((row) => row.day === day(10))!.recordedHours).toBe(0)
    expect(logged).toHaveLength(1)
    expect(JSON.stringify(logged[0])).toContain('"full":false')
  })
})
