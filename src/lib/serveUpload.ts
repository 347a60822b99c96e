import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import type { PayloadRequest } from 'payload'

/** `Range: bytes=a-b` (one range; `a-`, `-n` too) against a file of `size` bytes. */
export const parseByteRange = (header: string | null, size: number): { start: number; end: number } | 'none' | 'invalid' => {
  if (!header) return 'none'
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]))
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  return start > end || start >= size ? 'invalid' : { start, end }
}

/**
 * Payload serves stored uploads through a web stream with no cancel: a download the client drops
 * (a player seeking with range requests, a closed tab) leaves its file open until garbage
 * collection. This handler (upload `handlers`, run after Payload's access check) serves the same
 * bytes, ranges and headers from a Node stream that is destroyed, and its file closed, on cancel.
 */
export const streamStoredUpload =
  ({ staticDir, modifyHeaders }: { staticDir: string; modifyHeaders?: (headers: Headers) => Headers }) =>
  async (req: PayloadRequest, { doc, params }: { doc: unknown; params: { filename: string } }): Promise<Response> => {
    const root = path.resolve(staticDir)
    const file = path.resolve(root, params.filename)
    if (!file.startsWith(root + path.sep)) return Response.json({ errors: [{ message: 'Invalid filename.' }] }, { status: 400 })
    let size: number
    try {
      size = (await fs.promises.stat(file)).size
    } catch {
      return Response.json({ errors: [{ message: 'Not Found' }] }, { status: 404 })
    }
    const range = parseByteRange(req.headers.get('range'), size)
    let headers = new Headers({ 'Accept-Ranges': 'bytes' })
    const mimeType = (doc as { mimeType?: unknown } | null)?.mimeType
    headers.set('Content-Type', typeof mimeType === 'string' && mimeType ? mimeType : 'application/octet-stream')
    if (range === 'invalid') {
      headers.set('Content-Range', `bytes */${size}`)
      return new Response(null, { status: 416, headers: modifyHeaders?.(headers) ?? headers })
    }
    const part = range === 'none' ? { start: 0, end: size - 1 } : range
    headers.set('Content-Length', String(Math.max(0, part.end - part.start + 1)))
    if (range !== 'none') headers.set('Content-Range', `bytes ${part.start}-${part.end}/${size}`)
    headers = modifyHeaders?.(headers) ?? headers
    const body = size === 0 ? null : (Readable.toWeb(fs.createReadStream(file, { start: part.start, end: part.end })) as unknown as ReadableStream)
    return new Response(body, { status: range === 'none' ? 200 : 206, headers })
  }
