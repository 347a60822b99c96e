import fs from 'node:fs/promises'
import path from 'node:path'

import { UPLOAD_AUDIO_TYPES } from '@shrutik/plugin-sdk'
import { fileTypeFromBuffer } from 'file-type'

export interface DetectedAudio {
  ext: string
  mime: string
}

export class UnsupportedAudioError extends Error {}

/** Accepted by content (the SDK's one media-type table), never by name. */
const allowed = (mime: string): boolean => UPLOAD_AUDIO_TYPES.some((type) => mime === type || mime.startsWith(`${type};`))

/**
 * The start of a file, read once: every container above is recognised within it, and sniffing a
 * buffer costs a fraction of file-type's many small reads through a file tokenizer.
 */
const SNIFF_BYTES = 64 * 1024
const readHead = async (file: string): Promise<Buffer> => {
  const handle = await fs.open(file, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Sniffs an uploaded file; throws UnsupportedAudioError with a message a contributor can act on. */
export const detectAudio = async (file: { data?: Buffer; tempFilePath?: string; name?: string }): Promise<DetectedAudio> => {
  const head = file.tempFilePath && (!file.data || file.data.length === 0) ? await readHead(file.tempFilePath) : file.data
  const detected = head ? await fileTypeFromBuffer(head) : undefined
  if (!detected) {
    throw new UnsupportedAudioError(
      `"${path.basename(file.name ?? 'the file')}" is not a recognisable audio file. Upload WebM, Ogg/Opus, WAV, FLAC, MP3 or M4A audio.`,
    )
  }
  if (!allowed(detected.mime)) {
    throw new UnsupportedAudioError(
      `"${path.basename(file.name ?? 'the file')}" contains ${detected.mime}, not audio. Upload WebM, Ogg/Opus, WAV, FLAC, MP3 or M4A audio.`,
    )
  }
  return { ext: detected.ext, mime: detected.mime }
}
