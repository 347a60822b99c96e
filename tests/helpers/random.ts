// A copy of the consensus plugin's test PRNG (plugins/consensus/test/random.ts): tests/ never import a plugin.
/** A small seeded PRNG (mulberry32) so simulated crowds are the same on every run. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` distinct picks from 0..size-1. */
export const sample = (random: () => number, size: number, count: number): number[] => {
  const picked = new Set<number>()
  while (picked.size < count) picked.add(Math.floor(random() * size))
  return [...picked]
}
