import type { FileStore } from '@shrutik/plugin-sdk'

export interface CopyResult {
  copied: number
  skipped: number
  bytes: number
}

/**
 * Copies every file of one media store into another under the same key (the move from a media
 * folder to a bucket). A file the target already holds with the same size is skipped, so an
 * interrupted copy is simply run again. Nothing is deleted from either side.
 */
export const copyMedia = async (from: FileStore, to: FileStore, onProgress?: (done: number, key: string) => void): Promise<CopyResult> => {
  const result: CopyResult = { copied: 0, skipped: 0, bytes: 0 }
  let done = 0
  for await (const file of from.list('')) {
    onProgress?.(++done, file.key)
    const there = await to.stat(file.key)
    if (there?.bytes === file.bytes) {
      result.skipped++
      continue
    }
    const copy = await from.localCopy(file.key)
    try {
      result.bytes += (await to.put(file.key, { path: copy.path })).bytes
      result.copied++
    } finally {
      await copy.release()
    }
  }
  return result
}
