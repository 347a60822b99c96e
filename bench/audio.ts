/**
 * npm run bench:audio — the audio-processing plugin against bare ffmpeg, in one run on this machine:
 *   a. per clip (5 s speech-like WebM/Opus): the whole job (probe → checks → transcode → waveform →
 *      DB rows) in CPU time, against bare ffprobe + one ffmpeg doing the same two transcodes;
 *   b. segmentation of a 10-minute recording (find pauses, write every segment) against a bare
 *      `silencedetect` pass over the same file, both in × realtime;
 *   c. sustained intake: 20 clients uploading through the HTTP API at once while a separate worker
 *      process transcodes; upload p99, clips/s until all are processed, and clips lost.
 * CPU time counts this process (all threads), the ffmpeg children and the PostgreSQL backends. The
 * baseline spawns its two tools the way any Node server would (async spawn), from this same process.
 * The last line is one JSON object with the figures.
 */
import { fork, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'bench', '.out', 'audio')
fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(out, { recursive: true })
process.env.SHRUTIK_DATA_DIR = path.join(out, 'data')
process.env.LOG_LEVEL ??= 'error'
process.env.SEED_ON_EMPTY = 'false'
process.env.RATE_LIMIT_STORE = 'memory'
// One machine plays 20 contributors: the per-address upload limit would otherwise stop it.
process.env.RATE_LIMIT_UPLOAD = '1000000'

const CLIPS = Number(process.env.BENCH_AUDIO_CLIPS ?? 20)
const UPLOADERS = Number(process.env.BENCH_AUDIO_UPLOADERS ?? 20)
const UPLOADS_EACH = Number(process.env.BENCH_AUDIO_UPLOADS_EACH ?? 8)
/** Which parts to run (for profiling one of them): any of a, b, c. */
const PARTS = new Set((process.env.BENCH_AUDIO_PARTS ?? 'a,b,c').split(','))
const LONG_SECONDS = Number(process.env.BENCH_AUDIO_LONG_SECONDS ?? 600)

const { getRegisteredJobs } = await import('@shrutik/plugin-sdk')
const { runJobHandler } = await import('@shrutik/plugin-sdk/testing')
const { resolveBinaries } = await import('../plugins/audio-processing/src/ffmpeg')
const { segmentFile } = await import('../plugins/audio-processing/src/segmentFile')
const { PROCESS_RECORDING } = await import('../plugins/audio-processing/src/job')
const { speechLike, wav } = await import('@shrutik/plugin-sdk/testing')
const { bootPayload } = await import('../src/server/boot')
const { createApp } = await import('../src/server/app')
const { createRateLimiters } = await import('../src/server/rateLimits')
const { createJobRuntime } = await import('../src/jobs/runtime')
const { settings: readSettings } = await import('../src/lib/env')
const { CLIENT_ID_COOKIE, newClientId, signClientId } = await import('../src/lib/clientId')
const { TERMS_VERSION } = await import('../src/lib/terms')
const { sql } = await import('@payloadcms/db-postgres')

