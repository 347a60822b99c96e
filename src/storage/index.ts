import path from 'node:path'

import { createLocalFileStore, type FileStore } from '@shrutik/plugin-sdk'

import { dataDir, mediaDir, s3Settings } from '../lib/env'
import { createS3FileStore } from './s3'

// The local store is the SDK's (plugin tests use it through the test kit).
export { createLocalFileStore } from '@shrutik/plugin-sdk'
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
