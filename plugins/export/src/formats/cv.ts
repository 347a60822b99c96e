import { sortC, tsvLine, type ExportRow } from '../core'
import type { ExportFormat } from './types'

/** The clip TSVs' header, exactly as Common Voice's current releases. */
export const CV_CLIP_COLUMNS = ['client_id', 'path', 'sentence_id', 'sentence', 'sentence_domain', 'up_votes', 'down_votes', 'age', 'gender', 'accents', 'variant', 'locale', 'segment'] as const

const clipFile = (rows: ExportRow[]) =>
  tsvLine([...CV_CLIP_COLUMNS]) +
  rows
    .map((row) =>
      tsvLine([
        row.speakerId,
        `${row.name}.${row.extension}`,
        row.sentenceHash,
        row.text,
        row.domain,
        row.upVotes,
        row.downVotes,
        row.demographics.age,
        row.demographics.gender,
        row.demographics.accents,
        row.demographics.variant,
        row.locale,
        '',
      ]),
    )
    .join('')

/** Common Voice's layout: clips/ and the TSVs its loaders (and most ASR recipes) read. */
export const commonVoiceFormat: ExportFormat = {
  name: 'cv',
  description: 'Common Voice layout (clips/ + validated/train/dev/test TSVs): for recipes and loaders written for Common Voice.',
  audioPath: (row) => `clips/${row.name}.${row.extension}`,
  files(rows) {
    const validated = rows.filter((row) => row.bucket === 'validated')
    const sentences = new Map<string, { row: ExportRow; clips: number }>()
    for (const row of validated) {
      const entry = sentences.get(row.sentenceHash)
      if (entry) entry.clips++
      else sentences.set(row.sentenceHash, { row, clips: 1 })
    }
    const sentenceLines = sortC(
      [...sentences.values()].map(({ row, clips }) => tsvLine([row.sentenceHash, row.text, row.demographics.variant, row.domain, row.source, 1, clips])),
    )
    return [
      { path: 'validated.tsv', content: clipFile(validated) },
      { path: 'invalidated.tsv', content: clipFile(rows.filter((row) => row.bucket === 'invalidated')) },
      { path: 'other.tsv', content: clipFile(rows.filter((row) => row.bucket === 'other')) },
      { path: 'train.tsv', content: clipFile(rows.filter((row) => row.split === 'train')) },
      { path: 'dev.tsv', content: clipFile(rows.filter((row) => row.split === 'dev')) },
      { path: 'test.tsv', content: clipFile(rows.filter((row) => row.split === 'test')) },
      // Common Voice lists reported *sentences* here; Shrutik has no sentence reports, so only the header.
      { path: 'reported.tsv', content: tsvLine(['sentence_id', 'sentence', 'locale', 'reason']) },
      { path: 'clip_durations.tsv', content: tsvLine(['clip', 'duration[ms]']) + rows.map((row) => tsvLine([`${row.name}.${row.extension}`, row.durationMs])).join('') },
      {
        path: 'validated_sentences.tsv',
        content: tsvLine(['sentence_id', 'sentence', 'variant', 'sentence_domain', 'source', 'is_used', 'clips_count']) + sentenceLines.join(''),
      },
    ]
  },
  usage: [
    'Read the TSVs by header name, tab-separated, with quoting off (texts keep their quotes): `pandas.read_csv(f, sep="\\t", quoting=3, dtype=str)`.',
    'Train on train.tsv, tune on dev.tsv, report on test.tsv; audio is in clips/.',
  ],
}
