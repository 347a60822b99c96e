import { speakerIdOf } from './hash'
import { applySuppression, findRareDemographics, type SuppressionResult } from './privacy'
import { assignSplits, type SplitPolicy } from './splits'
import { compareC, sentenceHashOf } from './text'
import type { Bucket, ExportClip, ExportRow } from './types'

export interface PlanOptions {
  split: SplitPolicy
  /** Salt of the speaker hashes (never written anywhere). */
  salt: string
  /** The audio file extension of a clip in this export. */
  extensionOf: (clip: ExportClip) => string
}

export interface Plan {
  /** Sorted by name (C locale), the order every file lists them in. */
  rows: ExportRow[]
  heldOut: number
  target: number
}

export const bucketOf = (status: ExportClip['status']): Bucket => (status === 'accepted' ? 'validated' : status === 'rejected' ? 'invalidated' : 'other')

/** Clip name: speaker hash, then the segment id padded so names sort by speaker, then id. */
export const clipName = (speakerId: string, segmentId: number): string => `${speakerId}-${String(segmentId).padStart(10, '0')}`

/**
 * From the selected clips to the rows every format writes: public speaker ids, buckets, splits
 * (validated clips only), one deterministic order. Input order does not matter. Demographics are
 * still raw: suppress them (`suppressRows`) on exactly the rows that are written.
 */
export const planRows = (clips: ExportClip[], options: PlanOptions): Plan => {
  const withIds = clips.map((clip) => {
    const speakerId = speakerIdOf(options.salt, clip.speakerKey)
    return { clip, speakerId, sentenceHash: sentenceHashOf(clip.text), bucket: bucketOf(clip.status) }
  })
  const validated = withIds.filter((entry) => entry.bucket === 'validated')
  const { splitOf, heldOut, target } = assignSplits(
    validated.map((entry) => ({ id: entry.clip.id, speaker: entry.clip.speakerKey, sentence: entry.sentenceHash })),
    options.split,
  )
  const rows: ExportRow[] = withIds.map(({ clip, speakerId, sentenceHash, bucket }) => ({
    ...clip,
    speakerId,
    sentenceHash,
    bucket,
    name: clipName(speakerId, clip.id),
    split: bucket === 'validated' ? (splitOf.get(clip.id) ?? null) : null,
    extension: options.extensionOf(clip),
  }))
  rows.sort((a, b) => compareC(a.name, b.name))
  return { rows, heldOut, target }
}

/** k-anonymity over exactly the rows an export writes: rarer demographic values are blanked. */
export const suppressRows = (rows: ExportRow[], k: number): { rows: ExportRow[]; suppression: SuppressionResult } => {
  const suppression = findRareDemographics(rows, k)
  return { rows: rows.map((row) => ({ ...row, demographics: applySuppression(row.demographics, suppression.blanked) })), suppression }
}
