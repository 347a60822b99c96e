/** The plugins a configuration can be built without (each leaves a working platform; tests/pluginRemoval/ and the test:without-* runs). */
export const REMOVABLE_PLUGINS = ['audio-processing', 'consensus', 'export', 'webhooks'] as const
export type RemovablePlugin = (typeof REMOVABLE_PLUGINS)[number]

let warned = false

/**
 * The plugins left out by `SHRUTIK_TEST_WITHOUT` (a comma list of REMOVABLE_PLUGINS), a testing
 * switch: `npm run test:without-consensus` and `test:without-audio` run the host's whole suite, and
 * every process it starts, as if those plugins' lines were deleted from payload.config.ts.
 * Unset or empty, every plugin is in; an unknown name stops the boot. A production process
 * (NODE_ENV=production) honours it too (the drills start `shrutik start` under it) but says so on
 * stderr, so a variable left over from a test run cannot drop a plugin silently.
 */
export const pluginsLeftOutForTests = (value = process.env.SHRUTIK_TEST_WITHOUT): RemovablePlugin[] => {
  const names = (value ?? '').split(',').map((name) => name.trim()).filter(Boolean)
  const unknown = names.filter((name) => !(REMOVABLE_PLUGINS as readonly string[]).includes(name))
  if (unknown.length) {
    throw new Error(`SHRUTIK_TEST_WITHOUT names ${unknown.join(', ')}: the plugins that can be left out are ${REMOVABLE_PLUGINS.join(', ')}.`)
  }
  const leftOut = [...new Set(names)] as RemovablePlugin[]
  if (leftOut.length && process.env.NODE_ENV === 'production' && !warned) {
    warned = true
    console.warn(`shrutik: SHRUTIK_TEST_WITHOUT=${leftOut.join(',')} — this process runs WITHOUT the ${leftOut.join(' and ')} plugin. It is a testing switch: unset it to run every plugin.`)
  }
  return leftOut
}
