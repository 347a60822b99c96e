import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { FileNotFoundError, serveStoredFile, type FileStore } from '@shrutik/plugin-sdk'

import { createLocalFileStore, createS3FileStore } from '../src/storage'
import { sweepScratch } from '../src/storage/sweep'
import { startTestS3, type TestS3 } from './helpers/s3'

/**
 * One table of cases, run against both file stores: a folder on local disk and a bucket on a real
 * S3-compatible server on loopback. Whatever a plugin does through the contract must behave the same.
 */

const read = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
const all = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}
const sha = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex')

let s3: TestS3
let work: string
const stores: Record<'local' | 's3', () => FileStore> = {} as never

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(process.env.SHRUTIK_TEST_ROOT ?? os.tmpdir(), 'file-store-'))
  s3 = await startTestS3()
  const local = createLocalFileStore({ root: path.join(work, 'media'), scratchRoot: path.join(work, 'scratch-local') })
  const bucket = createS3FileStore(
    { bucket: s3.bucket, prefix: 'tenant/media', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    { scratchRoot: path.join(work, 'scratch-s3') },
  )
  stores.local = () => local
  stores.s3 = () => bucket
})

afterAll(async () => {
  await s3?.close()
  fs.rmSync(work, { recursive: true, force: true })
})

