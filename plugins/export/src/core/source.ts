import { compareC } from './text'
import type { Bucket, ExportRow, Split } from './types'

/** A sentence contributors reported (reported.tsv): never who reported it. */
export interface ReportedSentence {
  /** `sentenceHashOf(text)`, the same id the clip files use. */
  sentenceHash: string
  text: string
  locale: string
  /** Why (offensive, grammar-spelling, different-language, hard-to-pronounce). */
  reason: string
}

export interface ValidatedSentence {
  /** The first validated row (in name order) reading it. */
  row: ExportRow
  /** Validated clips reading it. */
  clips: number
}

/**
 * What a format reads its rows from, as streams: the export job serves them from its plan table a
 * batch at a time (memory independent of the dataset's size); tests serve them from an array.
 */
export interface RowSource {
  /** The rows the export writes (k-suppressed), in name order (C locale); optionally one bucket or split. */
  rows(filter?: { bucket?: Bucket; split?: Split }): AsyncIterable<ExportRow>
  /** Validated sentences in sentence-id order (C locale), each with its first row and clip count. */
  sentences(): AsyncIterable<ValidatedSentence>
  /** Reported sentences in sentence-id order (then reason), one per report. */
  reported(): AsyncIterable<ReportedSentence>
}

const iterate = async function* <T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}

/** A RowSource over rows already planned, suppressed and sorted by name (tests, small tools). */
export const arraySource = (rows: ExportRow[], reported: ReportedSentence[] = []): RowSource => ({
  rows: (filter = {}) => iterate(rows.filter((row) => (filter.bucket === undefined || row.bucket === filter.bucket) && (filter.split === undefined || row.split === filter.split))),
  sentences() {
    const sentences = new Map<string, ValidatedSentence>()
    for (const row of rows) {
      if (row.bucket !== 'validated') continue
      const entry = sentences.get(row.sentenceHash)
      if (entry) entry.clips++
      else sentences.set(row.sentenceHash, { row, clips: 1 })
    }
    return iterate([...sentences.values()].sort((a, b) => compareC(a.row.sentenceHash, b.row.sentenceHash)))
  },
  reported: () => iterate([...reported].sort((a, b) => compareC(a.sentenceHash, b.sentenceHash) || compareC(a.reason, b.reason))),
})

/** Every chunk of a file's content, collected (tests and small files). */
export const collectText = async (content: string | AsyncIterable<string> | Iterable<string>): Promise<string> => {
  if (typeof content === 'string') return content
  let text = ''
  for await (const chunk of content) text += chunk
  return text
}
