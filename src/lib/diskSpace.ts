import fs from 'node:fs'

import { APIError, type AfterErrorHook, type PayloadRequest } from 'payload'

/** Kept free beyond the file itself: the database, logs and processed copies need room too. */
export const DISK_MARGIN_BYTES = 1024 * 1024

export const STORAGE_FULL_MESSAGE = 'The server’s storage is full, so your recording was not saved. Nothing was kept; please try again later (the administrator has been told).'

/** Bytes an unprivileged writer may still use on the filesystem holding `dir` (undefined if unknown). */
export const freeBytes = (dir: string): number | undefined => {
  try {
    const stats = fs.statfsSync(dir)
    return Number(stats.bavail) * Number(stats.bsize)
  } catch {
    return undefined
  }
}

const isStorageFull = (error: unknown): boolean => {
  let current = error as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 6; depth++) {
    if (current.code === 'ENOSPC' || current.code === 'EDQUOT') return true
    current = current.cause as typeof current
  }
  return false
}

/**
 * Refuses an upload that cannot fit where it is kept, before Payload copies it there (a copy cut off
 * by a full disk leaves a partial file under a generated name). 507 Insufficient Storage.
 */
export const assertRoomFor = (req: PayloadRequest, dir: string): void => {
  const size = (req.file as { size?: number } | undefined)?.size
  if (!size) return
  fs.mkdirSync(dir, { recursive: true })
  const free = freeBytes(dir)
  if (free !== undefined && free < size + DISK_MARGIN_BYTES) {
    req.payload.logger.error({ msg: 'upload refused: the storage is full', dir, freeBytes: free, uploadBytes: size })
    throw new APIError(STORAGE_FULL_MESSAGE, 507, undefined, true)
  }
}

/** A write that hit a full disk or a quota (the temp file of an upload, say) answers 507, not 500. */
export const storageFullIsInsufficientStorage: AfterErrorHook = ({ error }) =>
  isStorageFull(error) ? { status: 507, response: { errors: [{ message: STORAGE_FULL_MESSAGE }] } } : undefined
