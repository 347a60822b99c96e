/**
 * npm run bench:import — bulk sentence import against a bare COPY baseline, in one run:
 *   1. a generated TSV of 1,000,000 lines (half Bengali, half English; 5 % duplicates in other
 *      spellings, 5 % rule violations), imported through the real import job: this process creates
 *      the import (as the admin's form does) and enqueues it; a `shrutik worker` process runs it;
 *   2. a bare `COPY` of the same accepted rows into an identical table (same indexes) in the same database;
 *   3. the admin list's text search (`where[text][like]`) over 1,000,000 sentences through the REST
 *      API, and the admin list pages (sorted by each column), timed — each beside the bare SQL the
 *      page needs (its rows, no count) on the same database, with the ratio.
 * The worker's peak RSS is read from /proc. The last line is one JSON object.
 * BENCH_IMPORT_LIST_ONLY=1 skips 1 and 2 and times step 3 again on the database of the last run.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'import')
const LIST_ONLY = process.env.BENCH_IMPORT_LIST_ONLY === '1'
if (LIST_ONLY && !fs.existsSync(path.join(out, 'data', 'postgres'))) throw new Error('BENCH_IMPORT_LIST_ONLY=1 needs the database of an earlier full run (bench/.out/import/data).')
// A fresh database each run: the import must start from an empty corpus.
if (!LIST_ONLY) fs.rmSync(path.join(out, 'data'), { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
process.env.RATE_LIMIT_STORE = 'memory'

const LINES = Number(process.env.BENCH_IMPORT_LINES ?? 1_000_000)
const SEARCHES = Number(process.env.BENCH_IMPORT_SEARCHES ?? 100)

const round = (value: number, digits = 1) => Number(value.toFixed(digits))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

// --- The file --------------------------------------------------------------------------------
// mulberry32: a small seeded generator (32-bit integer arithmetic, so the file is the same every run).
let seed = 20261129
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
// Vocabularies like a real corpus's: 4,000 word forms per language built from syllables (Bengali
// with vowel signs, hasanta conjuncts and ZWNJ-free spellings), drawn with Zipf's law (the r-th most
// common word about 1/r as often), so a few words are everywhere and most are rare.
const VOCABULARY = 4000
const buildVocabulary = (onsets: string[], nuclei: string[], codas: string[], minSyllables: number) => {
  const words = new Set<string>()
  while (words.size < VOCABULARY) {
    const syllables = minSyllables + Math.floor(random() * 3)
    let word = ''
    for (let i = 0; i < syllables; i++) word += pick(onsets) + pick(nuclei) + (random() < 0.3 ? pick(codas) : '')
    words.add(word)
  }
  return [...words]
}
const english = buildVocabulary('b c d f g h k l m n p r s t v w br ch cl dr gr pl sh st th tr'.split(' '), 'a e i o u ai ea ee oo ou'.split(' '), 'n r s t l m nd st ng'.split(' '), 1)
const bengali = buildVocabulary(
  'ক খ গ ঘ চ ছ জ ঝ ট ড ত থ দ ধ ন প ফ ব ভ ম য র ল শ স হ ক্ষ স্ত ন্ত প্র ত্র স্ব'.split(' '),
  ['', 'া', 'ি', 'ী', 'ু', 'ূ', 'ে', 'ো', 'ৌ'],
  ['ন', 'ম', 'র', 'ল', 'ং', 'ৎ'],
  2,
)
const zipf = (() => {
  const cumulative: number[] = []
  let total = 0
  for (let rank = 1; rank <= VOCABULARY; rank++) cumulative.push((total += 1 / rank))
  return () => {
    const target = random() * total
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if (cumulative[middle] < target) low = middle + 1
      else high = middle
    }
    return low
  }
})()

const sentenceFile = path.join(out, 'sentences.tsv')
const writeFile = async () => {
  const stream = fs.createWriteStream(sentenceFile)
  const write = (text: string) => (stream.write(text) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', () => resolve())))
  await write('sentence\tlanguage\tsource\n')
  const recent: [string, string][] = []
  let chunk = ''
  for (let i = 0; i < LINES; i++) {
    const roll = random()
    let sentence: string
    let language: string
    if (roll < 0.05 && recent.length > 0) {
      // A duplicate of an earlier line, in another spelling (case, spacing or NFD).
      const [earlier, earlierLanguage] = pick(recent)
      language = earlierLanguage
      const variant = Math.floor(random() * 3)
      sentence = variant === 0 ? earlier.toUpperCase() : variant === 1 ? earlier.replace(/ /gu, '  ') : earlier.normalize('NFD')
      if (language === 'bnb' && variant === 0) sentence = ` ${earlier} `
    } else {
      language = i % 2 === 0 ? 'bnb' : 'enb'
      const vocabulary = language === 'bnb' ? bengali : english
      const words = Array.from({ length: 6 + Math.floor(random() * 6) }, () => vocabulary[zipf()])
      sentence = language === 'bnb' ? `${words.join(' ')}।` : `${words[0][0].toUpperCase()}${words.join(' ').slice(1)}.`
      if (roll < 0.1) {
        // A rule violation: digits, a wrong ending, or a letter from another script.
        const kind = Math.floor(random() * 3)
        sentence = kind === 0 ? sentence.replace(/[।.]$/u, ` ${language === 'bnb' ? '২০২৫' : '2025'}${language === 'bnb' ? '।' : '.'}`) : kind === 1 ? sentence.slice(0, -1) : `${sentence.slice(0, -1)} ${language === 'bnb' ? 'office' : 'অফিস'}${sentence.slice(-1)}`
      } else {
        recent.push([sentence, language])
        if (recent.length > 5000) recent.splice(0, 1000)
      }
    }
    chunk += `${sentence}\t${language}\tbench\n`
    if (chunk.length > 1 << 20) {
      await write(chunk)
      chunk = ''
    }
  }
  await write(chunk)
  await new Promise<void>((resolve) => stream.end(() => resolve()))
}

if (!LIST_ONLY) {
  console.log(`generating ${LINES.toLocaleString()} lines...`)
  await writeFile()
  console.log(`   ${(fs.statSync(sentenceFile).size / 1048576).toFixed(1)} MB`)
}

// --- Boot, languages, an admin ----------------------------------------------------------------
const pg = (await import('pg')).default
const { bootPayload } = await import('../src/server/boot')
const { createApp } = await import('../src/server/app')
const { createRateLimiters } = await import('../src/server/rateLimits')
const { settings: readSettings } = await import('../src/lib/env')
const { createJobRuntime } = await import('../src/jobs/runtime')
const { getRegisteredJobs } = await import('@shrutik/plugin-sdk')

const booted = await bootPayload()
const { payload } = booted
const pool = new pg.Pool({ connectionString: booted.database.url, max: 4 })
pool.on('error', () => undefined)
// This process enqueues (as a web process does); the worker process runs the job.
const jobs = await createJobRuntime({ payload, databaseUrl: booted.database.url, jobs: getRegisteredJobs(payload.config), role: 'web' })

const password = 'bench-admin-password'
const bnb = LIST_ONLY
  ? (await payload.find({ collection: 'languages', where: { code: { equals: 'bnb' } }, limit: 1 })).docs[0]
  : await payload.create({
      collection: 'languages',
      data: { code: 'bnb', name: 'Bench Bengali', nativeName: 'বাংলা', sentenceRules: { minWords: 2, maxWords: 14, allowedScripts: 'Bengali', allowDigits: false, terminalPunctuation: '।?!' } },
    })
if (!LIST_ONLY) {
  await payload.create({
    collection: 'languages',
    data: { code: 'enb', name: 'Bench English', nativeName: 'English', sentenceRules: { minWords: 2, maxWords: 14, allowedScripts: 'Latin', allowDigits: false, terminalPunctuation: '.?!' } },
  })
}
const admin = LIST_ONLY
  ? (await payload.find({ collection: 'users', where: { email: { equals: 'bench-admin@bench.local' } }, limit: 1 })).docs[0]
  : await payload.create({ collection: 'users', data: { email: 'bench-admin@bench.local', password, roles: ['admin'] } })

interface ImportFigures {
  counts: { lines: number; accepted: number; refused: number; duplicates: number; alreadyPresent: number }
  rowsPerSec: number
  bareCopyRowsPerSec: number
  workerPeakRssMb: number
}

const importAndCopy = async (): Promise<ImportFigures> => {
  // --- 1. The real import job, in a worker process ------------------------------------------------
  const worker = spawn(process.execPath, [path.join(root, 'bin', 'shrutik.mjs'), 'worker'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: booted.database.url, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const hwmMb = (pid: number | undefined): number => {
    try {
      return Number(/VmHWM:\s+(\d+) kB/u.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
    } catch {
      return 0
    }
  }
  // The job runs the file in a child process of the worker (src/curation/importProcess.ts): watch both.
  let importProcessPeakMb = 0
  const childrenOf = (pid: number | undefined): number[] =>
    fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/u.test(name))
      .filter((name) => {
        try {
          return Number(fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid
        } catch {
          return false
        }
      })
      .map(Number)
  const peakRssMb = () => {
    for (const child of childrenOf(worker.pid)) importProcessPeakMb = Math.max(importProcessPeakMb, hwmMb(child))
    return Math.max(hwmMb(worker.pid), importProcessPeakMb)
  }
  // Wait for the worker to be up (its Payload booted) before timing: look for its Agenda heartbeat.
  await new Promise((resolve) => setTimeout(resolve, 15_000))
  const rssBootMb = peakRssMb()

  console.log(`\n1. import through the job (a shrutik worker process)`)
  const started = performance.now()
  const created = await payload.create({
    collection: 'sentence-imports',
    // As the admin's form would, but with the file already on disk (the upload step is not measured).
    data: { languageColumn: 'language', sourcePath: sentenceFile, format: 'tsv', sentenceStatus: 'approved', createdBy: admin.id } as never,
  })
  let lastPrinted = 0
  for (;;) {
    const { rows } = await pool.query('SELECT state::text, progress::int, error FROM sentence_imports WHERE id = $1', [created.id])
    const state = rows[0].state as string
    if (state === 'done' || state === 'failed') {
      if (state === 'failed') throw new Error(`the import failed: ${rows[0].error}`)
      break
    }
    peakRssMb()
    if (performance.now() - lastPrinted > 10_000) {
      lastPrinted = performance.now()
      console.log(`   ${state} ${rows[0].progress} % (${round((performance.now() - started) / 1000)} s, peak RSS: worker ${round(hwmMb(worker.pid))} MB, import process ${round(importProcessPeakMb)} MB)`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const importSeconds = (performance.now() - started) / 1000
  const workerPeakRssMb = round(Math.max(hwmMb(worker.pid), importProcessPeakMb))
  const workerOnlyPeakMb = round(hwmMb(worker.pid))
  worker.kill('SIGTERM')
  const doc = (await payload.findByID({ collection: 'sentence-imports', id: created.id, depth: 0 })) as unknown as Record<string, number>
  const counts = { lines: Number(doc.lines), accepted: Number(doc.accepted), refused: Number(doc.refused), duplicates: Number(doc.duplicates), alreadyPresent: Number(doc.alreadyPresent) }
  const rowsPerSec = round(counts.lines / importSeconds)
  console.log(`   ${counts.lines.toLocaleString()} lines in ${round(importSeconds)} s: ${rowsPerSec} lines/s; accepted ${counts.accepted}, refused ${counts.refused}, duplicates ${counts.duplicates}, already present ${counts.alreadyPresent}`)
  console.log(
    `   counts add up to the lines: ${counts.accepted + counts.refused + counts.duplicates + counts.alreadyPresent === counts.lines}; peak RSS: import process ${round(importProcessPeakMb)} MB, worker ${workerOnlyPeakMb} MB (${round(rssBootMb)} MB after boot)`,
  )

  // --- 2. Bare COPY of the same accepted rows into an identical table -----------------------------
  console.log(`\n2. bare COPY of the ${counts.accepted.toLocaleString()} accepted rows into an identical table (same indexes)`)
  // A server-side COPY file, relative to (so inside) the database's own directory, which the server can write.
  const copyFile = path.join(out, 'data', 'postgres', 'bench-accepted.copy')
  await pool.query('DROP TABLE IF EXISTS bare_sentences')
  await pool.query('CREATE TABLE bare_sentences (LIKE sentences INCLUDING ALL)')
  const columns = 'text, language_id, normalized_hash, status, domain, source, licence, recording_count, shuffle, created_by_id'
  await pool.query(`COPY (SELECT ${columns} FROM sentences ORDER BY id) TO '${copyFile}'`)
  const copyStarted = performance.now()
  const copied = await pool.query(`COPY bare_sentences (${columns}) FROM '${copyFile}'`)
  const copySeconds = (performance.now() - copyStarted) / 1000
  const bareCopyRowsPerSec = round((copied.rowCount ?? 0) / copySeconds)
  console.log(`   ${copied.rowCount} rows in ${round(copySeconds)} s: ${bareCopyRowsPerSec} rows/s`)
  await pool.query('DROP TABLE bare_sentences')
  fs.rmSync(copyFile, { force: true })
  return { counts, rowsPerSec, bareCopyRowsPerSec, workerPeakRssMb }
}

/** The figures of the last full run's import (BENCH_IMPORT_LIST_ONLY=1 does not import). */
const lastImport = async (): Promise<ImportFigures> => {
  const { rows } = await pool.query('SELECT lines, accepted, refused, duplicates, already_present FROM sentence_imports ORDER BY id DESC LIMIT 1')
  const row = rows[0] ?? {}
  return {
    counts: { lines: Number(row.lines ?? 0), accepted: Number(row.accepted ?? 0), refused: Number(row.refused ?? 0), duplicates: Number(row.duplicates ?? 0), alreadyPresent: Number(row.already_present ?? 0) },
    rowsPerSec: 0,
    bareCopyRowsPerSec: 0,
    workerPeakRssMb: 0,
  }
}

