import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

import { assertValidKey, assertValidPrefix, FileNotFoundError, type FileStore } from './storage'

/** A temp name for a file being written beside its final name; never listed, never served. */
const isPartial = (name: string): boolean => name.startsWith('.') && name.endsWith('.part')

const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'ENOENT' || (error as NodeJS.ErrnoException)?.code === 'ENOTDIR'

/**
 * Media in a folder on local disk: key `a/b/c` is the file `<root>/a/b/c`, the layout Shrutik has
 * always used (`recordings/`, `processed/`, `site/`), so an existing install keeps its files.
 * Writes go to a hidden temp name beside the target, then rename: a reader sees a whole file or none.
 */
export const createLocalFileStore = ({ root, scratchRoot }: { root: string; scratchRoot: string }): FileStore => {
  const base = path.resolve(root)
  const full = (key: string, allowEmpty = false): string => {
    assertValidKey(key, { allowEmpty })
    const resolved = path.resolve(base, ...key.split('/').filter(Boolean))
    // Belt and braces after the key check: nothing outside the media folder is ever touched.
    if (resolved !== base && !resolved.startsWith(base + path.sep)) throw new Error(`"${key}" is outside the media folder.`)
    return resolved
  }

  const writeInto = async (target: string, write: (temporary: string) => Promise<void>): Promise<number> => {
    await fs.promises.mkdir(path.dirname(target), { recursive: true })
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`)
    try {
      await write(temporary)
      const { size } = await fs.promises.stat(temporary)
      await fs.promises.rename(temporary, target)
      return size
    } finally {
      await fs.promises.rm(temporary, { force: true })
    }
  }

  const walk = async (dir: string, prefix: string, out: { key: string; bytes: number }[]): Promise<void> => {
    let entries: fs.Dirent[]
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (missing(error)) return
      throw error
    }
    for (const entry of entries) {
      const key = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), key, out)
      else if (entry.isFile() && !isPartial(entry.name)) {
        const stat = await fs.promises.stat(path.join(dir, entry.name)).catch(() => undefined)
        if (stat) out.push({ key, bytes: stat.size })
      }
    }
  }

  const store: FileStore = {
    kind: 'local',
    location: base,
    async put(key, source) {
      const target = full(key)
      if ('path' in source) {
        if (source.move) {
          await fs.promises.mkdir(path.dirname(target), { recursive: true })
          try {
            await fs.promises.rename(source.path, target)
            return { bytes: (await fs.promises.stat(target)).size }
          } catch (error) {
            // Another file system: copied below, then the source goes.
            if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
          }
        }
        const bytes = await writeInto(target, (temporary) => fs.promises.copyFile(source.path, temporary))
        if (source.move) await fs.promises.rm(source.path, { force: true })
        return { bytes }
      }
      return { bytes: await writeInto(target, (temporary) => pipeline(source.stream, fs.createWriteStream(temporary, { mode: 0o644 }))) }
    },
    async get(key, range) {
      const file = full(key)
      // Opened first, so absence is an error here rather than on the stream.
      const handle = await fs.promises.open(file, 'r').catch((error) => {
        throw missing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR' ? new FileNotFoundError(key) : error
      })
      if (!(await handle.stat()).isFile()) {
        await handle.close()
        throw new FileNotFoundError(key)
      }
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {})
    },
    async stat(key) {
      const stat = await fs.promises.stat(full(key)).catch((error) => {
        if (missing(error)) return undefined
        throw error
      })
      return stat?.isFile() ? { bytes: stat.size } : undefined
    },
    async delete(key) {
      await fs.promises.rm(full(key), { force: true })
    },
    async deletePrefix(prefix) {
      const dir = full(prefix)
      const files: { key: string; bytes: number }[] = []
      await walk(dir, prefix, files)
      await fs.promises.rm(dir, { recursive: true, force: true })
      return files.length
    },
    async *list(prefix) {
      // The deepest folder the prefix names, walked, then filtered by the prefix's last part.
      assertValidPrefix(prefix)
      const cut = prefix.lastIndexOf('/')
      const folder = cut < 0 ? '' : prefix.slice(0, cut)
      const files: { key: string; bytes: number }[] = []
      await walk(full(folder, true), folder, files)
      files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      for (const file of files) if (file.key.startsWith(prefix)) yield file
    },
    async localCopy(key) {
      const file = full(key)
      const stat = await fs.promises.stat(file).catch(() => undefined)
      if (!stat?.isFile()) throw new FileNotFoundError(key)
      return { path: file, release: async () => undefined }
    },
    async scratchDir() {
      await fs.promises.mkdir(scratchRoot, { recursive: true })
      return fs.promises.mkdtemp(path.join(scratchRoot, 'work-'))
    },
  }
  return store
}
