import fs from 'node:fs'
import path from 'node:path'
import { Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import tar from 'tar-stream'

import { JOBS_TABLE } from '../jobs/constants'
import type { FileStore } from '@shrutik/plugin-sdk'

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
  safeRelative,
  SECRET_ENTRY,
  secretFingerprint,
  SKIPPED_DATA_FILES,
  SKIPPED_DATA_FOLDERS,
  type BackupHeader,
  type BackupManifest,
} from './format'

export interface RestoreProgress {
  phase: 'database' | 'files' | 'done'
  bytesRead: number
  bytesTotal: number
}

export interface RestoreOptions {
  file: string
  databaseUrl: string
  /** The migrations this code knows, in order. */
  knownMigrations: string[]
  /** Brings the empty database to exactly these migrations (and creates the job tables). */
  prepareSchema: (migrations: string[]) => Promise<void>
  onProgress?: (progress: RestoreProgress) => void
  /** Non-fatal remarks for the operator (for example a different PAYLOAD_SECRET). */
  onWarning?: (message: string) => void
  /**
   * Where the media go. On S3, the media of the backup (from a bucket or from a media folder) are
   * uploaded to it; the bucket (under S3_PREFIX) must hold no files yet.
   * @default the store the environment configures (S3_BUCKET, else MEDIA_DIR)
   */
  fileStore?: FileStore
}

export interface RestoreResult {
  /** Tables in the backup that the migrations do not make; their rows were not restored. */
  skippedTables: string[]
  tables: number
  rows: number
  files: number
  fileBytes: number
  migrations: number
  createdAt: string
  seconds: number
}

/** Folders and files a fresh data folder may already hold: the database itself, temp space, backups. */
const dataFolderIsEmpty = (folder: string): string | undefined => {
  if (!fs.existsSync(folder)) return undefined
  for (const entry of fs.readdirSync(folder)) {
    if (SKIPPED_DATA_FOLDERS.has(entry) || SKIPPED_DATA_FILES.has(entry) || entry === 'payload-secret' || entry.startsWith('.restore-')) continue
    return path.join(folder, entry)
  }
  return undefined
}

const readPrefix = async (file: string): Promise<Buffer> => {
  const handle = await fs.promises.open(file, 'r')
  try {
    const buffer = Buffer.alloc(2)
    await handle.read(buffer, 0, 2, 0)
    return buffer
  } finally {
    await handle.close()
  }
}

