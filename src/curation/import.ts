import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { parse as parseCsv } from 'csv-parse'
import type { Payload } from 'payload'
import type pg from 'pg'

import { sentenceHash } from '../../collections/Sentences/normalize'
import { SENTENCE_LICENCES, SENTENCE_MAX_CHARACTERS } from '../../collections/Sentences/constants'
import { dataDir } from '../lib/env'
import { firstRuleFailure, normalizeSentence, type SentenceRules } from '../../collections/Sentences/core'

/**
 * Bulk sentence import: a file streamed line by line (UTF-8, strictly decoded), each sentence
 * normalised and checked against its language's rules in Node, staged in batches of multi-row
 * inserts, then deduplicated and inserted in SQL in one transaction — within the file by window
 * function, against the corpus by the unique (language, hash) index. Nothing reaches `sentences`
 * until that transaction commits, so a killed worker's re-run starts over without duplicates.
 */

export const STAGING_TABLE = 'sentence_import_rows'
const BATCH_ROWS = 5000
const PROGRESS_EVERY_MS = 1000

export interface ImportCounts {
  lines: number
  accepted: number
  refused: number
  duplicates: number
  alreadyPresent: number
}

export interface ImportProgress {
  bytesRead: number
  totalBytes: number
  lines: number
  phase: 'reading' | 'saving' | 'writing-report' | 'done'
}

/** The file cannot be read as text: not UTF-8, or not the CSV it claims to be. Retrying will not help. */
export class ImportInputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

interface ImportDoc {
  id: number
  language?: number | null
  pastedText?: string | null
  filename?: string | null
  format?: 'auto' | 'txt' | 'csv' | 'tsv'
  hasHeader?: boolean | null
  sentenceColumn?: string | null
  languageColumn?: string | null
  sourceColumn?: string | null
  domainColumn?: string | null
  licenceColumn?: string | null
  source?: string | null
  domain?: string | null
  licence?: string | null
  sentenceStatus?: 'pending' | 'approved'
  state?: string | null
  sourcePath?: string | null
  reportPath?: string | null
  createdBy?: number | null
}

interface LanguageInfo {
  id: number
  code: string
  rules: SentenceRules | null
}

interface ParsedRecord {
  line: number
  sentence: string
  language?: string
  source?: string
  domain?: string
  licence?: string
}

export const importStaticDir = (): string => path.join(dataDir(), 'imports')
const reportsDir = (): string => path.join(dataDir(), 'imports', 'reports')

const poolOf = (target: Payload | pg.Pool): pg.Pool => ('db' in target ? ((target.db as unknown as PostgresAdapter).pool as unknown as pg.Pool) : target)

const IMPORT_COLUMNS = `id, language_id AS language, pasted_text AS "pastedText", filename, format::text, has_header AS "hasHeader",
  sentence_column AS "sentenceColumn", language_column AS "languageColumn", source_column AS "sourceColumn", domain_column AS "domainColumn",
  licence_column AS "licenceColumn", source, domain, licence::text, sentence_status::text AS "sentenceStatus", state::text,
  source_path AS "sourcePath", report_path AS "reportPath", created_by_id AS "createdBy"`

const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value))

/** Every language's code and rules, read with SQL so the import can run without Payload. */
const readLanguages = async (pool: pg.Pool): Promise<LanguageInfo[]> => {
  const { rows } = await pool.query(
    `SELECT id, code, sentence_rules_min_words, sentence_rules_max_words, sentence_rules_min_characters, sentence_rules_max_characters,
            sentence_rules_allowed_characters, sentence_rules_allowed_scripts, sentence_rules_banned_symbols, sentence_rules_allow_digits,
            sentence_rules_allow_abbreviations, sentence_rules_abbreviations, sentence_rules_terminal_punctuation FROM languages`,
  )
  return rows.map((row) => ({
    id: Number(row.id),
    code: String(row.code),
    rules: {
      minWords: numberOrNull(row.sentence_rules_min_words),
      maxWords: numberOrNull(row.sentence_rules_max_words),
      minCharacters: numberOrNull(row.sentence_rules_min_characters),
      maxCharacters: numberOrNull(row.sentence_rules_max_characters),
      allowedCharacters: row.sentence_rules_allowed_characters,
      allowedScripts: row.sentence_rules_allowed_scripts,
      bannedSymbols: row.sentence_rules_banned_symbols,
      allowDigits: row.sentence_rules_allow_digits,
      allowAbbreviations: row.sentence_rules_allow_abbreviations,
      abbreviations: row.sentence_rules_abbreviations,
      terminalPunctuation: row.sentence_rules_terminal_punctuation,
    },
  }))
}

