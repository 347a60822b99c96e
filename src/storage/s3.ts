import fs from 'node:fs'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { assertValidKey, assertValidPrefix, FileNotFoundError, type FileStore } from '@shrutik/plugin-sdk'

import type { S3Settings } from '../lib/env'

/**
 * The S3 client settings shared by the file store and Payload's storage adapter. Checksums only
 * where S3 requires them: newer SDKs otherwise send every upload in `aws-chunked` encoding with a
 * trailing CRC, which many S3-compatible servers (older MinIO, Ceph, s3rver) store verbatim or refuse.
 */
export const s3ClientConfig = (settings: S3Settings): S3ClientConfig => ({
  region: settings.region,
  endpoint: settings.endpoint,
  forcePathStyle: settings.forcePathStyle,
  credentials: settings.credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
})

const isNotFound = (error: unknown): boolean => {
  const failure = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } }
  return failure?.name === 'NoSuchKey' || failure?.name === 'NotFound' || failure?.Code === 'NoSuchKey' || failure?.$metadata?.httpStatusCode === 404
}

/** Counts the bytes going through. */
const counter = () => {
  let bytes = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      callback(null, chunk)
    },
  })
  return { stream, bytes: () => bytes }
}

/** Skips `skip` bytes, passes the next `take`, drops the rest. */
const slice = (skip: number, take: number): Transform => {
  let position = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const start = Math.max(0, skip - position)
      const end = Math.min(chunk.length, skip + take - position)
      position += chunk.length
      callback(null, end > start ? chunk.subarray(start, end) : undefined)
    },
  })
}

/**
 * Media in a bucket on S3-compatible storage: key `a/b/c` is the object `<prefix>/a/b/c`, the same
 * layout as the local folder, so `recordings/<file>` is where Payload's S3 adapter puts an upload.
 * Uploads are streamed (multipart above 8 MB); S3 makes every object appear whole or not at all.
 */
export const createS3FileStore = (settings: S3Settings, { scratchRoot, client }: { scratchRoot: string; client?: S3Client }): FileStore => {
  const s3 = client ?? new S3Client(s3ClientConfig(settings))
  const Bucket = settings.bucket
  const objectKey = (key: string): string => {
    assertValidKey(key)
    return settings.prefix ? `${settings.prefix}/${key}` : key
  }
  const objectPrefix = (prefix: string): string => {
    assertValidPrefix(prefix)
    return settings.prefix ? `${settings.prefix}/${prefix}` : prefix
  }
  const fromObjectKey = (name: string): string => (settings.prefix ? name.slice(settings.prefix.length + 1) : name)

  const scratchDir = async (): Promise<string> => {
    await fs.promises.mkdir(scratchRoot, { recursive: true })
    return fs.promises.mkdtemp(path.join(scratchRoot, 'work-'))
  }

  const list = async function* (prefix: string): AsyncIterable<{ key: string; bytes: number }> {
    let ContinuationToken: string | undefined
    const Prefix = objectPrefix(prefix)
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Prefix || undefined, ContinuationToken }))
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/')) continue
        yield { key: fromObjectKey(object.Key), bytes: Number(object.Size ?? 0) }
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (ContinuationToken)
  }

  const upload = async (key: string, Body: Readable, contentType?: string): Promise<number> => {
    const measured = counter()
    const body = Body.pipe(measured.stream)
    Body.on('error', (error) => body.destroy(error))
    await new Upload({ client: s3, params: { Bucket, Key: objectKey(key), Body: body, ContentType: contentType }, queueSize: 4, partSize: 8 * 1024 * 1024, leavePartsOnError: false }).done()
    return measured.bytes()
  }

  const store: FileStore = {
    kind: 's3',
    location: `s3://${Bucket}${settings.prefix ? `/${settings.prefix}` : ''}`,
    async put(key, source, options) {
      objectKey(key)
      if ('path' in source) {
        const bytes = await upload(key, fs.createReadStream(source.path), options?.contentType)
        if (source.move) await fs.promises.rm(source.path, { force: true })
        return { bytes }
      }
      return { bytes: await upload(key, source.stream, options?.contentType) }
    },
    async get(key, range) {
      try {
        const result = await s3.send(new GetObjectCommand({ Bucket, Key: objectKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }))
        const body = result.Body as Readable
        if (!range) return body
        // Some S3-compatible servers answer a range with more than was asked (the whole object,
        // or `0-0` read as "from 0 on"): exactly the asked bytes are handed on.
        const served = /^bytes (\d+)-(\d+)\/(\d+)/.exec(result.ContentRange ?? '')
        const from = served ? Number(served[1]) : 0
        const to = served ? Number(served[2]) : Number(result.ContentLength ?? 0) - 1
        const last = Math.min(range.end, served ? Number(served[3]) - 1 : to)
        if (from === range.start && to === last) return body
        if (from > range.start || to < last) {
          body.destroy()
          throw new Error(`${key}: the server answered bytes ${from}-${to} for the range ${range.start}-${range.end}.`)
        }
        const sliced = slice(range.start - from, last - range.start + 1)
        body.on('error', (error) => sliced.destroy(error))
        // A reader that stops early (a client gone) ends the download too.
        sliced.on('close', () => body.destroy())
        return body.pipe(sliced)
      } catch (error) {
        if (isNotFound(error)) throw new FileNotFoundError(key)
        throw error
      }
    },
    async stat(key) {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }))
        return { bytes: Number(head.ContentLength ?? 0) }
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }))
    },
    async deletePrefix(prefix) {
      objectKey(prefix)
      let removed = 0
      // One object at a time in a few lanes: DeleteObjects needs checksums not every S3-compatible server takes.
      const keys: string[] = []
      for await (const file of list(`${prefix}/`)) keys.push(file.key)
      const lanes = Array.from({ length: Math.min(8, keys.length) }, async () => {
        for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
          await store.delete(key)
          removed++
        }
      })
      await Promise.all(lanes)
      return removed
    },
    list,
    async localCopy(key) {
      const folder = await scratchDir()
      const file = path.join(folder, path.posix.basename(key))
      try {
        await pipeline(await store.get(key), fs.createWriteStream(file, { mode: 0o600 }))
      } catch (error) {
        await fs.promises.rm(folder, { recursive: true, force: true })
        throw error
      }
      return { path: file, release: () => fs.promises.rm(folder, { recursive: true, force: true }) }
    },
    scratchDir,
  }
  return store
}
