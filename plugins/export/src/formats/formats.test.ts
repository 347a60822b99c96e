import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, test } from '@jest/globals'

import { arraySource, collectText, flattenText, renderDatasheet, sentenceHashOf, summarize, suppressRows, type ExportRow, type ReportedSentence } from '../core'
import { BUILT_IN_FORMATS, CV_CLIP_COLUMNS, kaldiDataDir, type ExportFormat, type FormatContext } from '.'
import { fixtureClips, fixtureRows } from '../../test/fixtures'
import { validateKaldiDir } from '../../test/kaldiCheck'

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/golden')

const contextFor = (rows: ExportRow[]): FormatContext => {
  const stats = summarize(rows, 0, suppressRows(rows, 5).suppression)
  const title = 'Shrutik Bengali (bn) — fixture'
  const datasheet = renderDatasheet(stats, {
    title,
    language: { code: 'bn', name: 'Bengali' },
    format: 'fixture',
    audio: 'FLAC',
    sampleRate: 16_000,
    seed: 7,
    k: 5,
    licence: 'CC0-1.0',
    softwareVersion: 'test',
    filters: ['Clips: all.'],
    withdrawnRemoved: 0,
    labelPolicy: 'Votes.',
    saltRotated: false,
  })
  return { language: { code: 'bn', name: 'Bengali' }, datasheet, stats, licence: 'CC0-1.0', title }
}

/** Everything a format writes for the fixture, as path → text (audio as the list of paths). */
const render = async (format: ExportFormat, rows: ExportRow[], reported: ReportedSentence[] = []): Promise<Record<string, string>> => {
  const context = contextFor(rows)
  const included = rows.filter((row) => format.audioPath(row) !== null)
  const files: Record<string, string> = {}
  for await (const file of format.files(arraySource(included, reported), context)) files[file.path] = await collectText(file.content)
  files['AUDIO'] = included.map((row) => `${format.audioPath(row)}\n`).join('')
  if (format.readme) files['README.md'] = format.readme(context)
  return files
}

const byName = (name: string) => BUILT_IN_FORMATS.find((format) => format.name === name)!

/** Parses RFC 4180 CSV (quoted fields with doubled quotes and line breaks). */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"'
        index++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(field)
      field = ''
    } else if (char === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += char
  }
  return rows
}