const drain = async (stream: AsyncIterable<unknown>): Promise<Buffer> => {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Restores a backup written by `createBackup` into an empty database and a data folder that holds
 * no instance yet. In one pass over the archive: the schema is brought to exactly the backup's
 * migrations, every table is loaded with COPY inside one transaction, files go to a staging
 * folder; only when every row count and checksum matches the manifest is the transaction committed
 * and the files moved into place. On any failure the database is emptied again and the staging
 * folder removed, so a restore can simply be retried.
 */
export const restoreBackup = async (options: RestoreOptions): Promise<RestoreResult> => {
  const started = Date.now()
  const archive = path.resolve(options.file)
  let archiveBytes: number
  try {
    const stat = fs.statSync(archive)
    if (!stat.isFile()) throw new Error('not a file')
    archiveBytes = stat.size
  } catch (error) {
    throw new BackupError(`Cannot read the backup ${archive}: ${(error as Error).message}`, 66)
  }

  const data = dataDir()
  const media = mediaDir()
  const store = options.fileStore ?? fileStoreFromEnv()
  const toS3 = store.kind === 's3'
  const occupied = dataFolderIsEmpty(data)
  if (occupied) {
    throw new BackupError(
      `The data folder ${data} already holds an instance (${occupied}). Restore into a new folder (set SHRUTIK_DATA_DIR) so nothing is overwritten.`,
      73,
    )
  }

  const client = new pg.Client({ connectionString: options.databaseUrl })
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    throw new BackupError(`Cannot connect to the database: ${(error as Error).message}`, 69)
  }

  fs.mkdirSync(data, { recursive: true })
  const staging = fs.mkdtempSync(path.join(data, '.restore-'))
  const secretFile = path.join(data, 'payload-secret')
  const secretExisted = fs.existsSync(secretFile)
  let schemaCreated = false
  let deferredIndexes: { name: string; definition: string }[] = []
  const foreign = new Set<string>()
  let inTransaction = false
  /** Media uploaded to S3 so far: removed again if the restore fails. */
  const uploadedToS3: string[] = []
  try {
    const tables = await client.query(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
    )
    if (tables.rows[0].n > 0) {
      throw new BackupError(
        'The target database already has tables. Restore needs an empty database: a new data folder (SHRUTIK_DATA_DIR) for the built-in PostgreSQL, or a newly created database in DATABASE_URL.',
        73,
      )
    }
    if (!toS3 && !isInside(data, media) && fs.existsSync(media) && fs.readdirSync(media).length > 0) {
      throw new BackupError(`The media folder ${media} is not empty; restore into an empty one.`, 73)
    }
    if (toS3) {
      let holds: string | undefined
      try {
        for await (const object of store.list('')) {
          holds = object.key
          break
        }
      } catch (error) {
        throw new BackupError(`Cannot list ${store.location}: ${(error as Error).message}`, 69)
      }
      if (holds !== undefined) {
        throw new BackupError(`${store.location} already holds media (${holds}). Restore into an empty bucket, or set S3_PREFIX to a new prefix, so nothing is overwritten.`, 73)
      }
    }

    const isGzip = (await readPrefix(archive)).equals(Buffer.from([0x1f, 0x8b]))
    let bytesRead = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length
        callback(null, chunk)
      },
    })
    const extract = tar.extract()
    const source = fs.createReadStream(archive)
    // An archive that ends inside an entry must also end the read of that entry: the entry's own
    // stream is not always told (seen with an archive cut right after a file's header), and the
    // restore would wait for bytes that never come. Every read of an entry races this.
    let abort: (error: Error) => void = () => undefined
    const aborted = new Promise<never>((_resolve, reject) => (abort = reject))
    aborted.catch(() => undefined)
    const reading = <T>(work: Promise<T>): Promise<T> => Promise.race([work, aborted])
    const feeding = pipeline([source, counter, ...(isGzip ? [zlib.createGunzip()] : []), extract] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]).catch(
      (error: Error) => {
        const damaged = new BackupError(`The backup ${archive} is damaged or cut short (${error.message}); nothing was restored.`, 65)
        abort(damaged)
        extract.destroy(damaged)
      },
    )

    let header: BackupHeader | undefined
    let manifest: BackupManifest | undefined
    const loaded = new Map<string, { rows: number; sha256: string }>()
    const written = new Map<string, { bytes: number; sha256: string }>()
    let lastProgress = 0
    const progress = (phase: RestoreProgress['phase']) => {
      if (Date.now() - lastProgress < 250) return
      lastProgress = Date.now()
      options.onProgress?.({ phase, bytesRead, bytesTotal: archiveBytes })
    }
    const ensureSchema = async (current: BackupHeader) => {
      if (schemaCreated) return
      schemaCreated = true
      await options.prepareSchema(current.migrations)
      await client.query('BEGIN')
      inTransaction = true
      try {
        // Rows go in as they were, in any table order: no foreign-key or user triggers while loading.
        await client.query(`SET LOCAL session_replication_role = replica`)
      } catch (error) {
        throw new BackupError(`Restore needs a database superuser (to load tables without re-running triggers): ${(error as Error).message}`, 77)
      }
      // Tables the migrations do not make (someone's own table beside Shrutik's) cannot be
      // recreated from a logical copy: their rows are left out, and the operator is told.
      const existing = new Set(
        (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((row) => row.tablename as string),
      )
      for (const table of current.tables) {
        if (existing.has(table.name)) continue
        foreign.add(table.name)
        options.onWarning?.(`Table ${table.name} is not part of Shrutik's schema; its rows were not restored.`)
      }
      // The migrations may have written rows of their own (their bookkeeping); the backup's replace them.
      const names = current.tables
        .filter((table) => !foreign.has(table.name))
        .map((table) => quoteIdent(table.name))
        .join(', ')
      if (names) await client.query(`TRUNCATE ${names} CASCADE`)
      // Like pg_restore: indexes are built once after the load, not row by row during it (a
      // million sentences load several times faster). Indexes behind constraints stay.
      const indexes = await client.query(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = 'public' AND t.relname = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
        [current.tables.map((table) => table.name)],
      )
      deferredIndexes = indexes.rows as { name: string; definition: string }[]
      for (const index of deferredIndexes) await client.query(`DROP INDEX ${index.name}`)
    }

    try {
      for await (const entry of extract) {
        const name = entry.header.name
        if (!header) {
          if (name !== HEADER_ENTRY) throw new BackupError(`${archive} is not a Shrutik backup (its first entry is "${name}").`, 65)
          header = JSON.parse((await reading(drain(entry))).toString('utf8')) as BackupHeader
          if (header.format !== FORMAT || typeof header.formatVersion !== 'number') throw new BackupError(`${archive} is not a Shrutik backup.`, 65)
          if (header.formatVersion > FORMAT_VERSION) {
            throw new BackupError(`This backup uses format ${header.formatVersion}, newer than this Shrutik understands (${FORMAT_VERSION}); upgrade Shrutik first.`, 65)
          }
          const unknown = header.migrations.filter((migration) => !options.knownMigrations.includes(migration))
          if (unknown.length > 0) {
            throw new BackupError(
              `This backup was made by a newer Shrutik (${header.shrutikVersion}; migration ${unknown[0]} is unknown here): install that version or a later one, then restore.`,
              65,
            )
          }
          if (header.secret === 'environment') {
            const current = process.env.PAYLOAD_SECRET
            if (!current || secretFingerprint(current) !== header.secretFingerprint) {
              options.onWarning?.(
                'The backup was made with PAYLOAD_SECRET set in the environment, and the current PAYLOAD_SECRET differs (or is unset). Start the restored instance with the same PAYLOAD_SECRET, or contributors\' browser ids will be refused and queued emails cannot be read.',
              )
            }
          }
          continue
        }
        if (name === SECRET_ENTRY) {
          const secret = (await reading(drain(entry))).toString('utf8').trim()
          if (process.env.PAYLOAD_SECRET !== undefined && secretFingerprint(process.env.PAYLOAD_SECRET) !== secretFingerprint(secret)) {
            options.onWarning?.('PAYLOAD_SECRET is set and differs from the secret in the backup; the restored instance will use PAYLOAD_SECRET, so contributors\' browser ids from before will be refused.')
          }
          if (secretExisted) {
            if (fs.readFileSync(secretFile, 'utf8').trim() !== secret) {
              throw new BackupError(`${secretFile} exists with another secret; remove it (a fresh data folder has none) and restore again.`, 73)
            }
          } else fs.writeFileSync(secretFile, secret, { mode: 0o600 })
          continue
        }
        if (name.startsWith('db/') && name.endsWith('.copy.gz')) {
          await ensureSchema(header)
          const tableName = name.slice(3, -'.copy.gz'.length)
          const table = header.tables.find((candidate) => candidate.name === tableName)
          if (!table) throw new BackupError(`The backup holds rows for ${tableName}, a table its header does not list: the archive is damaged.`, 65)
          if (foreign.has(table.name)) {
            const measured = meter()
            await reading(pipeline(entry, measured.stream, new Writable({ write: (_chunk, _encoding, callback) => callback() })))
            loaded.set(table.name, { rows: -1, sha256: measured.digest() })
            continue
          }
          const measured = meter()
          const sink = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(', ')}) FROM STDIN`))
          try {
            await reading(pipeline(entry, measured.stream, zlib.createGunzip(), sink))
          } catch (error) {
            if (error instanceof BackupError) throw error
            throw new BackupError(`Loading table ${table.name} failed: ${(error as Error).message}`, 65)
          }
          loaded.set(table.name, { rows: Number(sink.rowCount ?? 0), sha256: measured.digest() })
          progress('database')
          continue
        }
        if (name === MANIFEST_ENTRY) {
          manifest = JSON.parse((await reading(drain(entry))).toString('utf8')) as BackupManifest
          continue
        }
        const prefix = name.startsWith(DATA_PREFIX) ? 'data' : name.startsWith(MEDIA_PREFIX) ? 'media' : undefined
        const relative = prefix === 'data' ? name.slice(DATA_PREFIX.length) : prefix === 'media' ? name.slice(MEDIA_PREFIX.length) : ''
        if (!prefix || !safeRelative(relative) || entry.header.type !== 'file') {
          throw new BackupError(`The backup holds an unexpected entry "${name}"; it was not written by Shrutik.`, 65)
        }
        await ensureSchema(header)
        // Media, whether the backup had them in a bucket or in a folder, go to the S3 store when that is where media live now.
        const mediaKey =
          prefix === 'media' ? relative : header.mediaInData && relative.startsWith(`${header.mediaInData}/`) ? relative.slice(header.mediaInData.length + 1) : undefined
        if (toS3 && mediaKey !== undefined) {
          const measured = meter()
          entry.on('error', (error) => measured.stream.destroy(error))
          uploadedToS3.push(mediaKey)
          try {
            await reading(store.put(mediaKey, { stream: entry.pipe(measured.stream) }))
          } catch (error) {
            if (error instanceof BackupError) throw error
            throw new BackupError(`Uploading ${mediaKey} to ${store.location} failed: ${(error as Error).message}`, 74)
          }
          written.set(name, { bytes: measured.bytes(), sha256: measured.digest() })
          progress('files')
          continue
        }
        const target = path.join(staging, prefix, relative)
        await fs.promises.mkdir(path.dirname(target), { recursive: true })
        const measured = meter()
        await reading(pipeline(entry, measured.stream, fs.createWriteStream(target, { mode: 0o644 })))
        written.set(name, { bytes: measured.bytes(), sha256: measured.digest() })
        progress('files')
      }
    } catch (error) {
      // A cut-short or corrupt archive surfaces as a stream error from tar or gzip ("Unexpected end of data").
      if (error instanceof BackupError || (error as { severity?: string }).severity) throw error
      throw new BackupError(`The backup ${archive} is damaged or cut short (${(error as Error).message}); nothing was restored.`, 65)
    } finally {
      await feeding
    }

    if (!header) throw new BackupError(`${archive} is empty or not a Shrutik backup.`, 65)
    if (!manifest) throw new BackupError(`The backup ${archive} is cut short (no manifest at its end): it was not finished or was truncated. Nothing was restored.`, 65)
    await ensureSchema(header)
    for (const [table, expected] of Object.entries(manifest.tables)) {
      const got = loaded.get(table)
      if (!got) throw new BackupError(`The backup lacks the rows of ${table}; nothing was restored.`, 65)
      if (got.sha256 !== expected.sha256 || (got.rows !== expected.rows && !foreign.has(table))) {
        throw new BackupError(`Table ${table} does not match the manifest (${got.rows} rows loaded, ${expected.rows} expected, or a checksum differs); nothing was restored.`, 65)
      }
    }
    for (const file of manifest.files) {
      const got = written.get(file.path)
      if (!got || got.sha256 !== file.sha256 || got.bytes !== file.bytes) {
        throw new BackupError(`${file.path} is missing from the backup or does not match its checksum; nothing was restored.`, 65)
      }
    }
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`)
    for (const index of deferredIndexes) await client.query(index.definition)
    for (const sequence of header.sequences) {
      // A sequence of a table that was not restored (not Shrutik's) does not exist here.
      await client.query('SELECT setval(to_regclass($1), $2::bigint, true) WHERE to_regclass($1) IS NOT NULL', [quoteIdent(sequence.name), sequence.value])
    }
    // Jobs running when the backup was taken run again here: nobody holds their locks any more.
    const jobsTable = header.tables.some((table) => table.name === JOBS_TABLE)
    if (jobsTable) await client.query(`UPDATE ${JOBS_TABLE} SET locked_at = NULL WHERE locked_at IS NOT NULL`)
    // Backups running when this one was taken never finish here; their files are not part of a backup.
    if (header.tables.some((table) => table.name === 'backups')) {
      await client.query(`UPDATE backups SET status = 'failed', error = 'Not finished when the backup that was restored was taken.' WHERE status IN ('queued', 'running')`)
    }
    await client.query('COMMIT')
    inTransaction = false

    // Files into place: the data folder held no instance (checked first), so nothing is replaced.
    const stagedData = path.join(staging, 'data')
    if (fs.existsSync(stagedData)) {
      for (const entry of fs.readdirSync(stagedData)) await moveAcross(path.join(stagedData, entry), path.join(data, entry))
    }
    const stagedMedia = path.join(staging, 'media')
    if (fs.existsSync(stagedMedia)) {
      fs.mkdirSync(media, { recursive: true })
      for (const entry of fs.readdirSync(stagedMedia)) await moveAcross(path.join(stagedMedia, entry), path.join(media, entry))
    }
    options.onProgress?.({ phase: 'done', bytesRead: archiveBytes, bytesTotal: archiveBytes })
    return {
      tables: Object.keys(manifest.tables).length,
      rows: manifest.totals.rows,
      skippedTables: [...foreign].sort(),
      files: manifest.files.length,
      fileBytes: manifest.totals.fileBytes,
      migrations: header.migrations.length,
      createdAt: header.createdAt,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    }
  } catch (error) {
    // Nothing half-restored stays in the bucket either.
    for (const key of uploadedToS3) await store.delete(key).catch(() => undefined)
    if (inTransaction) await client.query('ROLLBACK').catch(() => undefined)
    if (schemaCreated) {
      // Back to the empty database we started from, so the restore can be run again.
      await client
        .query('DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION pg_database_owner; GRANT USAGE ON SCHEMA public TO PUBLIC')
        .catch(() => undefined)
    }
    if (!secretExisted) fs.rmSync(secretFile, { force: true })
    throw error
  } finally {
    await client.end().catch(() => undefined)
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/**
 * Rename, or copy then delete when the media folder is on another file system. A folder that
 * already exists (made empty by the boot that ran the migrations) is merged into; an existing
 * file is never replaced.
 */
const moveAcross = async (from: string, to: string): Promise<void> => {
  if (fs.existsSync(to)) {
    if (!fs.statSync(to).isDirectory() || !fs.statSync(from).isDirectory()) throw new BackupError(`${to} appeared during the restore; nothing there was replaced.`, 73)
    for (const entry of fs.readdirSync(from)) await moveAcross(path.join(from, entry), path.join(to, entry))
    return
  }
  try {
    fs.renameSync(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    await fs.promises.cp(from, to, { recursive: true, errorOnExist: true, force: false })
    await fs.promises.rm(from, { recursive: true, force: true })
  }
}

/**
 * The schema step of a restore as the CLI runs it: boots Payload applying exactly `migrations`,
 * adds the job tables (not made by migrations), and closes again.
 */
export const prepareSchemaWithPayload = async (migrations: string[]): Promise<void> => {
  const { bootPayload } = await import('../server/boot')
  const { ensureJobSchema } = await import('../jobs/schema')
  const booted = await bootPayload({ migrations })
  try {
    await ensureJobSchema((booted.payload.db as unknown as { pool: pg.Pool }).pool)
  } finally {
    await booted.close()
  }
}
