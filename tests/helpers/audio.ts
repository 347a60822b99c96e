/** A real PCM WAV (16-bit mono) with a sine tone, generated in memory: no fixtures to ship. */
export const sineWav = (seconds = 1, sampleRate = 16_000, frequency = 440): Uint8Array<ArrayBuffer> => {
  const samples = Math.round(seconds * sampleRate)
  const buffer = Buffer.alloc(44 + samples * 2)
  buffer.write('RIFF', 0)
  buffer.writeUInt32LE(36 + samples * 2, 4)
  buffer.write('WAVE', 8)
  buffer.write('fmt ', 12)
  buffer.writeUInt32LE(16, 16)
  buffer.writeUInt16LE(1, 20)
  buffer.writeUInt16LE(1, 22)
  buffer.writeUInt32LE(sampleRate, 24)
  buffer.writeUInt32LE(sampleRate * 2, 28)
  buffer.writeUInt16LE(2, 32)
  buffer.writeUInt16LE(16, 34)
  buffer.write('data', 36)
  buffer.writeUInt32LE(samples * 2, 40)
  for (let i = 0; i < samples; i++) {
    buffer.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 12_000), 44 + i * 2)
  }
  return new Uint8Array(buffer)
}

/** A valid 16-bit mono WAV of exactly `totalBytes` bytes, all silence: cheap to make at any size. */
export const silentWav = (totalBytes: number, sampleRate = 16_000): Uint8Array<ArrayBuffer> => {
  const dataBytes = (totalBytes - 44) & ~1
  const buffer = Buffer.alloc(44 + dataBytes)
  buffer.write('RIFF', 0)
  buffer.writeUInt32LE(36 + dataBytes, 4)
  buffer.write('WAVE', 8)
  buffer.write('fmt ', 12)
  buffer.writeUInt32LE(16, 16)
  buffer.writeUInt16LE(1, 20)
  buffer.writeUInt16LE(1, 22)
  buffer.writeUInt32LE(sampleRate, 24)
  buffer.writeUInt32LE(sampleRate * 2, 28)
  buffer.writeUInt16LE(2, 32)
  buffer.writeUInt16LE(16, 34)
  buffer.write('data', 36)
  buffer.writeUInt32LE(dataBytes, 40)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) as Uint8Array<ArrayBuffer>
}

/** The 8-byte PNG signature and a minimal IHDR: enough for content sniffing to say "image/png". */
export const tinyPng = (): Uint8Array<ArrayBuffer> =>
  bytes(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000100' + '05fe02fe0000000049454e44ae426082',
    'hex',
  )

/** Bytes in a fresh ArrayBuffer, as Blob and fetch expect. */
export function bytes(source: string | number, encoding?: BufferEncoding): Uint8Array<ArrayBuffer> {
  return new Uint8Array(typeof source === 'number' ? Buffer.alloc(source) : Buffer.from(source, encoding))
}
