/**
 * npm run bench:dashboard — the admin dashboard's data endpoint on the bench database, against
 * baselines measured in the same run. The database (kept in bench/.out/dashboard): 1,000,000
 * sentences and 200,000 recordings (bench/siteData.ts), then spread over the last year with the
 * audio plugin's outcomes (ready, rejected with their checks, failed, pending), one segment per
 * accepted recording in every consensus state, 150,000 votes, reviewer decisions, exports and a
 * job table with finished, queued and failed rows.
 *   1. the rollup job: a full rebuild and an incremental refresh;
 *   2. GET /api/dashboard through the real stack (Express, Payload's auth by JWT, the rollup
 *      queries), one admin at a time, and with ?language=;
 *   3. bare: the same dashboardData() in a bare Node HTTP server (no Express, no Payload auth);
 *   4. live SQL: the same figures aggregated from the big tables, as the dashboard would without
 *      its rollup (what the rollup saves).
 * The last line is one JSON object.
 */
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'dashboard')
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
process.env.RATE_LIMIT_STORE = 'memory'

const SENTENCES = Number(process.env.BENCH_DASHBOARD_SENTENCES ?? 1_000_000)
const RECORDINGS = Number(process.env.BENCH_DASHBOARD_RECORDINGS ?? 200_000)
const CONTRIBUTORS = Number(process.env.BENCH_DASHBOARD_CONTRIBUTORS ?? 5_000)
const REQUESTS = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 200)
const LIVE_RUNS = Number(process.env.BENCH_DASHBOARD_LIVE_RUNS ?? 20)
const TARGET_P95_MS = 500

const pg = (await import('pg')).default
const { bootPayload } = await import('../src/server/boot')
const { createApp } = await import('../src/server/app')
const { createRateLimiters } = await import('../src/server/rateLimits')
const { settings: readSettings } = await import('../src/lib/env')
const { ensureSiteBenchData } = await import('./siteData')
const { refreshDashboardRollup } = await import('../src/dashboard/rollup')
const { dashboardData } = await import('../src/dashboard/data')
const { ensureJobSchema } = await import('../src/jobs/schema')

const round = (value: number, digits = 1) => Number(value.toFixed(digits))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
const timed = async (runs: number, once: () => Promise<unknown>): Promise<number[]> => {
  const latencies: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await once()
    latencies.push(performance.now() - started)
  }
  return latencies
}
const describe = (latencies: number[]) => `p50 ${round(percentile(latencies, 50))} ms, p95 ${round(percentile(latencies, 95))} ms, max ${round(Math.max(...latencies))} ms (${latencies.length} runs)`

const booted = await bootPayload()
const { payload } = booted
const pool = new pg.Pool({ connectionString: booted.database.url, max: 4 })
pool.on('error', () => undefined)
// The job table, as every process creates it at boot (no job runtime runs here).
await ensureJobSchema(pool)

