import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import tar from 'tar-stream'

import { FileNotFoundError, type FileStore } from '@shrutik/plugin-sdk'

import { dataDir, mediaDir } from '../lib/env'
import { fileStoreFromEnv } from '../storage'
import {
  BackupError,
  DATA_PREFIX,
  FORMAT,
  FORMAT_VERSION,
  HEADER_ENTRY,
  isInside,
  MANIFEST_ENTRY,
  meter,
  MEDIA_PREFIX,
  quoteIdent,
  SECRET_ENTRY,
  secretFingerprint,
  SKIPPED_DATA_FILES,
  SKIPPED_DATA_FOLDERS,
  SKIPPED_TABLES,
  tableEntry,
  type BackupFileRecord,
  type BackupHeader,
  type BackupManifest,
  type BackupTable,
} from './format'

export interface BackupProgress {
  phase: 'database' | 'files' | 'done'
  done: number
  total: number
  current?: string
}

export interface BackupOptions {
  databaseUrl: string
  /** The archive to write; `.gz` at the end gzips it as a whole. Must not exist yet. */
  out: string
  /** The running code's version, recorded in the header. */
  shrutikVersion: string
  onProgress?: (progress: BackupProgress) => void
  signal?: AbortSignal
  /** Where the media are. @default the store the environment configures (S3_BUCKET, else MEDIA_DIR) */
  fileStore?: FileStore
}

export interface BackupResult {
  file: string
  bytes: number
  sha256: string
  tables: number
  rows: number
  files: number
  fileBytes: number
  seconds: number
}

/** Every regular file under `root` as `/`-separated relative paths, sorted; `skip` sees each relative path. */
const listFiles = async (root: string, skip: (relative: string, isDir: boolean) => boolean): Promise<string[]> => {
  const out: string[] = []
  const walk = async (dir: string, prefix: string) => {
    let entries: fs.Dirent[]
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true })
    } catch (error) {
      // A folder removed while we walk (a finished export's temp folder) has nothing to back up.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (skip(relative, entry.isDirectory())) continue
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative)
      else if (entry.isFile()) out.push(relative)
    }
  }
  if (fs.existsSync(root)) await walk(root, '')
  return out.sort()
}

interface DumpedTable {
  table: BackupTable
  file: string
  rows: number
  bytes: number
  sha256: string
}

/**
 * Every table of the `public` schema, COPY'd out inside one REPEATABLE READ READ ONLY transaction
 * (one consistent snapshot, taken without blocking writers), each gzipped into `workDir`.
 */
const dumpDatabase = async (
  databaseUrl: string,
  workDir: string,
  onProgress: BackupOptions['onProgress'],
  signal: AbortSignal | undefined,
): Promise<{ header: Pick<BackupHeader, 'postgresVersion' | 'migrations' | 'tables' | 'sequences'>; dumped: DumpedTable[] }> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw new BackupError(`Cannot connect to the database: ${(error as Error).message}`, 69)
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const hasSchema = await client.query(`SELECT to_regclass('public.payload_migrations') IS NOT NULL AS present`)
    if (!hasSchema.rows[0].present) {
      throw new BackupError('This database has no Shrutik schema (no payload_migrations table): nothing to back up.', 65)
    }
    const version = (await client.query('SHOW server_version')).rows[0].server_version as string
    const migrations = (await client.query(`SELECT name FROM payload_migrations WHERE name <> 'dev' ORDER BY id`)).rows.map((row) => row.name as string)
    const tableRows = await client.query(
      `SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    )
    const tables: BackupTable[] = []
    for (const row of tableRows.rows as { oid: number; relname: string }[]) {
      if (SKIPPED_TABLES.has(row.relname)) continue
      // Generated columns are recomputed by PostgreSQL; COPY cannot write them back.
      const columns = await client.query(
        `SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
        [row.oid],
      )
      tables.push({ name: row.relname, columns: columns.rows.map((column) => column.attname as string) })
    }
    const sequences = (
      await client.query(`SELECT sequencename, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL ORDER BY sequencename`)
    ).rows.map((row) => ({ name: row.sequencename as string, value: row.value as string }))

    await fs.promises.mkdir(path.join(workDir, 'db'), { recursive: true })
    const dumped: DumpedTable[] = []
    for (const [index, table] of tables.entries()) {
      signal?.throwIfAborted()
      onProgress?.({ phase: 'database', done: index, total: tables.length, current: table.name })
      const file = path.join(workDir, tableEntry(table.name))
      const columns = table.columns.map(quoteIdent).join(', ')
      const source = client.query(copyTo(`COPY ${quoteIdent(table.name)} (${columns}) TO STDOUT`))
      const measured = meter()
      await pipeline(source, zlib.createGzip({ level: 6 }), measured.stream, fs.createWriteStream(file, { mode: 0o600 }), { signal })
      dumped.push({ table, file, rows: Number(source.rowCount ?? 0), bytes: measured.bytes(), sha256: measured.digest() })
    }
    onProgress?.({ phase: 'database', done: tables.length, total: tables.length })
    await client.query('COMMIT')
    return { header: { postgresVersion: version, migrations, tables, sequences }, dumped }
  } finally {
    await client.end().catch(() => undefined)
  }
}

