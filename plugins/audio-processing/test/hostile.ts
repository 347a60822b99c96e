import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { resolveBinaries } from '../src/ffmpeg'
import { constant, speechLike, wav } from '@shrutik/plugin-sdk/testing'

/** Generates, in `dir`, good speech in every accepted format and every hostile file the plugin must refuse. */

const ffmpeg = (args: string[]) => {
  const result = spawnSync(resolveBinaries().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args])
  if (result.status !== 0) throw new Error(result.stderr.toString())
}

export const buildAudioFiles = (dir: string): Record<string, string> => {
  const files: Record<string, string> = {}
  const file = (name: string, content: Buffer | Uint8Array) => {
    const target = path.join(dir, name)
    fs.writeFileSync(target, content)
    return target
  }
  const speech = speechLike([{ seconds: 1.2 }, { seconds: 0.5, pause: true }, { seconds: 1.5 }, { seconds: 0.4, pause: true }, { seconds: 1.4 }])
  files.speechWav = file('speech.wav', wav(speech))
  for (const [name, codec] of [
    ['speech.webm', 'libopus'],
    ['speech.ogg', 'libopus'],
    ['speech.flac', 'flac'],
    ['speech.mp3', 'libmp3lame'],
    ['speech.m4a', 'aac'],
  ]) {
    files[name] = path.join(dir, name)
    ffmpeg(['-i', files.speechWav, '-c:a', codec, files[name]])
  }
  files.empty = file('empty.wav', Buffer.alloc(0))
  files.random = file('random.wav', Buffer.from(Array.from({ length: 8000 }, (_, i) => (i * 7919 + 13) % 256)))
  files.png = file('voice.webm', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63600000020001e221bc330000000049454e44ae426082', 'hex'))
  // A WebM that claims its full length but was cut after a few hundred milliseconds of data.
  files.truncated = file('truncated.webm', fs.readFileSync(files['speech.webm']).subarray(0, 3000))
  // An hour of silence packed into a small FLAC: must be refused without decoding an hour.
  files.hourFlac = path.join(dir, 'hour.flac')
  ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '3600', '-c:a', 'flac', files.hourFlac])
  files.channels32 = file('ch32.wav', wav(speech.subarray(0, 16_000), { channels: 32 }))
  files.rate384 = file('sr384.wav', wav(constant(1, 'tone', { sampleRate: 384_000 }), { sampleRate: 384_000 }))
  files.silent = file('silent.wav', wav(constant(4, 'silence')))
  files.short = file('short.wav', wav(speechLike([{ seconds: 0.4 }])))
  files.clipped = file('clipped.wav', wav(speechLike([{ seconds: 3 }], { gain: 4 })))
  // A valid WAV header followed by garbage: decodes as full-scale noise, not a voice.
  files.garbage = file(
    'garbage.wav',
    Buffer.concat([wav(new Float32Array(0), { declaredDataBytes: 160_000 }).subarray(0, 44), Buffer.from(Array.from({ length: 160_000 }, (_, i) => (i * 2654435761) % 256))]),
  )
  // Garbage after a valid FLAC header.
  const flac = fs.readFileSync(files['speech.flac'])
  files.garbageFlac = file('garbage.flac', Buffer.concat([flac.subarray(0, 200), Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 40503) % 256))]))
  return files
}

/** Each hostile file and the code `inspect` must give it. */
export const HOSTILE_CODES: [name: string, code: string][] = [
  ['empty', 'empty'],
  ['random', 'not-audio'],
  ['png', 'not-audio'],
  ['truncated', 'truncated'],
  ['hourFlac', 'too-long'],
  ['channels32', 'too-many-channels'],
  ['rate384', 'sample-rate-too-high'],
  ['silent', 'silent'],
  ['short', 'too-short'],
  ['clipped', 'too-loud'],
  ['garbage', 'too-loud'],
  // The FLAC decoder skips garbage silently: far less sound than the header promises.
  ['garbageFlac', 'truncated'],
]
