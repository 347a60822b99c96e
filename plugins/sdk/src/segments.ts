import type { Config, SanitizedConfig } from 'payload'

/**
 * What the plugin that cuts recordings into segments (the audio-processing plugin) offers the
 * plugins that judge or export them, besides its published SQL views (`audio_segments`,
 * `audio_recordings`): where a segment's audio lives in the file store. A plugin that needs
 * segments looks the source up at run time; none registered means there is no audio to judge.
 */
export interface SegmentSource {
  /** The registering plugin's slug. */
  plugin: string
  /** The file store key of a file named by the read API (`audio_segments.file`, a recording's archive), or undefined when the name is not a valid key. */
  audioKey(file: string): string | undefined
}

const KEY = 'shrutikSegmentSource'

/** Registers the one segment source (from the plugin's `(config) => config`). */
export const registerSegmentSource = <C extends Config>(config: C, source: SegmentSource): C => {
  const existing = getSegmentSource(config)
  if (existing) throw new Error(`A segment source is registered twice (by "${existing.plugin}" and "${source.plugin}"); list one plugin that cuts recordings.`)
  return { ...config, custom: { ...config.custom, [KEY]: source } }
}

/** The segment source of this configuration, or undefined when no plugin provides segments. */
export const getSegmentSource = (config: Config | SanitizedConfig): SegmentSource | undefined =>
  (config.custom as Record<string, unknown> | undefined)?.[KEY] as SegmentSource | undefined