const addBuffer = (pack: tar.Pack, name: string, content: Buffer): Promise<void> =>
  new Promise((resolve, reject) =>
    pack.entry({ name, size: content.length, mode: 0o600, mtime: new Date() }, content, (error) => (error ? reject(error) : resolve())),
  )

/**
 * Adds one file of the live instance. The size is taken from the open descriptor and exactly that
 * many bytes are read, so a file replaced by rename (how Shrutik writes) is read whole from its old
 * copy; one truncated under us fails the backup with its name rather than writing a torn entry.
 */
const addFile = async (pack: tar.Pack, name: string, full: string): Promise<BackupFileRecord | undefined> => {
  let handle: fs.promises.FileHandle
  try {
    handle = await fs.promises.open(full, 'r')
  } catch (error) {
    // Deleted since the walk (a purge job ran): its row is gone too, or goes with the next change.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const stat = await handle.stat()
    const hash = createHash('sha256')
    if (stat.size === 0) {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name, size: 0, mode: 0o600, mtime: stat.mtime }, Buffer.alloc(0), (error) => (error ? reject(error) : resolve())),
      )
    } else {
      const source = handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: false })
      source.on('data', (chunk) => hash.update(chunk as Buffer))
      const entry = pack.entry({ name, size: stat.size, mode: 0o600, mtime: stat.mtime })
      try {
        await pipeline(source, entry)
      } catch (error) {
        throw new BackupError(`${full} changed while it was being backed up (${(error as Error).message}); run the backup again.`, 74)
      }
    }
    return { path: name, bytes: stat.size, sha256: hash.digest('hex') }
  } finally {
    await handle.close()
  }
}

/**
 * Adds one object of an S3 media store, streamed from the bucket: the size listed is the size the
 * entry gets, and an object replaced or cut meanwhile fails the backup with its key rather than
 * writing a torn entry. One deleted since the listing is left out, like a deleted file.
 */
const addStoredObject = async (pack: tar.Pack, name: string, store: FileStore, key: string, bytes: number): Promise<BackupFileRecord | undefined> => {
  let source: NodeJS.ReadableStream
  try {
    source = bytes === 0 ? Readable.from([]) : await store.get(key)
  } catch (error) {
    if (error instanceof FileNotFoundError) return undefined
    throw new BackupError(`Cannot read ${key} from ${store.location}: ${(error as Error).message}`, 74)
  }
  const measured = meter()
  const entry = pack.entry({ name, size: bytes, mode: 0o600, mtime: new Date() })
  try {
    await pipeline(source, measured.stream, entry)
  } catch (error) {
    throw new BackupError(`${store.location}/${key} changed while it was being backed up (${(error as Error).message}); run the backup again.`, 74)
  }
  if (measured.bytes() !== bytes) throw new BackupError(`${store.location}/${key} changed while it was being backed up; run the backup again.`, 74)
  return { path: name, bytes, sha256: measured.digest() }
}

/**
 * Writes a consistent backup of a running (or stopped) instance to `out`: the database from one
 * snapshot, then every file of the data folder (and the media folder). Written to a temporary name
 * beside `out` and renamed when complete, so `out` is either the whole backup or absent.
 */
