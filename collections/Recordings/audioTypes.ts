import fs from 'node:fs/promises'
import path from 'node:path'

import { fileTypeFromBuffer } from 'file-type'

/**
 * Audio containers accepted for upload, decided by the file's content (magic bytes), never by its
 * name or the client's Content-Type. Browsers record WebM/Opus (Chromium, Firefox) or MP4/AAC
 * (Safari); API clients may send WAV, FLAC, MP3, Ogg or M4A. WebM and MP4 are sniffed as video/*
 * containers; the audio-processing plugin then checks the streams with ffprobe.
 */
export const AUDIO_MIME_TYPES = [
  'audio/wav',
  'audio/x-wav',
  'audio/vnd.wave',
  'audio/webm',
  'video/webm',
  'audio/ogg',
  'audio/opus',
  'audio/flac',
  'audio/x-flac',
  'audio/mpeg',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'video/mp4',
] as const

export interface DetectedAudio {
  ext: string
  mime: string
}

export class UnsupportedAudioError extends Error {}

const allowed = (mime: string): boolean => AUDIO_MIME_TYPES.some((type) => mime === type || mime.startsWith(`${type};`))

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
