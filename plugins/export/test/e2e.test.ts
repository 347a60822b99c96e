import { createHash, randomUUID } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'
import { consensusPlugin } from '@shrutik/plugin-consensus'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import {
  createLanguage as createLanguageDoc,
  createSentence,
  runCommand,
  runJobHandler,
  speechLike,
  startTestHost,
  uploadRecording,
  wav,
  type TestHost,
  type TestUser,
} from '@shrutik/plugin-sdk/testing'
import type { CollectionConfig } from 'payload'

import { exportPlugin } from '../src'
import { CV_CLIP_COLUMNS } from '../src/formats'
import { runDueSchedules } from '../src/jobs'
import { exportSettings } from '../src/options'
import { selectClips } from '../src/select'
import { validateKaldiDir } from './kaldiCheck'

/**
 * End to end on the SDK test kit's host (the core collections, the audio-processing and consensus
 * plugins installed beside this one from their packages, the real job runtime): uploads from
 * several contributors (signed in and anonymous) → the real audio job → votes over REST → the
 * consensus job accepts or rejects → exports in every format through the admin API and the job
 * runtime (build → shards → finalize), downloaded with ranges, unpacked and checked; the CLI
 * command on the same data; access for every role. Sentence reports are read through the
 * documented `reportsSlug` interface (`sentence`, `reason`), here a stand-in collection.
 */

let host: TestHost
let admin: TestUser
let exporter: TestUser
let reviewer: TestUser
let speakers: TestUser[]
let voters: TestUser[]
let languageId: number
let languageCode: string
let anonymousId: string
let work: string

const SENTENCES = ['আমি বাংলায় গান গাই।', 'সে বলল, "চলো যাই"।', 'নদীর ধারে বাড়ি', 'আকাশ নীল, মেঘ সাদা', 'এক\tদুই', 'বৃষ্টি পড়ে', 'পাখি ডাকে', 'সকাল হলো']

/** An upload as a signed-in contributor (`user`) or an anonymous one (`clientId`), with the file: every hook runs as on a real upload. */
const upload = async (who: { user: TestUser } | { clientId: string }, sentenceId: number, seed: number, demographics?: Record<string, unknown>): Promise<number> => {
  const audio = wav(speechLike([{ seconds: 0.2, pause: true }, { seconds: 1.2 }, { seconds: 0.2, pause: true }], { seed }))
  const doc = await uploadRecording(host.payload, {
    audio,
    language: languageId,
    mode: 'prompt',
    sentence: sentenceId,
    consentVersion: '2026-11',
    demographicsSnapshot: demographics ?? null,
    ...('user' in who ? { user: who.user.user } : { clientId: who.clientId }),
  })
  return doc.id as number
}

