import { getFileStore, joinKey, serveStoredFile } from '@shrutik/plugin-sdk'
import type { PayloadRequest } from 'payload'

export { parseByteRange } from '@shrutik/plugin-sdk'

/**
 * Serves an upload collection's files (upload `handlers`, run after Payload's access check) from
 * the media store, local folder or S3 bucket alike, as `<folder>/<filename>`: with byte ranges,
 * and from a stream that is destroyed when the client goes away (Payload's own handler keeps a
 * dropped download's file open until garbage collection).
 */
export const streamStoredUpload =
  ({ folder, modifyHeaders }: { folder: string; modifyHeaders?: (headers: Headers) => Headers }) =>
  async (req: PayloadRequest, { doc, params }: { doc: unknown; params: { filename: string } }): Promise<Response> => {
    const filename = params.filename
    // The name comes from the URL: one plain file name, never a path (the key check refuses the rest).
    if (!filename || filename.includes('/')) return Response.json({ errors: [{ message: 'Invalid filename.' }] }, { status: 400 })
    let key: string
    try {
      key = joinKey(folder, filename)
    } catch {
      return Response.json({ errors: [{ message: 'Invalid filename.' }] }, { status: 400 })
    }
    const mimeType = (doc as { mimeType?: unknown } | null)?.mimeType
    return serveStoredFile(getFileStore(req.payload), key, {
      range: req.headers.get('range'),
      contentType: typeof mimeType === 'string' && mimeType ? mimeType : 'application/octet-stream',
      modifyHeaders,
    })
  }
