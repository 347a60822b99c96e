import fs from 'node:fs'
import path from 'node:path'

import { afterAll, expect, test } from '@jest/globals'

import { buildState, currentStamp, sourceHash, writeBuildStamp } from '../src/lib/buildStamp'

/** `npm start` after `git pull`: the build is redone when it is older than the code. */

const root = path.join(process.env.SHRUTIK_TEST_ROOT ?? 'tests/.tmp', `build-stamp-${process.pid}`)
const write = (relative: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true })
  fs.writeFileSync(path.join(root, relative), text)
}

afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

test('a build is fresh only for the version and sources it was made from', () => {
  write('package.json', JSON.stringify({ name: 'shrutik', version: '1.0.0' }))
  write('src/server/app.ts', 'export const answer = 1\n')
  write('plugins/export/src/index.ts', 'export {}\n')
  expect(buildState(root)).toEqual({ fresh: false, reason: 'there is no build yet' })

  // A build from before stamps existed (an instance upgraded to this version) is rebuilt once.
  write('.next/BUILD_ID', 'old')
  expect(buildState(root)).toMatchObject({ fresh: false, reason: expect.stringMatching(/predates build stamps/) })

  writeBuildStamp(root, currentStamp(root))
  expect(buildState(root)).toEqual({ fresh: true })

  // What is not part of the build does not trigger one.
  write('node_modules/left-pad/index.js', 'module.exports = 1\n')
  write('data/media/a.wav', 'RIFF')
  write('plugins/export/tests/x.test.ts', '// test\n')
  write('plugins/export/test/x.test.ts', '// integration test\n')
  write('plugins/export/src/x.test.ts', '// unit test beside the code\n')
  write('plugins/export/dist/index.js', '// the package build (npm pack)\n')
  expect(buildState(root)).toEqual({ fresh: true })

  // git pull: new server code.
  write('src/server/app.ts', 'export const answer = 2\n')
  expect(buildState(root)).toEqual({ fresh: false, reason: 'the code changed since the last build' })
  writeBuildStamp(root, currentStamp(root))
  write('plugins/export/src/new.ts', 'export const added = true\n')
  expect(buildState(root)).toEqual({ fresh: false, reason: 'the code changed since the last build' })
  writeBuildStamp(root, currentStamp(root))

  // A release bump alone.
  write('package.json', JSON.stringify({ name: 'shrutik', version: '1.1.0' }))
  expect(buildState(root)).toEqual({ fresh: false, reason: 'the version changed (1.0.0 → 1.1.0)' })
})

test('hashing the real project takes well under a second', () => {
  const started = Date.now()
  expect(sourceHash(process.cwd())).toMatch(/^[0-9a-f]{64}$/)
  expect(Date.now() - started).toBeLessThan(2000)
})
