import { expect, test } from '@jest/globals'
import sharp from 'sharp'

import { renderWaveform } from './waveform'

test('draws a PNG of the requested size whose bars follow the peaks', async () => {
  const peaks = Array.from({ length: 300 }, (_, i) => (i < 150 ? 0.05 : 0.9))
  const png = await renderWaveform(peaks, { width: 200, height: 50 })
  const image = sharp(png)
  expect(await image.metadata()).toMatchObject({ format: 'png', width: 200, height: 50 })
  const { data } = await image.raw().ensureAlpha().toBuffer({ resolveWithObject: true })
  const filled = (x: number) => Array.from({ length: 50 }, (_, y) => data[(y * 200 + x) * 4 + 3]).filter((alpha) => alpha > 0).length
  expect(filled(20)).toBeLessThan(6)
  expect(filled(180)).toBeGreaterThan(40)
})

test('silence still draws a visible centre line', async () => {
  const { data } = await sharp(await renderWaveform(new Array(100).fill(0), { width: 100, height: 20 })).raw().ensureAlpha().toBuffer({ resolveWithObject: true })
  expect(data.some((value, index) => index % 4 === 3 && value > 0)).toBe(true)
})
