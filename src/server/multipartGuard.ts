import { APIError } from 'payload'

/**
 * Payload parses every multipart body it is given and writes each file part to the temp upload
 * folder before it checks access or knows whether the route takes files at all, and only ever
 * removes the one part named `file`. This guard reads the part headers as the body streams past,
 * before Payload sees a byte of them, and stops the body at the first part that would leave a file
 * behind: any file on a route that takes none, and on an upload route any file part but one named
 * `file`.
 */

/** An APIError, so Payload (which meets it first, as its body stream fails) answers with this message and status. */
export class MultipartRefusal extends APIError {
  constructor(message: string, status = 400) {
    super(message, status, undefined, true)
    // Logged at Payload's level for refusals (info), not as a server error.
    this.name = 'APIError'
  }
}

/** Busboy's own bound for one part's header block. */
const MAX_PART_HEADER_BYTES = 16 * 1024
const HEADER_END = Buffer.from('\r\n\r\n')

const boundaryOf = (contentType: string): string | undefined => {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

/** A part is a file when busboy (Payload's parser) would make it one: a filename, or octet-stream content. */
const describePart = (headerBlock: string): { name?: string; isFile: boolean } => {
  let name: string | undefined
  let isFile = false
  for (const line of headerBlock.split('\r\n')) {
    const [header, ...rest] = line.split(':')
    const value = rest.join(':')
    if (/^content-disposition$/i.test(header.trim())) {
      const named = /;\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(value)
      name = named?.[1] ?? named?.[2]
      if (/;\s*filename\*?\s*=/i.test(value)) isFile = true
    } else if (/^content-type$/i.test(header.trim()) && /^\s*application\/octet-stream\s*(;|$)/i.test(value)) {
      isFile = true
    }
  }
  return { name, isFile }
}

export interface MultipartGuard {
  /** Looks at the next chunk of the body; throws a MultipartRefusal before the chunk may be passed on. */
  inspect(chunk: Uint8Array): void
}

/**
 * `uploadRoute`: the route stores one file (`POST /api/recordings`, `PATCH /api/media/:id`, ...).
 * `uploadPaths` names those routes in the refusal, so the client knows where files go.
 */
export const createMultipartGuard = (contentType: string, { uploadRoute, uploadPaths }: { uploadRoute: boolean; uploadPaths: string[] }): MultipartGuard => {
  const boundary = boundaryOf(contentType)
  if (!boundary) {
    return {
      inspect() {
        throw new MultipartRefusal('The multipart body has no boundary in its Content-Type header.')
      },
    }
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // Busboy matches the first boundary as if a line break came before it; so does this scan.
  let pending: Buffer = Buffer.from('\r\n')
  let finished = false
  let files = 0

  const onPart = (headerBlock: string) => {
    const part = describePart(headerBlock)
    if (!part.isFile) return
    if (!uploadRoute) {
      throw new MultipartRefusal(
        `This address does not take files. Send the fields without a file part (as JSON or form fields); files are uploaded with POST or PATCH to ${uploadPaths.join(' or ')}.`,
      )
    }
    files += 1
    if (part.name !== 'file' || files > 1) {
      throw new MultipartRefusal('Send exactly one file, in the form part named "file" (the other fields go in "_payload").')
    }
  }

  return {
    inspect(chunk) {
      if (finished) return
      const data = Buffer.concat([pending, chunk])
      let from = 0
      for (;;) {
        const at = data.indexOf(delimiter, from)
        if (at === -1) {
          // Keep just enough to find a delimiter cut in two by the chunking.
          pending = data.subarray(Math.max(from, data.length - delimiter.length + 1))
          return
        }
        const afterDelimiter = at + delimiter.length
        if (data.length - afterDelimiter < 2) {
          pending = data.subarray(at)
          return
        }
        if (data[afterDelimiter] === 0x2d && data[afterDelimiter + 1] === 0x2d) {
          // The closing delimiter: what follows is an epilogue, never parsed.
          finished = true
          return
        }
        const headerEnd = data.indexOf(HEADER_END, afterDelimiter)
        if (headerEnd === -1) {
          if (data.length - afterDelimiter > MAX_PART_HEADER_BYTES) throw new MultipartRefusal('A part of the multipart body has headers over 16 KB.')
          pending = data.subarray(at)
          return
        }
        onPart(data.subarray(afterDelimiter, headerEnd).toString('latin1'))
        from = headerEnd + HEADER_END.length
      }
    },
  }
}
