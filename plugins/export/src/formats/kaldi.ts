import { collectText, flattenText, sortC, type ExportRow, type RowSource, type Split } from '../core'
import type { ExportFile, ExportFormat } from './types'

const GENDER = { male: 'm', female: 'f' } as Record<string, string>

/** wav.scp entry: WAV is read directly; other codecs through an ffmpeg pipe (Kaldi reads only WAV). */
const wavEntry = (row: ExportRow) => {
  const file = `audio/${row.name}.${row.extension}`
  return row.extension === 'wav' ? file : `ffmpeg -nostdin -loglevel error -i ${file} -f wav -ac 1 -acodec pcm_s16le - |`
}

/**
 * Kaldi's per-utterance files, one line per row. Utterance ids are the clip names: one fixed
 * length, unique and starting with the speaker id, so rows in name order give lines already in C
 * order (what `validate_data_dir.sh` checks) without sorting.
 */
const PER_UTTERANCE: Record<string, (row: ExportRow) => string> = {
  'wav.scp': (row) => `${row.name} ${wavEntry(row)}\n`,
  text: (row) => `${row.name} ${flattenText(row.text)}\n`,
  utt2spk: (row) => `${row.name} ${row.speakerId}\n`,
  utt2dur: (row) => `${row.name} ${(row.durationMs / 1000).toFixed(3)}\n`,
}

const hasText = (row: ExportRow) => flattenText(row.text) !== ''

async function* utterances(rows: AsyncIterable<ExportRow>) {
  for await (const row of rows) if (hasText(row)) yield row
}

async function* perUtterance(rows: AsyncIterable<ExportRow>, line: (row: ExportRow) => string) {
  for await (const row of utterances(rows)) yield line(row)
}

/** spk2utt: rows in name order come grouped by speaker, speakers in C order. */
async function* speakerToUtterances(rows: AsyncIterable<ExportRow>) {
  let speaker: string | undefined
  let list: string[] = []
  for await (const row of utterances(rows)) {
    if (row.speakerId !== speaker) {
      if (speaker !== undefined) yield `${speaker} ${list.join(' ')}\n`
      speaker = row.speakerId
      list = []
    }
    list.push(row.name)
  }
  if (speaker !== undefined) yield `${speaker} ${list.join(' ')}\n`
}

/** Each speaker's gender (m/f), or null unless every speaker of the rows has one (spk2gender is then left out). One entry per speaker. */
const speakerGenders = async (rows: AsyncIterable<ExportRow>): Promise<Map<string, string> | null> => {
  const genders = new Map<string, string | undefined>()
  for await (const row of utterances(rows)) genders.set(row.speakerId, GENDER[row.demographics.gender])
  if (genders.size === 0 || ![...genders.values()].every(Boolean)) return null
  return genders as Map<string, string>
}

/** The files of one Kaldi data dir from a stream of its rows (several passes), every one in C order. */
export async function* kaldiDataDirFiles(rows: () => AsyncIterable<ExportRow>, prefix = ''): AsyncGenerator<ExportFile> {
  for (const [name, line] of Object.entries(PER_UTTERANCE)) {
    yield { path: `${prefix}${name}`, content: perUtterance(rows(), line) }
    if (name === 'wav.scp') yield { path: `${prefix}spk2utt`, content: speakerToUtterances(rows()) }
  }
  const genders = await speakerGenders(rows())
  if (genders) yield { path: `${prefix}spk2gender`, content: sortC([...genders].map(([speaker, gender]) => `${speaker} ${gender}\n`)).join('') }
}

/** The files of one Kaldi data dir (in memory; tests and small tools). */
export const kaldiDataDir = async (rows: ExportRow[]): Promise<Record<string, string>> => {
  const files: Record<string, string> = {}
  const stream = async function* () {
    yield* rows
  }
  for await (const file of kaldiDataDirFiles(stream)) files[file.path] = await collectText(file.content)
  return files
}

const anyUtterance = async (source: RowSource, split: Split) => {
  for await (const row of source.rows({ split })) if (hasText(row)) return true
  return false
}

/** Kaldi data dirs (train/, dev/, test/) that pass `utils/validate_data_dir.sh --no-feats`. */
export const kaldiFormat: ExportFormat = {
  name: 'kaldi',
  description: 'Kaldi data dirs (wav.scp, text, utt2spk, spk2utt, utt2dur per split): for Kaldi, k2/icefall and ESPnet recipes.',
  defaultAudio: { codec: 'wav', sampleRate: 16_000 },
  audioPath: (row) => (row.split ? `audio/${row.name}.${row.extension}` : null),
  async *files(source) {
    for (const split of ['train', 'dev', 'test'] as const) {
      if (!(await anyUtterance(source, split))) continue
      yield* kaldiDataDirFiles(() => source.rows({ split }), `${split}/`)
    }
  },
  usage: [
    'Run recipes from this folder (wav.scp paths are relative to it), e.g. `utils/validate_data_dir.sh --no-feats train`, then `steps/make_mfcc.sh data/train`.',
    'wav.scp reads WAV directly; with FLAC or Opus audio it decodes through `ffmpeg` (needs ffmpeg on PATH).',
  ],
}