// --- Data (kept between runs) -----------------------------------------------------------------
const contributors = Array.from({ length: CONTRIBUTORS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
const languageId = await ensureSiteBenchData({ payload, pool, sentences: SENTENCES, recordings: RECORDINGS, contributors, out })
const { rows: enriched } = await pool.query('SELECT count(*)::int AS n FROM segments g JOIN recordings r ON r.id = g.recording_id WHERE r.language_id = $1', [languageId])
if (enriched[0].n === 0) {
  console.log('adding a year of audio outcomes, segments, votes, decisions, exports and jobs (once)...')
  const started = performance.now()
  // A year of uploads, more of them lately; ~90 % accepted, 6 % rejected by a check, 2 % failed, 2 % waiting.
  await pool.query(
    `UPDATE recordings SET created_at = now() - (power(random(), 1.5) * interval '365 days'),
       audio_duration_ms = 2000 + floor(random() * 6000), audio_status = (CASE WHEN x < 0.90 THEN 'ready' WHEN x < 0.96 THEN 'rejected' WHEN x < 0.98 THEN 'failed' ELSE 'pending' END)::enum_recordings_audio_status,
       audio_checks = CASE WHEN x >= 0.90 AND x < 0.96 THEN jsonb_build_array(jsonb_build_object('code', 'noisy', 'severity', 'warning'),
         jsonb_build_object('code', (ARRAY['too-short', 'silent', 'too-quiet', 'clipped', 'truncated'])[1 + floor(random() * 5)::int], 'severity', 'error')) END
     FROM (SELECT id AS rid, random() AS x FROM recordings WHERE language_id = $1) pick WHERE recordings.id = pick.rid`,
    [languageId],
  )
  await pool.query(`UPDATE recordings SET updated_at = created_at WHERE language_id = $1`, [languageId])
  await pool.query(
    `INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file, expected_text, created_at, updated_at)
     SELECT id, 0, 0, audio_duration_ms, audio_duration_ms, id || '/bench/segment-000.ogg', 'text', created_at, created_at
       FROM recordings WHERE language_id = $1 AND audio_status = 'ready'`,
    [languageId],
  )
  // Each segment's decision (the consensus plugin's own table).
  await pool.query(
    `INSERT INTO segment_decisions (segment_id, task, status, decided_by, decided_at, changed_at, created_at, updated_at)
     SELECT id, 'validation', s, CASE WHEN s IN ('accepted', 'rejected') THEN 'crowd'::enum_segment_decisions_decided_by END,
            CASE WHEN s IN ('accepted', 'rejected') THEN created_at + interval '1 day' END, created_at, created_at, created_at
       FROM (SELECT g.id, g.created_at, (CASE WHEN random() < 0.6 THEN 'accepted' WHEN random() < 0.25 THEN 'rejected' WHEN random() < 0.83 THEN 'pending' ELSE 'needs-review' END)::enum_segment_decisions_status AS s
               FROM segments g JOIN recordings r ON r.id = g.recording_id WHERE r.language_id = $1) picked`,
    [languageId],
  )
  // Votes by 5,000 other anonymous listeners (never the recording's own client).
  await pool.query(
    `INSERT INTO votes (segment_id, client_id, valid, created_at, updated_at)
     SELECT g.id, 'voter-' || floor(random() * 5000)::int, random() < 0.8, g.created_at + interval '2 hours', g.created_at + interval '2 hours'
       FROM segments g JOIN recordings r ON r.id = g.recording_id WHERE r.language_id = $1 ORDER BY random() LIMIT 150000`,
    [languageId],
  )
  const reviewer = await payload.create({ collection: 'users', data: { email: 'bench-reviewer@bench.local', password: 'bench-reviewer-password', roles: ['reviewer'] } })
  await pool.query(
    `INSERT INTO consensus_decisions (segment_id, reviewer_id, decision, created_at, updated_at)
     SELECT g.id, $2, 'accepted', g.created_at + interval '3 days', g.created_at + interval '3 days'
       FROM segments g JOIN recordings r ON r.id = g.recording_id JOIN segment_decisions d ON d.segment_id = g.id WHERE r.language_id = $1 AND d.status = 'accepted' ORDER BY random() LIMIT 10000`,
    [languageId, reviewer.id],
  )
  await pool.query(
    `INSERT INTO dataset_exports (language_id, status, summary, finished_at, seed, created_at)
     SELECT $1, 'done', jsonb_build_object('clips', 1000 * g, 'hours', 1.5 * g), now() - (10 - g) * interval '1 month', 0, now() - (10 - g) * interval '1 month' FROM generate_series(1, 9) g`,
    [languageId],
  )
  await pool.query('ANALYZE recordings; ANALYZE segments; ANALYZE segment_decisions; ANALYZE votes; ANALYZE consensus_decisions; ANALYZE dataset_exports')
  console.log(`   added in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
const { rows: jobRows } = await pool.query('SELECT count(*)::int AS n FROM agenda_jobs')
if (jobRows[0].n < 100_000) {
  // Two weeks of finished jobs (what pruning keeps), a queue, retries and failures.
  await pool.query(
    `INSERT INTO agenda_jobs (name, next_run_at, type, locked_at, last_run_at, last_finished_at, failed_at, fail_count, created_at)
     SELECT (ARRAY['audio.process-recording', 'consensus.evaluate-segment', 'email.send'])[1 + g % 3],
            CASE WHEN g % 1000 < 5 THEN now() - interval '1 minute' WHEN g % 1000 = 5 THEN now() + interval '5 minutes' END, 'normal', NULL,
            now() - (g % 20160) * interval '1 minute', now() - (g % 20160) * interval '1 minute',
            CASE WHEN g % 1000 IN (5, 6) THEN now() - (g % 1440) * interval '1 minute' END, CASE WHEN g % 1000 IN (5, 6) THEN 1 + g % 3 END,
            now() - (g % 20160) * interval '1 minute'
       FROM generate_series(1, 100000) g`,
  )
  await pool.query('ANALYZE agenda_jobs')
}
const { rows: sizes } = await pool.query(
  `SELECT (SELECT count(*) FROM sentences)::int AS sentences, (SELECT count(*) FROM recordings)::int AS recordings, (SELECT count(*) FROM segments)::int AS segments,
          (SELECT count(*) FROM votes)::int AS votes, (SELECT count(*) FROM consensus_decisions)::int AS decisions, (SELECT count(*) FROM agenda_jobs)::int AS jobs`,
)
console.log(`database: ${Object.entries(sizes[0]).map(([name, n]) => `${Number(n).toLocaleString('en')} ${name}`).join(', ')}`)

// --- 1. The rollup job ---------------------------------------------------------------------------
const full = await refreshDashboardRollup(payload, { full: true })
// Something changed a month ago: the incremental run recomputes that day and today.
await pool.query(`UPDATE recordings SET updated_at = now() WHERE id = (SELECT id FROM recordings WHERE language_id = $1 AND created_at < now() - interval '30 days' LIMIT 1)`, [languageId])
const incremental = await refreshDashboardRollup(payload)
const { rows: rollupRows } = await pool.query('SELECT (SELECT count(*) FROM dashboard_daily)::int AS daily, (SELECT count(*) FROM dashboard_weekly)::int AS weekly, (SELECT count(*) FROM dashboard_rejections)::int AS rejections')
console.log(`\n1. rollup: full rebuild ${full?.ms} ms (${full?.days} days), incremental ${incremental?.ms} ms (${incremental?.days} days); ${rollupRows[0].daily} daily, ${rollupRows[0].weekly} weekly, ${rollupRows[0].rejections} rejection rows`)

// --- 2. The real endpoint ------------------------------------------------------------------------
const settings = readSettings()
const app = createApp({ payload, config: booted.config, settings, limiters: await createRateLimiters(settings) })
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const email = 'bench-admin@bench.local'
const password = 'bench-admin-password'
const existing = await payload.find({ collection: 'users', where: { email: { equals: email } }, limit: 1 })
if (existing.docs.length === 0) await payload.create({ collection: 'users', data: { email, password, roles: ['admin'] } })
const login = await fetch(`${origin}/api/users/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) })
const { token } = (await login.json()) as { token: string }
const headers = { Authorization: `JWT ${token}` }
const fetchDashboard = async (query: string) => {
  const response = await fetch(`${origin}/api/dashboard${query}`, { headers })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`GET /api/dashboard${query}: ${response.status} ${body.slice(0, 300)}`)
  return body
}
const sample = JSON.parse(await fetchDashboard('')) as Awaited<ReturnType<typeof dashboardData>>
const bnb = sample.languages.find((row) => row.code === 'bnb')!
console.log(`   bnb: ${bnb.recordings.toLocaleString('en')} recordings, ${bnb.recordedHours} h recorded, ${bnb.validatedHours} h validated, ${bnb.exportedHours} h exported; ${sample.queue.length} job names in the queue table`)
await timed(20, () => fetchDashboard('')) // warm-up
console.log(`\n2. GET /api/dashboard (Express + Payload auth + rollup queries), one request at a time`)
const real = await timed(REQUESTS, () => fetchDashboard(''))
const filtered = await timed(REQUESTS / 2, () => fetchDashboard('?language=bnb'))
const csvTimes = await timed(REQUESTS / 4, async () => {
  const response = await fetch(`${origin}/api/dashboard/daily.csv`, { headers })
  await response.text()
})
console.log(`   all languages: ${describe(real)}`)
console.log(`   ?language=bnb: ${describe(filtered)}`)
console.log(`   daily.csv:     ${describe(csvTimes)}`)
server.closeAllConnections()
server.close()

