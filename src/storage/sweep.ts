import fs from 'node:fs/promises'
import path from 'node:path'

import { scratchRoot } from './index'

// Kept out of ./index (which payload.config imports): only the server's start runs it, and the
// bundler need not trace a folder read at run time.

/** Work folders older than this were left by a process that died mid-job (a job's own limit is far shorter). */
export const STALE_SCRATCH_MS = 24 * 60 * 60_000

/** Removes work folders (`work-*`) under `root` last written more than `olderThanMs` ago. Returns how many went. */
export const sweepScratch = async (root: string = scratchRoot(), olderThanMs = STALE_SCRATCH_MS): Promise<number> => {
  let names: string[]
  try {
    names = await fs.readdir(/*turbopackIgnore: true*/ root)
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
