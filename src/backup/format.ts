import { createHash, createHmac } from 'node:crypto'
import path from 'node:path'
import { Transform } from 'node:stream'

/**
 * The backup archive: a plain tar (gzipped as a whole only when the name ends in `.gz`) whose
 * entries come in this order, so a restore can read it in one pass:
 *
 *   shrutik-backup.json        header: versions, migrations, tables and their columns, sequences
 *   files/data/payload-secret  the generated session secret (absent when PAYLOAD_SECRET is set)
 *   db/<table>.copy.gz         each table as PostgreSQL COPY text, gzipped, all from one snapshot
 *   files/data/<path>          every file of the data folder but the database cluster and temp files
 *   files/media/<path>         the media, when MEDIA_DIR puts them outside the data folder, or every
 *                              object of the S3 bucket (under S3_PREFIX) when media are on S3
 *   shrutik-manifest.json      last: rows per table, SHA-256 of every entry, each file's size and hash
 *
 * The database part is logical (COPY), not a file copy of the cluster: it needs no `pg_dump` (the
 * embedded PostgreSQL ships none, and Debian 12's is too old for it), it is consistent (one
 * REPEATABLE READ snapshot) while the instance keeps running, and it restores into any PostgreSQL
 * major version the migrations run on, embedded or not.
 */
export const FORMAT = 'shrutik-backup'
export const FORMAT_VERSION = 1
export const HEADER_ENTRY = 'shrutik-backup.json'
export const MANIFEST_ENTRY = 'shrutik-manifest.json'
export const SECRET_ENTRY = 'files/data/payload-secret'
export const DATA_PREFIX = 'files/data/'
export const MEDIA_PREFIX = 'files/media/'
export const tableEntry = (table: string): string => `db/${table}.copy.gz`

/**
 * Tables never backed up: counters that mean nothing after a restore, staging rows of a running
 * import, and the dashboard's rollup (derived; rebuilt in full by its job after a restore).
 */
export const SKIPPED_TABLES = new Set(['rate_limits', 'sentence_import_rows', 'dashboard_daily', 'dashboard_weekly', 'dashboard_rejections', 'dashboard_state'])

/** Folders of the data folder that are not backed up (relative, first segment). */
export const SKIPPED_DATA_FOLDERS = new Set(['postgres', 'tmp', 'backups'])
export const SKIPPED_DATA_FILES = new Set(['postgres.json'])

export interface BackupTable {
  name: string
  columns: string[]
}

export interface BackupSequence {
  name: string
  /** The value the sequence had when the backup started; a restore sets it at least this high. */
  value: string
}

export interface BackupHeader {
  format: typeof FORMAT
  formatVersion: number
  createdAt: string
  shrutikVersion: string
  postgresVersion: string
  /** Applied migrations, in order: a restore brings an empty database to exactly this schema first. */
  migrations: string[]
  tables: BackupTable[]
  sequences: BackupSequence[]
  /** `included`: the generated secret is in the archive; `environment`: PAYLOAD_SECRET was set. */
  secret: 'included' | 'environment'
  /** HMAC of a fixed text under the secret, so a restore can say when it runs under another secret. */
  secretFingerprint: string
  /** True when the media are stored under files/media/ (a media folder outside the data folder, or S3). */
  separateMedia: boolean
  /** Where the media were: a local folder, or an S3 bucket (their objects are under files/media/). Absent in older backups: local. */
  mediaStore?: 'local' | 's3'
  /**
   * The media folder's path inside the data folder (`media` by default) when it lies there, so a
   * restore onto S3 knows which files/data/ entries are media. Absent otherwise.
   */
  mediaInData?: string
}

export interface BackupFileRecord {
  path: string
  bytes: number
  sha256: string
}

export interface BackupManifest {
  tables: Record<string, { rows: number; sha256: string }>
  files: BackupFileRecord[]
  /** Totals for people and for the restore drill. */
  totals: { tables: number; rows: number; files: number; fileBytes: number }
}

export const secretFingerprint = (secret: string): string => createHmac('sha256', secret).update('shrutik-backup-fingerprint').digest('hex').slice(0, 16)

/** Whether `candidate` is `parent` or lies inside it. */
export const isInside = (parent: string, candidate: string): boolean => {
  const relative = path.relative(parent, candidate)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** A relative archive path that cannot climb out of the folder it is extracted into. */
export const safeRelative = (relative: string): boolean =>
  relative.length > 0 && !relative.startsWith('/') && !relative.split('/').some((part) => part === '..' || part === '' || part === '.')

/** A failure with a sysexits status for the CLI: 65 bad data, 66 cannot open input, 73 cannot create output. */
export class BackupError extends Error {
  override name = 'BackupError'
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** A pass-through that counts and hashes (SHA-256) what flows through it. */
export const meter = () => {
  const hash = createHash('sha256')
  let bytes = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      callback(null, chunk)
    },
  })
  return { stream, digest: () => hash.digest('hex'), bytes: () => bytes }
}