/** REST through Payload's handler, as a client would call it. */
const call = (method: string, url: string, actor?: { headers?: Record<string, string> }, body?: unknown) =>
  host.fetch(url, {
    method,
    headers: { ...(actor?.headers ?? {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

const json = async (response: Response): Promise<any> => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const eventually = async <T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

/** A language of its own: a private-use code (qaa–qtz), retried on the rare collision. */
const createLanguage = async (): Promise<number> => {
  for (let attempt = 0; ; attempt++) {
    const code = `q${String.fromCharCode(97 + Math.floor(Math.random() * 20))}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}`
    try {
      return (await createLanguageDoc(host.payload, { code, name: `Test ${code}` })).id as number
    } catch (error) {
      if (attempt >= 10) throw error
    }
  }
}

const vote = (actor: TestUser, segment: number, valid: boolean, reason?: string) => call('POST', '/api/votes', actor, { segment, valid, ...(reason ? { reason } : {}) })

const transcribe = (actor: TestUser, item: number, language: number, text: string) => call('POST', '/api/transcriptions', actor, { item, language, text })

/**
 * Sentence reports as the host keeps them (its `sentence-skips`), reduced to the fields the export
 * plugin documents reading through `reportsSlug`: `sentence` and `reason`.
 */
const sentenceReports: CollectionConfig = {
  slug: 'sentence-skips',
  access: { read: () => false, create: () => false, update: () => false, delete: () => false },
  fields: [
    { name: 'sentence', type: 'relationship', relationTo: 'sentences', required: true },
    { name: 'reason', type: 'text', required: true },
  ],
}

const segmentOf = async (recordingId: number): Promise<number> => {
  const recording = await eventually(
    () => host.payload.findByID({ collection: 'recordings', id: recordingId, depth: 0 }) as Promise<Record<string, any>>,
    (doc) => ['ready', 'rejected', 'failed'].includes(doc.audio?.status),
    60_000,
  )
  expect(recording.audio.status).toBe('ready')
  const segments = await host.payload.find({ collection: 'segments', where: { recording: { equals: recordingId } }, depth: 0 })
  return segments.docs[0].id as number
}

/** A segment's decision, read as this plugin reads it: the consensus plugin's published view `consensus_segments`. */
const status = async (segmentId: number): Promise<string | undefined> => {
  const pool = (host.payload.db as unknown as { pool: { query: (text: string, values: unknown[]) => Promise<{ rows: { status: string }[] }> } }).pool
  return (await pool.query('SELECT status FROM consensus_segments WHERE segment_id = $1', [segmentId])).rows[0]?.status
}

const createExport = async (actor: TestUser, data: Record<string, unknown>) => {
  const response = await call('POST', '/api/dataset-exports', { headers: actor.headers }, { language: languageId, seed: 42, ...data })
  expect(response.status).toBe(201)
  return (await json(response)).doc.id as number
}

const finished = (id: number) =>
  eventually(
    () => host.payload.findByID({ collection: 'dataset-exports', id, depth: 0 }) as Promise<Record<string, any>>,
    (doc) => ['done', 'failed', 'cancelled'].includes(doc.status),
    90_000,
  )

const download = async (id: number, headers: Record<string, string>) => {
  const response = await host.fetch(`/api/export/exports/${id}/download`, { headers })
  return { response, bytes: Buffer.from(await response.arrayBuffer()) }
}

/** Unpacks an archive and returns the folder inside it. */
const unpack = (bytes: Buffer, label: string): string => {
  const dir = fs.mkdtempSync(path.join(work, `${label}-`))
  const file = path.join(dir, 'archive.tar.gz')
  fs.writeFileSync(file, bytes)
  const result = spawnSync('tar', ['-xzf', file, '-C', dir])
  expect(result.status).toBe(0)
  fs.rmSync(file)
  const [top] = fs.readdirSync(dir)
  return path.join(dir, top)
}

const filesUnder = (root: string, prefix = ''): string[] =>
  fs.readdirSync(root, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(root, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))

const verifySums = (root: string) => {
  const lines = fs.readFileSync(path.join(root, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean)
  const listed = lines.map((line) => {
    const [hash, file] = line.split('  ')
    expect(createHash('sha256').update(fs.readFileSync(path.join(root, file))).digest('hex')).toBe(hash)
    return file
  })
  expect(listed.sort()).toEqual(filesUnder(root).filter((file) => file !== 'SHA256SUMS').sort())
}

/** No email, name, client id or account id of anyone anywhere in the bytes of the export. */
const expectNoIdentities = (root: string) => {
  const secrets = [...speakers, ...voters, admin].map((user) => user.email).concat([anonymousId])
  for (const file of filesUnder(root)) {
    const content = fs.readFileSync(path.join(root, file)).toString('latin1')
    for (const secret of secrets) expect(content.includes(secret)).toBe(false)
  }
}

// The command runs here, on this host's Payload: not re-spawned in a heap-capped process of its own (that is for `shrutik` itself).
process.env.SHRUTIK_EXPORT_CAPPED = '1'

/** `shrutik export …` as the host runs it, on this host's database (the binary itself is the host's test). */
const cli = (args: string[]) => runCommand(host.payload.config, 'export', args, { payload: host.payload })

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-export-e2e-'))
  host = await startTestHost({
    core: true,
    collections: [sentenceReports],
    plugins: [audioProcessingPlugin({}), consensusPlugin({}), exportPlugin({ exportsDir: path.join(work, 'exports') })],
  })
  anonymousId = randomUUID()
  ;[admin, exporter, reviewer, ...speakers] = await Promise.all([
    host.createUser('admin', 'export-admin'),
    host.createUser('exporter', 'export-exporter'),
    host.createUser('reviewer', 'export-reviewer'),
    host.createUser('contributor', 'export-speaker-a'),
    host.createUser('contributor', 'export-speaker-b'),
  ])
  voters = await Promise.all([0, 1].map((index) => host.createUser('contributor', `export-voter-${index}`)))
  languageId = await createLanguage()
  languageCode = ((await host.payload.findByID({ collection: 'languages', id: languageId })) as Record<string, any>).code
  const sentenceIds: number[] = []
  for (const text of SENTENCES) sentenceIds.push((await createSentence(host.payload, { text, language: languageId, status: 'approved', domain: 'general' })).id as number)

  // Three contributors (one anonymous) read three sentences each: 9 prompt recordings; the last
  // one repeats the first sentence (and is rejected by the voters).
  // One speaker opted in to demographics (then blanked: fewer than k = 5 speakers share them); the host snapshots them onto each upload.
  const uploads: [{ user: TestUser } | { clientId: string }, number, Record<string, unknown> | undefined][] = []
  for (const [index, who] of [{ user: speakers[0] }, { user: speakers[1] }, { clientId: anonymousId }].entries()) {
    for (const sentence of [...sentenceIds, sentenceIds[0]].slice(index * 3, index * 3 + 3)) uploads.push([who, sentence, index === 0 ? { ageBand: 'twenties', gender: 'female' } : undefined])
  }
  const recordings: number[] = []
  for (const [index, [who, sentence, demographics]] of uploads.entries()) recordings.push(await upload(who, sentence, index + 1, demographics))
  const segments: number[] = []
  for (const recording of recordings) segments.push(await segmentOf(recording))
  // Two valid votes accept a clip; the last one gets two invalid votes (rejected).
  for (const [index, segment] of segments.entries()) {
    const valid = index !== segments.length - 1
    for (const voter of voters) expect((await vote(voter, segment, valid, valid ? undefined : 'noisy')).status).toBe(201)
  }
  for (const [index, segment] of segments.entries()) {
    await eventually(() => status(segment), (value) => value === (index === segments.length - 1 ? 'rejected' : 'accepted'), 30_000)
  }
  // Two reports of one sentence (reported.tsv) and a plain skip of another (not a report), as the host records them.
  const skip = (sentence: number, reason: string) => host.payload.create({ collection: 'sentence-skips' as never, data: { sentence, reason } as never })
  await skip(sentenceIds[2], 'offensive')
  await skip(sentenceIds[2], 'grammar-spelling')
  await skip(sentenceIds[3], 'skip')
}, 240_000)

afterAll(async () => {
  await host?.stop()
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe('access to exports', () => {
  test('anonymous, contributor and reviewer get 401/403 creating, listing or downloading; an exporter may', async () => {
    const id = await createExport(exporter, { format: 'nemo' })
    const done = await finished(id)
    expect(done.status).toBe('done')
    // (An anonymous contributor's cookie is the host's; to this plugin it is a request without a user, as `{}`.)
    for (const headers of [{}, speakers[0].headers, reviewer.headers]) {
      const create = await call('POST', '/api/dataset-exports', { headers }, { language: languageId, format: 'cv', seed: 1 })
      expect([401, 403]).toContain(create.status)
      const { response } = await download(id, headers)
      expect([401, 403]).toContain(response.status)
      const cancel = await call('POST', `/api/export/exports/${id}/cancel`, { headers })
      expect([401, 403]).toContain(cancel.status)
      const list = await json(await call('GET', '/api/dataset-exports', { headers }))
      expect(list.docs ?? []).toHaveLength(0)
    }
    const { response } = await download(id, exporter.headers)
    expect(response.status).toBe(200)
  })
})

describe('exports on the real runtime', () => {
  const archives: Record<string, { id: number; bytes: Buffer; root: string }> = {}

  test.each(['cv', 'hf', 'kaldi', 'nemo'])('%s: built by the jobs, downloadable, checksummed, private', async (format) => {
    const id = await createExport(admin, { format, include: format === 'cv' ? 'all' : 'accepted' })
    const done = await finished(id)
    expect(done).toMatchObject({ status: 'done', phase: 'done', clipsDone: done.clipsTotal })
    expect(done.summary.speakers).toBe(3)
    const { response, bytes } = await download(id, admin.headers)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="shrutik-.*\.tar\.gz"$/)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.sha256)
    const root = unpack(bytes, format)
    verifySums(root)
    expectNoIdentities(root)
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('Removed because consent was withdrawn: 0')
    archives[format] = { id, bytes, root }
  })

  test('cv: exact headers, accepted clips validated, the rejected one invalidated, audio is FLAC 16 kHz mono, demographics k-suppressed', () => {
    const { root } = archives.cv
    for (const file of ['validated.tsv', 'invalidated.tsv', 'other.tsv', 'train.tsv', 'dev.tsv', 'test.tsv']) {
      expect(fs.readFileSync(path.join(root, file), 'utf8').split('\n')[0]).toBe(CV_CLIP_COLUMNS.join('\t'))
    }
    const rows = (file: string) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').slice(1, -1).map((line) => line.split('\t'))
    expect(rows('validated.tsv')).toHaveLength(8)
    expect(rows('invalidated.tsv')).toHaveLength(1)
    expect(rows('validated.tsv').map((row) => row[3])).toContain('সে বলল, "চলো যাই"।')
    // Fewer than five speakers share any value: every demographic cell is blank, and the datasheet says how many values went.
    for (const row of rows('validated.tsv')) expect(row.slice(7, 11)).toEqual(['', '', '', ''])
    const datasheet = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    expect(datasheet).toContain('(2 value(s) suppressed)')
    expect(datasheet).not.toMatch(/\| twenties \||\| female \|/)
    const clip = path.join(root, 'clips', rows('validated.tsv')[0][1])
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'csv=p=0', clip], { encoding: 'utf8' })
    expect(probe.stdout.trim()).toBe('flac,16000,1')
    const splitClips = ['train.tsv', 'dev.tsv', 'test.tsv'].flatMap((file) => rows(file).map((row) => row[0]))
    expect(splitClips.length).toBeGreaterThan(0)
    // reported.tsv: the two reports (not the plain skip), with the same sentence id the clip files use.
    expect(fs.readFileSync(path.join(root, 'reported.tsv'), 'utf8').split('\n')[0]).toBe('sentence_id\tsentence\tlocale\treason')
    const reported = rows('reported.tsv')
    expect(reported.map((row) => row.slice(1))).toEqual([
      [SENTENCES[2], languageCode, 'grammar-spelling'],
      [SENTENCES[2], languageCode, 'offensive'],
    ])
    const idOfText = new Map(rows('validated.tsv').map((row) => [row[3], row[2]]))
    expect(reported.every((row) => row[0] === idOfText.get(SENTENCES[2]))).toBe(true)
  })

  test('kaldi: every split dir is sorted and consistent (validate_data_dir.sh --no-feats checks)', () => {
    const { root } = archives.kaldi
    const splits = ['train', 'dev', 'test'].filter((split) => fs.existsSync(path.join(root, split)))
    expect(splits).toContain('train')
    for (const split of splits) {
      const files = Object.fromEntries(fs.readdirSync(path.join(root, split)).map((name) => [name, fs.readFileSync(path.join(root, split, name), 'utf8')]))
      expect(validateKaldiDir(files)).toEqual([])
      for (const line of files['wav.scp'].split('\n').filter(Boolean)) expect(fs.existsSync(path.join(root, line.split(' ')[1]))).toBe(true)
    }
  })

  test('hf and nemo: metadata and manifests point at files that exist', () => {
    const hf = archives.hf.root
    for (const split of ['train', 'validation', 'test']) {
      const lines = fs.readFileSync(path.join(hf, split, 'metadata.csv'), 'utf8').split('\n').filter(Boolean)
      expect(lines[0].startsWith('file_name,transcription,speaker_id,duration')).toBe(true)
      for (const line of lines.slice(1)) expect(fs.existsSync(path.join(hf, split, line.split(',')[0]))).toBe(true)
    }
    const nemo = archives.nemo.root
    for (const split of ['train', 'dev', 'test']) {
      for (const line of fs.readFileSync(path.join(nemo, `${split}_manifest.json`), 'utf8').split('\n').filter(Boolean)) {
        expect(fs.existsSync(path.join(nemo, JSON.parse(line).audio_filepath))).toBe(true)
      }
    }
  })

  test('the same export again gives a byte-identical archive; a range download is a 206 slice; downloads are recorded', async () => {
    const again = await createExport(admin, { format: 'kaldi' })
    const done = await finished(again)
    const first = (await host.payload.findByID({ collection: 'dataset-exports', id: archives.kaldi.id })) as Record<string, any>
    expect(done.sha256).toBe(first.sha256)
    const { response, bytes } = await download(again, { ...admin.headers, Range: 'bytes=10-99' })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe(`bytes 10-99/${archives.kaldi.bytes.length}`)
    expect(bytes.equals(archives.kaldi.bytes.subarray(10, 100))).toBe(true)
    expect((await download(again, { ...admin.headers, Range: 'bytes=999999999-' })).response.status).toBe(416)
    const records = await host.payload.find({ collection: 'dataset-export-downloads', where: { export: { equals: again } }, depth: 0 })
    expect(records.docs.map((doc) => (doc as Record<string, any>).range)).toContain('bytes=10-99')
    expect(records.docs.every((doc) => (doc as Record<string, any>).user === admin.id)).toBe(true)
  })

  test('ljspeech refuses several speakers with a clear message; one chosen speaker exports WAV 22,050 Hz', async () => {
    const refused = await finished(await createExport(admin, { format: 'ljspeech' }))
    expect(refused.status).toBe('failed')
    expect(refused.error).toMatch(/LJSpeech holds one voice, but this selection has 3 speakers/)
    const speaker = refused.error.match(/speaker ids: ([0-9a-f]{16})/)[1]
    const done = await finished(await createExport(admin, { format: 'ljspeech', speaker }))
    expect(done.status).toBe('done')
    const root = unpack((await download(done.id, admin.headers)).bytes, 'lj')
    const [first] = fs.readFileSync(path.join(root, 'metadata.csv'), 'utf8').split('\n')
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate', '-of', 'csv=p=0', path.join(root, 'wavs', `${first.split('|')[0]}.wav`)], { encoding: 'utf8' })
    expect(probe.stdout.trim()).toBe('pcm_s16le,22050')
  })

  test('deleting an export removes its files; a cancelled export is never downloadable', async () => {
    const id = await createExport(admin, { format: 'nemo', seed: 9 })
    const cancel = await call('POST', `/api/export/exports/${id}/cancel`, { headers: admin.headers })
    expect([200, 409]).toContain(cancel.status)
    const doc = await finished(id)
    if (cancel.status === 200) {
      expect(doc.status).toBe('cancelled')
      expect((await download(id, admin.headers)).response.status).toBe(409)
    }
    const kept = archives.nemo.id
    const dir = path.join(exportSettings(host.payload).exportsDir, String(kept))
    expect(fs.existsSync(dir)).toBe(true)
    const response = await call('DELETE', `/api/dataset-exports/${kept}`, { headers: admin.headers })
    expect(response.status).toBe(200)
    expect(fs.existsSync(dir)).toBe(false)
  })
})

describe('selection, salts and schedules', () => {
  test('the withdrawal hook is the one place consent withdrawal reaches: its recordings are left out and counted', async () => {
    const settings = exportSettings(host.payload)
    const all = await selectClips(host.payload, settings, { language: languageCode, format: 'cv' })
    expect(all.clips).toHaveLength(8)
    expect(all.withdrawn).toBe(0)
    const withdrawnRecording = all.clips[0].recordingId
    const asked: number[][] = []
    const without = await selectClips(
      host.payload,
      {
        ...settings,
        withdrawnRecordings: async (ids) => {
          asked.push(ids)
          return [withdrawnRecording]
        },
      },
      { language: languageCode, format: 'cv' },
    )
    expect(without.clips.map((clip) => clip.recordingId)).not.toContain(withdrawnRecording)
    expect(without.clips).toHaveLength(7)
    expect(without.withdrawn).toBe(1)
    expect(asked.flat()).toContain(withdrawnRecording)
    // Filters: confidence, duration, domain.
    expect((await selectClips(host.payload, settings, { language: languageCode, format: 'cv', domains: ['poetry'] })).clips).toHaveLength(0)
    expect((await selectClips(host.payload, settings, { language: languageCode, format: 'cv', maxDurationMs: 10 })).clips).toHaveLength(0)
    expect((await selectClips(host.payload, settings, { language: languageCode, format: 'cv', include: 'all' })).clips).toHaveLength(9)
  })

  test('fresh speaker ids: a rotated export shares no speaker id with the instance salt, and its re-run keeps its own', async () => {
    const plain = await finished(await createExport(admin, { format: 'hf', seed: 3 }))
    const rotated = await finished(await createExport(admin, { format: 'hf', seed: 3, rotateSalt: true }))
    const idsOf = (doc: Record<string, any>, bytes: Buffer) => {
      const root = unpack(bytes, `salt-${doc.id}`)
      return new Set(
        ['train', 'validation', 'test'].flatMap((split) =>
          fs.readFileSync(path.join(root, split, 'metadata.csv'), 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split(',').at(-6)!),
        ),
      )
    }
    const plainIds = idsOf(plain, (await download(plain.id, admin.headers)).bytes)
    const rotatedIds = idsOf(rotated, (await download(rotated.id, admin.headers)).bytes)
    expect(plainIds.size).toBe(3)
    expect(rotatedIds.size).toBe(3)
    expect([...rotatedIds].filter((id) => plainIds.has(id))).toEqual([])
    // The salt is never readable, not even by an admin.
    const api = await json(await call('GET', `/api/dataset-exports/${rotated.id}`, { headers: admin.headers }))
    expect(api.salt).toBeUndefined()
    expect(api.runId).toBeUndefined()
  })

  test('a daily template makes one new export when due, then waits a day', async () => {
    const templateId = await createExport(admin, { format: 'nemo', schedule: 'daily' })
    const template = (await host.payload.findByID({ collection: 'dataset-exports', id: templateId, depth: 0 })) as Record<string, any>
    expect(template.status).toBe('queued')
    expect(template.nextRunAt).toBeTruthy()
    expect(await runDueSchedules(host.payload)).toBe(1)
    expect(await runDueSchedules(host.payload)).toBe(0)
    const copies = await host.payload.find({ collection: 'dataset-exports', where: { scheduledFrom: { equals: templateId } }, depth: 0 })
    expect(copies.docs).toHaveLength(1)
    expect((await finished(copies.docs[0].id as number)).status).toBe('done')
    const after = (await host.payload.findByID({ collection: 'dataset-exports', id: templateId, depth: 0 })) as Record<string, any>
    expect(new Date(after.nextRunAt).getTime() - Date.now()).toBeGreaterThan(23 * 60 * 60_000)
    expect(after.status).toBe('queued')
  })
})

describe('failures', () => {
  test('an export job failing on its last attempt marks the export failed with the reason; earlier attempts leave it running', async () => {
    const id = await createExport(admin, { format: 'nemo', schedule: 'weekly' })
    const runId = randomUUID()
    // A template turned into a running export whose work folder is missing (system write).
    await host.payload.update({ collection: 'dataset-exports', id, data: { schedule: 'none', status: 'running', runId, shardsTotal: 0, doneShards: [] } as never })
    const finalize = getRegisteredJobs(host.payload.config).find((job) => job.name === 'export.finalize-dataset')!
    await expect(runJobHandler(finalize, { payload: host.payload, data: { exportId: id, runId }, attempt: 1 })).rejects.toThrow()
    expect(((await host.payload.findByID({ collection: 'dataset-exports', id, depth: 0 })) as Record<string, any>).status).toBe('running')
    await expect(runJobHandler(finalize, { payload: host.payload, data: { exportId: id, runId }, attempt: 4 })).rejects.toThrow()
    const failed = (await host.payload.findByID({ collection: 'dataset-exports', id, depth: 0 })) as Record<string, any>
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(/^The export failed after 4 attempts: /)
  })
})

describe('long recordings', () => {
  test('segments cut from a long recording, transcribed by three people, are exported cut from the archival copy with their agreed text', async () => {
    const longLanguageId = await createLanguage()
    const code = ((await host.payload.findByID({ collection: 'languages', id: longLanguageId })) as Record<string, any>).code
    // As the audio plugin's own test: pauses between stretches long enough to make segments of their own.
    const layout: { seconds: number; pause?: boolean }[] = []
    for (let index = 0; index < 3; index++) layout.push({ seconds: 7 }, { seconds: 0.8, pause: true })
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(wav(speechLike(layout, { seed: 77 })))], { type: 'audio/wav' }), 'passage.wav')
    form.append('_payload', JSON.stringify({ language: longLanguageId, mode: 'long', scriptText: 'একটি লম্বা অনুচ্ছেদ।', consentVersion: '2026-11' }))
    const response = await host.fetch('/api/recordings', { method: 'POST', headers: speakers[0].headers, body: form })
    expect(response.status).toBe(201)
    const recordingId = (await json(response)).doc.id as number
    await eventually(
      () => host.payload.findByID({ collection: 'recordings', id: recordingId, depth: 0 }) as Promise<Record<string, any>>,
      (doc) => ['ready', 'rejected', 'failed'].includes(doc.audio?.status),
      60_000,
    )
    const segments = (await host.payload.find({ collection: 'segments', where: { recording: { equals: recordingId } }, sort: 'index', depth: 0 })).docs as Record<string, any>[]
    expect(segments.length).toBeGreaterThanOrEqual(2)
    const textOf = (index: number) => `অনুচ্ছেদের অংশ ${index + 1}`
    for (const [index, segment] of segments.entries()) {
      for (const transcriber of [speakers[1], voters[0], voters[1]]) {
        expect((await transcribe(transcriber, segment.id, longLanguageId, textOf(index))).status).toBe(201)
      }
    }
    for (const segment of segments) await eventually(() => status(segment.id), (value) => value === 'accepted', 30_000)
    const id = (await json(await call('POST', '/api/dataset-exports', { headers: admin.headers }, { language: longLanguageId, format: 'cv', seed: 5 }))).doc.id as number
    const done = await finished(id)
    expect(done.status).toBe('done')
    expect(done.summary).toMatchObject({ clips: segments.length, speakers: 1 })
    const root = unpack((await download(id, admin.headers)).bytes, 'long')
    verifySums(root)
    const lines = fs.readFileSync(path.join(root, 'validated.tsv'), 'utf8').split('\n').slice(1, -1).map((line) => line.split('\t'))
    expect(lines).toHaveLength(segments.length)
    expect(lines.map((line) => line[3]).sort()).toEqual(segments.map((_, index) => textOf(index)).sort())
    const durations = new Map(fs.readFileSync(path.join(root, 'clip_durations.tsv'), 'utf8').split('\n').slice(1, -1).map((line) => line.split('\t') as [string, string]))
    for (const line of lines) {
      const segmentId = Number(line[1].split('-')[1].split('.')[0])
      const segment = segments.find((candidate) => candidate.id === segmentId)!
      expect(line[11]).toBe(code)
      expect(Number(durations.get(line[1]))).toBe(segment.durationMs)
      // Cut sample-accurately from the archival FLAC: the clip lasts what the segment says.
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels:format=duration', '-of', 'json', path.join(root, 'clips', line[1])], { encoding: 'utf8' })
      const facts = JSON.parse(probe.stdout)
      expect(facts.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '16000', channels: 1 })
      expect(Math.abs(Number(facts.format.duration) * 1000 - segment.durationMs)).toBeLessThan(30)
    }
  }, 180_000)
})

