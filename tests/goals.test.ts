import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type pg from 'pg'

import { checkDisplayName, checkGoal, displayNameKey, streakOf, weekStart } from '../src/goals/core'
import { forgetLeaderboards, leaderboard, progressOf } from '../src/goals/data'
import { hasPlugin, testWith } from './helpers/plugins'
import { createUser, json, mintAnonymous, startTestServer, type AnonymousContributor, type TestServer, type TestUser } from './helpers/server'

/**
 * Weekly goals, streaks and leaderboards: the rules as table tests, the counts on a fixture written
 * by SQL at fixed times (a fixed clock for the week and the streak), and the endpoints over HTTP —
 * above all that a contributor who did not opt in never appears anywhere.
 */
let server: TestServer
let pool: pg.Pool
let code = ''
let languageId = 0
let asha: TestUser
let bela: TestUser
let chandra: TestUser
let admin: TestUser
let speaker: AnonymousContributor

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers })

const insertRecording = async (by: { owner?: number; client?: string }, at: Date, { status = 'ready', withdrawn = false } = {}): Promise<number> => {
  let withdrawal: number | null = null
  if (withdrawn) withdrawal = (await pool.query(`INSERT INTO withdrawals (kind) VALUES ('anonymous') RETURNING id`)).rows[0].id
  const { rows } = await pool.query(
    `INSERT INTO recordings (owner_id, client_id, language_id, mode, filename, mime_type, filesize, consent_version, audio_status, audio_duration_ms, withdrawal_id, created_at, updated_at)
     VALUES ($1, $2, $3, 'long', $4, 'audio/wav', 100, 'test', $5, 1000, $6, $7, $7) RETURNING id`,
    [by.owner ?? null, by.client ?? null, languageId, `goals-${randomUUID()}.wav`, status, withdrawal, at],
  )
  return rows[0].id
}

const insertSegment = async (recording: number): Promise<number> =>
  (
    await pool.query(
      `INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file) VALUES ($1, 0, 0, 1000, 1000, $2) RETURNING id`,
      [recording, `${recording}/seg-0.ogg`],
    )
  ).rows[0].id

const vote = (segment: number, by: { voter?: number; client?: string }, at: Date) =>
  pool.query(`INSERT INTO votes (segment_id, voter_id, client_id, valid, created_at, updated_at) VALUES ($1, $2, $3, true, $4, $4)`, [segment, by.voter ?? null, by.client ?? null, at])

/** A clip `count` times over, by the anonymous speaker, each with a segment to vote on. */
const speakerSegments = async (count: number, at: Date): Promise<number[]> => {
  const ids: number[] = []
  for (let index = 0; index < count; index++) ids.push(await insertSegment(await insertRecording({ client: speaker.clientId }, at)))
  return ids
}

/** Only accounts with a confirmed email address are listed (src/goals/listable.ts); the test accounts confirm theirs. */
const confirmAddress = async (...users: TestUser[]) =>
  pool.query(`UPDATE users SET email_verified = true WHERE id = ANY($1::int[])`, [users.map((user) => user.id)])

const thisWeek = (): Date => new Date(Math.max(weekStart(new Date()).getTime() + 1000, Date.now() - 60_000))
const lastWeek = (): Date => new Date(weekStart(new Date()).getTime() - 2 * 86_400_000)

