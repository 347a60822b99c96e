/**
 * npm run bench:export — the export plugin against bare tools, in one run on this machine.
 * Generated data (seeded): BENCH_EXPORT_CLIPS (default 2,400) speech-like Opus clips of 2.5–4.5 s
 * (≈ 2.3 h) from BENCH_EXPORT_SPEAKERS (default 240) anonymous speakers, accepted by consensus,
 * plus two more languages with half and twice as many clips (to show memory does not grow with size).
 *   - re-encode: `runExport` to Common Voice layout with FLAC 16 kHz (every clip re-encoded from
 *     Opus by bounded parallel ffmpeg children) vs. bare ffmpeg over the same files with the same
 *     concurrency;
 *   - copy: `runExport` with `--audio copy` vs. bare `tar` of the same files;
 *   - the FLAC export again into another folder: byte-identical or not;
 *   - peak RSS of the exporting process (each export runs in its own process, like the CLI's, which
 *     boots Payload — most of it is Payload itself — with the CLI's heap cap, EXPORT_HEAP_MB,
 *     default 160 MB), for `--audio copy` at ½×, 1× and 2× the clips.
 * BENCH_EXPORT_SKIP_REENCODE=1 leaves out the (slow) FLAC runs, for a quick look at copy and memory.
 * The last line is one JSON object with the figures.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'export')
fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'

const CLIPS = Number(process.env.BENCH_EXPORT_CLIPS ?? 2400)
const SPEAKERS = Number(process.env.BENCH_EXPORT_SPEAKERS ?? 240)
const DISTINCT_AUDIO = 48

const { sql } = await import('@payloadcms/db-postgres')
const { resolveBinaries } = await import('../plugins/audio-processing/src/ffmpeg')
const { deprioritize } = await import('../plugins/audio-processing/src/ffmpeg/run')
const { speechLike, wav } = await import('@shrutik/plugin-sdk/testing')
const { bootPayload } = await import('../src/server/boot')
const { mediaDir } = await import('../src/lib/env')

const ffmpeg = resolveBinaries().ffmpeg
const concurrency = os.availableParallelism()
const round = (value: number, digits = 2) => Number(value.toFixed(digits))
const log = (message: string) => console.log(`[bench:export] ${message}`)

const booted = await bootPayload()
const payload = booted.payload
const db = (payload.db as unknown as { drizzle: { execute: (query: unknown) => Promise<{ rows: Record<string, unknown>[] }> } }).drizzle

// --- generated audio: a few dozen distinct speech-like Opus clips, copied per segment -----------
let seed = 12_345
const next = () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
  return seed / 0x7fffffff
}
const sources: { file: string; durationMs: number }[] = []
fs.mkdirSync(path.join(out, 'sources'), { recursive: true })
for (let index = 0; index < DISTINCT_AUDIO; index++) {
  const parts = [{ seconds: 0.3, pause: true }, { seconds: 1 + next() * 1.2 }, { seconds: 0.25, pause: true }, { seconds: 0.6 + next() * 1.2 }, { seconds: 0.3, pause: true }]
  const wavFile = path.join(out, 'sources', `${index}.wav`)
  fs.writeFileSync(wavFile, wav(speechLike(parts, { seed: index + 1 })))
  const opus = path.join(out, 'sources', `${index}.ogg`)
  const result = spawnSync(ffmpeg, ['-v', 'error', '-i', wavFile, '-c:a', 'libopus', '-b:a', '32k', '-ar', '48000', '-ac', '1', '-map_metadata', '-1', opus])
  if (result.status !== 0) throw new Error(result.stderr.toString())
  sources.push({ file: opus, durationMs: Math.round(parts.reduce((sum, part) => sum + part.seconds, 0) * 1000) })
}

const processed = path.join(mediaDir(), 'processed')
const makeLanguage = async (code: string, clips: number): Promise<{ files: string[]; hours: number }> => {
  const language = await payload.create({ collection: 'languages', data: { code, name: `Bench ${code}`, nativeName: `Bench ${code}` } })
  const files: string[] = []
  let totalMs = 0
  // Bench set-up writes rows directly (as the audio and consensus jobs would leave them).
  for (let index = 0; index < clips; index++) {
    const speaker = Math.floor(next() * SPEAKERS)
    const source = sources[Math.floor(next() * sources.length)]
    const text = `বাক্য নম্বর ${Math.floor(next() * clips * 0.8)} "উদ্ধৃতি", কমা`
    const [recording] = (
      await db.execute(sql`INSERT INTO recordings (client_id, language_id, mode, consent_version, audio_status, audio_duration_ms)
                          VALUES (${`bench-${code}-${speaker}`}, ${language.id}, 'prompt', '1', 'ready', ${source.durationMs}) RETURNING id`)
    ).rows
    const file = `${recording.id}/00000000-0000-4000-8000-000000000000/playback.ogg`
    fs.mkdirSync(path.dirname(path.join(processed, file)), { recursive: true })
    fs.copyFileSync(source.file, path.join(processed, file))
    files.push(path.join(processed, file))
    totalMs += source.durationMs
    const [segment] = (
      await db.execute(sql`INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file, expected_text)
                           VALUES (${recording.id}, 0, 0, ${source.durationMs}, ${source.durationMs}, ${file}, ${text}) RETURNING id`)
    ).rows
    await db.execute(sql`INSERT INTO segment_decisions (segment_id, task, status, agreed_text, confidence, method, decided_by)
                         VALUES (${segment.id}, 'validation', 'accepted', ${text}, 1, 'common-voice', 'crowd')`)
  }
  return { files, hours: totalMs / 3_600_000 }
}

const SKIP_REENCODE = process.env.BENCH_EXPORT_SKIP_REENCODE === '1'
log(`generating ${CLIPS} + ${CLIPS / 2} + ${CLIPS * 2} clips from ${SPEAKERS} speakers`)
const full = await makeLanguage('qba', CLIPS)
const half = await makeLanguage('qbb', Math.round(CLIPS / 2))
const double = await makeLanguage('qbc', CLIPS * 2)
log(`full: ${CLIPS} clips, ${full.hours.toFixed(2)} h; half: ${half.hours.toFixed(2)} h; double: ${double.hours.toFixed(2)} h; concurrency ${concurrency}`)

interface ChildResult {
  ms: number
  rssAfterBootMb: number
  maxRssMb: number
  sha256: string
  clips: number
  hours: number
}
const exportInChild = (request: Record<string, unknown>, target: string) =>
  new Promise<ChildResult>((resolve, reject) => {
    fs.mkdirSync(path.dirname(target), { recursive: true })
    // The heap cap `shrutik export` gives its export process (EXPORT_HEAP_MB, default 160).
    const child = spawn(process.execPath, [`--max-old-space-size=${Number(process.env.EXPORT_HEAP_MB ?? 160)}`, '--conditions=source', '--import', 'tsx', path.join(root, 'bench', 'exportChild.ts'), JSON.stringify({ request, out: target })], {
      env: { ...process.env, DATABASE_URL: booted.database.url, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').at(-1)!)) : reject(new Error(`export child exited ${code}: ${stdout.slice(-2000)}`))))
  })

const bareReencode = async (files: string[]) => {
  const dir = path.join(out, 'bare-flac')
  fs.mkdirSync(dir, { recursive: true })
  const started = performance.now()
  let next = 0
  const lane = async () => {
    while (next < files.length) {
      const index = next++
      await new Promise<void>((resolve, reject) => {
        const child = spawn(ffmpeg, ['-nostdin', '-v', 'error', '-threads', '1', '-i', files[index], '-ac', '1', '-ar', '16000', '-c:a', 'flac', '-sample_fmt', 's16', '-y', path.join(dir, `${index}.flac`)], { stdio: 'ignore' })
        // The same CPU priority the plugin gives its ffmpeg children (FFMPEG_NICE, default 10), so both compete alike with the rest of the machine.
        deprioritize(child.pid)
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))))
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return performance.now() - started
}

/** Bare tar, at the CPU priority of the exporting process (normal): copying is done by Node itself. */
const bareTar = (files: string[]) => {
  const list = path.join(out, 'bare-list.txt')
  fs.writeFileSync(list, files.map((file) => path.relative(processed, file)).join('\n'))
  const started = performance.now()
  const result = spawnSync('tar', ['-cf', path.join(out, 'bare.tar'), '-C', processed, '-T', list])
  if (result.status !== 0) throw new Error(result.stderr.toString())
  return performance.now() - started
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const perMin = (hours: number, ms: number) => hours / (ms / 60_000)

let bareFlacMs = NaN
let flac: ChildResult | undefined
let identicalRerun: boolean | null = null
const fullRuns: ChildResult[] = []
if (!SKIP_REENCODE) {
  log('bare ffmpeg re-encode (same files, same concurrency)')
  bareFlacMs = await bareReencode(full.files)
  log(`  ${(bareFlacMs / 1000).toFixed(1)} s`)
  log('export FLAC 16 kHz (re-encode from Opus)')
  flac = await exportInChild({ language: 'qba', format: 'cv', audio: 'flac', sampleRate: 16_000, seed: 1 }, path.join(out, 'run1', 'qba-cv.tar'))
  log(`  ${(flac.ms / 1000).toFixed(1)} s, peak RSS ${flac.maxRssMb.toFixed(0)} MB (after boot ${flac.rssAfterBootMb.toFixed(0)} MB)`)
  log('export FLAC again into another folder')
  const rerun = await exportInChild({ language: 'qba', format: 'cv', audio: 'flac', sampleRate: 16_000, seed: 1 }, path.join(out, 'run2', 'qba-cv.tar'))
  identicalRerun = rerun.sha256 === flac.sha256 && sha(path.join(out, 'run1', 'qba-cv.tar')) === sha(path.join(out, 'run2', 'qba-cv.tar'))
  log(`  identical: ${identicalRerun}`)
  fullRuns.push(flac, rerun)
}
log('export --audio copy')
const copy = await exportInChild({ language: 'qba', format: 'cv', audio: 'copy', seed: 1 }, path.join(out, 'copy', 'qba-cv.tar'))
log(`  ${(copy.ms / 1000).toFixed(1)} s, peak RSS ${copy.maxRssMb.toFixed(0)} MB`)
log('bare tar of the same files (twice, the faster counts, as for the export)')
const bareTarMs = Math.min(bareTar(full.files), bareTar(full.files))
log(`  ${(bareTarMs / 1000).toFixed(1)} s`)
log('export --audio copy again (identical?)')
const copyAgain = await exportInChild({ language: 'qba', format: 'cv', audio: 'copy', seed: 1 }, path.join(out, 'copy2', 'qba-cv.tar'))
const identicalCopy = copyAgain.sha256 === copy.sha256
log(`  ${(copyAgain.ms / 1000).toFixed(1)} s, identical: ${identicalCopy}`)
if (identicalRerun === null) identicalRerun = identicalCopy
else identicalRerun &&= identicalCopy
log('export --audio copy of the half-size and double-size languages (memory vs. size)')
const small = await exportInChild({ language: 'qbb', format: 'cv', audio: 'copy', seed: 1 }, path.join(out, 'small', 'qbb-cv.tar'))
log(`  ${Math.round(CLIPS / 2)} clips: ${(small.ms / 1000).toFixed(1)} s, peak RSS ${small.maxRssMb.toFixed(0)} MB`)
const large = await exportInChild({ language: 'qbc', format: 'cv', audio: 'copy', seed: 1 }, path.join(out, 'large', 'qbc-cv.tar'))
log(`  ${CLIPS * 2} clips: ${(large.ms / 1000).toFixed(1)} s, peak RSS ${large.maxRssMb.toFixed(0)} MB`)
const bestCopyMs = Math.min(copy.ms, copyAgain.ms)

const figures = {
  clips: CLIPS,
  hours: round(full.hours, 3),
  speakers: SPEAKERS,
  concurrency,
  reencodeHoursPerMin: flac ? round(perMin(full.hours, flac.ms)) : null,
  bareReencodeHoursPerMin: flac ? round(perMin(full.hours, bareFlacMs)) : null,
  reencodeRatio: flac ? round(bareFlacMs / flac.ms) : null,
  copyHoursPerMin: round(perMin(full.hours, bestCopyMs)),
  copyHoursPerMinRuns: [round(perMin(full.hours, copy.ms)), round(perMin(full.hours, copyAgain.ms))],
  bareCopyHoursPerMin: round(perMin(full.hours, bareTarMs)),
  peakRssMb: round(Math.max(...[...fullRuns, copy, copyAgain, small, large].map((run) => run.maxRssMb)), 0),
  peakRssMbBySize: { [Math.round(CLIPS / 2)]: round(small.maxRssMb, 0), [CLIPS]: round(Math.max(copy.maxRssMb, copyAgain.maxRssMb), 0), [CLIPS * 2]: round(large.maxRssMb, 0) },
  peakRssMbHalfSize: round(small.maxRssMb, 0),
  rssAfterBootMb: round(copy.rssAfterBootMb, 0),
  identicalRerun,
}
await booted.close()
console.log(JSON.stringify(figures))
process.exit(0)
