import { commonVoiceFormat } from './cv'
import { huggingFaceFormat } from './hf'
import { kaldiFormat } from './kaldi'
import { ljspeechFormat } from './ljspeech'
import { nemoFormat } from './nemo'
import type { ExportFormat } from './types'

export { CV_CLIP_COLUMNS, commonVoiceFormat } from './cv'
export { huggingFaceFormat } from './hf'
export { kaldiDataDir, kaldiFormat } from './kaldi'
export { ljspeechFormat } from './ljspeech'
export { nemoFormat } from './nemo'
export type { AudioCodec, ExportFile, ExportFormat, FormatContext } from './types'

/** The formats that ship with the plugin, by name. */
export const BUILT_IN_FORMATS: ExportFormat[] = [commonVoiceFormat, huggingFaceFormat, kaldiFormat, nemoFormat, ljspeechFormat]