// --- 3. Bare HTTP ---------------------------------------------------------------------------------
const bare = http.createServer(async (_req, res) => {
  const body = JSON.stringify(await dashboardData(payload))
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(body)
})
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
const bareOrigin = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
await timed(20, async () => (await fetch(bareOrigin)).text())
console.log(`\n3. bare Node http + the same dashboardData(), one request at a time`)
const bareTimes = await timed(REQUESTS, async () => (await fetch(bareOrigin)).text())
console.log(`   ${describe(bareTimes)}`)
bare.close()

// --- 4. Live SQL, no rollup -----------------------------------------------------------------------
const LIVE = [
  `SELECT r.language_id, count(*), sum(r.audio_duration_ms) FILTER (WHERE r.audio_status = 'ready') FROM recordings r WHERE r.withdrawal_id IS NULL GROUP BY 1`,
  `SELECT r.language_id, sum(g.duration_ms) FILTER (WHERE d.status = 'accepted'), count(*) FILTER (WHERE d.status = 'pending'), count(*) FILTER (WHERE d.status = 'needs-review')
     FROM segments g JOIN segment_decisions d ON d.segment_id = g.id JOIN recordings r ON r.id = g.recording_id WHERE r.withdrawal_id IS NULL GROUP BY 1`,
  `SELECT (r.created_at AT TIME ZONE 'UTC')::date, count(*), sum(r.audio_duration_ms) FILTER (WHERE r.audio_status = 'ready') FROM recordings r
    WHERE r.created_at >= now() - interval '90 days' AND r.withdrawal_id IS NULL GROUP BY 1`,
  `SELECT (r.created_at AT TIME ZONE 'UTC')::date, sum(g.duration_ms) FROM segments g JOIN segment_decisions d ON d.segment_id = g.id JOIN recordings r ON r.id = g.recording_id
    WHERE r.created_at >= now() - interval '90 days' AND d.status = 'accepted' GROUP BY 1`,
  `SELECT date_trunc('week', created_at), count(DISTINCT who) FROM (
     SELECT created_at, coalesce(owner_id::text, client_id) AS who FROM recordings WHERE created_at >= now() - interval '13 weeks'
     UNION ALL SELECT created_at, coalesce(voter_id::text, client_id) FROM votes WHERE created_at >= now() - interval '13 weeks') x GROUP BY 1`,
  `SELECT (created_at AT TIME ZONE 'UTC')::date, count(*) FROM consensus_decisions WHERE created_at >= now() - interval '90 days' GROUP BY 1`,
  `SELECT c->>'code', count(*) FROM recordings r, LATERAL (SELECT c FROM jsonb_array_elements(r.audio_checks) c WHERE c->>'severity' = 'error' LIMIT 1) f(c)
    WHERE r.audio_status = 'rejected' AND r.created_at >= now() - interval '90 days' GROUP BY 1`,
]
await timed(2, () => Promise.all(LIVE.map((statement) => pool.query(statement))))
console.log(`\n4. live SQL: the same figures from the big tables, no rollup (${LIVE.length} queries in parallel)`)
const live = await timed(LIVE_RUNS, () => Promise.all(LIVE.map((statement) => pool.query(statement))))
console.log(`   ${describe(live)}`)

const dashboardP95Ms = round(percentile(real, 95))
const bareP95Ms = round(percentile(bareTimes, 95))
const liveSqlP95Ms = round(percentile(live, 95))
const ratio = round(dashboardP95Ms / bareP95Ms, 2)
fs.mkdirSync(out, { recursive: true })
console.log(`\nGET /api/dashboard p95 ${dashboardP95Ms} ms (target ≤ ${TARGET_P95_MS} ms): ${ratio}× the bare server's p95 (${bareP95Ms} ms); the live aggregates it replaces take p95 ${liveSqlP95Ms} ms.`)
console.log(dashboardP95Ms <= TARGET_P95_MS ? 'target met' : 'MISSED the target')
await pool.end()
await booted.close()
console.log(
  JSON.stringify({
    dashboardP95Ms,
    dashboardP50Ms: round(percentile(real, 50)),
    languageFilterP95Ms: round(percentile(filtered, 95)),
    bareP95Ms,
    ratio,
    liveSqlP95Ms,
    rollupFullMs: full?.ms,
    rollupIncrementalMs: incremental?.ms,
  }),
)
process.exit(0)