describe('golden files per format (small Bengali fixture)', () => {
  const rows = fixtureRows()

  test.each(['cv', 'hf', 'kaldi', 'nemo', 'ljspeech'])('%s matches its golden files', async (name) => {
    const format = byName(name)
    const formatRows = name === 'ljspeech' ? rows.filter((row) => row.speakerId === rows.find((first) => first.id === 1)!.speakerId) : rows
    const files = await render(format, formatRows)
    const dir = path.join(GOLDEN, name)
    if (process.env.UPDATE_GOLDEN) {
      fs.rmSync(dir, { recursive: true, force: true })
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        fs.writeFileSync(path.join(dir, file), content)
      }
    }
    const listed = (root: string, prefix = ''): string[] =>
      fs.readdirSync(root, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listed(path.join(root, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    expect(Object.keys(files).sort()).toEqual(listed(dir).sort())
    for (const [file, content] of Object.entries(files)) expect(content).toBe(fs.readFileSync(path.join(dir, file), 'utf8'))
  })

  test('cv: exact header; Bengali text with tabs and quotes round-trips through a tab split', async () => {
    const files = await render(byName('cv'), rows)
    for (const file of ['validated.tsv', 'invalidated.tsv', 'other.tsv', 'train.tsv', 'dev.tsv', 'test.tsv']) {
      expect(files[file].split('\n')[0]).toBe('client_id\tpath\tsentence_id\tsentence\tsentence_domain\tup_votes\tdown_votes\tage\tgender\taccents\tvariant\tlocale\tsegment')
      for (const line of files[file].split('\n').slice(1, -1)) expect(line.split('\t')).toHaveLength(CV_CLIP_COLUMNS.length)
    }
    const parsed = files['validated.tsv'].split('\n').slice(1, -1).map((line) => line.split('\t'))
    const texts = new Map(parsed.map((fields) => [fields[1], fields[3]]))
    for (const clip of fixtureClips().filter((clip) => clip.status === 'accepted')) {
      const row = rows.find((candidate) => candidate.id === clip.id)!
      expect(texts.get(`${row.name}.flac`)).toBe(flattenText(clip.text))
    }
    expect(files['invalidated.tsv'].split('\n')).toHaveLength(3)
    expect(files['other.tsv'].split('\n')).toHaveLength(3)
    // Every validated clip is in at most one split.
    const inSplits = ['train.tsv', 'dev.tsv', 'test.tsv'].flatMap((file) => files[file].split('\n').slice(1, -1).map((line) => line.split('\t')[1]))
    expect(new Set(inSplits).size).toBe(inSplits.length)
  })

  test('hf: metadata.csv starts with file_name and round-trips quotes and commas; the card has YAML front matter', async () => {
    const files = await render(byName('hf'), rows)
    const all = ['train', 'validation', 'test'].flatMap((split) => parseCsv(files[`${split}/metadata.csv`]))
    const headers = all.filter((fields) => fields[0] === 'file_name')
    expect(headers).toHaveLength(3)
    expect(headers[0]).toEqual(['file_name', 'transcription', 'speaker_id', 'duration', 'age', 'gender', 'accents', 'variant'])
    const quoted = all.find((fields) => fields[1]?.includes('চলো'))
    expect(quoted?.[1]).toBe('সে বলল, "চলো যাই"।')
    expect(files['README.md']).toMatch(/^---\nlicense: cc0-1.0\nlanguage:\n- bn\n/)
    expect(files['README.md']).toContain('- split: validation')
  })

  test('kaldi: every split passes the validate_data_dir.sh --no-feats checks', async () => {
    const files = await render(byName('kaldi'), rows)
    const splits = ['train', 'dev', 'test'].filter((split) => files[`${split}/utt2spk`] !== undefined)
    expect(splits.length).toBeGreaterThanOrEqual(2)
    for (const split of splits) {
      const dir = Object.fromEntries(Object.entries(files).filter(([file]) => file.startsWith(`${split}/`)).map(([file, content]) => [file.slice(split.length + 1), content]))
      expect(validateKaldiDir(dir)).toEqual([])
    }
  })

  test('the Kaldi checker catches unsorted, inconsistent and missing entries', () => {
    const good = { 'wav.scp': 'a-1 x.wav\na-2 y.wav\n', text: 'a-1 hi\na-2 yo\n', utt2spk: 'a-1 a\na-2 a\n', spk2utt: 'a a-1 a-2\n' }
    expect(validateKaldiDir(good)).toEqual([])
    expect(validateKaldiDir({ ...good, text: 'a-2 yo\na-1 hi\n' })).toContain('text: not sorted at line 2')
    expect(validateKaldiDir({ ...good, spk2utt: 'a a-1\n' })).toContain('spk2utt: does not match utt2spk')
    expect(validateKaldiDir({ ...good, 'wav.scp': 'a-1 x.wav\n' })).toContain('wav.scp: utterances differ from utt2spk')
    expect(validateKaldiDir({ ...good, utt2spk: 'a-1 b\na-2 a\n', spk2utt: 'a a-2\nb a-1\n' })).toContain('utt2spk: not in sorted order when sorted first on speaker id')
  })

  test('cv: reported.tsv lists each report (sentence id, flattened text, locale, reason) in sentence-id order, never who reported', async () => {
    const reported: ReportedSentence[] = [
      { sentenceHash: sentenceHashOf('খারাপ\tকথা'), text: 'খারাপ\tকথা', locale: 'bn', reason: 'offensive' },
      { sentenceHash: sentenceHashOf('ভুল বানান "এখানে"'), text: 'ভুল বানান "এখানে"', locale: 'bn', reason: 'grammar-spelling' },
      { sentenceHash: sentenceHashOf('খারাপ\tকথা'), text: 'খারাপ\tকথা', locale: 'bn', reason: 'different-language' },
    ]
    const lines = (await render(byName('cv'), rows, reported))['reported.tsv'].split('\n').slice(0, -1)
    expect(lines[0]).toBe('sentence_id\tsentence\tlocale\treason')
    const expected = [...reported]
      .sort((a, b) => (a.sentenceHash < b.sentenceHash ? -1 : a.sentenceHash > b.sentenceHash ? 1 : a.reason < b.reason ? -1 : 1))
      .map((report) => [report.sentenceHash, flattenText(report.text), 'bn', report.reason].join('\t'))
    expect(lines.slice(1)).toEqual(expected)
  })

  test('kaldi: the streamed data dir equals sorting every file in C locale', async () => {
    const validated = rows.filter((row) => row.split === 'train')
    const dir = await kaldiDataDir(validated)
    for (const [name, content] of Object.entries(dir)) {
      const lines = content.split('\n').slice(0, -1)
      expect(lines).toEqual([...lines].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))))
      expect(lines.length).toBeGreaterThan(0)
      expect(name).toMatch(/^(wav\.scp|text|utt2spk|spk2utt|utt2dur|spk2gender)$/)
    }
  })

  test('nemo: JSON lines with relative paths and flattened text', async () => {
    const files = await render(byName('nemo'), rows)
    const entries = ['train', 'dev', 'test'].flatMap((split) => files[`${split}_manifest.json`].split('\n').filter(Boolean).map((line) => JSON.parse(line)))
    expect(entries.length).toBe(rows.filter((row) => row.split).length)
    for (const entry of entries) {
      expect(Object.keys(entry)).toEqual(['audio_filepath', 'duration', 'text'])
      expect(entry.audio_filepath).toMatch(/^audio\/[0-9a-f]{16}-\d{10}\.flac$/)
    }
    expect(entries.map((entry) => entry.text)).toContain('এক দুই তিন')
  })

  test('ljspeech: refuses several speakers; one speaker gives id|text|normalized with pipes removed', async () => {
    const format = byName('ljspeech')
    expect(await format.check!(arraySource(rows))).toMatch(/LJSpeech holds one voice, but this selection has \d+ speakers/)
    const speaker = rows.find((row) => row.id === 4)!.speakerId
    const one = rows.filter((row) => row.speakerId === speaker)
    expect(await format.check!(arraySource(one))).toBeUndefined()
    const [line] = (await render(format, one))['metadata.csv'].split('\n')
    expect(line.split('|')).toEqual([one[0].name, 'কলকাতা ঢাকা', 'কলকাতা ঢাকা'])
    expect(format.audioPath(one[0])).toBe(`wavs/${one[0].name}.wav`)
  })
})
