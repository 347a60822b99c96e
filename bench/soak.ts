/**
 * `npm run soak`: SOAK_MINUTES (default 10) of uploads at 3.4 clips/s, a mix of valid and hostile
 * files, through 2 web processes, processed by 2 `shrutik worker` processes of which one is killed
 * (SIGKILL) at random once a minute and started again. Then it waits for the backlog (a killed
 * worker's jobs come back after their lock lifetime) and checks every accepted upload.
 * Last line JSON: {"uploaded","accepted","processed","lost","duplicates","orphanFiles","p99UploadMs"}.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'soak')
fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
process.env.RATE_LIMIT_STORE = 'memory'
// One machine plays every contributor: the per-address limits would otherwise stop it.
process.env.RATE_LIMIT_UPLOAD = '1000000'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
const RATE = Number(process.env.SOAK_CLIPS_PER_SECOND ?? 3.4)
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_MS ?? 60_000)
/** A killed worker's job is taken over after this; the soak's workers use a short one. */
const HOSTILE_SHARE = 0.2

const { bootPayload } = await import('../src/server/boot')
const { freePort } = await import('../src/db/embedded')
const { newClientId, signClientId, CLIENT_ID_COOKIE } = await import('../src/lib/clientId')
const { TERMS_VERSION, CONSENT_COOKIE } = await import('../src/lib/terms')
const { speechLike, wav } = await import('@shrutik/plugin-sdk/testing')
const { buildAudioFiles, HOSTILE_CODES } = await import('../plugins/audio-processing/test/hostile')
const { mediaDir } = await import('../src/lib/env')
const { sql } = await import('@payloadcms/db-postgres')

const booted = await bootPayload()
const { payload } = booted
const db = (payload.db as unknown as { drizzle: { execute: (query: unknown) => Promise<{ rows: Record<string, unknown>[] }> } }).drizzle
const language = await payload.create({ collection: 'languages', data: { code: 'sok', name: 'Soak', nativeName: 'Soak' } })
const sentences = await Promise.all(
  Array.from({ length: 20 }, (_, i) => payload.create({ collection: 'sentences', data: { text: `Soak sentence number ${i + 1}.`, language: language.id, status: 'approved' } })),
)

// Upload material: valid speech in a few shapes, and hostile files (refused at once, or by the job).
fs.mkdirSync(path.join(out, 'fixtures'), { recursive: true })
const fixtures = buildAudioFiles(path.join(out, 'fixtures'))
const valid = [wav(speechLike([{ seconds: 2.5 }])), wav(speechLike([{ seconds: 1.5 }, { seconds: 0.3, pause: true }, { seconds: 1.8 }])), fs.readFileSync(fixtures.speechWav)]
const hostile = HOSTILE_CODES.map(([name]) => fs.readFileSync(fixtures[name]))

const env = { ...process.env, DATABASE_URL: booted.database.url, NODE_OPTIONS: '' }
const children = new Set<ChildProcess>()
const spawnChild = (args: string[], extra: Record<string, string>, waitFor?: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...env, ...extra }, stdio: ['ignore', waitFor ? 'pipe' : 'ignore', 'inherit'] })
    children.add(child)
    child.once('exit', () => children.delete(child))
    if (!waitFor) return resolve(child)
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
      if (output.includes(waitFor)) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`a soak process exited (${code}) before it was ready`)))
  })

const ports = [await freePort(), await freePort()]
await Promise.all(ports.map((port) => spawnChild(['--conditions=source', '--import', 'tsx', path.join(root, 'bench', 'soakWeb.ts')], { PORT: String(port) }, 'ready')))
const startWorker = () =>
  spawnChild([path.join(root, 'bin', 'shrutik.mjs'), 'worker'], { SHRUTIK_ROLE: 'worker', JOBS_PROCESS_EVERY_MS: '1000' })
const workers: ChildProcess[] = [await startWorker(), await startWorker()]

// Contributors: server-issued ids, as consent mints them.
const cookies: string[] = []
for (let i = 0; i < 40; i++) {
  const clientId = newClientId()
  await db.execute(sql`INSERT INTO contributors (client_id, terms_version, consented_at) VALUES (${clientId}, ${TERMS_VERSION}, now())`)
  cookies.push(`${CLIENT_ID_COOKIE}=${encodeURIComponent(signClientId(payload.secret, clientId))}; ${CONSENT_COOKIE}=${TERMS_VERSION}`)
}

let uploaded = 0
let kills = 0
const accepted: number[] = []
const latencies: number[] = []
const statuses = new Map<number, number>()
const inFlight = new Set<Promise<void>>()

const uploadOne = async (n: number) => {
  const isHostile = Math.random() < HOSTILE_SHARE
  const body = isHostile ? hostile[n % hostile.length] : valid[n % valid.length]
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(body)], { type: 'application/octet-stream' }), isHostile ? 'odd.bin' : 'take.wav')
  form.append('_payload', JSON.stringify({ language: language.id, mode: 'prompt', sentence: sentences[n % sentences.length].id }))
  const started = performance.now()
  uploaded++
  try {
    const response = await fetch(`http://127.0.0.1:${ports[n % ports.length]}/api/recordings?depth=0`, { method: 'POST', headers: { Cookie: cookies[n % cookies.length] }, body: form })
    const result = (await response.json().catch(() => ({}))) as { doc?: { id: number } }
    latencies.push(performance.now() - started)
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    if (response.status === 201 && result.doc) accepted.push(result.doc.id)
  } catch {
    latencies.push(performance.now() - started)
    statuses.set(0, (statuses.get(0) ?? 0) + 1)
  }
}

