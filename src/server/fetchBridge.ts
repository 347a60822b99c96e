import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

import type { Request as ExpressRequest, Response as ExpressResponse } from 'express'

/**
 * The request body as a web stream, with backpressure. When the consumer stops early (an upload
 * refused at the size limit), the rest of the body is drained and discarded instead of throwing
 * into a closed stream. `inspect` sees each chunk before the consumer does and may refuse the body
 * by throwing.
 */
const bodyStream = (req: ExpressRequest, inspect?: (chunk: Uint8Array) => void): ReadableStream<Uint8Array> => {
  let done = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return
        const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        try {
          inspect?.(bytes)
        } catch (error) {
          // Refused: the consumer gets the error instead of this chunk, and the rest is discarded.
          done = true
          controller.error(error)
          req.resume()
          return
        }
        controller.enqueue(bytes)
        if ((controller.desiredSize ?? 1) <= 0) req.pause()
      })
      req.on('end', () => {
        if (done) return
        done = true
        controller.close()
      })
      req.on('error', (error) => {
        if (done) return
        done = true
        controller.error(error)
      })
    },
    pull() {
      req.resume()
    },
    cancel() {
      done = true
      req.resume()
    },
  })
}

export const fetchHeaders = (req: ExpressRequest): Headers => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  return headers
}

/** Builds a Fetch `Request` from an Express request, streaming the body (uploads are never buffered here). */
export const toFetchRequest = (req: ExpressRequest, url: URL, inspectBody?: (chunk: Uint8Array) => void): Request => {
  const headers = fetchHeaders(req)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? bodyStream(req, inspectBody) : undefined,
    // Required by Node's fetch for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit)
}

/** Writes a Fetch `Response` to Express, streaming the body and keeping every Set-Cookie header. */
export const sendFetchResponse = async (response: Response, res: ExpressResponse): Promise<void> => {
  res.status(response.status)
  if (response.status === 503 && !response.headers.has('retry-after')) res.setHeader('Retry-After', '10')
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (!response.body) {
    res.end()
    return
  }
  // pipeline, not pipe: when the client goes away mid-download (an aborted range request), the
  // source is destroyed too, so the file handle behind it is closed instead of leaking.
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream), res)
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error
  }
}
