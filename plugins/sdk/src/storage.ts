import type { Readable } from 'node:stream'

/**
 * The file store: where media (uploaded recordings, processed audio, waveforms, site images) is
 * kept, by key. The host hands one store to every plugin (`getFileStore`); it is a folder on local
 * disk by default, or a bucket on S3-compatible storage. Plugins never build paths into the media
 * folder themselves, so every stage works with either.
 *
 * Keys are `/`-separated relative names made from our own ids and generated file names
 * (`processed/12/<uuid>/archive.flac`), never from client input: an implementation refuses a key
 * that is empty, absolute, holds `.` or `..` segments, a backslash or a NUL (`assertValidKey`).
 */
export interface FileStore {
  /** `local` (a folder) or `s3` (a bucket); for messages and for choices such as hard links. */
  readonly kind: 'local' | 's3'
  /** Where the files are, for people: a folder, or `s3://bucket/prefix`. */
  readonly location: string
  /** Stores a file from a local path (moved when `move` is set and the store can), or from a stream. Atomic: readers see the whole file or none. */
  put(key: string, source: { path: string; move?: boolean } | { stream: Readable }, options?: { contentType?: string }): Promise<{ bytes: number }>
  /** The file's bytes, or the inclusive byte range `start`–`end` of them. Throws `FileNotFoundError` when absent. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>
  /** The file's size, or undefined when absent. */
  stat(key: string): Promise<{ bytes: number } | undefined>
  /** Removes the file; absent is fine. */
  delete(key: string): Promise<void>
  /** Removes every file whose key starts with `prefix/` (a folder's worth). Returns how many went. */
  deletePrefix(prefix: string): Promise<number>
  /** Every file whose key starts with `prefix` (`''`: all), in key order, with its size. */
  list(prefix: string): AsyncIterable<{ key: string; bytes: number }>
  /**
   * A path on local disk holding the file, for tools that need one (ffmpeg): the file itself on a
   * local store, a temporary download otherwise. Call `release` when done (it removes a download).
   * Throws `FileNotFoundError` when absent.
   */
  localCopy(key: string): Promise<{ path: string; release: () => Promise<void> }>
  /** A fresh empty local folder for work files (on the same disk as a local store, so `put` with `move` is a rename). Remove it when done. */
  scratchDir(): Promise<string>
}

export class FileNotFoundError extends Error {
  readonly code = 'ENOENT'
  constructor(readonly key: string) {
    super(`No stored file "${key}".`)
    this.name = 'FileNotFoundError'
  }
}

// No control characters (NUL among them), no backslash (a separator on Windows), no `.` or `..`.
// eslint-disable-next-line no-control-regex
const SEGMENT = /^(?!\.{1,2}$)[^\x00-\x1f\x7f\\/]{1,255}$/

/**
 * Throws unless `key` is a relative `/`-separated name: no absolute path, no `.` or `..` segment,
 * no empty segment, no NUL or other control character, no backslash.
 * `allowEmpty` accepts `''` (a list of everything).
 */
export const assertValidKey = (key: string, { allowEmpty = false }: { allowEmpty?: boolean } = {}): void => {
  if (typeof key !== 'string') throw new Error('A stored file key must be a string.')
  if (key === '' && allowEmpty) return
  if (key.length > 512 || !key.split('/').every((segment) => SEGMENT.test(segment))) {
    throw new Error(`"${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 100)}" is not a valid stored file key (relative names separated by "/", without "..").`)
  }
}

/** A `list` prefix: `''`, a key, or a key followed by `/` (a folder's contents). */
export const assertValidPrefix = (prefix: string): void => {
  if (prefix === '') return
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}

/** Joins key segments with `/` (each validated). */
export const joinKey = (...parts: (string | number)[]): string => {
  const key = parts.map(String).filter((part) => part !== '').join('/')
  assertValidKey(key)
  return key
}
