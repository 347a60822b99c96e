import { tsvLine, type ExportRow, type RowSource } from '../core'
import type { ExportFormat } from './types'

/** The clip TSVs' header, exactly as Common Voice's current releases. */
export const CV_CLIP_COLUMNS = ['client_id', 'path', 'sentence_id', 'sentence', 'sentence_domain', 'up_votes', 'down_votes', 'age', 'gender', 'accents', 'variant', 'locale', 'segment'] as const

/** reported.tsv's header, as Common Voice's. */
export const CV_REPORTED_COLUMNS = ['sentence_id', 'sentence', 'locale', 'reason'] as const

const clipLine = (row: ExportRow) =>
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
  ])

async function* clipFile(rows: AsyncIterable<ExportRow>) {
  yield tsvLine([...CV_CLIP_COLUMNS])
  for await (const row of rows) yield clipLine(row)
}

async function* reportedFile(source: RowSource) {
  yield tsvLine([...CV_REPORTED_COLUMNS])
  for await (const report of source.reported()) yield tsvLine([report.sentenceHash, report.text, report.locale, report.reason])
}

async function* durationsFile(source: RowSource) {
  yield tsvLine(['clip', 'duration[ms]'])
  for await (const row of source.rows()) yield tsvLine([`${row.name}.${row.extension}`, row.durationMs])
}

async function* sentencesFile(source: RowSource) {
  yield tsvLine(['sentence_id', 'sentence', 'variant', 'sentence_domain', 'source', 'is_used', 'clips_count'])
  for await (const { row, clips } of source.sentences()) yield tsvLine([row.sentenceHash, row.text, row.demographics.variant, row.domain, row.source, 1, clips])
}

/** Common Voice's layout: clips/ and the TSVs its loaders (and most ASR recipes) read. */
export const commonVoiceFormat: ExportFormat = {
  name: 'cv',
  description: 'Common Voice layout (clips/ + validated/train/dev/test TSVs): for recipes and loaders written for Common Voice.',
  audioPath: (row) => `clips/${row.name}.${row.extension}`,
  files: (source) => [
    { path: 'validated.tsv', content: clipFile(source.rows({ bucket: 'validated' })) },
    { path: 'invalidated.tsv', content: clipFile(source.rows({ bucket: 'invalidated' })) },
    { path: 'other.tsv', content: clipFile(source.rows({ bucket: 'other' })) },
    { path: 'train.tsv', content: clipFile(source.rows({ split: 'train' })) },
    { path: 'dev.tsv', content: clipFile(source.rows({ split: 'dev' })) },
    { path: 'test.tsv', content: clipFile(source.rows({ split: 'test' })) },
    // Sentences contributors reported (skips with a reason), one line per report; never who reported.
    { path: 'reported.tsv', content: reportedFile(source) },
    { path: 'clip_durations.tsv', content: durationsFile(source) },
    { path: 'validated_sentences.tsv', content: sentencesFile(source) },
  ],
  usage: [
    'Read the TSVs by header name, tab-separated, with quoting off (texts keep their quotes): `pandas.read_csv(f, sep="\\t", quoting=3, dtype=str)`.',
    'Train on train.tsv, tune on dev.tsv, report on test.tsv; audio is in clips/. reported.tsv lists sentences contributors reported, and why.',
  ],
}
