import { describe, expect, test } from '@jest/globals'

import { firstRefusals, guessColumns, previewText } from '../../admin/Curation/importPreview'

/** The importer's preview helpers (admin/Curation/importPreview.ts): column guesses, the file's start, the report's first refusals. */

describe('guessColumns', () => {
  test.each([
    ['Common Voice style', ['sentence', 'sentence_domain', 'source'], { sentence: 'sentence', domain: 'sentence_domain', source: 'source' }],
    ['other names, other case', ['Text', 'Licence', 'Lang', ' Origin '], { sentence: 'Text', licence: 'Licence', language: 'Lang', source: ' Origin ' }],
    ['American spelling', ['sentence', 'license'], { sentence: 'sentence', licence: 'license' }],
    ['one unnamed column', ['বাক্য'], { sentence: 'বাক্য' }],
    ['nothing recognisable', ['a', 'b'], {}],
  ])('%s', (_name, header, expected) => {
    expect(guessColumns(header, true)).toEqual(expected)
  })

  test('without a header row the sentence is column 1 and nothing else is guessed', () => {
    expect(guessColumns(['1', '2', '3'], false)).toEqual({ sentence: '1' })
    expect(guessColumns([], false)).toEqual({})
  })
})

describe('previewText', () => {
  test('drops the BOM and cuts after the last complete line', () => {
    expect(previewText('\uFEFFsentence\tsource\nএক\tক\nদুই\tখ', false)).toBe('sentence\tsource\nএক\tক\n')
  })
  test('keeps a whole file whole, even without a final line break', () => {
    expect(previewText('\uFEFFএক\nদুই', true)).toBe('এক\nদুই')
  })
})

describe('firstRefusals', () => {
  const stream = (text: string, chunkSize: number) => {
    const bytes = new TextEncoder().encode(text)
    let at = 0
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close()
        controller.enqueue(bytes.slice(at, at + chunkSize))
        at += chunkSize
      },
      cancel() {
        cancelled = true
      },
    })
    return { body, wasCancelled: () => cancelled, readUpTo: () => at }
  }
  const header = 'line\toutcome\trule\tmessage\tsentence\tlanguage\tsentence_id\tfirst_line\n'
  const row = (line: number, outcome: string) => `${line}\t${outcome}\t${outcome === 'refused' ? 'max-words' : ''}\t\tবাক্য ${line}।\tbn\t\t\n`

  test('returns the rows that were not accepted, with their columns, across chunk and character boundaries', async () => {
    const text = header + row(1, 'accepted') + row(2, 'refused') + row(3, 'accepted') + row(4, 'duplicate')
    // 7-byte chunks split Bengali letters (3 bytes each) and lines.
    const rows = await firstRefusals(stream(text, 7).body, 10)
    expect(rows.map((r) => [r.line, r.outcome, r.rule, r.sentence])).toEqual([
      ['2', 'refused', 'max-words', 'বাক্য 2।'],
      ['4', 'duplicate', '', 'বাক্য 4।'],
    ])
  })

  test('stops reading once it has enough, so a huge report is not downloaded', async () => {
    let text = header
    for (let line = 1; line <= 20_000; line++) text += row(line, line % 2 === 0 ? 'refused' : 'accepted')
    const source = stream(text, 1024)
    const rows = await firstRefusals(source.body, 5)
    expect(rows.map((r) => r.line)).toEqual(['2', '4', '6', '8', '10'])
    expect(source.wasCancelled()).toBe(true)
    expect(source.readUpTo()).toBeLessThan(text.length / 10)
  })
})
