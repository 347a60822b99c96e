/**
 * npm run bench:site — the "next sentences" endpoint against a bare baseline, in one run:
 * a database with 1,000,000 approved sentences and 200,000 recordings (one language), then
 *   1. GET /api/site/next-sentences through the real stack (Express with its middleware, the
 *      sentence pool in memory, the indexed query when the pool cannot answer), 50 keep-alive
 *      connections, each request from a random contributor;
 *   2. the same statement (prepared, as Shrutik runs it) with `pg` in a bare Node HTTP server, same load.
 * The load generator runs in its own process. The last line is one JSON object.
 */
import { fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'site')
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
process.env.RATE_LIMIT_STORE = 'memory'
// The bench's one load generator is one address: the per-address read limit would measure itself.
process.env.RATE_LIMIT_SITE_READ = '1000000000'

const SENTENCES = Number(process.env.BENCH_SITE_SENTENCES ?? 1_000_000)
const RECORDINGS = Number(process.env.BENCH_SITE_RECORDINGS ?? 200_000)
const CONTRIBUTORS = Number(process.env.BENCH_SITE_CONTRIBUTORS ?? 5_000)
const CONNECTIONS = Number(process.env.BENCH_SITE_CONNECTIONS ?? 50)
const SECONDS = Number(process.env.BENCH_SITE_SECONDS ?? 15)

const pg = (await import('pg')).default
const { bootPayload } = await import('../src/server/boot')
const { createApp } = await import('../src/server/app')
const { createRateLimiters } = await import('../src/server/rateLimits')
const { settings: readSettings } = await import('../src/lib/env')
const { CLIENT_ID_COOKIE, signClientId } = await import('../src/lib/clientId')
const { NEXT_SENTENCES_SQL, NEXT_SENTENCES_STATEMENT } = await import('../src/contribution/nextSentences')
const { sentencePools } = await import('../src/contribution/sentencePool')

const round = (value: number, digits = 1) => Number(value.toFixed(digits))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const booted = await bootPayload()
const { payload } = booted
// Sessions as Shrutik's site read pool runs them (generic plan for the prepared statement).
const pool = new pg.Pool({ connectionString: booted.database.url, max: 10, options: '-c plan_cache_mode=force_generic_plan' })
pool.on('error', () => undefined)

// --- Data (kept between runs: seeding a million rows takes a while) --------------------------
const { ensureSiteBenchData } = await import('./siteData')
const contributors = Array.from({ length: CONTRIBUTORS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
const languageId = await ensureSiteBenchData({ payload, pool, sentences: SENTENCES, recordings: RECORDINGS, contributors, out })

// --- 1. The real endpoint ----------------------------------------------------------------------
const settings = readSettings()
// Cookies as the server issues them (signed; the serving path reads them without the database).
const signedCookies = contributors.map((id) => encodeURIComponent(signClientId(payload.secret, id)))
const app = createApp({ payload, config: booted.config, settings, limiters: await createRateLimiters(settings) })
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const load = (target: string, paths: string[]) =>
  new Promise<{ latencies: number[]; errors: number; seconds: number }>((resolve, reject) => {
    const child = fork(path.join(root, 'bench', 'httpLoad.ts'), [], { execArgv: ['--conditions=source', '--import', 'tsx'], env: { ...process.env, NODE_OPTIONS: '' } })
    child.once('message', (result) => resolve(result as { latencies: number[]; errors: number; seconds: number }))
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)))
    child.send({ origin: target, paths, connections: CONNECTIONS, seconds: SECONDS, cookieName: CLIENT_ID_COOKIE, cookies: signedCookies })
  })

const check = await fetch(`${origin}/api/site/next-sentences?language=bnb&limit=5`, { headers: { Cookie: `${CLIENT_ID_COOKIE}=${signedCookies[0]}` } })
const sample = (await check.json()) as { sentences: unknown[] }
if (check.status !== 200 || sample.sentences.length !== 5) throw new Error(`the endpoint did not serve 5 sentences: ${check.status} ${JSON.stringify(sample).slice(0, 300)}`)
const plan = await pool.query(
  `EXPLAIN (ANALYZE, BUFFERS) ${NEXT_SENTENCES_SQL}`,
  [languageId, 5, null, contributors[0], 1_000_000_000],
)
fs.mkdirSync(out, { recursive: true })
fs.writeFileSync(path.join(out, 'plan.txt'), plan.rows.map((row) => row['QUERY PLAN']).join('\n'))

console.log(`\n1. GET /api/site/next-sentences, ${CONNECTIONS} connections, ${SECONDS} s, a random contributor of ${CONTRIBUTORS.toLocaleString()} per request`)
await load(origin, ['/api/site/next-sentences?language=bnb&limit=5']) // warm-up
const real = await load(origin, ['/api/site/next-sentences?language=bnb&limit=5'])
const nextSentencesRps = round(real.latencies.length / real.seconds)
const nextSentencesP99Ms = round(percentile(real.latencies, 99))
console.log(`   ${nextSentencesRps} req/s, p50 ${round(percentile(real.latencies, 50))} ms, p99 ${nextSentencesP99Ms} ms, errors ${real.errors}`)
const poolStats = sentencePools(payload).stats
console.log(`   sentence pool (warm-up and run): ${poolStats.served} batches from memory, ${poolStats.fellBack} by SQL, ${poolStats.loads} pool reads`)
server.closeAllConnections()
server.close()

// --- 2. Bare: the same query with pg in a bare Node HTTP server ---------------------------------
const bare = http.createServer(async (req, res) => {
  const cookie = /shrutik_cid=([0-9a-f-]{36})/.exec(req.headers.cookie ?? '')?.[1] ?? null
  const { rows } = await pool.query({ name: NEXT_SENTENCES_STATEMENT, text: NEXT_SENTENCES_SQL, values: [languageId, 5, null, cookie, Math.floor(Math.random() * 2 ** 31)] })
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ sentences: rows }))
})
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
const bareOrigin = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
console.log(`\n2. bare Node http + pg, the same query, same load`)
await load(bareOrigin, ['/'])
const baseline = await load(bareOrigin, ['/'])
const bareRps = round(baseline.latencies.length / baseline.seconds)
console.log(`   ${bareRps} req/s, p50 ${round(percentile(baseline.latencies, 50))} ms, p99 ${round(percentile(baseline.latencies, 99))} ms, errors ${baseline.errors}`)
bare.close()

const ratio = round((nextSentencesRps / bareRps) * 100)
console.log(`\nShrutik serves ${ratio} % of the bare req/s (target ≥ 25 %); p99 ${nextSentencesP99Ms} ms (target ≤ 50 ms). Query plan: ${path.relative(root, path.join(out, 'plan.txt'))}`)
console.log(nextSentencesP99Ms <= 50 && ratio >= 25 ? 'all targets met' : 'MISSED a target')
await pool.end()
await booted.close()
console.log(JSON.stringify({ nextSentencesP99Ms, nextSentencesRps, bareRps }))
process.exit(0)
