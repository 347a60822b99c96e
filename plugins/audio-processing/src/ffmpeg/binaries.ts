import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export interface Binaries {
  ffmpeg: string
  ffprobe: string
  /** Where they came from: FFMPEG_PATH/FFPROBE_PATH, the system PATH, or the npm installer packages. */
  source: 'env' | 'system' | 'npm'
}

const require = createRequire(import.meta.url)

const onPath = (name: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

let cached: Binaries | undefined

/**
 * ffmpeg and ffprobe: explicit FFMPEG_PATH/FFPROBE_PATH first, then a system pair on PATH (Debian's
 * ffmpeg is newer and about 3× faster for Opus/MP3), then the binaries shipped by
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, so a bare `npm install` works.
 */
export const resolveBinaries = (): Binaries => {
  if (cached) return cached
  if (process.env.FFMPEG_PATH && process.env.FFPROBE_PATH) {
    return (cached = { ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH, source: 'env' })
  }
  const systemFfmpeg = onPath('ffmpeg')
  const systemFfprobe = onPath('ffprobe')
  if (systemFfmpeg && systemFfprobe) return (cached = { ffmpeg: systemFfmpeg, ffprobe: systemFfprobe, source: 'system' })
  const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path
  const ffprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path
  return (cached = { ffmpeg, ffprobe, source: 'npm' })
}
