import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import tar from 'tar-stream'

import { compareC } from './core'

/** Every file under `root`, as `/`-separated relative paths in C order. */
export const listFiles = async (root: string): Promise<string[]> => {
  const out: string[] = []
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative)
      else if (entry.isFile()) out.push(relative)
    }
  }
  await walk(root, '')
  return out.sort(compareC)
}

/** Files up to this size are read whole (one syscall, no stream set-up); larger ones are streamed. */
const SMALL_FILE = 4 * 1024 * 1024

export const sha256File = async (file: string): Promise<string> => {
  const { size } = await fs.promises.stat(file)
  if (size <= SMALL_FILE) return createHash('sha256').update(await fs.promises.readFile(file)).digest('hex')
  const hash = createHash('sha256')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/** `sha256sum -c` format over every file in `root` but SHA256SUMS itself; written into `root`. */
export const writeChecksums = async (root: string): Promise<string> => {
  const files = (await listFiles(root)).filter((file) => file !== 'SHA256SUMS')
  const lines: string[] = []
  for (const file of files) lines.push(`${await sha256File(path.join(root, file))}  ${file}\n`)
  const content = lines.join('')
  await fs.promises.writeFile(path.join(root, 'SHA256SUMS'), content)
  return content
}

/**
 * A tar (optionally gzipped) of every file in `root` under the folder name `top`: entries in C
 * order, mtime 0, uid/gid 0, no user names, mode 0644; gzip without a name or time. The same
 * files give the same bytes. Returns the archive's SHA-256 (computed while writing).
 */
export const writeArchive = async (root: string, top: string, output: string, gzip: boolean, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> => {
  const files = await listFiles(root)
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
    for (const file of files) {
      signal?.throwIfAborted()
      const full = path.join(root, file)
      const { size } = await fs.promises.stat(full)
      const header = { name: `${top}/${file}`, size, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const }
      if (size <= SMALL_FILE) {
        const content = await fs.promises.readFile(full)
        await new Promise<void>((resolve, reject) => pack.entry(header, content, (error) => (error ? reject(error) : resolve())))
      } else await pipeline(fs.createReadStream(full), pack.entry(header))
    }
    pack.finalize()
  }
  await Promise.all([feed().catch((error) => {
    pack.destroy(error)
    throw error
  }), done])
  return { sha256: hash.digest('hex'), bytes }
}