const round = (value: number, digits = 1) => Number(value.toFixed(digits))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
const ffmpegBin = resolveBinaries().ffmpeg
const ffprobeBin = resolveBinaries().ffprobe
/** A child run the way a Node server runs one (async spawn; the event loop keeps going). */
const runAsync = (binary: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(binary)} failed: ${stderr.slice(-500)}`))))
  })
const run = (binary: string, args: string[]) => {
  const result = spawnSync(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  if (result.status !== 0) throw new Error(`${path.basename(binary)} failed: ${result.stderr.toString().slice(-500)}`)
}

// --- CPU accounting -------------------------------------------------------------------------
const TICK_MS = 1000 / 100 // USER_HZ
/** utime + stime (+ reaped children's) of one /proc stat line, in ms. */
const statCpuMs = (stat: string, withChildren: boolean) => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number)
  return (utime + stime + (withChildren ? cutime + cstime : 0)) * TICK_MS
}
/** Reaped children of this process (every ffmpeg/ffprobe run, once it has exited). */
const childrenCpuMs = () => {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8')
  return statCpuMs(fields, true) - statCpuMs(fields, false)
}
/** Every PostgreSQL process on the machine (the embedded server's backends do the DB work). */
const postgresCpuMs = () => {
  let total = 0
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (stat.includes('(postgres)')) total += statCpuMs(stat, false)
    } catch {
      // The process ended while we looked.
    }
  }
  return total
}
const selfCpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}
const measureCpu = async (work: () => Promise<unknown> | unknown) => {
  const before = { self: selfCpuMs(), children: childrenCpuMs(), postgres: postgresCpuMs() }
  const started = performance.now()
  await work()
  const wallMs = performance.now() - started
  return {
    wallMs,
    selfMs: selfCpuMs() - before.self,
    childrenMs: childrenCpuMs() - before.children,
    postgresMs: postgresCpuMs() - before.postgres,
  }
}

// --- Test audio -----------------------------------------------------------------------------
console.log('generating audio...')
const clipWav = path.join(out, 'clip.wav')
fs.writeFileSync(clipWav, wav(speechLike([{ seconds: 1.4 }, { seconds: 0.4, pause: true }, { seconds: 1.6 }, { seconds: 0.3, pause: true }, { seconds: 1.3 }])))
const clip = path.join(out, 'clip.webm')
run(ffmpegBin, ['-y', '-v', 'error', '-i', clipWav, '-c:a', 'libopus', '-b:a', '32k', clip])
const clipSeconds = 5
const clipBytes = fs.readFileSync(clip)
const longLayout: { seconds: number; pause?: boolean }[] = []
for (let total = 0; total < LONG_SECONDS; ) {
  const speech = 2 + ((total * 7) % 9)
  longLayout.push({ seconds: speech }, { seconds: 0.6, pause: true })
  total += speech + 0.6
}
const longWav = path.join(out, 'long.wav')
fs.writeFileSync(longWav, wav(speechLike(longLayout)))
const longFile = path.join(out, 'long.webm')
run(ffmpegBin, ['-y', '-v', 'error', '-i', longWav, '-c:a', 'libopus', '-b:a', '32k', longFile])
fs.rmSync(longWav)
const longSeconds = longLayout.reduce((sum, part) => sum + part.seconds, 0)

// --- Platform -------------------------------------------------------------------------------
console.log('starting the platform (embedded PostgreSQL, Payload, HTTP API)...')
const booted = await bootPayload()
const { payload } = booted
const jobs = getRegisteredJobs(payload.config)
const job = jobs.find((definition) => definition.name === PROCESS_RECORDING)
if (!job) throw new Error('the audio-processing job is not registered')
// A web process: uploads enqueue their processing; a separate worker process runs it (part c).
const web = await createJobRuntime({ payload, databaseUrl: booted.database.url, jobs, role: 'web' })
const settings = readSettings()
const app = createApp({ payload, config: booted.config, settings, limiters: await createRateLimiters(settings) })
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const admin = await payload.create({ collection: 'users', data: { email: 'bench@shrutik.local', password: 'bench-password-123', roles: ['admin'] } })
const language = await payload.create({ collection: 'languages', data: { code: 'bn', name: 'Bengali', nativeName: 'বাংলা' } })
const sentences: { id: number | string }[] = []
for (let i = 0; i < 50; i++) {
  sentences.push(await payload.create({ collection: 'sentences', data: { text: `Benchmark sentence number ${i}.`, language: language.id, status: 'approved' } }))
}

let pipelineCpuMsPerClip = NaN
let bareCpuMsPerClip = NaN
let pipelineRealtime = NaN
if (PARTS.has('a')) {
  // --- a. Per-clip pipeline vs bare ffmpeg ------------------------------------------------------
  console.log(`\na. per-clip pipeline, ${CLIPS} clips of ${clipSeconds} s WebM/Opus`)
    const recordingIds: number[] = []
  for (let i = 0; i < CLIPS; i++) {
    // Stored without queueing (context flag): this part runs the job itself, in this process.
    const doc = await payload.create({
      collection: 'recordings',
      data: { language: language.id, mode: 'prompt', sentence: sentences[i % sentences.length].id },
      file: { data: clipBytes, mimetype: 'audio/webm', name: 'clip.webm', size: clipBytes.length },
      user: { ...admin, collection: 'users' },
      context: { audioProcessing: true },
    } as never)
    recordingIds.push(doc.id as number)
  }
  // Warm-up (module loading, sharp, first queries), not measured.
  await runJobHandler(job, { payload, data: { recordingId: recordingIds[0] } })
  const pipeline = await measureCpu(async () => {
    for (const recordingId of recordingIds) await runJobHandler(job, { payload, data: { recordingId } })
  })
  const readyCount = await payload.count({ collection: 'recordings', where: { 'audio.status': { equals: 'ready' } } })
  if (readyCount.totalDocs !== CLIPS) throw new Error(`only ${readyCount.totalDocs} of ${CLIPS} clips ended ready`)
  const bareDir = path.join(out, 'bare')
  fs.mkdirSync(bareDir)
  run(ffmpegBin, ['-y', '-v', 'error', '-i', clip, '-f', 'null', '-'])
  const bare = await measureCpu(async () => {
    for (let i = 0; i < CLIPS; i++) {
      await runAsync(ffprobeBin, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', clip])
      await runAsync(ffmpegBin, [
        '-y', '-v', 'error', '-i', clip,
        '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'flac', '-sample_fmt', 's16', path.join(bareDir, `${i}.flac`),
        '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', path.join(bareDir, `${i}.ogg`),
      ])
    }
  })
  const pipelineCpuMs = pipeline.selfMs + pipeline.childrenMs + pipeline.postgresMs
  const bareCpuMs = bare.selfMs + bare.childrenMs
  pipelineCpuMsPerClip = round(pipelineCpuMs / CLIPS)
  bareCpuMsPerClip = round(bareCpuMs / CLIPS)
  pipelineRealtime = round((clipSeconds * 1000) / pipelineCpuMsPerClip)
  console.log(
    `   pipeline: ${pipelineCpuMsPerClip} ms CPU per clip (ffmpeg ${round(pipeline.childrenMs / CLIPS)}, node ${round(pipeline.selfMs / CLIPS)}, postgres ${round(pipeline.postgresMs / CLIPS)}), ` +
      `${round(pipeline.wallMs / CLIPS)} ms wall → ${pipelineRealtime}× realtime per core`,
  )
  console.log(`   bare ffprobe + ffmpeg (flac + opus): ${bareCpuMsPerClip} ms CPU per clip (ffmpeg ${round(bare.childrenMs / CLIPS)}, node ${round(bare.selfMs / CLIPS)}) → pipeline/bare = ${round(pipelineCpuMsPerClip / bareCpuMsPerClip, 2)} (target ≤ 1.5, ≥ 15× realtime)`)
}

let segmentRealtime = NaN
let bareSilencedetectRealtime = NaN
if (PARTS.has('b')) {
  // --- b. Segmentation of a long recording vs bare silencedetect --------------------------------
  console.log(`\nb. segmentation of a ${round(longSeconds / 60)}-minute WebM/Opus recording`)
  const segmentsDir = path.join(out, 'segments')
  let segmentCount = 0
  const segmentation = await measureCpu(async () => {
    segmentCount = (await segmentFile(longFile, segmentsDir)).length
  })
  segmentRealtime = round(longSeconds / (segmentation.wallMs / 1000))
  const silencedetect = await measureCpu(() => run(ffmpegBin, ['-v', 'info', '-nostats', '-i', longFile, '-af', 'silencedetect=n=-45dB:d=0.25', '-f', 'null', '-']))
  bareSilencedetectRealtime = round(longSeconds / (silencedetect.wallMs / 1000))
  console.log(`   shrutik (find pauses + write ${segmentCount} segment files): ${round(segmentation.wallMs)} ms → ${segmentRealtime}× realtime (target ≥ 100×)`)
  console.log(`   bare silencedetect (finds pauses only, writes nothing): ${round(silencedetect.wallMs)} ms → ${bareSilencedetectRealtime}× realtime`)
}

let uploadP99Ms = NaN
let clipsPerSec = NaN
let lostClips = NaN
if (PARTS.has('c')) {
  // --- c. Sustained intake over HTTP with a worker transcoding ----------------------------------
  console.log(`\nc. ${UPLOADERS} clients × ${UPLOADS_EACH} uploads through the API, worker process running`)
  const worker = spawn(process.execPath, [path.join(root, 'bin', 'shrutik.mjs'), 'worker'], {
    env: { ...process.env, DATABASE_URL: booted.database.url, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const workerExited = new Promise((resolve) => worker.once('exit', resolve))
  await new Promise((resolve) => setTimeout(resolve, 4000))
  /** UPLOADERS clients (in a separate process), each sending UPLOADS_EACH clips back to back. */
  const intake = async (url: string, thinkMs: number, uploaders = UPLOADERS, uploadsEach = UPLOADS_EACH) => {
    // One server-issued id per client, as consent would mint it.
    const cookies: string[] = []
    for (let client = 0; client < uploaders; client++) {
      const clientId = newClientId()
      await (booted.payload.db as unknown as { drizzle: { execute: (query: unknown) => Promise<unknown> } }).drizzle.execute(
        sql`INSERT INTO contributors (client_id, terms_version, consented_at) VALUES (${clientId}, ${TERMS_VERSION}, now())`,
      )
      cookies.push(encodeURIComponent(signClientId(booted.payload.secret, clientId)))
    }
    return new Promise<{ latencies: number[]; ids: number[]; failed: number }>((resolve, reject) => {
      const clients = fork(path.join(root, 'bench', 'uploadClients.ts'), [], { execArgv: ['--conditions=source', '--import', 'tsx'], env: { ...process.env, NODE_OPTIONS: '' } })
      clients.once('message', (result) => resolve(result as { latencies: number[]; ids: number[]; failed: number }))
      clients.once('exit', (code) => code !== 0 && reject(new Error(`the upload clients exited with ${code}`)))
      clients.send({ url, clip, uploaders, uploadsEach, languageId: language.id, sentenceIds: sentences.map((sentence) => sentence.id), cookieName: CLIENT_ID_COOKIE, cookies, thinkMs })
    })
  }

  // Baseline: a bare Node HTTP server that only writes each upload's body to a file.
  const bareDir = path.join(out, 'bare-uploads')
  fs.mkdirSync(bareDir, { recursive: true })
  let bareCount = 0
  const bareServer = http.createServer((req, res) => {
    const id = ++bareCount
    const sink = fs.createWriteStream(path.join(bareDir, `${id}.bin`))
    req.pipe(sink).on('finish', () => {
      res.writeHead(201, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ doc: { id } }))
    })
  })
  await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve))
  const bareIntake = await intake(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`, 0)
  bareServer.close()
  console.log(`   bare HTTP server (writes the body to a file; back to back, no worker): p50 ${round(percentile(bareIntake.latencies, 50))} ms, p99 ${round(percentile(bareIntake.latencies, 99))} ms`)

  /** Waits until every accepted upload is processed; returns how many ended ready and when. */
  const drain = async (ids: number[]) => {
    const where = { id: { in: ids } }
    const deadline = Date.now() + 10 * 60_000
    while (Date.now() < deadline) {
      const finished = (await payload.count({ collection: 'recordings', where: { and: [where, { 'audio.status': { in: ['ready', 'rejected', 'failed'] } }] } })).totalDocs
      if (finished >= ids.length) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    return (await payload.count({ collection: 'recordings', where: { and: [where, { 'audio.status': { equals: 'ready' } }] } })).totalDocs
  }
  const sent = UPLOADERS * UPLOADS_EACH

  // Warm-up (JIT, first multipart parse, first queries): a few uploads, processed but not timed.
  const warmUp = await intake(`${baseUrl}/api/recordings?depth=0`, 0, 2)
  await drain(warmUp.ids)

  // Contributors at their real pace: each records a 5 s clip, uploads it, records the next.
  // depth=0: the site's uploader needs the new id, not the related documents.
  const paced = await intake(`${baseUrl}/api/recordings?depth=0`, clipSeconds * 1000)
  const pacedReady = await drain(paced.ids)
  uploadP99Ms = round(percentile(paced.latencies, 99))
  console.log(
    `   ${UPLOADERS} contributors at recording pace (a ${clipSeconds} s clip each ~${clipSeconds} s): ${paced.ids.length} accepted, ${paced.failed} failed; ` +
      `p50 ${round(percentile(paced.latencies, 50))} ms, p99 ${uploadP99Ms} ms (target ≤ 300); ${pacedReady} ready`,
  )

  // Overload: every client uploads back to back (20 in flight at all times), far beyond what
  // the worker can transcode; shows the intake ceiling and that nothing is lost.
  const burstStarted = performance.now()
  const burst = await intake(`${baseUrl}/api/recordings?depth=0`, 0)
  const burstUploadSeconds = (performance.now() - burstStarted) / 1000
  const burstReady = await drain(burst.ids)
  const burstSeconds = (performance.now() - burstStarted) / 1000
  clipsPerSec = round(burstReady / burstSeconds, 2)
  lostClips = 2 * sent - pacedReady - burstReady
  console.log(
    `   back to back (20 in flight): ${burst.ids.length} accepted in ${round(burstUploadSeconds)} s (${round(burst.ids.length / burstUploadSeconds)} uploads/s), ` +
      `p50 ${round(percentile(burst.latencies, 50))} ms, p99 ${round(percentile(burst.latencies, 99))} ms; all processed after ${round(burstSeconds)} s → ${clipsPerSec} clips/s on ${os.cpus().length} cores`,
  )
  console.log(`   lost clips over both runs: ${lostClips} of ${2 * sent}`)

  worker.kill('SIGTERM')
  await workerExited
}
await web.stop(1000)
server.closeAllConnections()
server.close()
await booted.close()

const failures = [
  pipelineCpuMsPerClip > 1.5 * bareCpuMsPerClip && 'pipeline CPU over 1.5× bare ffmpeg',
  pipelineRealtime < 15 && 'pipeline under 15× realtime per core',
  segmentRealtime < 100 && 'segmentation under 100× realtime',
  uploadP99Ms > 300 && 'upload p99 over 300 ms',
  lostClips > 0 && 'clips lost',
].filter(Boolean)
console.log(failures.length ? `\nMISSED: ${failures.join('; ')}` : '\nall targets met')
console.log(JSON.stringify({ pipelineCpuMsPerClip, bareCpuMsPerClip, pipelineRealtime, segmentRealtime, bareSilencedetectRealtime, uploadP99Ms, clipsPerSec, lostClips }))
process.exit(0)