beforeAll(async () => {
  server = await startTestServer()
  pool = (server.payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool
  ;[asha, bela, chandra, admin] = await Promise.all([
    createUser(server, 'contributor', 'asha'),
    createUser(server, 'contributor', 'bela'),
    createUser(server, 'contributor', 'chandra'),
    createUser(server, 'admin'),
  ])
  await confirmAddress(asha, bela, chandra)
  speaker = await mintAnonymous(server)
  for (let attempt = 0; !languageId; attempt++) {
    code = `q${String.fromCharCode(97 + Math.floor(Math.random() * 20))}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}`
    try {
      languageId = (await server.payload.create({ collection: 'languages', data: { code, name: `Goals ${code}`, nativeName: 'লক্ষ্য', targetHours: 10 } })).id as number
    } catch (error) {
      if (attempt > 10) throw error
    }
  }
})

afterAll(async () => {
  if (pool) {
    await pool.query(`DELETE FROM contributor_profiles WHERE user_id = ANY($1::int[]) OR key = $2`, [[asha?.id, bela?.id, chandra?.id].filter(Boolean), `c:${speaker?.clientId}`])
    const mine = `SELECT g.id FROM segments g JOIN recordings r ON r.id = g.recording_id WHERE r.language_id = $1`
    await pool.query(`DELETE FROM votes WHERE segment_id IN (${mine})`, [languageId])
    await pool.query(`DELETE FROM segments WHERE id IN (${mine})`, [languageId])
    await pool.query(`DELETE FROM recordings WHERE language_id = $1`, [languageId])
    if (languageId) await server.payload.delete({ collection: 'languages', id: languageId })
  }
  await server?.close()
})

describe('rules', () => {
  it.each([
    ['Rina Das', 'Rina Das'],
    ['  রিনা   দাস ', 'রিনা দাস'],
    ['র\u200D্যাব', 'র\u200D্যাব'],
    ["O'Brien-2", "O'Brien-2"],
  ])('accepts the display name %j as %j', (input, expected) => {
    expect(checkDisplayName(input)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['', 'characters long'],
    ['a', 'characters long'],
    ['x'.repeat(33), 'characters long'],
    ['ab\u0000cd', 'control or invisible'],
    ['ab\u202Ecd', 'control or invisible'],
    ['ab\u200Bcd', 'control or invisible'],
    ['rina@example.org', 'e-mail address'],
    ['http://evil', 'web address'],
    ['www.evil', 'web address'],
    ['visit evil.com', 'web address'],
    ['<b>bold</b>', 'letters, digits'],
    ['--', 'two letters'],
    [42, 'must be text'],
    ['Ad Min', 'kept for the site'],
    ['SHRUTIK', 'kept for the site'],
  ])('refuses the display name %j', (input, message) => {
    const result = checkDisplayName(input)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.message).toContain(message)
  })

  it('folds names that look the same to one key (case, width, spaces, punctuation)', () => {
    expect(displayNameKey('Rina Das')).toBe(displayNameKey('rina.das'))
    expect(displayNameKey('ＲＩＮＡ')).toBe(displayNameKey('rina'))
    expect(displayNameKey('Rina Das')).not.toBe(displayNameKey('Rina Dash'))
  })

  it.each([[0], [20], [10_000]])('accepts the goal %j', (value) => expect(checkGoal(value, 'recorded')).toEqual({ ok: true, value }))
  it.each([[-1], [1.5], [10_001], ['20'], [null], [Number.NaN]])('refuses the goal %j', (value) => expect(checkGoal(value, 'recorded').ok).toBe(false))

  it('starts the week on Monday 00:00 UTC', () => {
    expect(weekStart(new Date('2026-06-10T12:00:00Z')).toISOString()).toBe('2026-06-08T00:00:00.000Z')
    expect(weekStart(new Date('2026-06-08T00:00:00Z')).toISOString()).toBe('2026-06-08T00:00:00.000Z')
    expect(weekStart(new Date('2026-06-07T23:59:59Z')).toISOString()).toBe('2026-06-01T00:00:00.000Z')
  })

  it('counts a streak in UTC days, alive until the day is over', () => {
    const days = ['2026-06-07', '2026-06-08', '2026-06-09']
    // A second after midnight: yesterday's streak still stands, today not yet done.
    expect(streakOf(days, new Date('2026-06-10T00:00:01Z'))).toEqual({ days: 3, today: false })
    expect(streakOf([...days, '2026-06-10'], new Date('2026-06-10T00:00:01Z'))).toEqual({ days: 4, today: true })
    // A day missed: broken.
    expect(streakOf(days, new Date('2026-06-11T08:00:00Z'))).toEqual({ days: 0, today: false })
    expect(streakOf(['2026-06-05', '2026-06-07'], new Date('2026-06-07T10:00:00Z'))).toEqual({ days: 1, today: true })
    expect(streakOf([], new Date('2026-06-07T10:00:00Z'))).toEqual({ days: 0, today: false })
  })
})

describe('progress (fixed clock)', () => {
  // A rejected upload (the audio plugin's verdict) does not count; votes are on its segments.
  testWith(['audio-processing'], 'counts the week, all time and the streak from the rows, across day and week boundaries', async () => {
    const person = await mintAnonymous(server)
    const voter = await mintAnonymous(server)
    const at = (iso: string) => new Date(iso)
    // Monday 2026-06-08 is the week's start; "now" is Wednesday 00:30 UTC.
    const now = at('2026-06-10T00:30:00Z')
    await insertRecording({ client: person.clientId }, at('2026-06-05T10:00:00Z')) // Friday of the week before
    await insertRecording({ client: person.clientId }, at('2026-06-07T23:59:59Z')) // Sunday, last second of last week
    await insertRecording({ client: person.clientId }, at('2026-06-08T00:00:00Z')) // Monday, first second of this week
    await insertRecording({ client: person.clientId }, at('2026-06-09T23:00:00Z')) // Tuesday
    await insertRecording({ client: person.clientId }, at('2026-06-09T12:00:00Z'), { status: 'rejected' }) // does not count
    await insertRecording({ client: person.clientId }, at('2026-06-09T12:00:00Z'), { withdrawn: true }) // does not count
    await insertRecording({ client: person.clientId }, at('2026-06-10T01:00:00Z')) // after "now": not yet
    const [segment] = await speakerSegments(1, at('2026-06-01T00:00:00Z'))
    await vote(segment, { client: person.clientId }, at('2026-06-10T00:10:00Z'))
    await vote(segment, { client: voter.clientId }, at('2026-06-09T00:10:00Z'))

    // Votes count through the consensus plugin's published view: without it (SHRUTIK_TEST_WITHOUT) they count nowhere.
    const votesCount = hasPlugin('consensus')
    const progress = await progressOf(server.payload, { clientId: person.clientId }, now)
    expect(progress.week).toEqual({ start: '2026-06-08T00:00:00.000Z', recorded: 2, validated: votesCount ? 1 : 0 })
    expect(progress.allTime).toEqual({ recorded: 4, validated: votesCount ? 1 : 0 })
    // Days 07, 08, 09 (recordings) and 10 (the vote): Friday the 5th is cut off by the missing Saturday.
    expect(progress.streak).toEqual(votesCount ? { days: 4, today: true } : { days: 3, today: false })
    expect(progress.goals).toEqual({ recorded: 20, validated: 20 })
    expect(progress.defaultGoals).toBe(true)

    // Half an hour earlier (before the vote), today is not done yet but the streak stands.
    expect((await progressOf(server.payload, { clientId: person.clientId }, at('2026-06-10T00:05:00Z'))).streak).toEqual({ days: 3, today: false })
    // A day later with nothing on the 11th: broken unless today counts.
    expect((await progressOf(server.payload, { clientId: person.clientId }, at('2026-06-12T09:00:00Z'))).streak).toEqual({ days: 0, today: false })
    // The other voter's numbers are theirs alone.
    expect((await progressOf(server.payload, { clientId: voter.clientId }, now)).allTime).toEqual({ recorded: 0, validated: votesCount ? 1 : 0 })
  })
})

describe('POST /api/site/me/goals', () => {
  it('stores an anonymous contributor’s goals, shown by their progress', async () => {
    const person = await mintAnonymous(server)
    const saved = await post('/api/site/me/goals', { recorded: 35, validated: 0 }, person.headers)
    expect(saved.status).toBe(200)
    const progress = await json(await get('/api/site/me/progress', person.headers))
    expect(progress.goals).toEqual({ recorded: 35, validated: 0 })
    expect(progress.defaultGoals).toBe(false)
    expect(progress.leaderboard).toEqual({ canJoin: false, optIn: false, displayName: null })
    await pool.query(`DELETE FROM contributor_profiles WHERE key = $1`, [`c:${person.clientId}`])
  })

  it('carries a browser’s goals to the account that claims it (unless the account chose its own)', async () => {
    const browser = await mintAnonymous(server)
    const account = await createUser(server, 'contributor', 'claimer')
    expect((await post('/api/site/me/goals', { recorded: 7, validated: 3 }, browser.headers)).status).toBe(200)
    expect((await post('/api/site/claim', {}, { ...browser.headers, ...account.headers })).status).toBe(200)
    expect((await json(await get('/api/site/me/progress', account.headers))).goals).toEqual({ recorded: 7, validated: 3 })
    const { rows } = await pool.query(`SELECT key FROM contributor_profiles WHERE key = ANY($1::text[])`, [[`c:${browser.clientId}`, `u:${account.id}`]])
    expect(rows.map((row) => row.key)).toEqual([`u:${account.id}`])

    const second = await mintAnonymous(server)
    expect((await post('/api/site/me/goals', { recorded: 99, validated: 99 }, second.headers)).status).toBe(200)
    expect((await post('/api/site/claim', {}, { ...second.headers, ...account.headers })).status).toBe(200)
    expect((await json(await get('/api/site/me/progress', account.headers))).goals).toEqual({ recorded: 7, validated: 3 })
    await pool.query(`DELETE FROM contributor_profiles WHERE key = ANY($1::text[])`, [[`c:${second.clientId}`, `u:${account.id}`]])
  })

  it('refuses bad goals, other origins, non-JSON bodies and strangers', async () => {
    const person = await mintAnonymous(server)
    for (const body of [{ recorded: 1.5, validated: 1 }, { recorded: -1, validated: 1 }, { recorded: 20, validated: 100_000 }, { recorded: '20', validated: 1 }, { recorded: 20 }, []]) {
      const response = await post('/api/site/me/goals', body, person.headers)
      expect(response.status).toBe(400)
    }
    expect((await post('/api/site/me/goals', { recorded: 1, validated: 1 }, { ...person.headers, Origin: 'https://evil.example' })).status).toBe(403)
    expect((await post('/api/site/me/goals', { recorded: 1, validated: 1 }, { ...person.headers, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403)
    const form = await fetch(`${server.url}/api/site/me/goals`, { method: 'POST', headers: { ...person.headers, 'Content-Type': 'text/plain' }, body: '{"recorded":1,"validated":1}' })
    expect(form.status).toBe(415)
    expect((await post('/api/site/me/goals', { recorded: 1, validated: 1 })).status).toBe(401)
    expect((await get('/api/site/me/progress')).status).toBe(401)
    const { rows } = await pool.query(`SELECT 1 FROM contributor_profiles WHERE key = $1`, [`c:${person.clientId}`])
    expect(rows).toHaveLength(0)
  })
})

describe('leaderboards', () => {
  const board = async (metric: string, period: string) => {
    const response = await get(`/api/site/leaderboard?language=${code}&metric=${metric}&period=${period}`)
    expect(response.status).toBe(200)
    return (await response.json()) as { entries: { rank: number; displayName: string; clips: number }[] }
  }
  const allBoards = async () => ({
    recordedWeek: await board('recorded', 'week'),
    recordedAll: await board('recorded', 'all'),
    validatedWeek: await board('validated', 'week'),
    validatedAll: await board('validated', 'all'),
  })
  const anonymousCrowd: AnonymousContributor[] = []

  beforeAll(async () => {
    // Asha: 3 clips this week, 2 last week, 1 rejected, 1 withdrawn; 2 votes this week, 1 last week.
    for (let index = 0; index < 3; index++) await insertRecording({ owner: asha.id }, thisWeek())
    for (let index = 0; index < 2; index++) await insertRecording({ owner: asha.id }, lastWeek())
    await insertRecording({ owner: asha.id }, thisWeek(), { status: 'rejected' })
    await insertRecording({ owner: asha.id }, thisWeek(), { withdrawn: true })
    const segments = await speakerSegments(12, lastWeek())
    await vote(segments[0], { voter: asha.id }, thisWeek())
    await vote(segments[1], { voter: asha.id }, thisWeek())
    await vote(segments[2], { voter: asha.id }, lastWeek())
    // Chandra (never opted in) does more than anyone.
    for (let index = 0; index < 9; index++) await insertRecording({ owner: chandra.id }, thisWeek())
    for (let index = 3; index < 9; index++) await vote(segments[index], { voter: chandra.id }, thisWeek())
    // Bela (opts in, then out) too.
    for (let index = 0; index < 5; index++) await insertRecording({ owner: bela.id }, thisWeek())
    // One person, many anonymous browsers, each busy.
    for (let index = 0; index < 25; index++) {
      const browser = await mintAnonymous(server)
      anonymousCrowd.push(browser)
      for (let clip = 0; clip < 4; clip++) await insertRecording({ client: browser.clientId }, thisWeek())
    }
    forgetLeaderboards()
  })

  it('lists an opted-in account under its display name, with counts from the server', async () => {
    expect((await post('/api/site/me/leaderboard', { optIn: true, displayName: 'Asha Rahman' }, asha.headers)).status).toBe(200)
    // The counts leave out what the audio plugin rejected and count votes on its segments: without it
    // (SHRUTIK_TEST_WITHOUT) only the opt-in above is checked here (the suites below build on it).
    if (!hasPlugin('audio-processing')) return
    const boards = await allBoards()
    expect(boards.recordedWeek.entries).toEqual([{ rank: 1, displayName: 'Asha Rahman', clips: 3 }])
    expect(boards.recordedAll.entries).toEqual([{ rank: 1, displayName: 'Asha Rahman', clips: 5 }])
    // Votes count through the consensus plugin's published view: without it nobody has validated anything.
    const votesCount = hasPlugin('consensus')
    expect(boards.validatedWeek.entries).toEqual(votesCount ? [{ rank: 1, displayName: 'Asha Rahman', clips: 2 }] : [])
    expect(boards.validatedAll.entries).toEqual(votesCount ? [{ rank: 1, displayName: 'Asha Rahman', clips: 3 }] : [])
    // Asha's own numbers agree.
    const progress = await json(await get('/api/site/me/progress', asha.headers))
    expect(progress.allTime).toEqual({ recorded: 5, validated: votesCount ? 3 : 0 })
    expect(progress.leaderboard).toEqual({ canJoin: true, optIn: true, displayName: 'Asha Rahman' })
  })

  it('never shows a contributor who did not opt in, by any endpoint', async () => {
    // Chandra chose a name but did not opt in; Bela opted in and then out.
    expect((await post('/api/site/me/leaderboard', { optIn: false, displayName: 'Chandra Sen' }, chandra.headers)).status).toBe(200)
    expect((await post('/api/site/me/leaderboard', { optIn: true, displayName: 'Bela Roy' }, bela.headers)).status).toBe(200)
    expect((await board('recorded', 'week')).entries.map((entry) => entry.displayName)).toEqual(['Bela Roy', 'Asha Rahman'])
    expect((await post('/api/site/me/leaderboard', { optIn: false }, bela.headers)).status).toBe(200)

    const secrets = ['Chandra Sen', 'Bela Roy', chandra.email, bela.email]
    const seen: { text: string; hidden: string[] }[] = []
    for (const metric of ['recorded', 'validated']) {
      for (const period of ['week', 'all']) seen.push({ text: await (await get(`/api/site/leaderboard?language=${code}&metric=${metric}&period=${period}`)).text(), hidden: [...secrets, asha.email] })
    }
    for (const viewer of [asha, admin, undefined]) {
      for (const path of ['/api/contributor-profiles', '/api/contributor-profiles?depth=1', '/api/users?limit=100', `/api/users/${chandra.id}`, `/api/users/${bela.id}`, '/api/site/stats', '/api/site/me/progress']) {
        // Admins manage the accounts and profiles: the REST API shows them everything, by design.
        if (viewer === admin && (path.startsWith('/api/contributor-profiles') || path.startsWith('/api/users'))) continue
        seen.push({ text: await (await get(path, viewer?.headers ?? {})).text(), hidden: viewer === asha ? secrets : [...secrets, asha.email] })
      }
    }
    seen.push({ text: await (await get('/api/site/me/progress', speaker.headers)).text(), hidden: [...secrets, asha.email] })
    expect(seen.length).toBeGreaterThan(15)
    for (const { text, hidden } of seen) for (const secret of hidden) expect(text).not.toContain(secret)
    // Admins see the profiles (it is their instance), still without e-mail addresses in leaderboards.
    const adminView = await json(await get('/api/contributor-profiles?limit=100', admin.headers))
    expect(adminView.docs.map((doc: { displayName: string }) => doc.displayName)).toEqual(expect.arrayContaining(['Chandra Sen', 'Bela Roy']))
  })

  it('honours an opt-out made elsewhere at once, though counts are cached', async () => {
    await board('recorded', 'week')
    // As another web process would: the row changes, this process's cache does not hear of it.
    await pool.query(`UPDATE contributor_profiles SET leaderboard_opt_in = false WHERE user_id = $1`, [asha.id])
    expect((await board('recorded', 'week')).entries).toEqual([])
    expect((await leaderboard(server.payload, { languageId, metric: 'recorded', period: 'all' })).map((entry) => entry.displayName)).toEqual([])
    await pool.query(`UPDATE contributor_profiles SET leaderboard_opt_in = true WHERE user_id = $1`, [asha.id])
    expect((await board('recorded', 'week')).entries.map((entry) => entry.displayName)).toEqual(['Asha Rahman'])
  })

  it('keeps anonymous browsers off the boards, however many one person holds', async () => {
    for (const browser of anonymousCrowd.slice(0, 5)) {
      const response = await post('/api/site/me/leaderboard', { optIn: true, displayName: `Crowd ${browser.clientId.slice(0, 4)}` }, browser.headers)
      expect(response.status).toBe(401)
    }
    // A signed-out browser linked to nobody sees its own numbers, never a place on the board.
    const own = await json(await get('/api/site/me/progress', anonymousCrowd[0].headers))
    expect(own.week.recorded).toBe(4)
    expect(own.leaderboard.canJoin).toBe(false)
    forgetLeaderboards()
    const boards = await allBoards()
    for (const entries of Object.values(boards).map((value) => value.entries)) {
      expect(entries.map((entry) => entry.displayName)).toEqual(entries.length ? ['Asha Rahman'] : [])
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM contributor_profiles WHERE key LIKE 'c:%' AND leaderboard_opt_in`)
    expect(rows[0].n).toBe(0)
  })

  it('validates display names and refuses one that looks like another’s', async () => {
    for (const displayName of ['a', 'me@example.org', 'https://evil.example', 'x\u202Ey', 'Asha\u0007']) {
      expect((await post('/api/site/me/leaderboard', { optIn: true, displayName }, bela.headers)).status).toBe(400)
    }
    for (const displayName of ['asha rahman', 'ASHA.RAHMAN', 'Ａｓｈａ Ｒａｈｍａｎ']) {
      const response = await post('/api/site/me/leaderboard', { optIn: true, displayName }, bela.headers)
      expect(response.status).toBe(409)
    }
    expect((await post('/api/site/me/leaderboard', { optIn: true }, admin.headers)).status).toBe(400)
    expect((await post('/api/site/me/leaderboard', { optIn: 'yes', displayName: 'Fine Name' }, admin.headers)).status).toBe(400)
    expect((await post('/api/site/me/leaderboard', { optIn: true, displayName: 'Fine Name' }, { ...admin.headers, Origin: 'https://evil.example' })).status).toBe(403)
    // Bela's name is unchanged and she is still not listed.
    const { rows } = await pool.query(`SELECT display_name, leaderboard_opt_in FROM contributor_profiles WHERE user_id = $1`, [bela.id])
    expect(rows[0]).toEqual({ display_name: 'Bela Roy', leaderboard_opt_in: false })
  })

  it('lists an opted-in account only once its email address is confirmed', async () => {
    const eva = await createUser(server, 'contributor', 'eva')
    await insertRecording({ owner: eva.id }, thisWeek())
    expect((await post('/api/site/me/leaderboard', { optIn: true, displayName: 'Eva Sen' }, eva.headers)).status).toBe(200)
    for (const period of ['week', 'all'] as const) expect((await board('recorded', period)).entries.map((entry) => entry.displayName)).not.toContain('Eva Sen')
    await confirmAddress(eva)
    // A newly listed account shows once the cached board expires (LEADERBOARD_CACHE_MS); here, at once.
    forgetLeaderboards()
    expect((await board('recorded', 'all')).entries.map((entry) => entry.displayName)).toContain('Eva Sen')
    await pool.query(`DELETE FROM contributor_profiles WHERE user_id = $1`, [eva.id])
  })

  it('forgets the goals and the leaderboard name of a contributor who withdraws', async () => {
    const dina = await createUser(server, 'contributor', 'dina')
    await confirmAddress(dina)
    await insertRecording({ owner: dina.id }, thisWeek())
    expect((await post('/api/site/me/leaderboard', { optIn: true, displayName: 'Dina Khan' }, dina.headers)).status).toBe(200)
    expect((await board('recorded', 'all')).entries.map((entry) => entry.displayName)).toContain('Dina Khan')
    expect((await post('/api/site/withdraw', { confirm: true }, dina.headers)).status).toBe(202)
    expect((await board('recorded', 'all')).entries.map((entry) => entry.displayName)).not.toContain('Dina Khan')
    const { rows } = await pool.query(`SELECT 1 FROM contributor_profiles WHERE key = $1 OR user_id = $2`, [`u:${dina.id}`, dina.id])
    expect(rows).toHaveLength(0)
  })

  it('gives each language its target hours for the home page', async () => {
    const stats = await json(await get('/api/site/stats'))
    expect(stats.languages.find((language: { code: string }) => language.code === code)).toMatchObject({ targetHours: 10, validatedHours: expect.any(Number) })
  })

  it('keeps the profiles collection to admins over REST: nobody creates or edits one, only admins read or delete', async () => {
    const reviewer = await createUser(server, 'reviewer')
    const { rows } = await pool.query(`SELECT id FROM contributor_profiles WHERE user_id = $1`, [chandra.id])
    const id = rows[0].id
    const send = (method: string, route: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${server.url}${route}`, { method, headers: { ...headers, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    for (const headers of [{}, chandra.headers, asha.headers, reviewer.headers]) {
      expect((await send('GET', '/api/contributor-profiles', headers)).status).toBe(403)
      expect([403, 404]).toContain((await send('GET', `/api/contributor-profiles/${id}`, headers)).status)
      expect([403, 404]).toContain((await send('PATCH', `/api/contributor-profiles/${id}`, headers, { leaderboardOptIn: true })).status)
      expect([403, 404]).toContain((await send('DELETE', `/api/contributor-profiles/${id}`, headers)).status)
    }
    for (const headers of [{}, chandra.headers, admin.headers]) {
      expect((await send('POST', '/api/contributor-profiles', headers, { key: 'u:1', displayName: 'Forged', leaderboardOptIn: true })).status).toBe(403)
    }
    expect((await send('PATCH', `/api/contributor-profiles/${id}`, admin.headers, { leaderboardOptIn: true })).status).toBe(403)
    expect((await send('GET', `/api/contributor-profiles/${id}`, admin.headers)).status).toBe(200)
    const after = await pool.query(`SELECT leaderboard_opt_in FROM contributor_profiles WHERE id = $1`, [id])
    expect(after.rows[0].leaderboard_opt_in).toBe(false)
  })

  it('answers bad leaderboard queries with 4xx', async () => {
    expect((await get('/api/site/leaderboard')).status).toBe(400)
    expect((await get('/api/site/leaderboard?language=zz-nope')).status).toBe(404)
    expect((await get(`/api/site/leaderboard?language=${code}&metric=emails`)).status).toBe(400)
    expect((await get(`/api/site/leaderboard?language=${code}&period=forever`)).status).toBe(400)
  })
})
