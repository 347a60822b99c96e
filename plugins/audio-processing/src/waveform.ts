import sharp from 'sharp'

export interface WaveformOptions {
  /** Sized for the admin sidebar. @default 600 */
  width?: number
  /** @default 96 */
  height?: number
  /** Bar colour. @default [37, 99, 235] */
  rgb?: [number, number, number]
}

/**
 * A waveform PNG from peak magnitudes (0–1), drawn as mirrored bars on a transparent background.
 * Peaks come from the analysis pass's decoded PCM; nothing is decoded again here.
 */
export const renderWaveform = async (peaks: number[], { width = 600, height = 96, rgb = [37, 99, 235] }: WaveformOptions = {}): Promise<Buffer> => {
  const pixels = Buffer.alloc(width * height * 4)
  const middle = (height - 1) / 2
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x / width) * peaks.length)
    const to = Math.max(from + 1, Math.floor(((x + 1) / width) * peaks.length))
    let peak = 0
    for (let i = from; i < Math.min(to, peaks.length); i++) peak = Math.max(peak, peaks[i])
    // At least one pixel, so silence still shows as a line.
    const half = Math.max(0.5, Math.min(1, peak) * middle)
    for (let y = Math.floor(middle - half); y <= Math.ceil(middle + half); y++) {
      if (y < 0 || y >= height) continue
      const offset = (y * width + x) * 4
      pixels[offset] = rgb[0]
      pixels[offset + 1] = rgb[1]
      pixels[offset + 2] = rgb[2]
      pixels[offset + 3] = 255
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } }).png({ compressionLevel: 6, palette: false }).toBuffer()
}
