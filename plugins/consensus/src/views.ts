import { sql } from './db'

/**
 * The SQL this plugin reads other plugins through, and the view it publishes (README "Read API").
 * Segments and recordings' audio state come from the audio-processing plugin's published views,
 * never its tables or columns (tests/layering.test.ts checks the sources).
 */

/** The audio-processing plugin's segments: id, recording_id, kind (`prompt` | `transcription`), position, start_ms, end_ms, duration_ms, text, file. */
export const AUDIO_SEGMENTS = sql.identifier('audio_segments')
/** The audio-processing plugin's state of a recording: id, status, ready, duration_ms, failure_reason, processed_at. */
export const AUDIO_RECORDINGS = sql.identifier('audio_recordings')
/**
 * This plugin's own, published: one row per segment with its decision (segment_id, task, status,
 * agreed_text, confidence, judgments, reports, method, decided_by, decided_at, changed_at).
 * Updatable: the plugin writes its decisions through it too, so storage can move without a caller noticing.
 */
export const CONSENSUS_SEGMENTS = sql.identifier('consensus_segments')

/** What a segment asks of people, from the audio plugin's kind: a prompt is validated against its sentence, the rest is transcribed. */
export type SegmentTask = 'validation' | 'transcription'

export const taskOf = (kind: string | null | undefined): SegmentTask => (kind === 'prompt' ? 'validation' : 'transcription')
