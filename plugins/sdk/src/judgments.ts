import type { Config, Payload, PayloadRequest, SanitizedConfig } from 'payload'

/**
 * How many judgments a plugin holds on segments (votes, reviews, …), counted from its own rows at
 * the moment of asking, inside the caller's transaction (`req`). The audio-processing plugin asks
 * before a reprocess deletes segments, so an admin confirms the true number of judgments that go,
 * without reading other plugins' tables or waiting for their denormalised counts.
 */
export interface JudgmentCounter {
  /** Names the plugin (one counter per plugin). */
  name: string
  /** Judgments per segment id; segments without any may be left out. */
  count: (args: { payload: Payload; segmentIds: (number | string)[]; req?: Partial<PayloadRequest> }) => Promise<Map<number | string, number>>
}

const KEY = 'shrutikJudgmentCounters'

/** Adds a plugin's judgment counter to the config (from the plugin's `(config) => config`). */
export const registerJudgmentCounter = <C extends Config>(config: C, counter: JudgmentCounter): C => {
  const existing = getJudgmentCounters(config)
  if (existing.some((entry) => entry.name === counter.name)) throw new Error(`Judgment counter "${counter.name}" is registered twice.`)
  return { ...config, custom: { ...config.custom, [KEY]: [...existing, counter] } }
}

export const getJudgmentCounters = (config: Config | SanitizedConfig): JudgmentCounter[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[KEY] as JudgmentCounter[] | undefined) ?? []
