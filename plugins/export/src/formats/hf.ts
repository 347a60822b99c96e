import { csvLine, type ExportRow } from '../core'
import type { ExportFormat, FormatContext } from './types'

const FOLDERS = { train: 'train', dev: 'validation', test: 'test' } as const

async function* metadata(rows: AsyncIterable<ExportRow>) {
  yield csvLine(['file_name', 'transcription', 'speaker_id', 'duration', 'age', 'gender', 'accents', 'variant'])
  for await (const row of rows) {
    yield csvLine([`${row.name}.${row.extension}`, row.text, row.speakerId, (row.durationMs / 1000).toFixed(3), row.demographics.age, row.demographics.gender, row.demographics.accents, row.demographics.variant])
  }
}

const yamlString = (value: string) => JSON.stringify(value)

/** Hugging Face `audiofolder`: `load_dataset("audiofolder", data_dir=...)` or push the folder to the Hub as is. */
export const huggingFaceFormat: ExportFormat = {
  name: 'hf',
  description: 'Hugging Face audiofolder (train/ validation/ test/ with metadata.csv and a dataset card): for `datasets.load_dataset`.',
  audioPath: (row) => (row.split ? `${FOLDERS[row.split]}/${row.name}.${row.extension}` : null),
  files: (source) => (['train', 'dev', 'test'] as const).map((split) => ({ path: `${FOLDERS[split]}/metadata.csv`, content: metadata(source.rows({ split })) })),
  readme(context: FormatContext) {
    const { stats } = context
    const front = [
      '---',
      `license: ${context.licence.toLowerCase()}`,
      'language:',
      `- ${context.language.code}`,
      `pretty_name: ${yamlString(context.title)}`,
      'task_categories:',
      '- automatic-speech-recognition',
      'configs:',
      '- config_name: default',
      '  data_files:',
      ...(['train', 'dev', 'test'] as const).flatMap((split) => [`  - split: ${FOLDERS[split]}`, `    path: ${FOLDERS[split]}/**`]),
      'dataset_info:',
      '  splits:',
      ...(['train', 'dev', 'test'] as const).flatMap((split) => [`  - name: ${FOLDERS[split]}`, `    num_examples: ${stats.splits[split].clips}`]),
      '---',
      '',
    ]
    return `${front.join('\n')}${context.datasheet}`
  },
  usage: ['`datasets.load_dataset("audiofolder", data_dir="<this folder>")` gives train, validation and test with `audio`, `transcription`, `speaker_id`, `duration` and the demographic columns.'],
}
