import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import tar from 'tar-stream'

/** Files up to this size are read whole (one syscall, no stream set-up); larger ones are streamed. */
const SMALL_FILE = 1024 * 1024

/** One buffer for every small read that is consumed at once (hashing): no garbage per clip. */
const scratch = Buffer.allocUnsafe(SMALL_FILE)

/** A small file's bytes in the shared scratch buffer: valid until the next call (use them synchronously). */
const readSmallFile = (file: string, size: number): Buffer => {
  const fd = fs.openSync(file, 'r')
  try {
    let read = 0
    while (read < size) {
      const got = fs.readSync(fd, scratch, read, size - read, read)
      if (got === 0) break
      read += got
    }
    return scratch.subarray(0, read)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A file's SHA-256. A small file (a clip) is read synchronously: it was just written or linked and
 * is in the page cache, so the read takes microseconds, far less than a round trip through
 * libuv's thread pool (which made hashing and archiving thousands of clips slow on a busy machine).
 */
export const sha256File = async (file: string): Promise<string> => {
  const { size } = fs.statSync(file)
  if (size <= SMALL_FILE) return createHash('sha256').update(readSmallFile(file, size)).digest('hex')
  const hash = createHash('sha256')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/**
 * A tar (optionally gzipped) of the files `entries` lists (relative to `root`, in the order given:
 * C order) under the folder name `top`: mtime 0, uid/gid 0, no user names, mode 0644; gzip
 * without a name or time. The same files give the same bytes. Small files are read synchronously
 * (page cache, see `sha256File`), larger ones streamed. Returns the archive's SHA-256 (computed
 * while writing).
 */
export const writeArchive = async (
  root: string,
  entries: AsyncIterable<string>,
  top: string,
  output: string,
  gzip: boolean,
  signal?: AbortSignal,
): Promise<{ sha256: string; bytes: number }> => {
  const pack = tar.pack()
  const hash = createHash('sha256')
  let bytes = 0
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      callback(null, chunk)
    },
  })
  const stages = gzip ? [pack, zlib.createGzip({ level: 6 }), counting, fs.createWriteStream(output)] : [pack, counting, fs.createWriteStream(output)]
  const done = pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { signal })
  const feed = async () => {
    for await (const file of entries) {
      signal?.throwIfAborted()
      const full = path.join(root, file)
      const { size } = fs.statSync(full)
      const header = { name: `${top}/${file}`, size, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const }
      if (size <= SMALL_FILE) {
        const content = fs.readFileSync(full)
        // The callback comes once the pack has taken the entry (backpressure): one clip in memory at a time.
        await new Promise<void>((resolve, reject) => pack.entry(header, content, (error) => (error ? reject(error) : resolve())))
      } else await pipeline(fs.createReadStream(full), pack.entry(header))
    }
    pack.finalize()
  }
  await Promise.all([
    feed().catch((error) => {
      pack.destroy(error)
      throw error
    }),
    done,
  ])
  return { sha256: hash.digest('hex'), bytes }
}