describe('deleting a language that has exports', () => {
  test('the language goes; its exports stay, with the language code they were made for', async () => {
    const doomedId = await createLanguage()
    const code = ((await host.payload.findByID({ collection: 'languages', id: doomedId })) as Record<string, any>).code
    const id = (await json(await call('POST', '/api/dataset-exports', { headers: admin.headers }, { language: doomedId, format: 'cv', seed: 1 }))).doc.id as number
    const failed = await finished(id)
    expect(failed.status).toBe('failed')
    expect(failed.languageCode).toBe(code)
    expect((await call('DELETE', `/api/languages/${doomedId}`, { headers: admin.headers })).status).toBe(200)
    const kept = (await host.payload.findByID({ collection: 'dataset-exports', id, depth: 0 })) as Record<string, any>
    expect(kept.language ?? null).toBeNull()
    expect(kept.languageCode).toBe(code)
    // The admin can still open and edit it; a new export still needs a language.
    expect((await call('GET', `/api/dataset-exports/${id}`, { headers: admin.headers })).status).toBe(200)
    expect((await call('PATCH', `/api/dataset-exports/${id}`, { headers: admin.headers }, { seed: 2 })).status).toBe(200)
    const missing = await call('POST', '/api/dataset-exports', { headers: admin.headers }, { format: 'cv', seed: 1 })
    expect(missing.status).toBe(400)
    expect(JSON.stringify(await json(missing))).toMatch(/Choose a language/)
  })
})

