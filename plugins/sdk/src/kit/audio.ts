/**
 * Test audio generated in memory (no binary fixtures): PCM WAV writers and signals that look like
 * speech to the checks — voiced bursts with syllable-rate amplitude changes, pauses, faint noise.
 */

export interface WavOptions {
  sampleRate?: number
  channels?: number
  /** Claimed data length in bytes (to fake a truncated file); defaults to the real length. */
  declaredDataBytes?: number
}

/** 16-bit PCM WAV from mono samples in [-1, 1] (copied into every channel). */
export const wav = (samples: Float32Array, { sampleRate = 16_000, channels = 1, declaredDataBytes }: WavOptions = {}): Buffer => {
  const dataBytes = samples.length * 2 * channels
  const buffer = Buffer.alloc(44 + dataBytes)
  buffer.write('RIFF', 0)
  buffer.writeUInt32LE(36 + (declaredDataBytes ?? dataBytes), 4)
  buffer.write('WAVE', 8)
  buffer.write('fmt ', 12)
  buffer.writeUInt32LE(16, 16)
  buffer.writeUInt16LE(1, 20)
  buffer.writeUInt16LE(channels, 22)
  buffer.writeUInt32LE(sampleRate, 24)
  buffer.writeUInt32LE(sampleRate * 2 * channels, 28)
  buffer.writeUInt16LE(2 * channels, 32)
  buffer.writeUInt16LE(16, 34)
  buffer.write('data', 36)
  buffer.writeUInt32LE(declaredDataBytes ?? dataBytes, 40)
  let offset = 44
  for (const sample of samples) {
    const value = Math.max(-32768, Math.min(32767, Math.round(sample * 32767)))
    for (let channel = 0; channel < channels; channel++) {
      buffer.writeInt16LE(value, offset)
      offset += 2
    }
  }
  return buffer
}

/** Deterministic pseudo-random numbers, so tests are repeatable. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
  return seed / 0x7fffffff
}

export interface Segment {
  /** Seconds of voiced sound, or of pause when `pause` is true. */
  seconds: number
  pause?: boolean
}

/**
 * Speech-like audio: harmonic bursts (pitch 120–220 Hz) modulated at a syllable rate, separated by
 * the given pauses, over faint noise. `gain` scales the voice (1 ≈ conversational level).
 */
export const speechLike = (segments: Segment[], { sampleRate = 16_000, gain = 0.4, noise = 0.002, seed = 7 } = {}): Float32Array => {
  const next = random(seed)
  const total = Math.round(segments.reduce((sum, segment) => sum + segment.seconds, 0) * sampleRate)
  const out = new Float32Array(total)
  let index = 0
  for (const segment of segments) {
    const length = Math.round(segment.seconds * sampleRate)
    const pitch = 120 + next() * 100
    for (let i = 0; i < length; i++, index++) {
      const t = i / sampleRate
      let value = (next() * 2 - 1) * noise
      if (!segment.pause) {
        const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t) ** 2
        const fade = Math.min(1, t / 0.02, (segment.seconds - t) / 0.02)
        const voice = Math.sin(2 * Math.PI * pitch * t) + 0.5 * Math.sin(4 * Math.PI * pitch * t) + 0.25 * Math.sin(6 * Math.PI * pitch * t)
        value += gain * 0.55 * syllable * fade * voice
      }
      out[index] = value
    }
  }
  return out
}

/** N seconds of one thing: silence, noise at an amplitude, or a steady tone. */
export const constant = (seconds: number, kind: 'silence' | 'noise' | 'tone', { sampleRate = 16_000, amplitude = 0.3, seed = 3 } = {}): Float32Array => {
  const next = random(seed)
  const out = new Float32Array(Math.round(seconds * sampleRate))
  for (let i = 0; i < out.length; i++) {
    out[i] = kind === 'silence' ? 0 : kind === 'noise' ? (next() * 2 - 1) * amplitude : amplitude * Math.sin((2 * Math.PI * 440 * i) / sampleRate)
  }
  return out
}
