/** Pure data the export rules work on. Nothing here knows about Payload, files or ffmpeg. */

export const SPLITS = ['train', 'dev', 'test'] as const
export type Split = (typeof SPLITS)[number]

/** Where a clip goes in Common Voice terms: validated (accepted), invalidated (rejected), other (undecided). */
export type Bucket = 'validated' | 'invalidated' | 'other'

export const DEMOGRAPHIC_COLUMNS = ['age', 'gender', 'accents', 'variant'] as const
export type DemographicColumn = (typeof DEMOGRAPHIC_COLUMNS)[number]
export type Demographics = Record<DemographicColumn, string>

export const EMPTY_DEMOGRAPHICS: Demographics = { age: '', gender: '', accents: '', variant: '' }

/** One segment chosen for export, as read from the database (before privacy and splits). */
export interface ExportClip {
  /** The segment id. */
  id: number
  recordingId: number
  /** Internal speaker identity (`u:<userId>` or `c:<clientId>`): hashed before anything is written, never exported. */
  speakerKey: string
  /** What is said: the agreed text, else the prompt's sentence. */
  text: string
  /** Database id of the prompt sentence, when there is one. */
  sentenceId?: number
  domain: string
  source: string
  status: 'accepted' | 'rejected' | 'needs-review' | 'pending'
  confidence: number | null
  method: string
  decidedBy: string
  upVotes: number
  downVotes: number
  durationMs: number
  /** Recording time (ISO). */
  recordedAt: string
  /** Opt-in demographics; empty strings where the contributor gave none or did not opt in. */
  demographics: Demographics
  consentVersion: string
  locale: string
  /** Where the audio comes from (keys in the media file store, `getFileStore` in the plugin SDK). */
  audio: ClipAudioSource
}

export interface ClipAudioSource {
  /** The archival copy (FLAC 16 kHz mono) of the whole recording, when there is one. */
  archive?: string
  /** The segment's own stored file (what `copy` exports). */
  segmentFile: string
  startMs: number
  endMs: number
  /** The segment is the whole recording (a prompt recording): the archive copy is the clip as is. */
  wholeRecording: boolean
}

/** A clip with its public identity, bucket and split decided. */
export interface ExportRow extends ExportClip {
  /** Salted hash of the speaker. */
  speakerId: string
  /** `<speakerId>-<segment id, 10 digits>`: sorts by speaker, so Kaldi's files agree. */
  name: string
  bucket: Bucket
  /** Null for validated clips held out to keep sentences disjoint, and for every non-validated clip. */
  split: Split | null
  /** Stable id of the text (sha256 of the normalised sentence), shared by every clip reading it. */
  sentenceHash: string
  /** The audio file's extension in this export (flac, wav, opus, or the source's own for `copy`). */
  extension: string
}
