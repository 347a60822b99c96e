import { normalizeText } from '@shrutik/plugin-consensus/core'

import { flattenText } from '../core'
import type { ExportFormat } from './types'

/** `|` separates LJSpeech's columns and has no escape: it becomes a space inside a text. */
const cell = (text: string) => flattenText(text.replace(/\|/g, ' ')).replace(/ {2,}/g, ' ')

/** LJSpeech: one voice, wavs/*.wav at 22,050 Hz, metadata.csv `id|text|normalized text` (no header). */
export const ljspeechFormat: ExportFormat = {
  name: 'ljspeech',
  description: 'LJSpeech (wavs/ at 22,050 Hz + metadata.csv id|text|normalized): single-speaker TTS recipes (Coqui, ESPnet, Piper).',
  forcedAudio: { codec: 'wav', sampleRate: 22_050 },
  async check(source) {
    // One set entry per speaker: bounded by the speakers, not the clips.
    const distinct = new Set<string>()
    for await (const row of source.rows({ bucket: 'validated' })) distinct.add(row.speakerId)
    const speakers = [...distinct].sort()
    if (speakers.length > 1) {
      return `LJSpeech holds one voice, but this selection has ${speakers.length} speakers. Choose one speaker (speaker ids: ${speakers.slice(0, 5).join(', ')}${speakers.length > 5 ? ', …' : ''}).`
    }
    return undefined
  },
  audioPath: (row) => (row.bucket === 'validated' ? `wavs/${row.name}.wav` : null),
  files: (source, context) => [
    {
      path: 'metadata.csv',
      content: (async function* () {
        for await (const row of source.rows({ bucket: 'validated' })) yield `${row.name}|${cell(row.text)}|${cell(normalizeText(row.text, { language: context.language.code }))}\n`
      })(),
    },
  ],
  usage: ['Use as an LJSpeech-format dataset (`formatter: ljspeech` in Coqui TTS); every clip is one speaker, WAV 22,050 Hz mono.'],
}
