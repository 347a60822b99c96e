import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import S3rver from 's3rver'

export interface TestS3 {
  endpoint: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  /** The S3_* variables that point Shrutik at this server. */
  env: (prefix?: string) => Record<string, string>
  close: () => Promise<void>
}

/**
 * A real S3-compatible server (s3rver) on a free loopback port, keeping its objects in a throwaway
 * folder: the SDK signs, streams, lists and ranges against it exactly as against a bucket.
 */
export const startTestS3 = async (bucket = 'shrutik-test'): Promise<TestS3> => {
  const directory = fs.mkdtempSync(path.join(process.env.SHRUTIK_TEST_ROOT ?? os.tmpdir(), 's3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  // s3rver's fixed development credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  return {
    endpoint,
    bucket,
    ...credentials,
    env: (prefix = '') => ({
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: prefix,
    }),
    close: async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    },
  }
}
