import fs from 'node:fs'
import path from 'node:path'

import { afterEach, describe, expect, test } from '@jest/globals'

import { resolvePayloadSecret, settings } from '../../src/lib/env'

const saved = { ...process.env }
afterEach(() => {
  for (const key of ['PAYLOAD_SECRET', 'NODE_ENV', 'SHRUTIK_DATA_DIR', 'PORT']) {
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
