import { afterAll, beforeAll, expect, test } from '@jest/globals'
import type { Config } from 'payload'

import { getFileStore } from '../registry'
import { registerMigrations } from '../migrations'
import { createLanguage, createSentence, RECORDINGS_FOLDER, startTestHost, uploadRecording, wav, constant, type TestHost, type TestUser } from '../testing'

/**
 * The kit's core collections preset on a real host: a plugin migration that names core columns (as
 * the audio and consensus plugins' do) applies; uploads are stored through the file store under a
 * generated name; the server writes who contributed; access is the host's in outline.
 */

// A plugin whose migration alters recordings and creates a view and a trigger on the core columns plugins rely on.
const coreColumnsPlugin = (config: Config): Config =>
  registerMigrations(config, {
    plugin: 'core-probe',
    owns: { collections: [], fields: { recordings: ['probeFlag'] } },
    migrations: [
      {
        name: '20260101_000000_probe',
        up: async ({ db }) => {
          await (db as { execute: (query: unknown) => Promise<unknown> }).execute(
            (await import('@payloadcms/db-postgres')).sql.raw(`
            ALTER TABLE "recordings" ADD COLUMN "probe_flag" boolean DEFAULT false;
            CREATE VIEW "probe_contributions" AS
              SELECT r."id", r."owner_id", r."client_id", r."language_id", r."sentence_id", r."filename", s."text", l."code"
                FROM "recordings" r JOIN "languages" l ON l."id" = r."language_id" LEFT JOIN "sentences" s ON s."id" = r."sentence_id";
            CREATE VIEW "probe_transcriptions" AS SELECT t."item_id", t."author_id", t."client_id", t."language_id", t."text" FROM "transcriptions" t;`),
          )
        },
        down: async () => undefined,
      },
    ],
  })

let host: TestHost
let speaker: TestUser
let other: TestUser
let admin: TestUser

beforeAll(async () => {
  host = await startTestHost({ core: true, plugins: [coreColumnsPlugin] })
  ;[speaker, other, admin] = await Promise.all([host.createUser('contributor', 'speaker'), host.createUser('contributor', 'other'), host.createUser('admin')])
}, 60_000)

afterAll(async () => {
  await host?.stop()
})

test('a plugin migration naming the core columns applies, and reads what the preset wrote', async () => {
  expect(host.migrations).toEqual(['core-probe:20260101_000000_probe'])
  const language = await createLanguage(host.payload, { code: 'bn' })
  const sentence = await createSentence(host.payload, { language, text: 'আমি গান গাই।' })
  const recording = await uploadRecording(host.payload, { audio: wav(constant(1, 'tone')), language, sentence, user: speaker.user })
  const pool = (host.payload.db as unknown as { pool: { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> } }).pool
  expect((await pool.query('SELECT owner_id, client_id, language_id, sentence_id, text, code FROM probe_contributions WHERE id = $1', [recording.id])).rows).toEqual([
    { owner_id: speaker.id, client_id: null, language_id: language.id, sentence_id: sentence.id, text: 'আমি গান গাই।', code: 'bn' },
  ])
})

test('an upload is stored through the file store under a generated name; deleting the recording removes it', async () => {
  const language = await createLanguage(host.payload)
  const audio = wav(constant(1, 'tone'))
  const recording = await uploadRecording(host.payload, { audio, language, mode: 'long', scriptText: 'A passage.', clientId: 'anon-1', filename: '../../etc/passwd.wav' })
  expect(recording.filename).toMatch(/^[0-9a-f-]{36}\.wav$/)
  expect(recording).toMatchObject({ mode: 'long', scriptText: 'A passage.', clientId: 'anon-1', owner: null })
  const key = `${RECORDINGS_FOLDER}/${recording.filename}`
  expect(await getFileStore(host.payload).stat(key)).toEqual({ bytes: audio.length })
  expect(host.files.dir).toBeDefined()
  await host.payload.delete({ collection: 'recordings' as never, id: recording.id })
  expect(await getFileStore(host.payload).stat(key)).toBeUndefined()
})

test('over REST: the server writes the uploader, owners read their own, admins all, and only admins delete', async () => {
  const language = await createLanguage(host.payload)
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(wav(constant(1, 'tone')))], { type: 'audio/wav' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: language.id, mode: 'long', scriptText: 'Read this.', owner: other.id, clientId: 'forged' }))
  expect((await host.fetch('/api/recordings', { method: 'POST', body: form })).status).toBe(403)
  const created = await host.fetch('/api/recordings', { method: 'POST', headers: speaker.headers, body: form })
  expect(created.status).toBe(201)
  const { doc } = (await created.json()) as { doc: { id: number } }
  const stored = (await host.payload.findByID({ collection: 'recordings' as never, id: doc.id, depth: 0 })) as Record<string, unknown>
  expect(stored).toMatchObject({ owner: speaker.id, clientId: null })

  const seen = async (user: TestUser) => ((await (await host.fetch(`/api/recordings?where[id][equals]=${doc.id}`, { headers: user.headers })).json()) as { totalDocs: number }).totalDocs
  expect(await seen(speaker)).toBe(1)
  expect(await seen(other)).toBe(0)
  expect(await seen(admin)).toBe(1)

  // A transcription's author is the signed-in user, whatever was sent.
  const transcribed = await host.fetch('/api/transcriptions', {
    method: 'POST',
    headers: { ...other.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ item: doc.id, language: language.id, text: 'what I heard', author: speaker.id }),
  })
  expect(transcribed.status).toBe(201)
  expect(((await transcribed.json()) as { doc: { author: number } }).doc.author).toBe(other.id)
  const again = await host.fetch('/api/transcriptions', {
    method: 'POST',
    headers: { ...other.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ item: doc.id, language: language.id, text: 'twice' }),
  })
  expect(again.status).toBe(400)

  expect((await host.fetch(`/api/recordings/${doc.id}`, { method: 'DELETE', headers: speaker.headers })).status).toBe(403)
  // (The transcription is of this recording: it goes first.)
  await host.payload.delete({ collection: 'transcriptions' as never, where: { item: { equals: doc.id } } })
  expect((await host.fetch(`/api/recordings/${doc.id}`, { method: 'DELETE', headers: admin.headers })).status).toBe(200)
})