console.log(`soak: ${MINUTES} min at ${RATE} clips/s through 2 web processes, 2 workers (one killed about every ${KILL_EVERY_MS / 1000} s)`)
const endAt = Date.now() + MINUTES * 60_000
const killer = setInterval(async () => {
  const index = Math.floor(Math.random() * workers.length)
  workers[index].kill('SIGKILL')
  kills++
  workers[index] = await startWorker()
}, KILL_EVERY_MS * (0.75 + Math.random() * 0.5))
const startedAt = Date.now()
for (let n = 0; Date.now() < endAt; n++) {
  const due = startedAt + (n * 1000) / RATE
  if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()))
  const sending = uploadOne(n)
  inFlight.add(sending)
  void sending.finally(() => inFlight.delete(sending))
}
clearInterval(killer)
await Promise.all(inFlight)
console.log(`soak: ${uploaded} uploads sent, ${accepted.length} accepted, ${kills} worker kills; statuses ${JSON.stringify(Object.fromEntries(statuses))}; waiting for the backlog`)

// The backlog, including jobs a killed worker held (taken over after their lock lifetime).
const terminal = ['ready', 'rejected', 'failed']
const countFinished = async () =>
  Number(
    (
      await db.execute(
        sql`SELECT count(*)::int AS n FROM recordings WHERE id = ANY(${`{${accepted.join(',')}}`}::int[]) AND audio_status IN ('ready', 'rejected', 'failed')`,
      )
    ).rows[0].n,
  )
const drainDeadline = Date.now() + Number(process.env.SOAK_DRAIN_MS ?? 6 * 60_000)
let processed = await countFinished()
while (processed < accepted.length && Date.now() < drainDeadline) {
  await new Promise((resolve) => setTimeout(resolve, 2000))
  processed = await countFinished()
}

// Every accepted upload: exactly one row, its original file, and (when ready) exactly one segment with its file.
const rows = (
  await db.execute(sql`SELECT id, filename, audio_status, audio_files_archive, audio_files_playback, audio_files_waveform FROM recordings WHERE language_id = ${language.id}`)
).rows as { id: number; filename: string; audio_status: string; audio_files_archive: string | null; audio_files_playback: string | null; audio_files_waveform: string | null }[]
const byId = new Map(rows.map((row) => [row.id, row]))
const recordingsDir = path.join(mediaDir(), 'recordings')
const processedDir = path.join(mediaDir(), 'processed')
let lost = 0
for (const id of accepted) {
  const row = byId.get(id)
  if (!row || !row.filename || !fs.existsSync(path.join(recordingsDir, row.filename))) lost++
}
const segmentCounts = (await db.execute(sql`SELECT recording_id, count(*)::int AS n FROM segments GROUP BY recording_id`)).rows as { recording_id: number; n: number }[]
const acceptedSet = new Set(accepted)
const duplicates = rows.filter((row) => !acceptedSet.has(row.id)).length + segmentCounts.filter((row) => row.n > 1).length

// Files nobody points to: originals without a row, processed runs other than the committed one, temp uploads.
const referenced = new Set<string>()
for (const row of rows) {
  for (const file of [row.audio_files_archive, row.audio_files_playback, row.audio_files_waveform]) if (file) referenced.add(path.dirname(file))
}
const segmentFiles = (await db.execute(sql`SELECT file FROM segments`)).rows as { file: string }[]
let orphanFiles = 0
const filenames = new Set(rows.map((row) => row.filename))
for (const name of fs.existsSync(recordingsDir) ? fs.readdirSync(recordingsDir) : []) if (!filenames.has(name)) orphanFiles++
for (const recording of fs.existsSync(processedDir) ? fs.readdirSync(processedDir) : []) {
  for (const run of fs.readdirSync(path.join(processedDir, recording))) if (!referenced.has(`${recording}/${run}`)) orphanFiles++
}
for (const { file } of segmentFiles) if (!fs.existsSync(path.join(processedDir, file))) lost++
const tempDir = path.join(process.env.SHRUTIK_DATA_DIR, 'tmp', 'uploads')
orphanFiles += fs.existsSync(tempDir) ? fs.readdirSync(tempDir).length : 0

const sorted = [...latencies].sort((a, b) => a - b)
const p99UploadMs = Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0)
const byStatus = Object.fromEntries(terminal.map((status) => [status, rows.filter((row) => row.audio_status === status).length]))
console.log(`soak: ${processed}/${accepted.length} processed (${JSON.stringify(byStatus)}), ${kills} worker kills`)

for (const child of children) child.kill('SIGKILL')
await booted.close()
console.log(JSON.stringify({ uploaded, accepted: accepted.length, processed, lost, duplicates, orphanFiles, p99UploadMs }))
process.exit(lost === 0 && duplicates === 0 && orphanFiles === 0 && processed === accepted.length ? 0 : 1)
