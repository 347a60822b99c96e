/**
 * Tab-separated transcripts in, consensus out: the offline path (`shrutik consensus aggregate`,
 * benchmarks, imports from other tools). Fields may be quoted the way spreadsheets and Python's
 * csv module write them ("…" with "" for a quote), which lets a transcription span lines.
 */
import { withDefaults } from './options'
import { reliabilityStrategy, transcriptStrategy, type TranscriptConsensus, type TranscriptInput, type TranscriptOptions, type TranscriptStrategy } from './transcripts'

export interface TsvRow {
  /** 1-based line in the input where the row starts. */
  line: number
  cells: string[]
}

export interface TsvTable {
  header: string[]
  rows: TsvRow[]
}

/** Splits TSV text into a header and rows. Throws an Error naming the line of an unclosed quote. */
export const parseTsv = (input: string): TsvTable => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  const records: TsvRow[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let recordLine = 1
  let index = 0
  const endRecord = () => {
    cells.push(cell)
    // A blank line is no record.
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells })
    cells = []
    cell = ''
  }
  while (index < text.length) {
    if (text[index] === '"' && cell === '') {
      const openedAt = line
      index++
      let closed = false
      while (index < text.length) {
        const quote = text.indexOf('"', index)
        const end = quote < 0 ? text.length : quote
        const chunk = text.slice(index, end)
        for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) line++
        cell += chunk
        index = end
        if (quote < 0) break
        if (text[quote + 1] === '"') {
          cell += '"'
          index = quote + 2
          continue
        }
        index = quote + 1
        closed = true
        break
      }
      if (!closed) throw new Error(`Line ${openedAt}: a quoted field is never closed (a field starting with " must end with "; write "" for a quote inside it).`)
      continue
    }
    // An unquoted run up to the next tab or line break.
    let end = index
    while (end < text.length) {
      const code = text.charCodeAt(end)
      if (code === 9 || code === 10 || code === 13) break
      end++
    }
    cell += text.slice(index, end)
    index = end
    if (index >= text.length) break
    const char = text[index]
    if (char === '\t') {
      cells.push(cell)
      cell = ''
    } else {
      if (char === '\r' && text[index + 1] === '\n') index++
      endRecord()
      line++
      recordLine = line
    }
    index++
  }
  if (cell !== '' || cells.length > 0) endRecord()
  if (records.length === 0) throw new Error('The TSV is empty: expected a header line naming its columns.')
  const [header, ...rows] = records
  return { header: header.cells.map((name) => name.trim()), rows }
}

export interface TsvColumns {
  /** @default 'item' */
  itemColumn: string
  /** Who wrote the text. @default 'contributor', or 'worker' (the former default) in a file without a 'contributor' column */
  contributorColumn: string
  /** @deprecated The former name of `contributorColumn`; still read. */
  workerColumn?: string
  /** @default 'text' */
  textColumn: string
}

export const DEFAULT_TSV_COLUMNS: TsvColumns = { itemColumn: 'item', contributorColumn: 'contributor', textColumn: 'text' }
/** The contributor column's former default name, still found when a file has no 'contributor' column. */
const FORMER_CONTRIBUTOR_COLUMN = 'worker'

/** Transcripts from a parsed table. Throws an Error naming the missing column or the bad line. */
export const transcriptsFromTable = (table: TsvTable, columns: Partial<TsvColumns> = {}): TranscriptInput[] => {
  const { itemColumn, textColumn } = withDefaults(DEFAULT_TSV_COLUMNS, columns)
  const contributorColumn =
    columns.contributorColumn ??
    columns.workerColumn ??
    (!table.header.includes(DEFAULT_TSV_COLUMNS.contributorColumn) && table.header.includes(FORMER_CONTRIBUTOR_COLUMN) ? FORMER_CONTRIBUTOR_COLUMN : DEFAULT_TSV_COLUMNS.contributorColumn)
  const columnIndex = (name: string, role: string) => {
    const index = table.header.indexOf(name)
    if (index < 0) throw new Error(`The TSV has no "${name}" column (the ${role} column); its header has: ${table.header.map((column) => `"${column}"`).join(', ')}.`)
    return index
  }
  const item = columnIndex(itemColumn, 'item')
  const contributor = columnIndex(contributorColumn, 'contributor')
  const text = columnIndex(textColumn, 'text')
  const needed = Math.max(item, contributor, text) + 1
  return table.rows.map(({ line, cells }) => {
    if (cells.length < needed) throw new Error(`Line ${line}: ${cells.length} field(s), but the header has ${table.header.length}; is a tab missing?`)
    if (cells.length > table.header.length && cells.slice(table.header.length).some((cell) => cell !== '')) {
      throw new Error(`Line ${line}: ${cells.length} fields, but the header has ${table.header.length}; quote a text that contains a tab.`)
    }
    const row = { item: cells[item].trim(), contributor: cells[contributor].trim(), text: cells[text] }
    if (row.item === '') throw new Error(`Line ${line}: the "${itemColumn}" field is empty.`)
    if (row.contributor === '') throw new Error(`Line ${line}: the "${contributorColumn}" field is empty.`)
    return row
  })
}

const quoteIfNeeded = (value: string) => (/[\t\r\n"]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)

/**
 * `item\ttext\tconfidence` with a header; confidence with 4 decimals. With `judgments: true` a
 * fourth column says how many transcriptions each decision used (the adaptive replay).
 */
export const formatConsensusTsv = (items: readonly Pick<TranscriptConsensus, 'item' | 'text' | 'confidence' | 'judgments'>[], options: { judgments?: boolean } = {}): string =>
  [
    options.judgments ? 'item\ttext\tconfidence\tjudgments' : 'item\ttext\tconfidence',
    ...items.map(
      (result) => `${quoteIfNeeded(result.item)}\t${quoteIfNeeded(result.text)}\t${result.confidence.toFixed(4)}${options.judgments ? `\t${result.judgments}` : ''}`,
    ),
  ].join('\n') + '\n'

export interface AggregateTsvOptions extends TsvColumns, TranscriptOptions {
  /** A strategy or its name (`reliability`, `rover`, `medoid`). @default 'reliability' */
  strategy: string | TranscriptStrategy
}

/** Parses transcripts, aggregates them per item, and formats the consensus as TSV. */
export const aggregateTsv = (input: string, options: Partial<AggregateTsvOptions> = {}): string => {
  const { strategy = reliabilityStrategy, itemColumn, contributorColumn, workerColumn, textColumn, ...transcriptOptions } = options
  const chosen = typeof strategy === 'string' ? transcriptStrategy(strategy) : strategy
  const transcripts = transcriptsFromTable(parseTsv(input), { itemColumn, contributorColumn, workerColumn, textColumn })
  return formatConsensusTsv(chosen.aggregate(transcripts, transcriptOptions).items)
}
