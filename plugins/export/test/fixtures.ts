import { EMPTY_DEMOGRAPHICS, planRows, suppressRows, type ExportClip, type ExportRow } from '../src/core'

/** Deterministic pseudo-random numbers for property tests. */
export const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
  return seed / 0x7fffffff
}

export const shuffled = <T>(items: T[], next: () => number): T[] => {
  const copy = [...items]
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1))
    ;[copy[index], copy[other]] = [copy[other], copy[index]]
  }
  return copy
}

export const clip = (id: number, speakerKey: string, text: string, overrides: Partial<ExportClip> = {}): ExportClip => ({
  id,
  recordingId: id,
  speakerKey,
  text,
  domain: 'general',
  source: 'written for Shrutik',
  status: 'accepted',
  confidence: 1,
  method: 'common-voice',
  decidedBy: 'crowd',
  upVotes: 2,
  downVotes: 0,
  durationMs: 1500 + id * 10,
  recordedAt: '2026-11-01T00:00:00.000Z',
  demographics: EMPTY_DEMOGRAPHICS,
  consentVersion: '1',
  locale: 'bn',
  audio: { segmentFile: `/media/processed/${id}/run/playback.ogg`, startMs: 0, endMs: 1500, wholeRecording: true },
  ...overrides,
})

const female = { age: 'twenties', gender: 'female', accents: 'ঢাকা', variant: '' }
const male = { age: 'thirties', gender: 'male', accents: '', variant: '' }

/**
 * A small Bengali fixture: 6 speakers (5 share "female, twenties, ঢাকা" so that value survives k = 5;
 * one is male and is blanked), texts with tabs, line breaks, quotes, commas and a pipe, one
 * rejected and one undecided clip.
 */
export const fixtureClips = (): ExportClip[] => [
  clip(1, 'u:1', 'আমি বাংলায় গান গাই।', { demographics: female }),
  clip(2, 'u:1', 'সে বলল, "চলো যাই"।', { demographics: female }),
  clip(3, 'u:2', 'এক\tদুই\nতিন', { demographics: female }),
  clip(4, 'u:3', 'কলকাতা | ঢাকা', { demographics: female }),
  clip(5, 'u:4', "তার নাম 'রবি'", { demographics: female }),
  clip(6, 'u:5', 'আমি বাংলায় গান গাই।', { demographics: female }),
  clip(7, 'c:2b1f6f0e-0000-4000-8000-000000000001', 'নদীর ধারে বাড়ি', { demographics: male, decidedBy: 'reviewer', method: 'reviewer' }),
  clip(8, 'u:6', 'আকাশ নীল', { status: 'rejected', confidence: 0.9, upVotes: 0, downVotes: 2 }),
  clip(9, 'u:6', 'মেঘ ডাকে', { status: 'pending', confidence: null, upVotes: 1, downVotes: 0 }),
]

/** The fixture planned with a fixed salt and seed, and small held-out splits so all three are used. */
export const fixtureRows = (extension = 'flac'): ExportRow[] => {
  const plan = planRows(fixtureClips(), { salt: 'test-salt', split: { seed: 7, floorClips: 2, maxShare: 0.3 }, extensionOf: () => extension })
  return suppressRows(plan.rows, 5).rows
}