/**
 * Bytes to text, line-aligned: each chunk is cut after its last newline (a newline byte never
 * occurs inside a UTF-8 sequence) and decoded strictly, so an undecodable file is refused with the
 * line it fails on instead of importing U+FFFD. The BOM is dropped.
 */
async function* decodeUtf8Lines(input: AsyncIterable<Buffer>, onBytes: (bytes: number) => void): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0)
  let line = 1
  let first = true
  const decode = (bytes: Buffer): string => {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: !first }).decode(bytes)
      first = false
      return text
    } catch {
      // Find the exact line for the message.
      let offset = 0
      for (const part of bytes.toString('latin1').split('\n')) {
        const partBytes = bytes.subarray(offset, offset + part.length)
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(partBytes)
        } catch {
          break
        }
        offset += part.length + 1
        line += 1
      }
      const utf16 = first && (bytes[0] === 0xff || bytes[0] === 0xfe)
      throw new ImportInputError(
        utf16
          ? 'The file is UTF-16 text; save it as UTF-8 and import it again.'
          : `Line ${line} is not valid UTF-8 text (the file may be in another encoding, such as Windows-1252 or Bijoy); save it as UTF-8 and import it again.`,
        line,
      )
    }
  }
  for await (const chunk of input) {
    onBytes(chunk.length)
    const joined = carry.length ? Buffer.concat([carry, chunk]) : chunk
    const cut = joined.lastIndexOf(0x0a)
    if (cut < 0) {
      carry = joined
      continue
    }
    const text = decode(joined.subarray(0, cut + 1))
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) line += 1
    yield text
    carry = Buffer.from(joined.subarray(cut + 1))
  }
  if (carry.length) yield decode(carry)
}

async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<ParsedRecord> {
  let line = 0
  let rest = ''
  for await (const chunk of chunks) {
    const parts = (rest + chunk).split('\n')
    rest = parts.pop() ?? ''
    for (const part of parts) {
      line += 1
      if (part.trim()) yield { line, sentence: part.replace(/\r$/u, '') }
    }
  }
  line += 1
  if (rest.trim()) yield { line, sentence: rest }
}

const columnIndex = (header: string[] | undefined, wanted: string | null | undefined, fallbackName?: string): number | undefined => {
  const name = wanted?.trim() || fallbackName
  if (!name) return undefined
  if (/^\d+$/u.test(name)) return Number(name) - 1
  if (!header) return undefined
  const index = header.findIndex((column) => column.trim().toLowerCase() === name.toLowerCase())
  if (index >= 0) return index
  if (wanted?.trim()) throw new ImportInputError(`The file has no column "${name}"; its header has: ${header.join(', ')}.`, 1)
  return undefined
}

async function* delimitedRecords(chunks: AsyncIterable<string>, delimiter: string, doc: ImportDoc): AsyncGenerator<ParsedRecord> {
  const parser = parseCsv({
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // TSV files rarely quote; a stray quote in a sentence must not swallow the lines after it.
    quote: delimiter === '\t' ? false : '"',
  })
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve))
      }
      parser.end()
    } catch (error) {
      parser.destroy(error as Error)
    }
  })()
  let header: string[] | undefined
  let overcounted = 0
  let columns: { sentence: number; language?: number; source?: number; domain?: number; licence?: number } | undefined
  const hasHeader = doc.hasHeader !== false
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // csv-parse counts a CR LF inside a quoted field as two lines (and keeps that count): undo it.
      let counted = 0
      let breaks = 0
      for (const field of record) {
        counted += field.match(/[\r\n]/gu)?.length ?? 0
        breaks += field.match(/\r\n|\r|\n/gu)?.length ?? 0
      }
      const line = info.lines - overcounted - counted
      overcounted += counted - breaks
      if (!columns) {
        if (hasHeader) header = record
        const sentence = columnIndex(header, doc.sentenceColumn, 'sentence') ?? (header ? undefined : 0)
        if (sentence === undefined) throw new ImportInputError(`The file has no "sentence" column; its header has: ${header?.join(', ')}. Choose the sentence column.`, 1)
        columns = {
          sentence,
          language: columnIndex(header, doc.languageColumn, doc.language ? undefined : 'language'),
          source: columnIndex(header, doc.sourceColumn, 'source'),
          domain: columnIndex(header, doc.domainColumn, 'domain'),
          licence: columnIndex(header, doc.licenceColumn, 'licence'),
        }
        if (hasHeader) continue
      }
      const cell = (index: number | undefined) => (index === undefined ? undefined : record[index]?.trim() || undefined)
      yield {
        line,
        sentence: record[columns.sentence] ?? '',
        language: cell(columns.language),
        source: cell(columns.source),
        domain: cell(columns.domain),
        licence: cell(columns.licence),
      }
    }
  } catch (error) {
    if (error instanceof ImportInputError) throw error
    const csvError = error as { code?: string; lines?: number; message: string }
    if (csvError.code?.startsWith('CSV_')) throw new ImportInputError(`The file is not valid ${delimiter === '\t' ? 'TSV' : 'CSV'} near line ${csvError.lines ?? '?'}: ${csvError.message}`, csvError.lines)
    throw error
  } finally {
    await feeding
  }
}