describe('the plan in PostgreSQL', () => {
  test('splits, held-out sentences, rare demographics and order equal the in-memory rules on random data', async () => {
    const { assignPlanSplits, deletePlan, insertPlanRows, rareDemographics, scanPlan, writeAudioPaths } = await import('../src/planStore')
    const { bucketOf, clipName, findRareDemographics, planRows, seededRank, sentenceHashOf, speakerIdOf } = await import('../src/core')
    const { clip, random } = await import('./fixtures')
    const ages = ['teens', 'twenties', 'thirties', 'forties', '']
    for (const caseSeed of [1, 2, 3, 4]) {
      const next = random(caseSeed)
      const speakerCount = 5 + Math.floor(next() * 40)
      const clips = Array.from({ length: 150 + Math.floor(next() * 250) }, (_, index) => {
        const speaker = Math.floor(next() * speakerCount)
        const statuses = ['accepted', 'accepted', 'accepted', 'rejected', 'pending'] as const
        return clip(index + 1, `u:${speaker}`, `বাক্য ${Math.floor(next() * 60)}`, {
          status: statuses[Math.floor(next() * statuses.length)],
          demographics: { age: ages[speaker % ages.length], gender: speaker % 7 === 0 ? 'male' : 'female', accents: '', variant: '' },
        })
      })
      const salt = `salt-${caseSeed}`
      const seed = caseSeed * 11
      const sentenceDisjoint = caseSeed !== 4
      const pure = planRows(clips, { salt, split: { seed, sentenceDisjoint }, extensionOf: () => 'flac' })
      const runId = randomUUID()
      await insertPlanRows(
        host.payload,
        runId,
        null,
        clips.map((each) => {
          const speakerId = speakerIdOf(salt, each.speakerKey)
          const name = clipName(speakerId, each.id)
          const bucket = bucketOf(each.status)
          return { name, speakerRank: seededRank(seed, each.speakerKey), speakerId, sentenceHash: sentenceHashOf(each.text), bucket, row: { ...each, speakerKey: '', speakerId, name, bucket, sentenceHash: sentenceHashOf(each.text), split: null, extension: 'flac' } }
        }),
      )
      try {
        const { heldOut } = await assignPlanSplits(host.payload, runId, { seed, sentenceDisjoint })
        expect(heldOut).toBe(pure.heldOut)
        const stored: { id: number; name: string; split: string | null }[] = []
        for await (const row of scanPlan(host.payload, runId)) stored.push({ id: row.id, name: row.name, split: row.split })
        expect(stored.map((row) => [row.name, row.split])).toEqual(pure.rows.map((row) => [row.name, row.split]))
        await writeAudioPaths(host.payload, stored.map((row, index) => ({ id: row.id, path: `clips/${row.name}.flac`, shard: Math.floor(index / 1000) })))
        const blanked = await rareDemographics(host.payload, runId, 5)
        const expected = findRareDemographics(pure.rows, 5).blanked
        for (const column of ['age', 'gender', 'accents', 'variant'] as const) expect(blanked[column]).toEqual([...expected[column]].sort())
      } finally {
        await deletePlan(host.payload, { runId })
      }
    }
  })
})

