import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import tar from 'tar-stream'

/** Files up to this size are read whole (one syscall, no stream set-up); larger ones are streamed. */
const SMALL_FILE = 1024 * 1024

export const sha256File = async (file: string): Promise<string> => {
  const { size } = await fs.promises.stat(file)
  if (size <= SMALL_FILE) return createHash('sha256').update(await fs.promises.readFile(file)).digest('hex')
  const hash = createHash('sha256')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/** Files read ahead of the one being packed (reads overlap with tar and gzip). */
const READ_AHEAD = 8

/**
 * A tar (optionally gzipped) of the files `entries` lists (relative to `root`, in the order given:
 * C order) under the folder name `top`: mtime 0, uid/gid 0, no user names, mode 0644; gzip
 * without a name or time. The same files give the same bytes. Small files are read a few ahead of
 * the one being packed; at most READ_AHEAD are held. Returns the archive's SHA-256 (computed
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
  const load = async (file: string) => {
    const full = path.join(root, file)
    const { size } = await fs.promises.stat(full)
    return { file, full, size, content: size <= SMALL_FILE ? await fs.promises.readFile(full) : undefined }
  }
  const feed = async () => {
    const pending: Promise<Awaited<ReturnType<typeof load>>>[] = []
    const iterator = entries[Symbol.asyncIterator]()
    let exhausted = false
    const fill = async () => {
      while (!exhausted && pending.length < READ_AHEAD) {
        const next = await iterator.next()
        if (next.done) exhausted = true
        else {
          const loading = load(next.value)
          loading.catch(() => undefined)
          pending.push(loading)
        }
      }
    }
    await fill()
    while (pending.length > 0) {
      signal?.throwIfAborted()
      const { file, full, size, content } = await pending.shift()!
      await fill()
      const header = { name: `${top}/${file}`, size, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const }
      if (content) await new Promise<void>((resolve, reject) => pack.entry(header, content, (error) => (error ? reject(error) : resolve())))
      else await pipeline(fs.createReadStream(full), pack.entry(header))
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
