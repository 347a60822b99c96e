import { flattenText, sortC, type ExportRow } from '../core'
import type { ExportFormat } from './types'

const GENDER = { male: 'm', female: 'f' } as Record<string, string>

/** wav.scp entry: WAV is read directly; other codecs through an ffmpeg pipe (Kaldi reads only WAV). */
const wavEntry = (row: ExportRow) => {
  const file = `audio/${row.name}.${row.extension}`
  return row.extension === 'wav' ? file : `ffmpeg -nostdin -loglevel error -i ${file} -f wav -ac 1 -acodec pcm_s16le - |`
}

/** The files of one Kaldi data dir, every one sorted in C locale; utterance ids start with the speaker id. */
export const kaldiDataDir = (rows: ExportRow[]): Record<string, string> => {
  const join = (lines: string[]) => sortC(lines).join('')
  const utts = rows.map((row) => ({ utt: row.name, spk: row.speakerId, row }))
  const bySpeaker = new Map<string, string[]>()
  for (const { utt, spk } of utts) bySpeaker.set(spk, [...(bySpeaker.get(spk) ?? []), utt])
  const files: Record<string, string> = {
    'wav.scp': join(utts.map(({ utt, row }) => `${utt} ${wavEntry(row)}\n`)),
    text: join(utts.map(({ utt, row }) => `${utt} ${flattenText(row.text)}\n`)),
    utt2spk: join(utts.map(({ utt, spk }) => `${utt} ${spk}\n`)),
    spk2utt: join([...bySpeaker].map(([spk, list]) => `${spk} ${sortC(list).join(' ')}\n`)),
    utt2dur: join(utts.map(({ utt, row }) => `${utt} ${(row.durationMs / 1000).toFixed(3)}\n`)),
  }
  const genders = new Map<string, string | undefined>()
  for (const { spk, row } of utts) genders.set(spk, GENDER[row.demographics.gender])
  if (genders.size > 0 && [...genders.values()].every(Boolean)) files.spk2gender = join([...genders].map(([spk, gender]) => `${spk} ${gender}\n`))
  return files
}

/** Kaldi data dirs (train/, dev/, test/) that pass `utils/validate_data_dir.sh --no-feats`. */
export const kaldiFormat: ExportFormat = {
  name: 'kaldi',
  description: 'Kaldi data dirs (wav.scp, text, utt2spk, spk2utt, utt2dur per split): for Kaldi, k2/icefall and ESPnet recipes.',
  defaultAudio: { codec: 'wav', sampleRate: 16_000 },
  audioPath: (row) => (row.split ? `audio/${row.name}.${row.extension}` : null),
  files(rows) {
    return (['train', 'dev', 'test'] as const).flatMap((split) => {
      const inSplit = rows.filter((row) => row.split === split && flattenText(row.text) !== '')
      if (inSplit.length === 0) return []
      return Object.entries(kaldiDataDir(inSplit)).map(([name, content]) => ({ path: `${split}/${name}`, content }))
    })
  },
  usage: [
    'Run recipes from this folder (wav.scp paths are relative to it), e.g. `utils/validate_data_dir.sh --no-feats train`, then `steps/make_mfcc.sh data/train`.',
    'wav.scp reads WAV directly; with FLAC or Opus audio it decodes through `ffmpeg` (needs ffmpeg on PATH).',
  ],
}
