import { Readable } from 'node:stream'

import { FileNotFoundError, type FileStore } from './storage'

/** `Range: bytes=a-b` (one range; `a-`, `-n` too) against a file of `size` bytes. */
export const parseByteRange = (header: string | null | undefined, size: number): { start: number; end: number } | 'none' | 'invalid' => {
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

export interface ServeStoredFileOptions {
  /** The request's `Range` header. */
  range?: string | null
  contentType: string
  /** Headers every answer carries (Content-Disposition, nosniff, caching, ...). */
  headers?: Record<string, string>
  /** Last say over the headers (an upload collection's `modifyResponseHeaders`). */
  modifyHeaders?: (headers: Headers) => Headers
  /** The answer when the file is absent. @default 404 `Not Found` */
  notFound?: () => Response
}

/**
 * Serves one stored file from any file store: whole (200) or one byte range (206, what Safari's
 * player needs), 416 for a range outside it, `Accept-Ranges` always. The body is a Node stream
 * turned into a web stream, so a client that goes away (a player seeking, a closed tab) destroys
 * it: the file closes, or the S3 download is aborted.
 */
export const serveStoredFile = async (store: FileStore, key: string, options: ServeStoredFileOptions): Promise<Response> => {
  const notFound = options.notFound ?? (() => Response.json({ errors: [{ message: 'Not Found' }] }, { status: 404 }))
  const stat = await store.stat(key)
  if (!stat) return notFound()
  const size = stat.bytes
  const range = parseByteRange(options.range, size)
  let headers = new Headers({ ...options.headers, 'Accept-Ranges': 'bytes', 'Content-Type': options.contentType })
  if (range === 'invalid') {
    headers.set('Content-Range', `bytes */${size}`)
    return new Response(null, { status: 416, headers: options.modifyHeaders?.(headers) ?? headers })
  }
  const part = range === 'none' ? { start: 0, end: size - 1 } : range
  headers.set('Content-Length', String(Math.max(0, part.end - part.start + 1)))
  if (range !== 'none') headers.set('Content-Range', `bytes ${part.start}-${part.end}/${size}`)
  headers = options.modifyHeaders?.(headers) ?? headers
  let body: ReadableStream | null = null
  if (size > 0) {
    try {
      body = Readable.toWeb(await store.get(key, part)) as unknown as ReadableStream
    } catch (error) {
      // Deleted between the size and the read (a reprocess replacing its files).
      if (error instanceof FileNotFoundError) return notFound()
      throw error
    }
  }
  return new Response(body, { status: range === 'none' ? 200 : 206, headers })
}
