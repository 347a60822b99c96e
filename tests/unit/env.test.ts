import fs from 'node:fs'
import path from 'node:path'

import { afterEach, describe, expect, test } from '@jest/globals'

import { resolvePayloadSecret, s3Settings, settings } from '../../src/lib/env'

const saved = { ...process.env }
const S3_KEYS = ['S3_BUCKET', 'S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PREFIX']
afterEach(() => {
  for (const key of ['PAYLOAD_SECRET', 'NODE_ENV', 'SHRUTIK_DATA_DIR', 'PORT', ...S3_KEYS]) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
})

const setEnv = (values: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
}

describe('PAYLOAD_SECRET', () => {
  test('in production a placeholder or short secret refuses to start, with advice', () => {
    for (const secret of ['change-me', 'short']) {
      setEnv({ NODE_ENV: 'production', PAYLOAD_SECRET: secret })
      expect(() => resolvePayloadSecret()).toThrow(/openssl rand -hex 32/)
    }
    setEnv({ NODE_ENV: 'production', PAYLOAD_SECRET: 'x'.repeat(40) })
    expect(resolvePayloadSecret()).toBe('x'.repeat(40))
  })

  test('unset, a random secret is generated once, kept private in the data directory, and reused', () => {
    const dir = path.join(process.env.SHRUTIK_TEST_ROOT ?? 'tests/.tmp', `secret-${Date.now()}`)
    setEnv({ NODE_ENV: 'production', PAYLOAD_SECRET: undefined, SHRUTIK_DATA_DIR: dir })
    const first = resolvePayloadSecret()
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    expect(resolvePayloadSecret()).toBe(first)
    expect(fs.statSync(path.join(dir, 'payload-secret')).mode & 0o777).toBe(0o600)
    fs.rmSync(dir, { recursive: true, force: true })
  })
})

test('bad numeric settings are reported by name', () => {
  setEnv({ PORT: 'eighty' })
  expect(() => settings()).toThrow(/PORT must be a non-negative number/)
})

describe('S3 media settings', () => {
  const s3 = (values: Record<string, string>) => {
    setEnv(Object.fromEntries(S3_KEYS.map((key) => [key, values[key]])))
    return s3Settings()
  }

  test('unset (or empty, as compose passes it) keeps media on local disk', () => {
    expect(s3({})).toBeUndefined()
    expect(s3({ S3_BUCKET: '', S3_ENDPOINT: '', S3_FORCE_PATH_STYLE: '' })).toBeUndefined()
  })

  test('a full MinIO-style setting is read, with the prefix trimmed of slashes', () => {
    expect(
      s3({ S3_BUCKET: 'shrutik-media', S3_ENDPOINT: 'http://minio:9000', S3_REGION: 'eu-west-1', S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret', S3_FORCE_PATH_STYLE: 'true', S3_PREFIX: '/tenant/media/' }),
    ).toEqual({ bucket: 'shrutik-media', endpoint: 'http://minio:9000', region: 'eu-west-1', credentials: { accessKeyId: 'key', secretAccessKey: 'secret' }, forcePathStyle: true, prefix: 'tenant/media' })
    // AWS itself: no endpoint, no keys (the SDK's own chain), the default region.
    expect(s3({ S3_BUCKET: 'voices' })).toEqual({ bucket: 'voices', endpoint: undefined, region: 'us-east-1', credentials: undefined, forcePathStyle: false, prefix: '' })
  })

  test.each([
    [{ S3_ENDPOINT: 'http://minio:9000' }, /S3_ENDPOINT is set but S3_BUCKET is not/],
    [{ S3_BUCKET: 'Bad_Bucket' }, /S3_BUCKET must be a bucket name/],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'minio:9000' }, /S3_ENDPOINT must be an http/],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'http://user:pw@minio:9000' }, /without credentials/],
    [{ S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'key' }, /both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither/],
    [{ S3_BUCKET: 'ok-bucket', S3_PREFIX: 'media/../other' }, /S3_PREFIX must be/],
    [{ S3_BUCKET: 'ok-bucket', S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE must be true or false/],
  ])('%j is refused with a message that says what to fix', (values, message) => {
    expect(() => s3(values as Record<string, string>)).toThrow(message)
  })
})
