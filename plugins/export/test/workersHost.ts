import path from 'node:path'

import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'
import { consensusPlugin } from '@shrutik/plugin-consensus'
import { createLocalFileStore } from '@shrutik/plugin-sdk'
import type { TestHostOptions } from '@shrutik/plugin-sdk/testing'

import { exportPlugin } from '../src'

/**
 * The one configuration of workers.test.ts's host and of its worker processes (test/worker.ts), so
 * they agree on collections, plugins, options, the secret and the media folder: small shards and a short lock.
 */
export const workersHostOptions = (folder: string, secret: string): TestHostOptions => ({
  core: true,
  // One secret, as one installation's processes share PAYLOAD_SECRET (speaker ids are salted with it).
  secret,
  services: { fileStore: createLocalFileStore({ root: path.join(folder, 'media'), scratchRoot: path.join(folder, 'scratch') }) },
  plugins: [audioProcessingPlugin({}), consensusPlugin({}), exportPlugin({ exportsDir: path.join(folder, 'exports'), shardSize: 3, lockLifetimeMs: 3000 })],
})