describe.each(['local', 's3'] as const)('the %s file store', (kind) => {
  const store = () => stores[kind]()
  // Bigger than one multipart part (8 MB) on S3, so streamed uploads are exercised too.
  const big = randomBytes(9 * 1024 * 1024 + 123)

  test('puts from a path (copied or moved) and from a stream, and reads back the same bytes', async () => {
    const source = path.join(work, `${kind}-source.bin`)
    fs.writeFileSync(source, Buffer.from('hello, file store'))
    expect(await store().put('recordings/a.wav', { path: source })).toEqual({ bytes: 17 })
    expect(fs.existsSync(source)).toBe(true)
    expect((await read(await store().get('recordings/a.wav'))).toString()).toBe('hello, file store')

    expect(await store().put('processed/1/run/archive.flac', { path: source, move: true })).toEqual({ bytes: 17 })
    expect(fs.existsSync(source)).toBe(false)

    expect(await store().put('processed/1/run/big.bin', { stream: Readable.from([big.subarray(0, 1000), big.subarray(1000)]) })).toEqual({ bytes: big.length })
    expect(sha(await read(await store().get('processed/1/run/big.bin')))).toBe(sha(big))
    expect(await store().stat('processed/1/run/big.bin')).toEqual({ bytes: big.length })
  }, 60_000)

  test('replacing a file replaces it whole', async () => {
    await store().put('site/logo.png', { stream: Readable.from([Buffer.from('first version, longer')]) })
    await store().put('site/logo.png', { stream: Readable.from([Buffer.from('second')]) })
    expect((await read(await store().get('site/logo.png'))).toString()).toBe('second')
  })

  test.each([
    ['a middle range', { start: 1000, end: 1999 }],
    ['the first byte', { start: 0, end: 0 }],
    ['the last bytes', { start: 9 * 1024 * 1024 + 100, end: 9 * 1024 * 1024 + 122 }],
  ])('reads %s', async (_name, range) => {
    const bytes = await read(await store().get('processed/1/run/big.bin', range))
    expect(bytes.equals(big.subarray(range.start, range.end + 1))).toBe(true)
  })

  test('an absent file is FileNotFoundError for get and localCopy, undefined for stat, and fine to delete', async () => {
    await expect(store().get('recordings/nothing.wav')).rejects.toBeInstanceOf(FileNotFoundError)
    await expect(store().localCopy('recordings/nothing.wav')).rejects.toBeInstanceOf(FileNotFoundError)
    expect(await store().stat('recordings/nothing.wav')).toBeUndefined()
    await expect(store().delete('recordings/nothing.wav')).resolves.toBeUndefined()
  })

  test('lists by prefix, sorted, with sizes; a partial name is a prefix too', async () => {
    const keys = (await all(store().list('processed/'))).map((file) => file.key)
    expect(keys).toEqual(['processed/1/run/archive.flac', 'processed/1/run/big.bin'])
    expect(await all(store().list('processed/1/run/arch'))).toEqual([{ key: 'processed/1/run/archive.flac', bytes: 17 }])
    expect((await all(store().list(''))).map((file) => file.key)).toEqual(['processed/1/run/archive.flac', 'processed/1/run/big.bin', 'recordings/a.wav', 'site/logo.png'])
    expect(await all(store().list('nothing/'))).toEqual([])
  })

  test('a local copy holds the bytes at a path; release removes a download but never the stored file', async () => {
    const copy = await store().localCopy('recordings/a.wav')
    expect(fs.readFileSync(copy.path, 'utf8')).toBe('hello, file store')
    await copy.release()
    expect((await store().stat('recordings/a.wav'))?.bytes).toBe(17)
    if (kind === 's3') expect(fs.existsSync(copy.path)).toBe(false)
  })

  test('serves a file whole, as a byte range, and refuses a range past its end', async () => {
    const whole = await serveStoredFile(store(), 'processed/1/run/big.bin', { contentType: 'application/octet-stream', headers: { 'X-Content-Type-Options': 'nosniff' } })
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-length')).toBe(String(big.length))
    expect(whole.headers.get('x-content-type-options')).toBe('nosniff')
    expect(sha(Buffer.from(await whole.arrayBuffer()))).toBe(sha(big))
    const part = await serveStoredFile(store(), 'processed/1/run/big.bin', { range: 'bytes=10-19', contentType: 'audio/ogg' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${big.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(big.subarray(10, 20))).toBe(true)
    const past = await serveStoredFile(store(), 'processed/1/run/big.bin', { range: `bytes=${big.length}-`, contentType: 'audio/ogg' })
    expect(past.status).toBe(416)
    expect((await serveStoredFile(store(), 'processed/none.ogg', { contentType: 'audio/ogg' })).status).toBe(404)
  }, 60_000)

  test.each(['../escape', '/etc/passwd', 'recordings/../../x', 'a//b', 'nul\u0000byte', 'back\\slash', './a', ''])('refuses the key %j', async (key) => {
    await expect(store().put(key, { stream: Readable.from([Buffer.from('x')]) })).rejects.toThrow(/not a valid stored file key/)
    await expect(store().get(key)).rejects.toThrow(/not a valid stored file key/)
    await expect(store().stat(key)).rejects.toThrow(/not a valid stored file key/)
    await expect(store().delete(key)).rejects.toThrow(/not a valid stored file key/)
  })

  test('deletes a file, and a folder of files by prefix', async () => {
    await store().delete('site/logo.png')
    expect(await store().stat('site/logo.png')).toBeUndefined()
    expect(await store().deletePrefix('processed/1')).toBe(2)
    expect(await all(store().list('processed/'))).toEqual([])
    expect((await all(store().list(''))).map((file) => file.key)).toEqual(['recordings/a.wav'])
  })
})

test('the local store keeps today\'s layout: key a/b is the file <media>/a/b, and never writes outside it', async () => {
  expect(fs.readFileSync(path.join(work, 'media', 'recordings', 'a.wav'), 'utf8')).toBe('hello, file store')
  expect(fs.readdirSync(work).filter((name) => name.startsWith('escape'))).toEqual([])
})

test('the S3 store keeps its objects under the prefix', async () => {
  expect(fs.existsSync(path.join(work, 'scratch-s3'))).toBe(true)
  const listed = await all(stores.s3().list(''))
  expect(listed.map((file) => file.key)).toEqual(['recordings/a.wav'])
  // The same object, seen without the store's prefix: it is `tenant/media/recordings/a.wav`.
  const { S3Client, HeadObjectCommand } = await import('@aws-sdk/client-s3')
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } })
  const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'tenant/media/recordings/a.wav' }))
  expect(head.ContentLength).toBe(17)
  client.destroy()
})

test('work folders a killed process left behind are swept; fresh ones and other files stay', async () => {
  const root = path.join(work, 'sweep')
  const scratch = createLocalFileStore({ root: path.join(work, 'media'), scratchRoot: root })
  const old = await scratch.scratchDir()
  const fresh = await scratch.scratchDir()
  fs.writeFileSync(path.join(old, 'archive.flac'), 'x')
  fs.writeFileSync(path.join(root, 'work-note.txt'), 'not a folder')
  const dayAgo = new Date(Date.now() - 25 * 60 * 60_000)
  fs.utimesSync(old, dayAgo, dayAgo)
  expect(await sweepScratch(root)).toBe(1)
  expect(fs.existsSync(old)).toBe(false)
  expect(fs.existsSync(fresh)).toBe(true)
  expect(fs.existsSync(path.join(root, 'work-note.txt'))).toBe(true)
  expect(await sweepScratch(path.join(work, 'no-such-folder'))).toBe(0)
})
