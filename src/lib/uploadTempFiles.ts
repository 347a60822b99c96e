import fs from 'node:fs/promises'
import path from 'node:path'

import type { AfterErrorHook, CollectionAfterOperationHook, CollectionConfig } from 'payload'

import { logger } from './logger'

/** Older than this, a temp upload cannot belong to a request still in flight (its file is written to as bytes arrive). */
export const STALE_UPLOAD_TEMP_MS = 10 * 60 * 1000
export const UPLOAD_TEMP_SWEEP_EVERY_MS = 60 * 60 * 1000

const tempPathsOf = (files: unknown): string[] => {
  if (!files || typeof files !== 'object') return []
  if (Array.isArray(files)) return files.flatMap(tempPathsOf)
  const tempFilePath = (files as { tempFilePath?: unknown }).tempFilePath
  if (typeof tempFilePath === 'string') return [tempFilePath]
  return Object.values(files).flatMap(tempPathsOf)
}

/**
 * Payload removes the temp file of an upload collection's `file` part when its operation ends,
 * but not when the request fails before that (a `_payload` that is not JSON, say): every temp file
 * the request parsed is removed on any error. Only files inside the temp upload folder are touched.
 */
export const removeRequestTempFiles: AfterErrorHook = async ({ req }) => {
  const tempDir = req.payload.config.upload?.tempFileDir
  if (!tempDir) return
  const root = path.resolve(tempDir) + path.sep
  const paths = new Set([...tempPathsOf(req.files), ...tempPathsOf(req.file)])
  for (const tempPath of paths) {
    if (path.resolve(tempPath).startsWith(root)) await fs.rm(tempPath, { force: true })
  }
}

/**
 * Payload unlinks the temp file it still names in `req.file` when an upload operation ends; with a
 * storage adapter (S3) `req.file` is the adapter's copy without that path, and the parsed temp file
 * would stay forever. Whatever temp file the request parsed that Payload will not unlink goes here.
 */
const removeOrphanedTempFiles: CollectionAfterOperationHook = async ({ req, result }) => {
  const tempDir = req.payload.config.upload?.tempFileDir
  if (!tempDir) return result
  const root = path.resolve(tempDir) + path.sep
  const payloadUnlinks = (req.file as { tempFilePath?: string } | undefined)?.tempFilePath
  for (const tempPath of new Set(tempPathsOf(req.files))) {
    if (tempPath !== payloadUnlinks && path.resolve(tempPath).startsWith(root)) await fs.rm(tempPath, { force: true })
  }
  return result
}

/** Adds the orphaned-temp-file cleanup to every upload collection. */
export const withTempFileCleanup = (collections: CollectionConfig[]): CollectionConfig[] =>
  collections.map((collection) =>
    collection.upload ? { ...collection, hooks: { ...collection.hooks, afterOperation: [...(collection.hooks?.afterOperation ?? []), removeOrphanedTempFiles] } } : collection,
  )

/** A multipart form whose `_payload` field is not JSON: Payload's JSON.parse throws, which is the client's mistake. */
export const malformedPayloadFieldIsBadRequest: AfterErrorHook = ({ error, req }) => {
  const multipart = (req.headers?.get('content-type') ?? '').includes('multipart/')
  if (error instanceof SyntaxError && multipart) {
    return { status: 400, response: { errors: [{ message: 'The "_payload" form field must be a JSON object of the document\'s fields.' }] } }
  }
  return undefined
}

/**
 * Removes temp uploads older than `olderThanMs` (by last write): what a crash or a killed request
 * left behind. Run at start and hourly by web processes. Returns how many files went.
 */
export const sweepUploadTempDir = async (dir: string, olderThanMs = STALE_UPLOAD_TEMP_MS): Promise<number> => {
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  const cutoff = Date.now() - olderThanMs
  let removed = 0
  for (const name of names) {
    const file = path.join(dir, name)
    try {
      const stat = await fs.lstat(file)
      if (!stat.isFile() || stat.mtimeMs > cutoff) continue
      await fs.rm(file, { force: true })
      removed += 1
    } catch (error) {
      // Gone meanwhile (its request finished): nothing to do.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  if (removed > 0) logger.info('removed stale temp uploads', { dir, removed })
  return removed
}
