import { describe, expect, test } from '@jest/globals'
import type { Config } from 'payload'

import { getRegisteredJobs } from '@shrutik/plugin-sdk'

import { parseRange } from './endpoints'
import { BUILT_IN_FORMATS, type ExportFormat } from './formats'
import { exportPlugin } from './plugin'
import { sanitizeOptions } from './options'

const base = (): Config =>
  ({
    collections: ['segments', 'recordings', 'votes', 'languages', 'users', 'sentences'].map((slug) => ({ slug, fields: [] })),
  }) as unknown as Config

describe('exportPlugin', () => {
  test('adds its collections, endpoints and jobs; with enabled: false only the schema', () => {
    const config = exportPlugin({ exportsDir: '/e' })(base())
    expect(config.collections!.map((collection) => collection.slug)).toEqual(expect.arrayContaining(['dataset-exports', 'dataset-export-downloads']))
    expect(config.endpoints!.map((endpoint) => endpoint.path)).toEqual(['/export/exports/:id/download', '/export/exports/:id/cancel'])
    expect(getRegisteredJobs(config).map((job) => job.name)).toEqual(['export.build-dataset', 'export.encode-shard', 'export.finalize-dataset', 'export.run-schedules'])
    const disabled = exportPlugin({ exportsDir: '/e', enabled: false })(base())
    expect(disabled.collections!.map((collection) => collection.slug)).toContain('dataset-exports')
    expect(disabled.endpoints ?? []).toEqual([])
    expect(getRegisteredJobs(disabled)).toEqual([])
  })

  test('refuses to run without the collections it reads, or with bad options', () => {
    expect(() => exportPlugin({ exportsDir: '/e' })({ collections: [] } as unknown as Config)).toThrow(/no "recordings" collection/)
    expect(() => sanitizeOptions({ exportsDir: '/e', k: 0 })).toThrow(/`k` must be/)
    expect(() => sanitizeOptions({ exportsDir: '/e', shardSize: 1.5 })).toThrow(/shardSize/)
  })

  test('a plugin author adds a format by name; it shows in the admin form', () => {
    const custom: ExportFormat = { name: 'my-format', description: 'one line', audioPath: (row) => `a/${row.name}.${row.extension}`, files: () => [], usage: [] }
    const settings = sanitizeOptions({ exportsDir: '/e', formats: [custom] })
    expect([...settings.formats.keys()]).toEqual([...BUILT_IN_FORMATS.map((format) => format.name), 'my-format'])
    const config = exportPlugin({ exportsDir: '/e', formats: [custom] })(base())
    const exports = config.collections!.find((collection) => collection.slug === 'dataset-exports')!
    const format = exports.fields.find((field) => 'name' in field && field.name === 'format') as { options: { value: string }[] }
    expect(format.options.map((option) => option.value)).toContain('my-format')
    expect(() => sanitizeOptions({ exportsDir: '/e', formats: [{ ...custom, name: 'Bad Name' }] })).toThrow(/lower-case/)
  })
})

describe('byte ranges', () => {
  test.each([
    [null, undefined],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-5', { start: 95, end: 99 }],
    ['bytes=90-200', { start: 90, end: 99 }],
    ['bytes=100-', 'invalid'],
    ['bytes=5-2', 'invalid'],
    ['bytes=-0', 'invalid'],
    ['items=0-1', 'invalid'],
    ['bytes=0-1,5-6', 'invalid'],
  ])('%s of 100 bytes → %j', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected)
  })
})