const { counts, rowsPerSec, bareCopyRowsPerSec, workerPeakRssMb } = LIST_ONLY ? await lastImport() : await importAndCopy()

// --- 3. Search and list pages through the REST API, on 1,000,000 sentences -------------------------
// Top up to a million (not timed) with sentences like the imported ones (same generator, half
// Bengali), so the newest sentences are like the rest. (Runs before this one topped up with
// two-word sentences of rare words, which a newest-first search for a common word had to walk past:
// those are replaced.)
await pool.query(`DELETE FROM sentences WHERE source = 'fill' AND text ~ ' [0-9]+।$'`)
const { rows: total } = await pool.query('SELECT count(*)::int AS n FROM sentences')
if (total[0].n < 1_000_000) {
  const missing = 1_000_000 - total[0].n
  const languageIds = new Map((await pool.query(`SELECT code, id FROM languages WHERE code IN ('bnb', 'enb')`)).rows.map((row) => [row.code as string, Number(row.id)]))
  for (let done = 0; done < missing; ) {
    const texts: string[] = []
    const ids: number[] = []
    for (let i = 0; i < Math.min(10_000, missing - done); i++) {
      const language = (done + i) % 2 === 0 ? 'bnb' : 'enb'
      const vocabulary = language === 'bnb' ? bengali : english
      const words = Array.from({ length: 6 + Math.floor(random() * 6) }, () => vocabulary[zipf()])
      // Their hash is not the dedupe key: they stay apart from the imported sentences, as the rows they stand for would.
      texts.push(`${words.join(' ')}${language === 'bnb' ? '।' : '.'}`)
      ids.push(languageIds.get(language)!)
    }
    await pool.query(
      `INSERT INTO sentences (text, language_id, normalized_hash, status, domain, source, licence, recording_count, shuffle)
       SELECT t.text, t.language_id, md5('fill' || ($3::int + t.n)), 'pending', 'general', 'fill', 'CC0-1.0', 0, floor(random() * 2147483647)
         FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS t(text, language_id, n)`,
      [texts, ids, done],
    )
    done += texts.length
  }
}
// What autovacuum does after a bulk load (visibility map for index-only counts, statistics).
await pool.query('VACUUM ANALYZE sentences')
const settings = readSettings()
const app = createApp({ payload, config: booted.config, settings: { ...settings, rateLimitStore: 'memory' }, limiters: await createRateLimiters({ ...settings, rateLimitStore: 'memory' }) })
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const login = await fetch(`${origin}/api/users/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'bench-admin@bench.local', password }) })
const { token } = (await login.json()) as { token: string }
const headers = { Authorization: `JWT ${token}` }
const timed = async (url: string) => {
  const at = performance.now()
  const response = await fetch(`${origin}${url}`, { headers })
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
  return performance.now() - at
}
// The baseline: the bare SQL the same page needs (its ten rows, no count), on the same database.
const bareTimed = async (text: string, values: unknown[] = []) => {
  const at = performance.now()
  await pool.query(text, values)
  return performance.now() - at
}
const columnsShown = 'id, text, language_id, status, domain, source, licence, recording_count, approvals, rejections, created_at, updated_at'
// Payload's `like` matches every word of the query anywhere in the text (ILIKE '%word%' per word).
const bareSearch = (query: string) => {
  const words = query.split(/\s+/u).filter(Boolean)
  return bareTimed(
    `SELECT ${columnsShown} FROM sentences WHERE ${words.map((_, i) => `text ILIKE $${i + 1}`).join(' AND ')} ORDER BY created_at DESC LIMIT 10`,
    words.map((word) => `%${word}%`),
  )
}
// As the admin list asks: first page of 10, newest first, the search box on the title field.
const listUrl = (query: string) => `/api/sentences?depth=0&limit=10&page=1&sort=-createdAt&where[or][0][and][0][text][like]=${encodeURIComponent(query)}`
// A curator looks for a word or two they have in mind: word forms drawn evenly from the vocabulary
// (so mostly rarer words, as in real searches); the commonest words are timed apart below.
const queries = Array.from({ length: SEARCHES }, (_, i) => {
  const words = i % 2 === 0 ? bengali : english
  return i % 4 < 2 ? pick(words) : `${pick(words)} ${pick(words)}`
})
const commonest = [...bengali.slice(0, 10), ...english.slice(0, 10)]
console.log(`\n3. admin list search over ${(Math.max(total[0].n, 1_000_000)).toLocaleString()} sentences, ${SEARCHES} queries (half Bengali; one or two words), through REST beside bare SQL`)
for (const query of queries.slice(0, 5)) await timed(listUrl(query)) // warm-up
const latencies: number[] = []
const bareLatencies: number[] = []
const slow: string[] = []
for (const query of queries) {
  const ms = await timed(listUrl(query))
  latencies.push(ms)
  bareLatencies.push(await bareSearch(query))
  if (ms > 300) slow.push(`"${query}" ${round(ms)} ms`)
}
if (slow.length) console.log(`   slower than 300 ms: ${slow.join(', ')}`)
const searchP95Ms = round(percentile(latencies, 95))
const bareSearchP95Ms = round(percentile(bareLatencies, 95))
console.log(`   REST p50 ${round(percentile(latencies, 50))} ms, p95 ${searchP95Ms} ms, max ${round(Math.max(...latencies))} ms; bare SQL p95 ${bareSearchP95Ms} ms (REST/bare ${round(searchP95Ms / bareSearchP95Ms, 2)}×)`)
// The commonest words, each timed three times (60 searches): their counts are estimated.
const common: number[] = []
const bareCommon: number[] = []
const estimated: string[] = []
for (const query of [...commonest, ...commonest, ...commonest]) {
  common.push(await timed(listUrl(query)))
  bareCommon.push(await bareSearch(query))
}
for (const query of commonest.slice(0, 3)) {
  const body = (await (await fetch(`${origin}${listUrl(query)}`, { headers })).json()) as { totalDocs: number; totalDocsEstimated?: boolean }
  const { rows: exact } = await pool.query('SELECT count(*)::int AS n FROM sentences WHERE text ILIKE $1', [`%${query}%`])
  estimated.push(`"${query}": ${body.totalDocsEstimated ? 'about ' : ''}${body.totalDocs.toLocaleString('en')} (exactly ${exact[0].n.toLocaleString('en')})`)
}
const commonWordsP95Ms = round(percentile(common, 95))
const bareCommonWordsP95Ms = round(percentile(bareCommon, 95))
console.log(
  `   the 10 commonest words of each language (each in about 5–32 % of all sentences): REST p50 ${round(percentile(common, 50))} ms, p95 ${commonWordsP95Ms} ms; bare SQL p95 ${bareCommonWordsP95Ms} ms (REST/bare ${round(commonWordsP95Ms / bareCommonWordsP95Ms, 2)}×)`,
)
console.log(`   counts shown: ${estimated.join('; ')}`)
const plan = await pool.query(`EXPLAIN ANALYZE SELECT id FROM sentences WHERE text ILIKE $1 ORDER BY created_at DESC LIMIT 10`, [`%${bengali[300]}%`])
const textPlan = await pool.query(`EXPLAIN ANALYZE SELECT id FROM sentences ORDER BY text ASC, created_at DESC LIMIT 10`)
fs.writeFileSync(path.join(out, 'search-plan.txt'), [...plan.rows, ...textPlan.rows].map((row) => row['QUERY PLAN']).join('\n'))

// Every sortable column of the admin list, both ways, as its column headers ask.
const page = (sort: string, pageNumber = 1, where = '') => `/api/sentences?depth=0&limit=10&page=${pageNumber}&sort=${sort}${where}`
const bareOrder = (sort: string) => `${sort.replace(/^-/u, '').replace(/[A-Z]/gu, (letter) => `_${letter.toLowerCase()}`)} ${sort.startsWith('-') ? 'DESC' : 'ASC'}${/createdAt$/u.test(sort) ? '' : ', created_at DESC'}`
const pendingWhere = `&where[and][0][status][equals]=pending&where[and][1][language][equals]=${bnb.id}`
const pages: Record<string, { url: string; bare: () => Promise<number> }> = {
  'sentences, newest first': { url: page('-createdAt'), bare: () => bareTimed(`SELECT ${columnsShown} FROM sentences ORDER BY created_at DESC LIMIT 10`) },
  'sentences, page 500': { url: page('-createdAt', 500), bare: () => bareTimed(`SELECT ${columnsShown} FROM sentences ORDER BY created_at DESC LIMIT 10 OFFSET 4990`) },
  'sentences, pending of one language': {
    url: page('-createdAt', 1, pendingWhere),
    bare: () => bareTimed(`SELECT ${columnsShown} FROM sentences WHERE status = 'pending' AND language_id = $1 ORDER BY created_at DESC LIMIT 10`, [bnb.id]),
  },
  ...Object.fromEntries(
    ['recordingCount', '-recordingCount', 'status', '-status', 'text', '-text'].map((sort) => [
      `sentences, by ${sort}`,
      { url: page(sort), bare: () => bareTimed(`SELECT ${columnsShown} FROM sentences ORDER BY ${bareOrder(sort)} LIMIT 10`) },
    ]),
  ),
  'sentence imports': { url: '/api/sentence-imports?depth=0&limit=10&page=1&sort=-createdAt', bare: () => bareTimed('SELECT * FROM sentence_imports ORDER BY created_at DESC LIMIT 10') },
  languages: { url: '/api/languages?depth=0&limit=10&page=1', bare: () => bareTimed('SELECT * FROM languages ORDER BY created_at DESC LIMIT 10') },
}
const pageMs: Record<string, number> = {}
for (const [name, { url, bare }] of Object.entries(pages)) {
  await timed(url)
  await bare()
  const runs = [await timed(url), await timed(url), await timed(url)]
  const bareRuns = [await bare(), await bare(), await bare()]
  pageMs[name] = round(percentile(runs, 50))
  const bareMs = round(percentile(bareRuns, 50))
  console.log(`   list page "${name}": ${pageMs[name]} ms (bare SQL ${bareMs} ms, ${round(pageMs[name] / Math.max(bareMs, 0.1), 1)}×)`)
}
const slowestListPageMs = Math.max(...Object.values(pageMs))
server.closeAllConnections()
server.close()

const ratio = LIST_ONLY ? undefined : round((rowsPerSec / bareCopyRowsPerSec) * 100)
console.log(
  `\n${ratio === undefined ? '(import not run: BENCH_IMPORT_LIST_ONLY=1)' : `The import runs at ${ratio} % of the bare COPY rate (target ≥ 25 %); peak RSS ${workerPeakRssMb} MB (target ≤ 300);`} search p95 ${searchP95Ms} ms, commonest words p95 ${commonWordsP95Ms} ms (target ≤ 300); slowest list page ${slowestListPageMs} ms (target ≤ 500)`,
)
console.log((ratio === undefined || (ratio >= 25 && workerPeakRssMb <= 300)) && searchP95Ms <= 300 && commonWordsP95Ms <= 300 && slowestListPageMs <= 500 ? 'all targets met' : 'MISSED a target')
await jobs.stop(1000)
await pool.end()
await booted.close()
console.log(
  JSON.stringify({
    rowsPerSec,
    bareCopyRowsPerSec,
    peakRssMb: workerPeakRssMb,
    accepted: counts.accepted,
    refused: counts.refused,
    duplicates: counts.duplicates,
    alreadyPresent: counts.alreadyPresent,
    lines: counts.lines,
    searchP95Ms,
    bareSearchP95Ms,
    commonWordsP95Ms,
    bareCommonWordsP95Ms,
    slowestListPageMs,
    listOnly: LIST_ONLY || undefined,
  }),
)
process.exit(0)
