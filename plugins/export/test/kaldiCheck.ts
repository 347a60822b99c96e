import { compareC } from '../src/core'

/**
 * The checks of Kaldi's `utils/validate_data_dir.sh --no-feats`, reimplemented: every file ends
 * with a newline, lines have a key and a value, keys are unique and sorted in C order, utt2spk and
 * spk2utt agree, utt2spk is also sorted when sorted by speaker (utterance ids start with the
 * speaker id), every utterance is in every file, texts are non-empty, durations positive,
 * spk2gender (if present) covers the speakers with m/f. Returns the problems found.
 */
export const validateKaldiDir = (files: Record<string, string>): string[] => {
  const problems: string[] = []
  const table = (name: string): [string, string][] | undefined => {
    const content = files[name]
    if (content === undefined) return undefined
    if (content.length > 0 && !content.endsWith('\n')) problems.push(`${name}: does not end with a newline`)
    const lines = content.split('\n').slice(0, -1)
    const rows = lines.map((line, index) => {
      const space = line.indexOf(' ')
      if (space <= 0 || space === line.length - 1) problems.push(`${name}:${index + 1}: needs a key and a value`)
      if (/\t|\r/.test(line)) problems.push(`${name}:${index + 1}: has a tab or carriage return`)
      return [line.slice(0, space), line.slice(space + 1)] as [string, string]
    })
    for (let index = 1; index < rows.length; index++) {
      const order = compareC(rows[index - 1][0], rows[index][0])
      if (order > 0) problems.push(`${name}: not sorted at line ${index + 1}`)
      if (order === 0) problems.push(`${name}: duplicate key ${rows[index][0]}`)
    }
    return rows
  }
  for (const required of ['wav.scp', 'text', 'utt2spk', 'spk2utt']) if (files[required] === undefined) problems.push(`${required} is missing`)
  const utt2spk = table('utt2spk') ?? []
  const spk2utt = table('spk2utt') ?? []
  const utts = utt2spk.map(([utt]) => utt)
  const expectedSpk2utt = new Map<string, string[]>()
  for (const [utt, spk] of utt2spk) {
    if (!utt.startsWith(spk)) problems.push(`utt2spk: utterance ${utt} does not start with its speaker id ${spk}`)
    expectedSpk2utt.set(spk, [...(expectedSpk2utt.get(spk) ?? []), utt])
  }
  const bySpeaker = [...utt2spk].sort((a, b) => compareC(a[1], b[1]) || compareC(a[0], b[0]))
  if (bySpeaker.some(([utt], index) => utt !== utts[index])) problems.push('utt2spk: not in sorted order when sorted first on speaker id')
  const rebuilt = [...expectedSpk2utt].sort((a, b) => compareC(a[0], b[0])).map(([spk, list]) => `${spk} ${list.join(' ')}`)
  if (rebuilt.join('\n') !== spk2utt.map(([spk, list]) => `${spk} ${list}`).join('\n')) problems.push('spk2utt: does not match utt2spk')
  for (const name of ['text', 'wav.scp', 'utt2dur']) {
    const rows = table(name)
    if (!rows) continue
    const keys = rows.map(([key]) => key)
    if (keys.join(' ') !== utts.join(' ')) problems.push(`${name}: utterances differ from utt2spk`)
    if (name === 'text') rows.filter(([, text]) => text.trim() === '').forEach(([utt]) => problems.push(`text: empty transcript for ${utt}`))
    if (name === 'utt2dur') rows.filter(([, value]) => !(Number(value) > 0)).forEach(([utt]) => problems.push(`utt2dur: bad duration for ${utt}`))
  }
  const spk2gender = table('spk2gender')
  if (spk2gender) {
    if (spk2gender.map(([spk]) => spk).join(' ') !== [...expectedSpk2utt.keys()].sort(compareC).join(' ')) problems.push('spk2gender: speakers differ from spk2utt')
    spk2gender.filter(([, gender]) => gender !== 'm' && gender !== 'f').forEach(([spk]) => problems.push(`spk2gender: ${spk} is not m or f`))
  }
  return problems
}