const formatOf = (doc: ImportDoc, fileName: string | undefined): 'txt' | 'csv' | 'tsv' => {
  if (doc.format && doc.format !== 'auto') return doc.format
  const extension = path.extname(fileName ?? '').toLowerCase()
  if (extension === '.csv') return 'csv'
  if (extension === '.tsv') return 'tsv'
  return 'txt'
}

interface Batch {
  line: number[]
  text: string[]
  language: (number | null)[]
  hash: (string | null)[]
  source: (string | null)[]
  domain: (string | null)[]
  licence: (string | null)[]
  outcome: (string | null)[]
  rule: (string | null)[]
  message: (string | null)[]
}

const emptyBatch = (): Batch => ({ line: [], text: [], language: [], hash: [], source: [], domain: [], licence: [], outcome: [], rule: [], message: [] })

const insertBatch = async (pool: pg.Pool, importId: number, batch: Batch): Promise<void> => {
  if (batch.line.length === 0) return
  // One multi-row insert per batch: arrays in, rows out.
  await pool.query(
    `INSERT INTO ${STAGING_TABLE} (import_id, line, text, language_id, hash, source, domain, licence, outcome, rule, message)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
    [importId, batch.line, batch.text, batch.language, batch.hash, batch.source, batch.domain, batch.licence, batch.outcome, batch.rule, batch.message],
  )
}

const setImport = (pool: pg.Pool | pg.PoolClient, importId: number, values: Record<string, unknown>) => {
  const entries = Object.entries(values)
  return pool.query(`UPDATE sentence_imports SET ${entries.map(([column], index) => `"${column}" = $${index + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [
    importId,
    ...entries.map(([, value]) => value),
  ])
}

const readCounts = async (pool: pg.Pool | pg.PoolClient, importId: number): Promise<ImportCounts> => {
  const { rows } = await pool.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM ${STAGING_TABLE} WHERE import_id = $1 GROUP BY outcome`, [importId])
  const count = (outcome: string) => rows.find((row) => row.outcome === outcome)?.n ?? 0
  const counts = { accepted: count('accepted'), refused: count('refused'), duplicates: count('duplicate'), alreadyPresent: count('already-present') }
  return { lines: counts.accepted + counts.refused + counts.duplicates + counts.alreadyPresent, ...counts }
}

/**
 * Runs (or re-runs) one import to the end and returns its counts. Idempotent: a finished import
 * returns its counts; one cut short starts over from its file (its staged rows are dropped); one
 * cut short after the corpus was written only rewrites its report.
 * Runs as the system (a job or the CLI); who may start an import is checked when it is created.
 */
export const runImport = async (
  target: Payload | pg.Pool,
  importId: number,
  { onProgress, signal }: { onProgress?: (progress: ImportProgress) => void | Promise<void>; signal?: AbortSignal } = {},
): Promise<ImportCounts> => {
  const pool = poolOf(target)
  const doc = (await pool.query(`SELECT ${IMPORT_COLUMNS} FROM sentence_imports WHERE id = $1`, [importId])).rows[0] as ImportDoc | undefined
  if (!doc) throw new ImportInputError(`Import ${importId} does not exist.`)
  const stored = async (): Promise<ImportCounts> => {
    const { rows } = await pool.query('SELECT lines, accepted, refused, duplicates, already_present FROM sentence_imports WHERE id = $1', [importId])
    const row = rows[0]
    return { lines: Number(row.lines), accepted: Number(row.accepted), refused: Number(row.refused), duplicates: Number(row.duplicates), alreadyPresent: Number(row.already_present) }
  }
  if (doc.state === 'done') return stored()
  if (doc.state !== 'writing-report') {
    try {
      await stageAndInsert(pool, doc, { onProgress, signal })
    } catch (error) {
      if (error instanceof ImportInputError) {
        await setImport(pool, importId, { state: 'failed', error: error.message })
        await pool.query(`DELETE FROM ${STAGING_TABLE} WHERE import_id = $1`, [importId])
      }
      throw error
    }
  }
  await onProgress?.({ bytesRead: 0, totalBytes: 0, lines: 0, phase: 'writing-report' })
  const reportPath = await writeReport(pool, importId)
  const counts = await stored()
  await setImport(pool, importId, { state: 'done', progress: 100, report_path: reportPath })
  await pool.query(`DELETE FROM ${STAGING_TABLE} WHERE import_id = $1`, [importId])
  await onProgress?.({ bytesRead: 0, totalBytes: 0, lines: counts.lines, phase: 'done' })
  return counts
}

const stageAndInsert = async (
  pool: pg.Pool,
  doc: ImportDoc,
  { onProgress, signal }: { onProgress?: (progress: ImportProgress) => void | Promise<void>; signal?: AbortSignal },
): Promise<void> => {
  const importId = doc.id
  // A re-run starts over: whatever an earlier, killed run staged is dropped.
  await pool.query(`DELETE FROM ${STAGING_TABLE} WHERE import_id = $1`, [importId])
  await setImport(pool, importId, { state: 'running', progress: 0, error: null })

  const byCode = new Map<string, LanguageInfo>()
  const byId = new Map<number, LanguageInfo>()
  for (const info of await readLanguages(pool)) {
    byCode.set(info.code.toLowerCase(), info)
    byId.set(info.id, info)
  }
  const fixedLanguage = doc.language ? byId.get(Number(doc.language)) : undefined

  let input: AsyncIterable<Buffer>
  let totalBytes: number
  let fileName: string | undefined
  if (doc.sourcePath || doc.filename) {
    const file = doc.sourcePath ?? path.join(importStaticDir(), path.basename(doc.filename!))
    fileName = doc.sourcePath ? path.basename(doc.sourcePath) : doc.filename!
    try {
      totalBytes = (await fs.promises.stat(file)).size
    } catch (error) {
      throw new ImportInputError(`Cannot read the file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}.`)
    }
    input = fs.createReadStream(file, { highWaterMark: 256 * 1024, signal })
  } else {
    const bytes = Buffer.from(doc.pastedText ?? '', 'utf8')
    totalBytes = bytes.length
    input = Readable.from([bytes])
  }

  let bytesRead = 0
  const text = decodeUtf8Lines(input, (bytes) => (bytesRead += bytes))
  const format = formatOf(doc, fileName)
  const records = format === 'txt' ? textLines(text) : delimitedRecords(text, format === 'csv' ? ',' : '\t', doc)

  const licences = new Set<string>(SENTENCE_LICENCES)
  let batch = emptyBatch()
  let lines = 0
  let lastProgress = 0
  for await (const record of records) {
    signal?.throwIfAborted()
    lines += 1
    const normalized = normalizeSentence(record.sentence)
    const language = record.language ? byCode.get(record.language.toLowerCase()) : fixedLanguage
    const licence = record.licence ?? doc.licence ?? 'CC0-1.0'
    let failure: { rule: string; message: string } | undefined
    if (!language) failure = { rule: 'language', message: record.language ? `No language has the code "${record.language}".` : 'No language given for this line.' }
    else if (!licences.has(licence)) failure = { rule: 'licence', message: `"${licence}" is not one of the licences ${[...licences].join(', ')}.` }
    else if (normalized.length > SENTENCE_MAX_CHARACTERS) failure = { rule: 'max-characters', message: `The sentence is longer than ${SENTENCE_MAX_CHARACTERS} characters.` }
    else failure = firstRuleFailure(normalized, language.rules)
    batch.line.push(record.line)
    batch.text.push(normalized || record.sentence)
    batch.language.push(language?.id ?? null)
    batch.hash.push(failure ? null : sentenceHash(normalized))
    batch.source.push((record.source ?? doc.source ?? null)?.slice(0, 500) ?? null)
    batch.domain.push((record.domain ?? doc.domain ?? 'general').slice(0, 80))
    batch.licence.push(licence)
    batch.outcome.push(failure ? 'refused' : null)
    batch.rule.push(failure?.rule ?? null)
    batch.message.push(failure?.message ?? null)
    if (batch.line.length >= BATCH_ROWS) {
      await insertBatch(pool, importId, batch)
      batch = emptyBatch()
      const now = Date.now()
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now
        const percent = totalBytes ? Math.min(99, Math.floor((bytesRead / totalBytes) * 100)) : 0
        await setImport(pool, importId, { progress: percent, lines })
        await onProgress?.({ bytesRead, totalBytes, lines, phase: 'reading' })
      }
    }
  }
  await insertBatch(pool, importId, batch)
  signal?.throwIfAborted()
  await onProgress?.({ bytesRead: totalBytes, totalBytes, lines, phase: 'saving' })

  // Dedupe and insert in one transaction: either the whole file reaches the corpus or none of it.
  // Fresh statistics, so the joins below are planned as hash joins over the whole file.
  await pool.query(`ANALYZE ${STAGING_TABLE}`)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // A nested loop over a just-filled table is quadratic; these joins are always bulk.
    await client.query('SET LOCAL enable_nestloop = off')
    // Room for the hash joins and the window sort, and for the trigram index to take the new rows
    // in a few large merges instead of many small ones (its pending list is flushed with work_mem).
    await client.query(`SET LOCAL work_mem = '256MB'`)
    await client.query(`SET LOCAL gin_pending_list_limit = '64MB'`)
    // Within the file: the first line of each (language, key) stays, later ones are duplicates of it.
    await client.query(
      `UPDATE ${STAGING_TABLE} r SET outcome = 'duplicate', first_line = d.first_line
         FROM (SELECT id, min(line) OVER (PARTITION BY language_id, hash) AS first_line,
                      row_number() OVER (PARTITION BY language_id, hash ORDER BY line) AS n
                 FROM ${STAGING_TABLE} WHERE import_id = $1 AND outcome IS NULL) d
        WHERE r.id = d.id AND d.n > 1`,
      [importId],
    )
    // Against the corpus: the unique (language, hash) index decides.
    await client.query(
      `WITH inserted AS (
         INSERT INTO sentences (text, language_id, normalized_hash, status, domain, source, licence, recording_count, shuffle, created_by_id)
         SELECT text, language_id, hash, $2::enum_sentences_status, domain, source, licence::enum_sentences_licence, 0, floor(random() * 2147483647), $3
           FROM ${STAGING_TABLE} WHERE import_id = $1 AND outcome IS NULL ORDER BY line
         ON CONFLICT (language_id, normalized_hash) DO NOTHING
         RETURNING id, language_id, normalized_hash)
       UPDATE ${STAGING_TABLE} r SET outcome = 'accepted', sentence_id = i.id
         FROM inserted i WHERE r.import_id = $1 AND r.outcome IS NULL AND r.language_id = i.language_id AND r.hash = i.normalized_hash`,
      [importId, doc.sentenceStatus === 'approved' ? 'approved' : 'pending', doc.createdBy ?? null],
    )
    await client.query(
      `UPDATE ${STAGING_TABLE} r SET outcome = 'already-present', sentence_id = s.id
         FROM sentences s WHERE r.import_id = $1 AND r.outcome IS NULL AND s.language_id = r.language_id AND s.normalized_hash = r.hash`,
      [importId],
    )
    const counts = await readCounts(client, importId)
    await setImport(client, importId, {
      state: 'writing-report',
      progress: 100,
      lines: counts.lines,
      accepted: counts.accepted,
      refused: counts.refused,
      duplicates: counts.duplicates,
      already_present: counts.alreadyPresent,
    })
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

const tsvCell = (value: unknown): string => (value === null || value === undefined ? '' : String(value).replace(/[\t\r\n]+/gu, ' '))

export const REPORT_COLUMNS = ['line', 'outcome', 'rule', 'message', 'sentence', 'language', 'sentence_id', 'first_line'] as const

/** The report as TSV, one row per non-empty line, in line order; written to a temp file, then renamed. */
const writeReport = async (pool: pg.Pool, importId: number): Promise<string> => {
  fs.mkdirSync(reportsDir(), { recursive: true })
  const target = path.join(reportsDir(), `import-${importId}.tsv`)
  const temporary = `${target}.tmp-${process.pid}`
  const out = fs.createWriteStream(temporary)
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())))
  try {
    await write(`${REPORT_COLUMNS.join('\t')}\n`)
    let after = 0
    for (;;) {
      const { rows } = await pool.query(
        `SELECT r.line, r.outcome, r.rule, r.message, r.text, l.code, r.sentence_id, r.first_line
           FROM ${STAGING_TABLE} r LEFT JOIN languages l ON l.id = r.language_id
          WHERE r.import_id = $1 AND r.line > $2 ORDER BY r.line LIMIT 10000`,
        [importId, after],
      )
      if (rows.length === 0) break
      let chunk = ''
      for (const row of rows) chunk += `${[row.line, row.outcome, row.rule, row.message, row.text, row.code, row.sentence_id, row.first_line].map(tsvCell).join('\t')}\n`
      await write(chunk)
      after = rows.at(-1).line
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
    await fs.promises.rename(temporary, target)
    return target
  } catch (error) {
    out.destroy()
    await fs.promises.rm(temporary, { force: true })
    throw error
  }
}
