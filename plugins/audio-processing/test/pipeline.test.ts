import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { constant, createLanguage, createSentence, speechLike, startTestHost, uploadRecording, wav, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { audioProcessingPlugin } from '../src'
import { buildAudioFiles, HOSTILE_CODES } from './hostile'

/**
 * An upload through the core collections (the SDK test kit's preset, with its hooks) → the real job
 * runtime → processed recording, segments and files; the plugin's endpoints through Payload's REST
 * handler. (The host's own door, which sniffs content before a file is stored, is tested by the
 * host: tests/uploads.test.ts and tests/uploadDoor.test.ts.)
 */

let host: TestHost
let contributor: TestUser
let other: TestUser
let admin: TestUser
let languageId: number
let sentenceId: number

/** The media folder of the kit's file store (keys `processed/…`, `recordings/…`). */
const media = (...parts: string[]) => path.join(host.files.dir!, ...parts)

/** An upload as the contributor, through the Local API with the file (every hook runs as on a real upload). */
const upload = async (audio: Buffer, data: Record<string, unknown>, filename = 'take.wav') =>
  (await uploadRecording(host.payload, { audio, language: languageId, user: contributor.user, filename, ...data })).id as number

const processed = async (id: number, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const doc = (await host.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>
    if (doc.audio?.status === 'ready' || doc.audio?.status === 'rejected' || doc.audio?.status === 'failed') return doc
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`recording ${id} was not processed in time`)
}

const segmentsOf = async (id: number) =>
  (await host.payload.find({ collection: 'segments', where: { recording: { equals: id } }, sort: 'index', pagination: false })).docs as Record<string, any>[]

beforeAll(async () => {
  host = await startTestHost({ core: true, plugins: [audioProcessingPlugin({})] })
  ;[contributor, other, admin] = await Promise.all([host.createUser('contributor', 'speaker'), host.createUser('contributor', 'other'), host.createUser('admin')])
  languageId = (await createLanguage(host.payload, { code: 'aud', name: 'Audioish' })).id as number
  sentenceId = (await createSentence(host.payload, { text: 'Please read this aloud.', language: languageId, status: 'approved' })).id as number
}, 60_000)

afterAll(async () => {
  await host?.stop()
})

describe('processing uploads', () => {
  test('a prompt recording ends ready with checks, files, a waveform and exactly one segment', async () => {
    const id = await upload(wav(speechLike([{ seconds: 1.5 }, { seconds: 0.3, pause: true }, { seconds: 1.5 }])), { mode: 'prompt', sentence: sentenceId })
    const doc = await processed(id)
    expect(doc.audio).toMatchObject({ status: 'ready', codec: 'pcm_s16le', channels: 1, sampleRate: 16_000 })
    expect(Math.abs(doc.audio.durationMs - 3300)).toBeLessThan(60)
    expect(doc.audio.loudnessLufs).toBeLessThan(-5)
    const segments = await segmentsOf(id)
    expect(segments).toHaveLength(1)
    expect(segments[0]).toMatchObject({ index: 0, expectedText: 'Please read this aloud.' })
    // The read API other plugins use (README "Read API"): the same segment and the recording's state through the published views (numeric columns arrive as strings).
    const pool = (host.payload.db as unknown as { pool: { query: (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> } }).pool
    const published = (await pool.query('SELECT id, kind, position, duration_ms, text, file FROM audio_segments WHERE recording_id = $1', [id])).rows
    expect(published).toEqual([{ id: segments[0].id, kind: 'prompt', position: '0', duration_ms: String(segments[0].durationMs), text: 'Please read this aloud.', file: segments[0].file }])
    const state = (await pool.query('SELECT status, ready, duration_ms FROM audio_recordings WHERE id = $1', [id])).rows[0]
    expect(state).toEqual({ status: 'ready', ready: true, duration_ms: String(doc.audio.durationMs) })
    for (const file of Object.values(doc.audio.files) as string[]) expect(fs.existsSync(media('processed', file))).toBe(true)

    const waveform = await host.fetch(`/api/audio-processing/files/${doc.audio.files.waveform}`, { headers: contributor.headers })
    expect(waveform.status).toBe(200)
    expect(waveform.headers.get('content-type')).toBe('image/png')
    const playback = await host.fetch(`/api/audio-processing/files/${segments[0].file}`, { headers: contributor.headers })
    expect(playback.headers.get('content-type')).toBe('audio/ogg')
    // Someone who cannot read the recording cannot fetch its files.
    expect((await host.fetch(`/api/audio-processing/files/${doc.audio.files.waveform}`, { headers: other.headers })).status).toBe(404)
    expect((await host.fetch(`/api/audio-processing/files/${doc.audio.files.waveform}`)).status).toBe(404)
  })

  test('a long recording is cut into segments at its pauses', async () => {
    const layout = [] as { seconds: number; pause?: boolean }[]
    for (let i = 0; i < 3; i++) layout.push({ seconds: 7 }, { seconds: 0.8, pause: true })
    const id = await upload(wav(speechLike(layout)), { mode: 'long', scriptText: 'A passage.' })
    expect((await processed(id)).audio.status).toBe('ready')
    const segments = await segmentsOf(id)
    expect(segments.length).toBeGreaterThanOrEqual(2)
    const { probe } = await import('../src/ffmpeg')
    for (const segment of segments) {
      expect(segment.durationMs).toBeLessThanOrEqual(15_000)
      // Each segment is its own playable file of the planned length.
      const facts = await probe(media('processed', segment.file), { timeoutMs: 10_000 })
      expect(facts).toMatchObject({ codec: 'opus', channels: 1 })
      expect(Math.abs((facts.declaredDurationMs ?? 0) - segment.durationMs)).toBeLessThan(60)
    }
  })

  test('a silent recording ends rejected with a reason a person understands, and no segments', async () => {
    const id = await upload(wav(constant(3, 'silence')), { mode: 'prompt', sentence: sentenceId })
    const doc = await processed(id)
    expect(doc.audio.status).toBe('rejected')
    expect(doc.audio.failureReason).toMatch(/silent/)
    expect(await segmentsOf(id)).toEqual([])
  })

  test('reprocessing (admins only) replaces the outputs instead of duplicating them', async () => {
    const id = await upload(wav(speechLike([{ seconds: 2 }])), { mode: 'prompt', sentence: sentenceId })
    const first = await processed(id)
    const [segment] = await segmentsOf(id)
    const heard = await host.fetch(`/api/transcriptions`, {
      method: 'POST',
      headers: { ...other.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ item: segment.id, language: languageId, text: 'what I heard' }),
    })
    expect(heard.status).toBe(201)
    const reprocess = (user?: TestUser) =>
      host.fetch(`/api/audio-processing/recordings/${id}/reprocess`, { method: 'POST', headers: user?.headers ?? {} })
    expect((await reprocess()).status).toBe(401)
    expect((await reprocess(contributor)).status).toBe(403)
    expect((await reprocess(admin)).status).toBe(200)
    const deadline = Date.now() + 30_000
    let second = first
    while (Date.now() < deadline && second.audio.processedAt === first.audio.processedAt) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      second = (await host.payload.findByID({ collection: 'recordings', id, depth: 0 })) as Record<string, any>
    }
    second = await processed(id)
    expect(second.audio.files.archive).not.toBe(first.audio.files.archive)
    const after = await segmentsOf(id)
    expect(after).toHaveLength(1)
    // Same span: the segment keeps its id and the judgments made on it; its file is the new run's.
    expect(after[0].id).toBe(segment.id)
    expect(after[0].file).not.toBe(segment.file)
    expect((await host.payload.find({ collection: 'transcriptions', where: { item: { equals: segment.id } } })).totalDocs).toBe(1)
    // The previous run's files go (right after the commit the new state is visible in, so a moment later); the new ones are there.
    const previous = media('processed', first.audio.files.archive)
    for (const until = Date.now() + 10_000; fs.existsSync(previous) && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(fs.existsSync(previous)).toBe(false)
    expect(fs.existsSync(media('processed', second.audio.files.archive))).toBe(true)
  })

  test('deleting a recording removes its segments and processed files', async () => {
    const id = await upload(wav(speechLike([{ seconds: 2 }])), { mode: 'prompt', sentence: sentenceId })
    await processed(id)
    const [segment] = await segmentsOf(id)
    const heard = await host.fetch(`/api/transcriptions`, {
      method: 'POST',
      headers: { ...other.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ item: segment.id, language: languageId, text: 'heard it' }),
    })
    expect(heard.status).toBe(201)
    expect((await host.fetch(`/api/recordings/${id}`, { method: 'DELETE', headers: admin.headers })).status).toBe(200)
    expect(await segmentsOf(id)).toEqual([])
    expect((await host.payload.find({ collection: 'transcriptions', where: { item: { equals: segment.id } } })).totalDocs).toBe(0)
    expect(fs.existsSync(media('processed', String(id)))).toBe(false)
  })
})

describe('hostile files through an upload', () => {
  let dir: string
  let files: Record<string, string>
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-hostile-'))
    files = buildAudioFiles(dir)
  }, 60_000)
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  test.each(HOSTILE_CODES)('%s is refused (%s) with a readable reason and leaves nothing behind', async (name, code) => {
    // No content sniffing in front (that is the host's door): every file reaches the job, which must refuse it on its own.
    const id = await upload(fs.readFileSync(files[name]), { mode: 'prompt', sentence: sentenceId }, path.basename(files[name]))
    const doc = await processed(id)
    expect(doc.audio.status).toBe('rejected')
    expect(doc.audio.checks.map((check: { code: string }) => check.code)).toContain(code)
    expect(doc.audio.failureReason.length).toBeGreaterThan(15)
    expect(await segmentsOf(id)).toEqual([])
    const leftovers = media('processed', String(id))
    expect(fs.existsSync(leftovers) ? fs.readdirSync(leftovers) : []).toEqual([])
  })
})
