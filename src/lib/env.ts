import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * All configuration comes from environment variables, read here and nowhere else.
 * Every variable is documented in the README ("Configuration").
 */

export const PLACEHOLDER_SECRETS = new Set(['', 'change-me', 'changeme', 'secret', 'shrutik', 'YOUR_SECRET_HERE'])

const int = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`Environment variable ${name} must be a non-negative number, got "${raw}"`)
  }
  return value
}

const bool = (name: string, fallback: boolean): boolean => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new Error(`Environment variable ${name} must be true or false, got "${raw}"`)
}

export const projectRoot = (): string => process.env.SHRUTIK_ROOT ?? process.cwd()

// turbopackIgnore: these are runtime paths, not files for the bundler to trace.
export const dataDir = (): string => path.resolve(/*turbopackIgnore: true*/ projectRoot(), process.env.SHRUTIK_DATA_DIR ?? 'data')

/**
 * Where the embedded PostgreSQL keeps its cluster and a copy of its binaries when Shrutik runs as
 * root and the `postgres` user cannot reach the project folder (a checkout in /root).
 */
export const postgresHome = (): string => path.resolve(/*turbopackIgnore: true*/ process.env.SHRUTIK_POSTGRES_HOME ?? '/var/lib/shrutik')

export const mediaDir = (): string => path.resolve(/*turbopackIgnore: true*/ process.env.MEDIA_DIR ?? path.join(dataDir(), 'media'))

export interface S3Settings {
  bucket: string
  /** Objects are kept under `<prefix>/` in the bucket ('' for the bucket's root). */
  prefix: string
  region: string
  /** An S3-compatible server's URL (MinIO, Garage, Ceph, ...); unset for AWS itself. */
  endpoint?: string
  /** Both or neither: without them the AWS SDK's own chain (instance role, AWS_* variables) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  /** `bucket` in the path instead of the host name: what MinIO and most self-hosted servers need. */
  forcePathStyle: boolean
}

const S3_VARIABLES = ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PREFIX'] as const

/**
 * Media on S3-compatible storage when S3_BUCKET is set (README "Media on S3"); undefined keeps
 * media on local disk (MEDIA_DIR). Empty counts as unset (compose passes unset variables as empty).
 */
export const s3Settings = (): S3Settings | undefined => {
  const value = (name: string) => process.env[name]?.trim() || undefined
  const bucket = value('S3_BUCKET')
  if (!bucket) {
    const stray = S3_VARIABLES.filter((name) => value(name) !== undefined && name !== 'S3_FORCE_PATH_STYLE')
    if (stray.length > 0) throw new Error(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but S3_BUCKET is not: set S3_BUCKET to keep media on S3, or unset ${stray.length === 1 ? 'it' : 'them'} to keep media on local disk.`)
    return undefined
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new Error(`S3_BUCKET must be a bucket name (3–63 lower-case letters, digits, dots and hyphens), got "${bucket}".`)
  }
  const endpoint = value('S3_ENDPOINT')
  if (endpoint !== undefined) {
    let url: URL | undefined
    try {
      url = new URL(endpoint)
    } catch {
      url = undefined
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) {
      throw new Error(`S3_ENDPOINT must be an http:// or https:// URL without credentials in it (for example http://minio:9000), got "${endpoint}".`)
    }
  }
  const accessKeyId = value('S3_ACCESS_KEY_ID')
  const secretAccessKey = value('S3_SECRET_ACCESS_KEY')
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new Error('Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (then the AWS SDK finds credentials itself, e.g. from an instance role).')
  }
  const prefix = (value('S3_PREFIX') ?? '').replace(/^\/+|\/+$/g, '')
  if (prefix && !prefix.split('/').every((segment) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(segment))) {
    throw new Error(`S3_PREFIX must be names of letters, digits, ".", "_" and "-" separated by "/" (for example "shrutik/media"), got "${prefix}".`)
  }
  return {
    bucket,
    prefix,
    region: value('S3_REGION') ?? 'us-east-1',
    endpoint,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: bool('S3_FORCE_PATH_STYLE', false),
  }
}

export const isProduction = (): boolean => process.env.NODE_ENV === 'production'

