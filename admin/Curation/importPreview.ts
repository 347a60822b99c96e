/** Pure helpers for the importer's preview (admin/Curation/SentenceImporter.tsx), unit-tested. */

export type FileFormat = 'txt' | 'csv' | 'tsv'
export type ColumnRole = 'sentence' | 'source' | 'domain' | 'licence' | 'language'

/** Header names that mean a role (compared in lower case), the first match winning. */
const NAMES: Record<ColumnRole, string[]> = {
  sentence: ['sentence', 'text', 'sentences', 'prompt'],
  source: ['source', 'sentence_source', 'origin'],
  domain: ['domain', 'sentence_domain', 'topic'],
  licence: ['licence', 'license'],
  language: ['language', 'lang', 'locale', 'language_code'],
}

/**
 * The column for each role, guessed from the header names; without a header row, the sentence is
 * column 1 and nothing else is guessed. Values are what the import expects: a header name, or a
 * column number from 1.
 */
export const guessColumns = (header: string[], hasHeader: boolean): Partial<Record<ColumnRole, string>> => {
  if (!hasHeader) return header.length > 0 ? { sentence: '1' } : {}
  const guessed: Partial<Record<ColumnRole, string>> = {}
  for (const role of Object.keys(NAMES) as ColumnRole[]) {
    const found = header.find((name) => NAMES[role].includes(name.trim().toLowerCase()))
    if (found !== undefined) guessed[role] = found
  }
  if (!guessed.sentence && header.length === 1) guessed.sentence = header[0]
  return guessed
}

/** The start of a file for the preview: without its BOM, and cut after its last complete line unless it is the whole file. */
export const previewText = (start: string, wholeFile: boolean): string => {
  const text = start.replace(/^\uFEFF/u, '')
  if (wholeFile) return text
  const lastBreak = text.lastIndexOf('\n')
  return lastBreak > 0 ? text.slice(0, lastBreak + 1) : text
}

/**
 * Reads a report TSV from a stream until `limit` rows that were not accepted are found, so the
 * screen never downloads the report of a million-line import to show its first refusals.
 */
export const firstRefusals = async (body: ReadableStream<Uint8Array>, limit: number): Promise<Record<string, string>[]> => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let names: string[] | undefined
  let pending = ''
  const found: Record<string, string>[] = []
  const take = (line: string) => {
    if (!line) return
    const values = line.split('\t')
    if (!names) {
      names = values
      return
    }
    const row = Object.fromEntries(values.map((value, i) => [names![i], value]))
    if (row.outcome !== 'accepted') found.push(row)
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true })
      const lines = pending.split('\n')
      pending = done ? '' : (lines.pop() ?? '')
      for (const line of lines) {
        take(line)
        if (found.length >= limit) return found
      }
      if (done) return found
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}
