import fs from 'node:fs/promises'
import path from 'node:path'

import type { FileStore } from '@shrutik/plugin-sdk'

import { dataDir, mediaDir, s3Settings } from '../lib/env'
import { createLocalFileStore } from './local'
import { createS3FileStore } from './s3'

export { createLocalFileStore } from './local'
export { createS3FileStore, s3ClientConfig } from './s3'

/** Folders of media keys: uploaded recordings, the processing plugin's derived files, site images. */
export const MEDIA_FOLDERS = { recordings: 'recordings', processed: 'processed', site: 'site' } as const

/**
 * The media store this process uses, from the environment: a bucket when S3_BUCKET is set, the
 * MEDIA_DIR folder otherwise. Work files (downloads for ffmpeg) go under `<data dir>/tmp/files`.
 */
export const scratchRoot = (): string => path.join(dataDir(), 'tmp', 'files')

export const fileStoreFromEnv = (): FileStore => {
  const s3 = s3Settings()
  return s3 ? createS3FileStore(s3, { scratchRoot: scratchRoot() }) : createLocalFileStore({ root: mediaDir(), scratchRoot: scratchRoot() })
}

/** Work folders older than this were left by a process that died mid-job (a job's own limit is far shorter). */
export const STALE_SCRATCH_MS = 24 * 60 * 60_000

/** Removes work folders (`work-*`) under `root` last written more than `olderThanMs` ago. Returns how many went. */
export const sweepScratch = async (root: string = scratchRoot(), olderThanMs = STALE_SCRATCH_MS): Promise<number> => {
  let names: string[]
  try {
    names = await fs.readdir(root)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  const cutoff = Date.now() - olderThanMs
  let removed = 0
  for (const name of names.filter((entry) => entry.startsWith('work-'))) {
    const stat = await fs.lstat(path.join(root, name)).catch(() => undefined)
    if (!stat?.isDirectory() || stat.mtimeMs > cutoff) continue
    await fs.rm(path.join(root, name), { recursive: true, force: true })
    removed++
  }
  return removed
}
