/**
 * bench:backup — `shrutik backup` and `shrutik restore` on the bench database (bench:site's: 1,000,000
 * sentences, 200,000 recordings) plus BENCH_BACKUP_FILES media files, each beside a bare baseline in
 * the same run: COPY of every table to files plus `tar` of the media folder (backup), and COPY FROM
 * of those files into the same empty tables (restore). Both sides run in their own processes.
 * Last line: {"backupSeconds", "bareBackupSeconds", "restoreSeconds", "bareRestoreSeconds", "backupPeakRssMb", "restorePeakRssMb", ...}
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'site')
const work = path.join(root, 'bench', '.out', 'backup')
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
const SENTENCES = Number(process.env.BENCH_SITE_SENTENCES ?? 1_000_000)
const RECORDINGS = Number(process.env.BENCH_SITE_RECORDINGS ?? 200_000)
const FILES = Number(process.env.BENCH_BACKUP_FILES ?? 2000)

const pg = (await import('pg')).default
const { from: copyFrom, to: copyTo } = await import('pg-copy-streams')
const { bootPayload } = await import('../src/server/boot')
const { ensureSiteBenchData } = await import('./siteData')
const { mediaDir } = await import('../src/lib/env')

const round = (value: number, digits = 1) => Number(value.toFixed(digits))
const booted = await bootPayload()
const databaseUrl = booted.database.url
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
const contributors = Array.from({ length: 5000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
await ensureSiteBenchData({ payload: booted.payload, pool, sentences: SENTENCES, recordings: RECORDINGS, contributors, out })

// Media: FILES files of 20 KB (an opus take is about that), made once.
const mediaFolder = path.join(mediaDir(), 'bench-backup')
fs.mkdirSync(mediaFolder, { recursive: true })
const present = fs.readdirSync(mediaFolder).length
for (let index = present; index < FILES; index++) fs.writeFileSync(path.join(mediaFolder, `take-${index}.webm`), randomBytes(20_000))

fs.rmSync(work, { recursive: true, force: true })
fs.mkdirSync(work, { recursive: true })
const child = (mode: 'backup' | 'restore', file: string, url: string) => {
  const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(root, 'bench', 'backupChild.ts'), mode, file], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: '' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  })
  if (result.status !== 0) throw new Error(`${mode} failed:\n${result.stderr.slice(-3000)}`)
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMb: number; summary: Record<string, number> }
}

const tables = (
  await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('rate_limits', 'sentence_import_rows') ORDER BY 1`)
).rows.map((row) => row.tablename as string)

// --- 1. backup -----------------------------------------------------------------------------------
console.log(`1. backup: ${tables.length} tables, ${FILES} media files (plus what the data folder holds)`)
const backupFile = path.join(work, 'bench.tar')
const ours = child('backup', backupFile, databaseUrl)
console.log(`   shrutik backup: ${round(ours.seconds)} s, ${round(ours.summary.bytes / 1e6)} MB, ${ours.summary.rows.toLocaleString()} rows, ${ours.summary.files} files, peak RSS ${round(ours.maxRssMb)} MB`)

const bareDir = path.join(work, 'bare')
fs.mkdirSync(bareDir)
let started = performance.now()
const client = new pg.Client({ connectionString: databaseUrl })
await client.connect()
await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
for (const table of tables) await pipeline(client.query(copyTo(`COPY "${table}" TO STDOUT`)), fs.createWriteStream(path.join(bareDir, `${table}.copy`)))
await client.query('COMMIT')
await client.end()
const tar = spawnSync('tar', ['cf', path.join(work, 'bare-media.tar'), '-C', path.dirname(mediaDir()), path.basename(mediaDir())])
if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`)
const bareBackupSeconds = (performance.now() - started) / 1000
console.log(`   bare COPY of every table + tar of the media: ${round(bareBackupSeconds)} s`)

// --- 2. restore ----------------------------------------------------------------------------------
const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/shrutik$/, '/postgres') })
await admin.connect()
await admin.query('DROP DATABASE IF EXISTS bench_restore WITH (FORCE)')
await admin.query('CREATE DATABASE bench_restore')
const restoreUrl = databaseUrl.replace(/\/shrutik$/, '/bench_restore')
process.env.SHRUTIK_DATA_DIR = path.join(work, 'restored')
const restored = child('restore', backupFile, restoreUrl)
console.log(`2. restore: shrutik restore ${round(restored.seconds)} s (schema, load, checksums, files), peak RSS ${round(restored.maxRssMb)} MB`)

// The same rows COPY'd into the same (emptied) tables, indexes and all; files untarred.
const target = new pg.Client({ connectionString: restoreUrl })
await target.connect()
started = performance.now()
await target.query('BEGIN')
await target.query('SET LOCAL session_replication_role = replica')
await target.query(`TRUNCATE ${tables.map((table) => `"${table}"`).join(', ')} CASCADE`)
for (const table of tables) await pipeline(fs.createReadStream(path.join(bareDir, `${table}.copy`)), target.query(copyFrom(`COPY "${table}" FROM STDIN`)))
await target.query('COMMIT')
fs.mkdirSync(path.join(work, 'bare-restored'))
const untar = spawnSync('tar', ['xf', path.join(work, 'bare-media.tar'), '-C', path.join(work, 'bare-restored')])
if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`)
const bareRestoreSeconds = (performance.now() - started) / 1000
await target.end()
console.log(`   bare COPY FROM into the same tables + untar: ${round(bareRestoreSeconds)} s`)
await admin.query('DROP DATABASE IF EXISTS bench_restore WITH (FORCE)')
await admin.end()
await pool.end()
await booted.close()
fs.rmSync(work, { recursive: true, force: true })

console.log(
  `\nbackup takes ${round(ours.seconds / bareBackupSeconds, 2)}× the bare COPY + tar; restore ${round(restored.seconds / bareRestoreSeconds, 2)}× the bare COPY FROM + untar (it also builds the schema and checks every checksum)`,
)
console.log(
  JSON.stringify({
    backupSeconds: round(ours.seconds),
    bareBackupSeconds: round(bareBackupSeconds),
    restoreSeconds: round(restored.seconds),
    bareRestoreSeconds: round(bareRestoreSeconds),
    backupPeakRssMb: round(ours.maxRssMb),
    restorePeakRssMb: round(restored.maxRssMb),
    rows: ours.summary.rows,
    files: ours.summary.files,
    backupMb: round(ours.summary.bytes / 1e6),
  }),
)
process.exit(0)
