import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { inflateRawSync } from 'node:zlib'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getFileStore, type FileStore } from '@shrutik/plugin-sdk'
import pg from 'pg'
import sharp from 'sharp'
import tar from 'tar-stream'

import type { JobRuntime } from '../src/jobs/runtime'
import { mediaDir } from '../src/lib/env'
import { buildTakeout } from '../src/contribution/takeout'
import { createS3FileStore } from '../src/storage'
import { sineWav } from './helpers/audio'
import { root } from './helpers/cliServer'
import { startTestS3, type TestS3 } from './helpers/s3'
import { type AnonymousContributor, createUser, json, mintAnonymous, startTestServer, startWorker, type TestServer, type TestUser } from './helpers/server'
import { call, createLanguage, createSentence, eventually } from './helpers/fixtures'
import { hasPlugin, testWith } from './helpers/plugins'

/**
 * Media on S3, end to end, against a real S3-compatible server on loopback: an upload through the
 * REST API lands in the bucket (not on disk), the worker processes it from there and stores its
 * segments and waveform there, segment audio and the upload are served from it with byte ranges,
 * an export carries the audio, a backup holds every object (size and SHA-256) and a restore puts
 * them back into another prefix, byte for byte; deleting the recording removes its objects.
 */

const BIN = path.join(root, 'bin/shrutik.mjs')
const PREFIX = `instance-${randomBytes(3).toString('hex')}`
let s3: TestS3
let server: TestServer
let worker: JobRuntime
let store: FileStore
let adminClient: pg.Client
let admin: TestUser
let person: AnonymousContributor
let languageId: number
let recordingId: number
let filename: string
let segmentId: number
let work: string
const saved: Record<string, string | undefined> = {}

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', ...env } as NodeJS.ProcessEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      stderr += `\n[killed after 150 s: ${args.join(' ')}]`
      child.kill('SIGKILL')
    }, 150_000)
    child.on('exit', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })

const databaseUrl = (name: string): string => {
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${name}`
  return url.toString()
}

/** Every object under a prefix of the test bucket: key (without the prefix) → SHA-256. */
const objects = async (prefix: string): Promise<Record<string, string>> => {
  const bucket = createS3FileStore(
    { bucket: s3.bucket, prefix, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    { scratchRoot: path.join(work, 'scratch') },
  )
  const out: Record<string, string> = {}
  for await (const object of bucket.list('')) {
    const hash = createHash('sha256')
    for await (const chunk of await bucket.get(object.key)) hash.update(chunk as Buffer)
    out[object.key] = hash.digest('hex')
  }
  return out
}

/** Every entry of a zip, read through its central directory. */
const zipEntries = (zip: Buffer): Record<string, Buffer> => {
  const end = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'))
  const count = zip.readUInt16LE(end + 10)
  const out: Record<string, Buffer> = {}
  for (let at = zip.readUInt32LE(end + 16), index = 0; index < count; index++) {
    const method = zip.readUInt16LE(at + 10)
    const compressed = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString()
    const local = zip.readUInt32LE(at + 42)
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(start, start + compressed)
    out[name] = method === 8 ? inflateRawSync(data) : data
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return out
}

const read = async (key: string): Promise<Buffer> => {
  const chunks: Buffer[] = []
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(process.env.SHRUTIK_TEST_ROOT ?? root, 's3-media-'))
  s3 = await startTestS3()
  for (const [name, value] of Object.entries(s3.env(PREFIX))) {
    saved[name] = process.env[name]
    process.env[name] = value
  }
  server = await startTestServer()
  worker = await startWorker(server)
  store = getFileStore()
  adminClient = new pg.Client({ connectionString: databaseUrl('postgres') })
  await adminClient.connect()
  admin = await createUser(server, 'admin', 's3-admin')
  person = await mintAnonymous(server)
  languageId = await createLanguage(server)
}, 120_000)

afterAll(async () => {
  await adminClient?.end()
  await worker?.stop(1000)
  await server?.close()
  await s3?.close()
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe('media on S3', () => {
  test('the host hands plugins the S3 store', () => {
    expect(store.kind).toBe('s3')
    expect(store.location).toBe(`s3://${s3.bucket}/${PREFIX}`)
  })

  test('an upload through the REST API is stored in the bucket, not on disk', async () => {
    const sentence = await createSentence(server, languageId)
    const form = new FormData()
    const audio = sineWav(2)
    form.append('file', new Blob([audio], { type: 'audio/wav' }), 'take.wav')
    form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence }))
    const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: person.headers, body: form })
    const body = await json(response)
    expect({ status: response.status, body: response.status === 201 ? undefined : body }).toEqual({ status: 201, body: undefined })
    recordingId = body.doc.id
    filename = body.doc.filename
    expect(filename).toMatch(/^[0-9a-f-]{36}\.wav$/)
    expect((await read(`recordings/${filename}`)).equals(Buffer.from(audio))).toBe(true)
    expect(fs.existsSync(path.join(mediaDir(), 'recordings', filename))).toBe(false)
  }, 60_000)

  testWith(['audio-processing'], 'the worker processes it from the bucket and stores segments and waveform there', async () => {
    const doc = await eventually(
      () => server.payload.findByID({ collection: 'recordings', id: recordingId, depth: 0 }) as Promise<Record<string, any>>,
      (value) => ['ready', 'rejected', 'failed'].includes(value.audio?.status),
      60_000,
    )
    expect(doc.audio.status).toBe('ready')
    const segments = await server.payload.find({ collection: 'segments', where: { recording: { equals: recordingId } }, depth: 0 })
    expect(segments.docs).toHaveLength(1)
    segmentId = Number(segments.docs[0].id)
    const keys = Object.keys(await objects(PREFIX)).filter((key) => key.startsWith(`processed/${recordingId}/`))
    expect(keys.sort()).toEqual(
      [doc.audio.files.archive, doc.audio.files.playback, doc.audio.files.waveform, segments.docs[0].file].map((file: string) => `processed/${file}`).filter((key, index, all) => all.indexOf(key) === index).sort(),
    )
    expect((await read(`processed/${doc.audio.files.waveform}`)).subarray(1, 4).toString()).toBe('PNG')
    expect((await read(`processed/${doc.audio.files.archive}`)).subarray(0, 4).toString()).toBe('fLaC')
    // Nothing of this run was written to the local media folder (another suite's recording of the same id may have been).
    for (const file of [doc.audio.files.archive, doc.audio.files.playback, doc.audio.files.waveform, segments.docs[0].file] as string[]) {
      expect(fs.existsSync(path.join(mediaDir(), 'processed', file))).toBe(false)
      expect(fs.existsSync(path.join(mediaDir(), 'processed', path.dirname(file)))).toBe(false)
    }
  }, 90_000)

  // Segment audio is served by the consensus plugin's endpoint.
  testWith(['audio-processing', 'consensus'], 'segment audio is served from the bucket, whole and by byte range, with safe headers', async () => {
    const segment = (await server.payload.findByID({ collection: 'segments', id: segmentId, depth: 0 })) as Record<string, any>
    const stored = await read(`processed/${segment.file}`)
    const whole = await call(server, 'GET', `/api/consensus/segments/${segmentId}/audio`, person)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('x-content-type-options')).toBe('nosniff')
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await whole.arrayBuffer()).equals(stored)).toBe(true)
    const part = await fetch(`${server.url}/api/consensus/segments/${segmentId}/audio`, { headers: { ...person.headers, Range: 'bytes=0-0' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 0-0/${stored.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(stored.subarray(0, 1))).toBe(true)
    const tail = await fetch(`${server.url}/api/consensus/segments/${segmentId}/audio`, { headers: { ...person.headers, Range: 'bytes=-100' } })
    expect(tail.status).toBe(206)
    expect(Buffer.from(await tail.arrayBuffer()).equals(stored.subarray(stored.length - 100))).toBe(true)
    const past = await fetch(`${server.url}/api/consensus/segments/${segmentId}/audio`, { headers: { ...person.headers, Range: `bytes=${stored.length}-` } })
    expect(past.status).toBe(416)
  }, 60_000)

  test('the upload is served from the bucket by byte range, with safe headers', async () => {
    const upload = await read(`recordings/${filename}`)
    const file = await fetch(`${server.url}/api/recordings/file/${filename}`, { headers: { ...admin.headers, Range: 'bytes=44-1043' } })
    expect(file.status).toBe(206)
    expect(file.headers.get('content-disposition')).toBe('attachment')
    expect(file.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await file.arrayBuffer()).equals(upload.subarray(44, 1044))).toBe(true)
    // Not the contributor's to take anyone else's file: someone else gets nothing.
    const stranger = await mintAnonymous(server)
    expect((await fetch(`${server.url}/api/recordings/file/${filename}`, { headers: stranger.headers })).status).toBe(403)
    // A name that tries to climb out of the folder gets nothing.
    const climb = await fetch(`${server.url}/api/recordings/file/..%2F..%2Fpayload-secret`, { headers: admin.headers })
    expect([400, 403, 404]).toContain(climb.status)
    expect(await climb.text()).not.toContain(process.env.PAYLOAD_SECRET!)
  }, 60_000)

  testWith(['audio-processing', 'export'], 'an export carries the audio read from the bucket', async () => {
    const created = await call(server, 'POST', '/api/dataset-exports', { headers: admin.headers }, { language: languageId, format: 'cv', include: 'all', seed: 7 })
    expect(created.status).toBe(201)
    const id = (await json(created)).doc.id as number
    const done = await eventually(
      () => server.payload.findByID({ collection: 'dataset-exports', id, depth: 0 }) as Promise<Record<string, any>>,
      (doc) => ['done', 'failed', 'cancelled'].includes(doc.status),
      90_000,
    )
    expect({ status: done.status, error: done.error ?? null }).toEqual({ status: 'done', error: null })
    const download = await fetch(`${server.url}/api/export/exports/${id}/download`, { headers: admin.headers })
    expect(download.status).toBe(200)
    const dir = fs.mkdtempSync(path.join(work, 'export-'))
    fs.writeFileSync(path.join(dir, 'archive.tar.gz'), Buffer.from(await download.arrayBuffer()))
    expect(spawnSync('tar', ['-xzf', path.join(dir, 'archive.tar.gz'), '-C', dir]).status).toBe(0)
    const audio = spawnSync('find', [dir, '-type', 'f', '-regex', '.*\\.\\(mp3\\|opus\\|ogg\\|wav\\|flac\\)$']).stdout.toString().trim().split('\n').filter(Boolean)
    expect(audio).toHaveLength(1)
    expect(fs.statSync(audio[0]).size).toBeGreaterThan(1000)
  }, 120_000)

  describe('backup and restore', () => {
    let backupFile: string

    test('a backup holds every object of the bucket prefix with its size and SHA-256', async () => {
      backupFile = path.join(work, 'with-s3.tar')
      const backup = await cli(['backup', '--out', backupFile])
      expect({ status: backup.status, stderr: backup.status === 0 ? '' : backup.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' })
      const inBucket = await objects(PREFIX)
      // The upload, and with the audio plugin its processed files.
      expect(Object.keys(inBucket).length).toBeGreaterThanOrEqual(hasPlugin('audio-processing') ? 4 : 1)
      // Read back from the archive: the header says where media were, and every object is there, byte for byte.
      const extract = tar.extract()
      const reading = pipeline(fs.createReadStream(backupFile), extract)
      const entries: Record<string, string> = {}
      let header: Record<string, unknown> = {}
      let manifest: { files: { path: string; bytes: number; sha256: string }[] } = { files: [] }
      for await (const entry of extract) {
        const chunks: Buffer[] = []
        for await (const chunk of entry) chunks.push(chunk as Buffer)
        const content = Buffer.concat(chunks)
        if (entry.header.name === 'shrutik-backup.json') header = JSON.parse(content.toString())
        else if (entry.header.name === 'shrutik-manifest.json') manifest = JSON.parse(content.toString())
        else if (entry.header.name.startsWith('files/media/')) entries[entry.header.name.slice('files/media/'.length)] = createHash('sha256').update(content).digest('hex')
      }
      await reading
      expect(header).toMatchObject({ mediaStore: 's3', separateMedia: true })
      expect(entries).toEqual(inBucket)
      const listed = Object.fromEntries(manifest.files.filter((file) => file.path.startsWith('files/media/')).map((file) => [file.path.slice('files/media/'.length), file.sha256]))
      expect(listed).toEqual(inBucket)
    }, 180_000)

    test('a restore uploads them to the configured store, and refuses a prefix that already holds media', async () => {
      const restoredPrefix = `restored-${randomBytes(3).toString('hex')}`
      const name = `restore_${randomBytes(4).toString('hex')}`
      await adminClient.query(`CREATE DATABASE ${name}`)
      const restore = await cli(['restore', backupFile, '--data-dir', path.join(work, 'restored')], { DATABASE_URL: databaseUrl(name), S3_PREFIX: restoredPrefix })
      expect({ status: restore.status, stderr: restore.status === 0 ? '' : restore.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' })
      expect(await objects(restoredPrefix)).toEqual(await objects(PREFIX))
      // The restored rows point at the restored objects: same recording, same file.
      const client = new pg.Client({ connectionString: databaseUrl(name) })
      await client.connect()
      try {
        const row = await client.query('SELECT filename FROM recordings WHERE id = $1', [recordingId])
        expect(row.rows[0]?.filename).toBe(filename)
      } finally {
        await client.end()
      }

      const other = `restore_${randomBytes(4).toString('hex')}`
      await adminClient.query(`CREATE DATABASE ${other}`)
      const again = await cli(['restore', backupFile, '--data-dir', path.join(work, 'restored-again')], { DATABASE_URL: databaseUrl(other), S3_PREFIX: restoredPrefix })
      expect(again.status).toBe(73)
      expect(again.stderr).toMatch(/already holds media/)
    }, 300_000)
  })

  test('a take sent twice is stored once: the refused repeat leaves no object behind', async () => {
    const sentence = await createSentence(server, languageId)
    const uploadId = randomUUID()
    const send = () => {
      const form = new FormData()
      form.append('file', new Blob([sineWav(1)], { type: 'audio/wav' }), 'take.wav')
      form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence, uploadId }))
      return fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: person.headers, body: form })
    }
    expect((await send()).status).toBe(201)
    const before = Object.keys(await objects(PREFIX)).filter((key) => key.startsWith('recordings/'))
    expect((await send()).status).toBe(409)
    const after = Object.keys(await objects(PREFIX)).filter((key) => key.startsWith('recordings/'))
    expect(after).toEqual(before)
    const stored = await server.payload.find({ collection: 'recordings', where: { uploadId: { equals: uploadId } }, depth: 0 })
    expect(stored.totalDocs).toBe(1)
    // Processed first, if the audio plugin is there to process it.
    if (hasPlugin('audio-processing')) {
      await eventually(
        () => server.payload.findByID({ collection: 'recordings', id: stored.docs[0].id, depth: 0 }) as Promise<Record<string, any>>,
        (doc) => ['ready', 'rejected', 'failed'].includes(doc.audio?.status),
        60_000,
      )
    }
    await server.payload.delete({ collection: 'recordings', id: stored.docs[0].id }) // system clean-up
  }, 90_000)

  test('a contributor\'s takeout carries their recording, read from the bucket', async () => {
    const target = path.join(work, 'takeout.zip')
    await buildTakeout(server.payload, { clientIds: [person.clientId] }, target)
    const entries = zipEntries(fs.readFileSync(target))
    expect(Object.keys(entries)).toContain(`recordings/${recordingId}-${filename}`)
    expect(entries[`recordings/${recordingId}-${filename}`].equals(await read(`recordings/${filename}`))).toBe(true)
  }, 60_000)

  test('site images go to the bucket through Payload\'s S3 adapter and are served from it', async () => {
    const png = await sharp({ create: { width: 200, height: 120, channels: 3, background: '#3366cc' } }).png().toBuffer()
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'logo.png')
    form.append('_payload', JSON.stringify({ alt: 'Logo' }))
    const response = await fetch(`${server.url}/api/media`, { method: 'POST', headers: admin.headers, body: form })
    const body = await json(response)
    expect({ status: response.status, body: response.status === 201 ? undefined : body }).toEqual({ status: 201, body: undefined })
    const keys = Object.keys(await objects(PREFIX)).filter((key) => key.startsWith('site/'))
    expect(keys).toEqual(expect.arrayContaining([`site/${body.doc.filename}`, `site/${body.doc.sizes.logo.filename}`]))
    const url = new URL(body.doc.url)
    const served = await fetch(`${server.url}${url.pathname}${url.search}`)
    expect(served.status).toBe(200)
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true)
    await server.payload.delete({ collection: 'media', id: body.doc.id }) // system clean-up
    expect(Object.keys(await objects(PREFIX)).filter((key) => key.startsWith('site/'))).toEqual([])
  }, 60_000)

  test('media:copy-to-s3 copies a media folder into the bucket, and a second run copies nothing', async () => {
    const prefix = `copied-${randomBytes(3).toString('hex')}`
    const marker = path.join(mediaDir(), 'site', `copy-${randomBytes(3).toString('hex')}.png`)
    fs.mkdirSync(path.dirname(marker), { recursive: true })
    fs.writeFileSync(marker, randomBytes(5000))
    try {
      const first = await cli(['media:copy-to-s3'], { S3_PREFIX: prefix })
      expect({ status: first.status, stderr: first.status === 0 ? '' : first.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' })
      const summary = JSON.parse(first.stdout.trim().split('\n').pop()!)
      const copied = await objects(prefix)
      const key = `site/${path.basename(marker)}`
      expect(copied[key]).toBe(createHash('sha256').update(fs.readFileSync(marker)).digest('hex'))
      expect(summary).toMatchObject({ copied: Object.keys(copied).length, skipped: 0 })
      const second = await cli(['media:copy-to-s3'], { S3_PREFIX: prefix })
      expect(JSON.parse(second.stdout.trim().split('\n').pop()!)).toMatchObject({ copied: 0, skipped: Object.keys(copied).length, bytes: 0 })
      expect(fs.existsSync(marker)).toBe(true)
      // Without S3 settings there is nowhere to copy to: a usage error.
      const without = await cli(['media:copy-to-s3'], { S3_BUCKET: '', S3_ENDPOINT: '', S3_ACCESS_KEY_ID: '', S3_SECRET_ACCESS_KEY: '', S3_PREFIX: '', S3_REGION: '' })
      expect(without.status).toBe(64)
      expect(without.stderr).toMatch(/S3_BUCKET/)
    } finally {
      fs.rmSync(marker, { force: true })
    }
  }, 120_000)

  test('deleting the recording removes its upload and processed files from the bucket', async () => {
    await server.payload.delete({ collection: 'recordings', id: recordingId }) // system delete, as an admin's would be
    const left = Object.keys(await objects(PREFIX)).filter((key) => key === `recordings/${filename}` || key.startsWith(`processed/${recordingId}/`))
    expect(left).toEqual([])
  }, 60_000)

  test('no upload leaves its temp file behind (the S3 adapter reads it, nothing moves it)', () => {
    const tempDir = path.join(process.env.SHRUTIK_DATA_DIR!, 'tmp', 'uploads')
    expect(fs.existsSync(tempDir) ? fs.readdirSync(tempDir) : []).toEqual([])
  })
})