describe('shrutik export (CLI)', () => {
  test('usage errors exit 64, nothing to export 65, unwritable output 73', async () => {
    expect((await cli(['--language', languageCode, '--format', 'nope', '--out', path.join(work, 'x')])).status).toBe(64)
    expect((await cli(['--format', 'cv', '--out', path.join(work, 'x')])).status).toBe(64)
    expect((await cli(['--language', languageCode, '--format', 'cv', '--out', path.join(work, 'x'), '--min-confidence', '2'])).status).toBe(64)
    const emptyLanguage = ((await host.payload.findByID({ collection: 'languages', id: await createLanguage() })) as Record<string, any>).code
    for (const language of [emptyLanguage, 'qzz']) {
      const empty = await cli(['--language', language, '--format', 'cv', '--out', path.join(work, 'empty.tar')])
      expect(empty.status).toBe(65)
      expect(empty.stderr).toMatch(/No dataset was written/)
      expect(fs.existsSync(path.join(work, 'empty.tar'))).toBe(false)
    }
    for (const target of ['/proc/shrutik-export.tar', path.join(work, 'no-such-folder', 'x.tar'), '/etc/hostname/x.tar']) {
      const unwritable = await cli(['--language', languageCode, '--format', 'cv', '--out', target])
      expect(unwritable.status).toBe(73)
      expect(unwritable.stderr).toMatch(/cannot write/)
    }
  }, 180_000)

  test('an archive twice is byte-identical and its summary is one JSON line; a folder gets SHA256SUMS', async () => {
    const outs = ['one', 'two'].map((name) => {
      fs.mkdirSync(path.join(work, name))
      return path.join(work, name, 'bn-kaldi.tar.gz')
    })
    const a = await cli(['--language', languageCode, '--format', 'kaldi', '--out', outs[0], '--seed', '42', '--audio', 'flac'])
    const b = await cli(['--language', languageCode, '--format', 'kaldi', '--out', outs[1], '--seed', '42', '--audio', 'flac'])
    expect(a.status).toBe(0)
    expect(a.stdout.trim().split('\n')).toHaveLength(1)
    const summary = JSON.parse(a.stdout)
    expect(summary).toMatchObject({ clips: 8, speakers: 3 })
    expect(Object.keys(summary.splits)).toEqual(['train', 'dev', 'test'])
    expect(createHash('sha256').update(fs.readFileSync(outs[0])).digest('hex')).toBe(summary.sha256)
    expect(fs.readFileSync(outs[0]).equals(fs.readFileSync(outs[1]))).toBe(true)
    expect(JSON.parse(b.stdout).sha256).toBe(summary.sha256)
    expect(a.stderr).toMatch(/export: encoding/)
    // A path that exists is never overwritten.
    expect((await cli(['--language', languageCode, '--format', 'kaldi', '--out', outs[0]])).status).toBe(73)
    const folder = await cli(['--language', languageCode, '--format', 'hf', '--out', path.join(work, 'hf-folder'), '--seed', '42'])
    expect(folder.status).toBe(0)
    verifySums(path.join(work, 'hf-folder'))
    expectNoIdentities(path.join(work, 'hf-folder'))
  }, 180_000)
})
