import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { speechLike, wav } from '@shrutik/plugin-sdk/testing'
import { mintAnonymous, startTestServer, type TestServer } from './helpers/server'

/**
 * The disk fills up during an upload: the data folder is a real 2 MB tmpfs (mounting needs root,
 * as on CI). The upload is refused with 507 and a message; no row, no temp file, no stored file.
 */

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const mountPoint = path.join(process.env.SHRUTIK_TEST_ROOT ?? 'tests/.tmp', `small-disk-${process.pid}`)
const saved = { dataDir: process.env.SHRUTIK_DATA_DIR, mediaDir: process.env.MEDIA_DIR }
let mounted = false
let server: TestServer

/** Root in a sandbox that forbids mounting (no CAP_SYS_ADMIN) cannot make a small disk: said loudly, then skipped. */
const canMount = ((): boolean => {
  if (!isRoot) return false
  const probe = `${mountPoint}-probe`
  fs.mkdirSync(probe, { recursive: true })
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' })
  if (result.status === 0) spawnSync('umount', ['-l', probe])
  fs.rmSync(probe, { recursive: true, force: true })
  if (result.status !== 0) console.warn(`SKIPPED the disk-full test: this machine does not allow mounting a tmpfs (${result.stderr.trim()})`)
  return result.status === 0
})()
let languageId: number
let sentenceId: number

const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name) : []

beforeAll(async () => {
  if (!canMount) return
  fs.mkdirSync(mountPoint, { recursive: true })
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`could not mount a small tmpfs for the disk-full test: ${result.stderr}`)
  mounted = true
  process.env.SHRUTIK_DATA_DIR = mountPoint
  delete process.env.MEDIA_DIR
  server = await startTestServer()
  languageId = (await server.payload.create({ collection: 'languages', data: { code: 'dsk', name: 'Diskish', nativeName: 'Diskish' } })).id as number
  sentenceId = (await server.payload.create({ collection: 'sentences', data: { text: 'Is there room for me?', language: languageId, status: 'approved' } })).id as number
}, 60_000)

afterAll(async () => {
  await server?.close()
  process.env.SHRUTIK_DATA_DIR = saved.dataDir
  if (saved.mediaDir !== undefined) process.env.MEDIA_DIR = saved.mediaDir
  if (mounted) spawnSync('umount', ['-l', mountPoint])
})

const upload = async (audio: Buffer) => {
  const { headers } = await mintAnonymous(server)
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(audio)], { type: 'application/octet-stream' }), 'take.wav')
  form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence: sentenceId }))
  const response = await fetch(`${server.url}/api/recordings`, { method: 'POST', headers, body: form })
  const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
  return { status: response.status, message: body.errors?.[0]?.message ?? '' }
}

const recordingCount = async () => (await server.payload.count({ collection: 'recordings', where: { language: { equals: languageId } } })).totalDocs

;(canMount ? describe : describe.skip)('a full disk during an upload (needs root to mount a tmpfs)', () => {
  test('an upload larger than the free space: 507 with a message, no row, no temp file, no stored file', async () => {
    // About 3.2 MB of WAV on a 2 MB disk: the temp file cannot be written.
    const result = await upload(wav(speechLike([{ seconds: 100 }])))
    expect(result.status).toBe(507)
    expect(result.message).toMatch(/storage is full/i)
    expect(await recordingCount()).toBe(0)
    expect(filesUnder(path.join(mountPoint, 'tmp', 'uploads'))).toEqual([])
    expect(filesUnder(path.join(mountPoint, 'media', 'recordings'))).toEqual([])
  })

  test('the temp file fits but the stored copy does not: 507, no row, nothing left on disk', async () => {
    // About 1.1 MB: written once as the temp file, then once more where recordings are kept.
    const result = await upload(wav(speechLike([{ seconds: 35 }])))
    expect(result.status).toBe(507)
    expect(result.message).toMatch(/storage is full/i)
    expect(await recordingCount()).toBe(0)
    expect(filesUnder(path.join(mountPoint, 'tmp', 'uploads'))).toEqual([])
    expect(filesUnder(path.join(mountPoint, 'media', 'recordings'))).toEqual([])
  })

  test('once there is room again, a small upload is accepted', async () => {
    const result = await upload(wav(speechLike([{ seconds: 2 }])))
    expect(result.status).toBe(201)
    expect(await recordingCount()).toBe(1)
  })
})
