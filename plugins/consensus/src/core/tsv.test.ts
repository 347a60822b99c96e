import { describe, expect, test } from '@jest/globals'

import { aggregateTsv, formatConsensusTsv, parseTsv, transcriptsFromTable } from '.'

const tsv = (...lines: string[]) => lines.join('\n')

describe('parseTsv', () => {
  test('reads a header and rows, with CRLF, a BOM, blank lines and a missing final newline', () => {
    expect(parseTsv('\uFEFFitem\tcontributor\ttext\r\na\tw1\thello\r\n\r\nb\tw2\tbye')).toEqual({
      header: ['item', 'contributor', 'text'],
      rows: [
        { line: 2, cells: ['a', 'w1', 'hello'] },
        { line: 4, cells: ['b', 'w2', 'bye'] },
      ],
    })
  })

  test('quoted fields may hold tabs, line breaks and doubled quotes; line numbers stay right', () => {
    const table = parseTsv(tsv('item\ttext\tcontributor', 'a\t"He said ""hi""\tthen\r\nleft"\tw1', 'b\tplain "quotes" inside\tw2'))
    expect(table.rows).toEqual([
      { line: 2, cells: ['a', 'He said "hi"\tthen\r\nleft', 'w1'] },
      { line: 4, cells: ['b', 'plain "quotes" inside', 'w2'] },
    ])
  })

  test.each([
    ['empty input', '', 'The TSV is empty: expected a header line naming its columns.'],
    ['only blank lines', '\n\n', 'The TSV is empty: expected a header line naming its columns.'],
    ['an unclosed quote', tsv('item\tcontributor\ttext', 'a\tw1\tfine', 'b\tw2\t"never closed', 'c\tw3\tx'), 'Line 3: a quoted field is never closed'],
  ])('%s', (_name, input, message) => {
    expect(() => parseTsv(input)).toThrow(message)
  })
})

describe('transcriptsFromTable', () => {
  test.each([
    ['a missing column names it and lists the header', tsv('item\tuser\ttext', 'a\tw1\thi'), {}, 'The TSV has no "contributor" column (the contributor column); its header has: "item", "user", "text".'],
    ['a renamed column that is not there', tsv('item\tcontributor\ttext', 'a\tw1\thi'), { textColumn: 'transcript' }, 'The TSV has no "transcript" column (the text column)'],
    ['a short row names its line', tsv('item\tcontributor\ttext', 'a\tw1\thi', 'b\tw2'), {}, 'Line 3: 2 field(s), but the header has 3; is a tab missing?'],
    ['an extra field names its line', tsv('item\tcontributor\ttext', 'a\tw1\thi\tthere'), {}, 'Line 2: 4 fields, but the header has 3; quote a text that contains a tab.'],
    ['an empty item', tsv('item\tcontributor\ttext', '\tw1\thi'), {}, 'Line 2: the "item" field is empty.'],
    ['an empty contributor', tsv('item\tcontributor\ttext', 'a\t \thi'), {}, 'Line 2: the "contributor" field is empty.'],
  ])('%s', (_name, input, columns, message) => {
    expect(() => transcriptsFromTable(parseTsv(input), columns)).toThrow(message)
  })

  test('columns are found by name, in any order, with custom names; an empty text is allowed', () => {
    const table = parseTsv(tsv('OUTPUT:transcription\tINPUT:audio\tASSIGNMENT:worker_id\textra', 'hello\tclip1.mp3\t42\tx', '\tclip1.mp3\t43\t', ''))
    expect(transcriptsFromTable(table, { itemColumn: 'INPUT:audio', contributorColumn: 'ASSIGNMENT:worker_id', textColumn: 'OUTPUT:transcription' })).toEqual([
      { item: 'clip1.mp3', contributor: '42', text: 'hello' },
      { item: 'clip1.mp3', contributor: '43', text: '' },
    ])
    // The option's former name still works.
    expect(transcriptsFromTable(table, { itemColumn: 'INPUT:audio', workerColumn: 'ASSIGNMENT:worker_id', textColumn: 'OUTPUT:transcription' })[0]).toEqual({ item: 'clip1.mp3', contributor: '42', text: 'hello' })
  })

  test('a file from before the rename, with a "worker" column and no "contributor" one, is still read', () => {
    expect(transcriptsFromTable(parseTsv(tsv('item\tworker\ttext', 'a\tw1\thi')))).toEqual([{ item: 'a', contributor: 'w1', text: 'hi' }])
    // With both, "contributor" is the one read.
    expect(transcriptsFromTable(parseTsv(tsv('item\tworker\tcontributor\ttext', 'a\told\tnew\thi')))).toEqual([{ item: 'a', contributor: 'new', text: 'hi' }])
  })
})

describe('aggregateTsv', () => {
  const input = tsv(
    'item\tcontributor\ttext',
    's1\tana\tThe quick brown fox.',
    's1\tbo\tthe quick brown box',
    's1\tcy\tThe quick, brown fox!',
    's2\tana\tMr. Smith paid $5',
    's2\tbo\tmister smith paid five dollars',
    's2\tcy\t"mister Smith paid 5 dollars"',
    's3\tana\tone',
  )

  test('one line per item, in input order, with the agreed text and its confidence', () => {
    const lines = aggregateTsv(input, { normalize: { language: 'en' } }).trimEnd().split('\n')
    expect(lines[0]).toBe('item\ttext\tconfidence')
    expect(lines.slice(1).map((line) => line.split('\t').slice(0, 2))).toEqual([
      ['s1', 'the quick brown fox'],
      ['s2', 'mister smith paid five dollars'],
      ['s3', 'one'],
    ])
    const confidences = lines.slice(1).map((line) => Number(line.split('\t')[2]))
    expect(confidences[0]).toBeGreaterThan(0.8)
    expect(confidences[0]).toBeLessThan(1)
    expect(confidences[1]).toBe(1)
  })

  test.each(['reliability', 'rover', 'medoid'])('strategy %s by name', (strategy) => {
    expect(aggregateTsv(input, { strategy, normalize: { language: 'en' } })).toContain('s1\tthe quick brown fox\t')
  })

  test('errors in the input surface with their message', () => {
    expect(() => aggregateTsv(tsv('item\ttext', 'a\thi'))).toThrow('The TSV has no "contributor" column')
    expect(() => aggregateTsv(input, { strategy: 'nope' })).toThrow('Unknown transcript strategy "nope"')
  })

  test('output quotes an item id that holds a tab or quote', () => {
    expect(formatConsensusTsv([{ item: 'a\t"b"', text: 'x', confidence: 0.5, judgments: 1 }])).toBe('item\ttext\tconfidence\n"a\t""b"""\tx\t0.5000\n')
  })

  // Speed is measured by `npm run bench:consensus` (a timed unit test fails on a busy machine, not on slow code).
  test('20,000 rows aggregate to one text per item', () => {
    const lines = ['item\tcontributor\ttext']
    const words = Array.from({ length: 300 }, (_, index) => `word${index}`)
    for (let item = 0; item < 2900; item++) {
      const sentence = Array.from({ length: 20 }, (_, index) => words[(item * 7 + index * 13) % words.length])
      for (let contributor = 0; contributor < 7; contributor++) {
        const text = sentence.map((word, index) => ((index + contributor + item) % 11 === 0 ? `typo${contributor}` : word)).join(' ')
        lines.push(`item${item}\tcontributor${(item * 3 + contributor * 101) % 900}\t${text}`)
      }
    }
    const output = aggregateTsv(lines.join('\n'))
    expect(output.trimEnd().split('\n')).toHaveLength(2901)
  })
})