export const createBackup = async (options: BackupOptions): Promise<BackupResult> => {
  const started = Date.now()
  const output = path.resolve(options.out)
  const { onProgress, signal } = options
  if (fs.existsSync(output)) throw new BackupError(`${output} already exists; choose another name (a backup never overwrites one).`, 73)
  const folder = path.dirname(output)
  try {
    fs.mkdirSync(folder, { recursive: true })
    fs.accessSync(folder, fs.constants.W_OK)
  } catch (error) {
    throw new BackupError(`Cannot write to ${folder}: ${(error as Error).message}`, 73)
  }
  const workDir = await fs.promises.mkdtemp(path.join(folder, `.${path.basename(output)}.work-`))
  const partial = path.join(workDir, 'archive.partial')
  try {
    const { header: databaseHeader, dumped } = await dumpDatabase(options.databaseUrl, workDir, onProgress, signal)

    const data = dataDir()
    const media = mediaDir()
    const store = options.fileStore ?? fileStoreFromEnv()
    const onS3 = store.kind === 's3'
    // On S3 the bucket's objects are the media; a local media folder (one left from before the move) is not backed up.
    const separateMedia = onS3 || !isInside(data, media)
    const secretFromEnvironment = process.env.PAYLOAD_SECRET !== undefined
    const secretFile = path.join(data, 'payload-secret')
    const secret = secretFromEnvironment ? process.env.PAYLOAD_SECRET! : fs.existsSync(secretFile) ? fs.readFileSync(secretFile, 'utf8').trim() : ''
    // Never archive the archive being written, other backups, or the database cluster.
    const skipData = (relative: string, isDir: boolean): boolean => {
      const full = path.join(data, relative)
      if (isInside(workDir, full) || full === output) return true
      if (onS3 && isInside(media, full)) return true
      if (!relative.includes('/')) return isDir ? SKIPPED_DATA_FOLDERS.has(relative) : SKIPPED_DATA_FILES.has(relative) || relative === 'payload-secret'
      return false
    }
    const dataFiles = await listFiles(data, skipData)
    const mediaFiles = separateMedia && !onS3 ? await listFiles(media, (relative) => isInside(workDir, path.join(media, relative))) : []
    // Listed after the database snapshot: every object a row points at is there (objects made
    // since are extra, and harmless).
    const mediaObjects: { key: string; bytes: number }[] = []
    if (onS3) {
      try {
        for await (const object of store.list('')) mediaObjects.push(object)
      } catch (error) {
        throw new BackupError(`Cannot list the media in ${store.location}: ${(error as Error).message}`, 69)
      }
    }

    const header: BackupHeader = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: new Date(started).toISOString(),
      shrutikVersion: options.shrutikVersion,
      ...databaseHeader,
      secret: secretFromEnvironment ? 'environment' : 'included',
      secretFingerprint: secret ? secretFingerprint(secret) : '',
      separateMedia,
      mediaStore: store.kind,
      ...(!separateMedia && path.relative(data, media) ? { mediaInData: path.relative(data, media).split(path.sep).join('/') } : {}),
    }

    const pack = tar.pack()
    const measured = meter()
    const gzip = /\.gz$/i.test(output)
    const stages = [pack, ...(gzip ? [zlib.createGzip({ level: 1 })] : []), measured.stream, fs.createWriteStream(partial, { mode: 0o600 })]
    const written = pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { signal })
    const manifest: BackupManifest = { tables: {}, files: [], totals: { tables: 0, rows: 0, files: 0, fileBytes: 0 } }
    const feed = async () => {
      await addBuffer(pack, HEADER_ENTRY, Buffer.from(JSON.stringify(header, null, 2)))
      if (!secretFromEnvironment && secret) await addBuffer(pack, SECRET_ENTRY, Buffer.from(secret))
      for (const table of dumped) {
        signal?.throwIfAborted()
        await pipeline(fs.createReadStream(table.file), pack.entry({ name: tableEntry(table.table.name), size: table.bytes, mode: 0o600, mtime: new Date(started) }))
        manifest.tables[table.table.name] = { rows: table.rows, sha256: table.sha256 }
        manifest.totals.rows += table.rows
        await fs.promises.rm(table.file)
      }
      manifest.totals.tables = dumped.length
      const all = [...dataFiles.map((file) => [DATA_PREFIX + file, path.join(data, file)]), ...mediaFiles.map((file) => [MEDIA_PREFIX + file, path.join(media, file)])]
      for (const [index, [name, full]] of all.entries()) {
        signal?.throwIfAborted()
        if (index % 50 === 0) onProgress?.({ phase: 'files', done: index, total: all.length, current: name })
        const record = await addFile(pack, name, full)
        if (!record) continue
        manifest.files.push(record)
        manifest.totals.files += 1
        manifest.totals.fileBytes += record.bytes
      }
      for (const [index, object] of mediaObjects.entries()) {
        signal?.throwIfAborted()
        if (index % 50 === 0) onProgress?.({ phase: 'files', done: all.length + index, total: all.length + mediaObjects.length, current: object.key })
        const record = await addStoredObject(pack, MEDIA_PREFIX + object.key, store, object.key, object.bytes)
        if (!record) continue
        manifest.files.push(record)
        manifest.totals.files += 1
        manifest.totals.fileBytes += record.bytes
      }
      onProgress?.({ phase: 'files', done: all.length + mediaObjects.length, total: all.length + mediaObjects.length })
      await addBuffer(pack, MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest)))
      pack.finalize()
    }
    await Promise.all([
      feed().catch((error) => {
        pack.destroy(error)
        throw error
      }),
      written,
    ])
    const handle = await fs.promises.open(partial, 'r')
    await handle.sync()
    await handle.close()
    await fs.promises.rename(partial, output)
    onProgress?.({ phase: 'done', done: 1, total: 1 })
    return {
      file: output,
      bytes: measured.bytes(),
      sha256: measured.digest(),
      tables: manifest.totals.tables,
      rows: manifest.totals.rows,
      files: manifest.totals.files,
      fileBytes: manifest.totals.fileBytes,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    }
  } catch (error) {
    if (error instanceof BackupError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new BackupError(`The disk holding ${folder} is full; nothing was written.`, 73)
    throw error
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true })
  }
}
