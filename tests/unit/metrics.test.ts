import { describe, expect, test } from '@jest/globals'

import { routeLabel } from '../../src/lib/metrics'

describe('routeLabel keeps the number of series small', () => {
  const slugs = new Set(['users', 'recordings'])
  test.each([
    ['/healthz', '/healthz'],
    ['/api/users', '/api/users'],
    ['/api/users/login', '/api/users/login'],
    ['/api/users/42', '/api/users/:id'],
    ['/api/recordings/file/0b1c.wav', '/api/recordings/file/:name'],
    ['/api/not-a-collection/1', '/api/other'],
    ['/admin/collections/users/3', '/admin'],
    ['/_next/static/chunks/a.js', '/_next'],
    ['/bn/speak', 'site'],
  ])('%s → %s', (path, label) => {
    expect(routeLabel(path, slugs)).toBe(label)
  })
})
