import { describe, test } from '@jest/globals'

import { pluginsLeftOutForTests, type RemovablePlugin } from '../../src/lib/removablePlugins'

/**
 * Suites that exercise a plugin's behaviour declare it, so the host's whole suite also runs with
 * that plugin left out of the config (`SHRUTIK_TEST_WITHOUT`, `npm run test:without-consensus`,
 * `test:without-audio`): they are skipped then, and say why in their name. Everything else must
 * pass without the plugin.
 */
const leftOut = pluginsLeftOutForTests()

/** Plugins that add nothing without another: consensus judges the audio plugin's segments (its README). */
const ACTIVE_ONLY_WITH: Partial<Record<RemovablePlugin, RemovablePlugin>> = { consensus: 'audio-processing' }

/** Whether this run's configuration has the plugin, and it is active. */
export const hasPlugin = (plugin: RemovablePlugin): boolean => {
  const needed = ACTIVE_ONLY_WITH[plugin]
  return !leftOut.includes(plugin) && (needed === undefined || hasPlugin(needed))
}

const reason = (plugins: RemovablePlugin[]): string | undefined => {
  const missing = plugins.filter((plugin) => !hasPlugin(plugin))
  return missing.length ? ` [skipped: needs the ${missing.join(' and ')} plugin, which SHRUTIK_TEST_WITHOUT=${leftOut.join(',')} leaves out or inactive]` : undefined
}

/** `describe`, skipped when the configuration lacks one of `plugins`. */
export const describeWith = (plugins: RemovablePlugin[], name: string, body: () => void): void => {
  const skipped = reason(plugins)
  if (skipped) describe.skip(`${name}${skipped}`, body)
  else describe(name, body)
}

/** `test`, skipped when the configuration lacks one of `plugins`. */
export const testWith = (plugins: RemovablePlugin[], name: string, body: () => Promise<unknown> | void, timeout?: number): void => {
  const skipped = reason(plugins)
  if (skipped) test.skip(`${name}${skipped}`, body)
  else test(name, body, timeout)
}
