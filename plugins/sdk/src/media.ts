/**
 * The one table of media types: what Shrutik accepts as uploaded audio, and the type each stored
 * file is served with, by extension.
 */

/**
 * Audio accepted for upload, as sniffed from the file's bytes (never its name or the client's
 * Content-Type). Browsers record WebM/Opus (Chromium, Firefox) or MP4/AAC (Safari); API clients
 * may send WAV, FLAC, MP3, Ogg or M4A. WebM and MP4 sniff as video/* containers; ffprobe then
 * checks the streams.
 */
export const UPLOAD_AUDIO_TYPES = [
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

/** The type a stored file is served with, by extension (processed audio, waveforms). */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  webm: 'audio/webm',
  m4a: 'audio/mp4',
  png: 'image/png',
}

/** The media type of a stored file from its name; `application/octet-stream` when unknown. */
export const mediaTypeOf = (fileName: string): string => {
  const dot = fileName.lastIndexOf('.')
  return (dot === -1 ? undefined : MEDIA_TYPES[fileName.slice(dot + 1).toLowerCase()]) ?? 'application/octet-stream'
}
