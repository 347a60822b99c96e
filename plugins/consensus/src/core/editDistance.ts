/** Levenshtein distances on token sequences: the W in WER. */

let previousRow = new Int32Array(64)
let currentRow = new Int32Array(64)

/** Minimum number of substitutions, insertions and deletions turning `a` into `b`. */
export const editDistance = <T>(a: readonly T[], b: readonly T[]): number => {
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  // Keep the shorter sequence as the row: memory and cache traffic follow its length.
  const [long, short] = a.length >= b.length ? [a, b] : [b, a]
  if (previousRow.length <= short.length) {
    previousRow = new Int32Array(short.length * 2 + 1)
    currentRow = new Int32Array(short.length * 2 + 1)
  }
  let previous = previousRow
  let current = currentRow
  for (let j = 0; j <= short.length; j++) previous[j] = j
  for (let i = 1; i <= long.length; i++) {
    current[0] = i
    const token = long[i - 1]
    for (let j = 1; j <= short.length; j++) {
      const substitution = previous[j - 1] + (token === short[j - 1] ? 0 : 1)
      const deletion = previous[j] + 1
      const insertion = current[j - 1] + 1
      current[j] = substitution < deletion ? (substitution < insertion ? substitution : insertion) : deletion < insertion ? deletion : insertion
    }
    const swap = previous
    previous = current
    current = swap
  }
  return previous[short.length]
}

/** Word (or character) error rate of `hypothesis` against `reference`, 0 when both are empty. */
export const errorRate = <T>(hypothesis: readonly T[], reference: readonly T[]): number => {
  if (reference.length === 0) return hypothesis.length === 0 ? 0 : 1
  return editDistance(hypothesis, reference) / reference.length
}
