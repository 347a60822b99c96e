import { describe, expect, test } from '@jest/globals'

import { createMultipartGuard, MultipartRefusal } from '../../src/server/multipartGuard'

/** The guard reads part headers however the body is cut into chunks (Payload sees none of a refused part). */

const encode = async (form: FormData) => {
  const response = new Response(form)
  return { contentType: response.headers.get('content-type') as string, body: new Uint8Array(await response.arrayBuffer()) }
}

const form = (parts: [string, string | Blob, string?][]) => {
  const data = new FormData()
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') data.append(name, value)
    else data.append(name, value, filename)
  }
  return data
}

/** Feeds the body in chunks of `size`; returns the refusal, if any, and how many bytes had been let through before it. */
const feed = (contentType: string, body: Uint8Array, size: number, uploadRoute: boolean) => {
  const guard = createMultipartGuard(contentType, { uploadRoute, uploadPaths: ['/api/recordings'] })
  let passed = 0
  for (let start = 0; start < body.length; start += size) {
    const chunk = body.subarray(start, start + size)
    try {
      guard.inspect(chunk)
    } catch (error) {
      expect(error).toBeInstanceOf(MultipartRefusal)
      return { refusal: (error as Error).message, passed }
    }
    passed += chunk.length
  }
  return { refusal: undefined, passed }
}

const file = (bytes = 5000) => new Blob([new Uint8Array(bytes).fill(7)], { type: 'audio/wav' })
const CHUNK_SIZES = [1, 2, 7, 64, 1000, 1 << 20]

describe('multipart guard', () => {
  test('fields only: passed on any route, whatever the chunking', async () => {
    const { contentType, body } = await encode(form([['_payload', '{"name":"x","filename":"not a file"}'], ['other', 'value']]))
    for (const size of CHUNK_SIZES) {
      expect(feed(contentType, body, size, false).refusal).toBeUndefined()
      expect(feed(contentType, body, size, true).refusal).toBeUndefined()
    }
  })

  test('one part named "file" on an upload route: passed', async () => {
    const { contentType, body } = await encode(form([['_payload', '{}'], ['file', file(), 'take.wav']]))
    for (const size of CHUNK_SIZES) expect(feed(contentType, body, size, true).refusal).toBeUndefined()
  })

  test('a file on a route that takes none: refused before its content gets through', async () => {
    const { contentType, body } = await encode(form([['_payload', '{}'], ['file', file(), 'take.wav']]))
    const contentStart = Buffer.from(body).indexOf(Buffer.from(new Uint8Array(16).fill(7)))
    for (const size of CHUNK_SIZES) {
      const { refusal, passed } = feed(contentType, body, size, false)
      expect(refusal).toMatch(/does not take files/)
      expect(passed).toBeLessThanOrEqual(contentStart)
    }
  })

  test('a second file, or a file under another name, on an upload route: refused before the second part gets through', async () => {
    for (const parts of [
      [['file', file(), 'a.wav'], ['file', file(), 'b.wav']],
      [['file', file(), 'a.wav'], ['extra', file(), 'b.wav']],
      [['audio', file(), 'a.wav']],
    ] as [string, Blob, string][][]) {
      const { contentType, body } = await encode(form([['_payload', '{}'], ...parts]))
      const lastPart = Buffer.from(body).lastIndexOf(Buffer.from('Content-Disposition'))
      for (const size of CHUNK_SIZES) {
        const { refusal, passed } = feed(contentType, body, size, true)
        expect(refusal).toMatch(/exactly one file/)
        expect(passed).toBeLessThan(lastPart + 200)
      }
    }
  })

  test('no boundary: refused', () => {
    expect(feed('multipart/form-data', new Uint8Array(10), 10, true).refusal).toMatch(/boundary/)
  })
})
