import { sql, table } from './db'
import { SEGMENT_DECISIONS } from './options'

/**
 * The SQL this plugin reads other plugins through, and its own decision table (README "Read API").
 * Segments and recordings' audio state come from the audio-processing plugin's published views,
 * never its tables or columns (tests/layering.test.ts checks the sources).
 */

/** The audio-processing plugin's segments: id, recording_id, kind (`prompt` | `transcription`), position, start_ms, end_ms, duration_ms, text, file. */
export const AUDIO_SEGMENTS = sql.identifier('audio_segments')
/** The audio-processing plugin's state of a recording: id, status, ready, duration_ms, failure_reason, processed_at. */
export const AUDIO_RECORDINGS = sql.identifier('audio_recordings')
/**
 * This plugin's own table of decisions (the `segment-decisions` collection): one row per segment it
 * knows of, with segment_id, task, status, agreed_text, confidence, judgments, reports, method,
 * decided_by, decided_at, changed_at. Others read it through the view `consensus_segments`, which
 * publishes those columns (README "Read API").
 */
export const DECISION_ROWS = table(SEGMENT_DECISIONS)
/** The type of its `task` column. */
export const ENUM_TASK = sql.identifier('enum_segment_decisions_task')

/** What a segment asks of people, from the audio plugin's kind: a prompt is validated against its sentence, the rest is transcribed. */
export type SegmentTask = 'validation' | 'transcription'

export const taskOf = (kind: string | null | undefined): SegmentTask => (kind === 'prompt' ? 'validation' : 'transcription')
