import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { CommandError, type PluginCommand } from '@shrutik/plugin-sdk'

/** Exit code for a file an upload would reject: 2, distinct from usage (64) and internal (1) errors. */
const REJECTED = 2

const existing = (file: string): string => {
  if (!fs.existsSync(file)) throw new CommandError(`No such file: ${file}`)
  return path.resolve(file)
}

/** `shrutik audio inspect FILE`: the upload checks on a file, offline. */
export const inspectCommand: PluginCommand = {
  name: 'inspect',
  help: `FILE
  Check an audio file as an upload would be checked; prints one JSON object; exit 0 if it would
  be accepted, 2 if rejected, 1 on error.`,
  async run(args) {
    const file = args[0]
    if (!file || args.length > 1) throw new CommandError('audio inspect needs exactly one FILE.')
    const { inspectFile } = await import('./inspect')
    const result = await inspectFile(existing(file))
    console.log(JSON.stringify(result))
    return result.ok ? 0 : REJECTED
  },
}

/** `shrutik audio segment FILE --out DIR`: cut a long recording at its pauses, offline. */
export const segmentCommand: PluginCommand = {
  name: 'segment',
  help: `FILE --out DIR
  Cut a long recording at its pauses into 1–15 s FLAC segments in DIR; prints their list as JSON.`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: { out: { type: 'string' } }, allowPositionals: true, strict: true })
    const file = positionals[0]
    if (!file || positionals.length > 1 || !values.out) throw new CommandError('audio segment needs one FILE and --out DIR.')
    const { inspectFile } = await import('./inspect')
    const inspected = await inspectFile(existing(file))
    if (!inspected.ok) {
      console.log(JSON.stringify(inspected))
      return REJECTED
    }
    const { segmentFile } = await import('./segmentFile')
    console.log(JSON.stringify(await segmentFile(existing(file), path.resolve(values.out))))
    return 0
  },
}
