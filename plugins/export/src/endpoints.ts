import type { Doc } from './doc'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import { sql, type PostgresAdapter } from '@payloadcms/db-postgres'
import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { refusal } from './access'
import { DOWNLOADS, EXPORTS, type SanitizedExportOptions } from './options'
import { deletePlan } from './planStore'
import { publishedDirOf, removeWorkDirs } from './workDir'


const fail = (message: string, status: number): never => {
  throw new APIError(message, status, undefined, true)
}

/** The caller is checked first: 401 without a session, 403 without the admin or exporter role. */
const checkCaller = (req: PayloadRequest) => {
  const refused = refusal(req)
  if (refused) fail(refused.message, refused.status)
}

const exportFor = async (req: PayloadRequest): Promise<Doc> => {
  const id = Number(req.routeParams?.id)
  if (!Number.isInteger(id) || id <= 0) fail('The export id must be a number.', 400)
  const doc = await req.payload.findByID({ collection: EXPORTS as 'dataset-exports', id, depth: 0, user: req.user, overrideAccess: false }).catch(() => null)
  if (!doc) fail(`Export ${id} does not exist.`, 404)
  return doc as Doc
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → an inclusive range, 'invalid' when it cannot be served, undefined when there is none. */
export const parseRange = (header: string | null, size: number): { start: number; end: number } | 'invalid' | undefined => {
  if (!header) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'invalid'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return 'invalid'
  return { start, end }
}

export const exportEndpoints = (settings: SanitizedExportOptions): Endpoint[] => [
  {
    // The finished archive, streamed, with byte ranges (resumable downloads); every download is recorded.
    path: '/export/exports/:id/download',
    method: 'get',
    handler: async (req) => {
      checkCaller(req)
      const doc = await exportFor(req)
      if (doc.status !== 'done' || !doc.archiveFile) fail(`Export ${doc.id} is ${doc.status}; it can be downloaded once it is done.`, 409)
      const file = path.join(publishedDirOf(settings, Number(doc.id)), path.basename(String(doc.archiveFile)))
      const stat = await fs.promises.stat(file).catch(() => null)
      if (!stat) fail(`The archive of export ${doc.id} is missing on the server; run the export again.`, 410)
      const size = stat!.size
      const range = parseRange(req.headers.get('range'), size)
      if (range === 'invalid') return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } })
      // System write: the audit record of who downloaded what.
      await req.payload.create({ collection: DOWNLOADS as 'dataset-export-downloads', data: { export: doc.id, user: req.user!.id, range: req.headers.get('range') ?? null } as never, depth: 0 })
      const headers: Record<string, string> = {
        'Content-Type': 'application/gzip',
        'Content-Disposition': `attachment; filename="${path.basename(String(doc.archiveFile))}"`,
        'X-Content-Type-Options': 'nosniff',
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'private, no-store',
        ETag: `"${doc.sha256}"`,
      }
      const stream = (start: number, end: number) => Readable.toWeb(fs.createReadStream(file, { start, end })) as unknown as ReadableStream
      if (!range) return new Response(stream(0, size - 1), { status: 200, headers: { ...headers, 'Content-Length': String(size) } })
      return new Response(stream(range.start, range.end), {
        status: 206,
        headers: { ...headers, 'Content-Length': String(range.end - range.start + 1), 'Content-Range': `bytes ${range.start}-${range.end}/${size}` },
      })
    },
  },
  {
    // Stops a queued or running export: its shards end at their next clip, its work files go.
    path: '/export/exports/:id/cancel',
    method: 'post',
    handler: async (req) => {
      checkCaller(req)
      const doc = await exportFor(req)
      // Conditional, so a cancel and the final step cannot both win.
      const result = (await (req.payload.db as unknown as PostgresAdapter).drizzle.execute(
        sql`UPDATE dataset_exports SET status = 'cancelled', phase = NULL, finished_at = now(), updated_at = now() WHERE id = ${doc.id} AND status IN ('queued', 'running') RETURNING id`,
      )) as unknown as { rows: unknown[] }
      if (result.rows.length === 0) fail(`Export ${doc.id} is ${doc.status === 'queued' || doc.status === 'running' ? 'already finished' : doc.status}; only a queued or running export can be cancelled.`, 409)
      await removeWorkDirs(settings, Number(doc.id))
      await deletePlan(req.payload, { exportId: Number(doc.id) })
      return Response.json({ ok: true, status: 'cancelled' })
    },
  },
]
