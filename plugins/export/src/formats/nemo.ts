import { flattenText } from '../core'
import type { ExportFormat } from './types'

/** NVIDIA NeMo manifests: one JSON object per line, paths relative to the export folder. */
export const nemoFormat: ExportFormat = {
  name: 'nemo',
  description: 'NeMo manifests (train/dev/test_manifest.json, JSON lines): for NeMo ASR and TTS training.',
  audioPath: (row) => (row.split ? `audio/${row.name}.${row.extension}` : null),
  files: (source) =>
    (['train', 'dev', 'test'] as const).map((split) => ({
      path: `${split}_manifest.json`,
      content: (async function* () {
        for await (const row of source.rows({ split })) {
          yield `${JSON.stringify({ audio_filepath: `audio/${row.name}.${row.extension}`, duration: Number((row.durationMs / 1000).toFixed(3)), text: flattenText(row.text) })}\n`
        }
      })(),
    })),
  usage: ['Point `train_ds.manifest_filepath` at train_manifest.json (and validation/test at the others); paths are relative to this folder, so run from it or rewrite them with an absolute prefix.'],
}
