import { describe, expect, test } from '@jest/globals'
import { mediaTypeOf, UPLOAD_AUDIO_TYPES } from '@shrutik/plugin-sdk'

describe('the media-type table', () => {
  test.each([
    ['a.flac', 'audio/flac'],
    ['segment-3.OGG', 'audio/ogg'],
    ['take.opus', 'audio/ogg'],
    ['clip.mp3', 'audio/mpeg'],
    ['wave.png', 'image/png'],
    ['report.html', 'application/octet-stream'],
    ['no-extension', 'application/octet-stream'],
    ['trailing.', 'application/octet-stream'],
  ])('%s is served as %s', (name, type) => {
    expect(mediaTypeOf(name)).toBe(type)
  })

  test('uploads take what browsers record, and nothing a browser would render as a page', () => {
    expect(UPLOAD_AUDIO_TYPES).toEqual(expect.arrayContaining(['audio/webm', 'audio/mp4', 'audio/ogg', 'audio/wav']))
    expect(UPLOAD_AUDIO_TYPES.filter((type) => !/^(audio|video)\//.test(type))).toEqual([])
  })
})