/** Multipart framing and form fields on top of an uploaded file, allowed beyond UPLOAD_MAX_BYTES. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024

export const settings = () => ({
  port: int('PORT', 3000),
  host: process.env.HOST ?? '0.0.0.0',
  serverURL: process.env.SERVER_URL ?? `http://localhost:${int('PORT', 3000)}`,
  trustProxy: process.env.TRUST_PROXY ?? 'loopback',
  logLevel: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  allowSelfRegistration: bool('ALLOW_SELF_REGISTRATION', true),
  seedOnEmpty: bool('SEED_ON_EMPTY', true),
  uploadMaxBytes: int('UPLOAD_MAX_BYTES', 50 * 1024 * 1024),
  apiMaxLimit: int('API_MAX_LIMIT', 100),
  /** Sentences held in memory per language for serving (0: no pool, every batch by SQL). */
  sentencePoolSize: int('SITE_SENTENCE_POOL_SIZE', 2000),
  sentencePoolMaxAgeMs: int('SITE_SENTENCE_POOL_MAX_AGE_MS', 5000),
  apiMaxDepth: int('API_MAX_DEPTH', 3),
  /** Clips per export shard job, and how long a silent export worker keeps its job before another takes it over. */
  exportShardSize: int('EXPORT_SHARD_SIZE', 1000),
  exportLockLifetimeMs: int('EXPORT_LOCK_LIFETIME_MS', 120_000),
  maxLoginAttempts: int('MAX_LOGIN_ATTEMPTS', 5),
  lockTimeMs: int('LOCK_TIME_MS', 10 * 60 * 1000),
  tokenExpirationSeconds: int('TOKEN_EXPIRATION_SECONDS', 2 * 60 * 60),
  shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000),
  // Empty counts as unset (compose passes unset variables through as empty strings).
  emailFrom: process.env.EMAIL_FROM || 'no-reply@localhost',
  emailFromName: process.env.EMAIL_FROM_NAME || 'Shrutik',
  // The webhooks plugin (examples/webhooks): signed POSTs to other systems; none unless URLs are given.
  webhooks: {
    urls: (process.env.WEBHOOK_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean),
    events: (process.env.WEBHOOK_EVENTS || 'segment.decided').split(',').map((event) => event.trim()).filter(Boolean),
    secret: process.env.WEBHOOK_SECRET ?? '',
    allowPrivateAddresses: bool('WEBHOOK_ALLOW_PRIVATE_ADDRESSES', false),
  },
  rateLimitStore: (process.env.RATE_LIMIT_STORE ?? 'postgres') as 'postgres' | 'memory',
  rateLimits: {
    login: { points: int('RATE_LIMIT_LOGIN', 20), durationSec: int('RATE_LIMIT_LOGIN_WINDOW_SEC', 15 * 60) },
    register: { points: int('RATE_LIMIT_REGISTER', 10), durationSec: int('RATE_LIMIT_REGISTER_WINDOW_SEC', 60 * 60) },
    passwordReset: { points: int('RATE_LIMIT_PASSWORD_RESET', 5), durationSec: int('RATE_LIMIT_PASSWORD_RESET_WINDOW_SEC', 60 * 60) },
    // New verification links asked for (each one sends an email), per network.
    verificationEmail: { points: int('RATE_LIMIT_VERIFICATION_EMAIL', 5), durationSec: int('RATE_LIMIT_VERIFICATION_EMAIL_WINDOW_SEC', 60 * 60) },
    upload: { points: int('RATE_LIMIT_UPLOAD', 120), durationSec: int('RATE_LIMIT_UPLOAD_WINDOW_SEC', 60) },
    // Against one person acting as many: new anonymous ids per address, judgments per address and per person.
    newIdentity: { points: int('RATE_LIMIT_NEW_IDENTITY', 10), durationSec: int('RATE_LIMIT_NEW_IDENTITY_WINDOW_SEC', 60 * 60) },
    judge: { points: int('RATE_LIMIT_JUDGE', 240), durationSec: int('RATE_LIMIT_JUDGE_WINDOW_SEC', 60) },
    judgeIdentity: { points: int('RATE_LIMIT_JUDGE_IDENTITY', 30), durationSec: int('RATE_LIMIT_JUDGE_IDENTITY_WINDOW_SEC', 60) },
    siteRead: { points: int('RATE_LIMIT_SITE_READ', 600), durationSec: int('RATE_LIMIT_SITE_READ_WINDOW_SEC', 60) },
  },
})

export type Settings = ReturnType<typeof settings>

/**
 * The secret that signs sessions. Taken from PAYLOAD_SECRET; when that is unset, a random secret is
 * generated once and kept in the data directory, so a one-command install is never left with a
 * guessable default. A placeholder or short secret is refused in production.
 */
export const resolvePayloadSecret = (): string => {
  const fromEnv = process.env.PAYLOAD_SECRET
  if (fromEnv !== undefined) {
    if (isProduction() && (PLACEHOLDER_SECRETS.has(fromEnv) || fromEnv.length < 32)) {
      throw new Error(
        'PAYLOAD_SECRET is a placeholder or shorter than 32 characters. Set a long random value ' +
          '(for example `openssl rand -hex 32`) or unset it to let Shrutik generate one in the data directory.',
      )
    }
    return fromEnv
  }
  const file = path.join(dataDir(), 'payload-secret')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(dataDir(), { recursive: true })
  const secret = randomBytes(32).toString('hex')
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim()
    throw error
  }
}
