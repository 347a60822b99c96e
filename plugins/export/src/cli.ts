import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { CommandError, type PluginCommand } from '@shrutik/plugin-sdk'

import { ExportRefusedError, NothingToExportError, OutputError, runExport } from './run'

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/

/** Progress on stderr: a redrawn bar on a terminal, plain lines (each phase, every 10 %) otherwise. */
const progressPrinter = () => {
  const tty = process.stderr.isTTY
  let lastPhase = ''
  let lastTenth = -1
  return ({ phase, done, total }: { phase: string; done: number; total: number }) => {
    const fraction = total > 0 ? done / total : 0
    if (tty) {
      const width = 30
      const filled = Math.round(fraction * width)
      process.stderr.write(`\r${phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total || '?'}   `)
      if (phase === 'archiving' || (phase === 'writing' && done === total)) process.stderr.write('\n')
      return
    }
    const tenth = Math.floor(fraction * 10)
    if (phase !== lastPhase || (phase === 'encoding' && tenth !== lastTenth)) {
      console.error(`export: ${phase}${total ? ` ${done}/${total} clips` : done ? ` ${done} clips selected` : ''}`)
      lastPhase = phase
      lastTenth = tenth
    }
  }
}

const INCLUDES = ['accepted', 'all'] as const
const AUDIO = ['flac', 'wav', 'opus', 'copy'] as const

/** `shrutik export --language … --format … --out …` (also `shrutik export dataset …`): a dataset, from the command line. */
export const datasetCommand: PluginCommand = {
  name: 'dataset',
  default: true,
  help: `--language CODE --format cv|hf|kaldi|nemo|ljspeech --out PATH [--seed N]
      [--min-confidence X] [--include accepted|all] [--audio flac|wav|opus|copy]
      [--sample-rate HZ] [--speaker ID]
  Write a training-ready dataset: PATH ending in .tar or .tar.gz is an archive, any other PATH a
  new folder; prints a one-line JSON summary; exit 65 when nothing matches, 73 when PATH cannot
  be written. The word "dataset" may be left out.`,
  async run(args, context) {
    const { values } = parseArgs({
      args,
      options: {
        language: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        'min-confidence': { type: 'string' },
        include: { type: 'string' },
        audio: { type: 'string' },
        'sample-rate': { type: 'string' },
        speaker: { type: 'string' },
      },
      strict: true,
    })
    if (!values.language || !values.format || !values.out) throw new CommandError('export needs --language CODE, --format NAME and --out PATH.')
    if (!LANGUAGE_TAG.test(values.language)) throw new CommandError(`--language needs a language code such as bn, not "${values.language}".`)
    const formats = ['cv', 'hf', 'kaldi', 'nemo', 'ljspeech']
    if (!formats.includes(values.format)) throw new CommandError(`--format must be one of ${formats.join(', ')}, not "${values.format}".`)
    const seed = values.seed === undefined ? 0 : Number(values.seed)
    if (!Number.isSafeInteger(seed) || seed < 0) throw new CommandError(`--seed must be a whole number ≥ 0, not "${values.seed}".`)
    const minConfidence = values['min-confidence'] === undefined ? undefined : Number(values['min-confidence'])
    if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) throw new CommandError(`--min-confidence must be between 0 and 1, not "${values['min-confidence']}".`)
    const include = (values.include ?? 'accepted') as (typeof INCLUDES)[number]
    if (!INCLUDES.includes(include)) throw new CommandError(`--include must be accepted or all, not "${values.include}".`)
    const audio = values.audio as (typeof AUDIO)[number] | undefined
    if (audio !== undefined && !AUDIO.includes(audio)) throw new CommandError(`--audio must be one of ${AUDIO.join(', ')}, not "${values.audio}".`)
    const sampleRate = values['sample-rate'] === undefined ? undefined : Number(values['sample-rate'])
    if (sampleRate !== undefined && !(Number.isInteger(sampleRate) && sampleRate >= 8000 && sampleRate <= 48_000)) {
      throw new CommandError(`--sample-rate must be a whole number of Hz between 8000 and 48000, not "${values['sample-rate']}".`)
    }
    const out = path.resolve(values.out)
    // The output is checked before the database is touched: a path that cannot be written fails fast.
    if (fs.existsSync(out)) throw new CommandError(`${values.out} already exists; choose a new path (exports never overwrite).`, 73)
    const parent = path.dirname(out)
    const probe = path.join(parent, `.shrutik-export-probe-${process.pid}`)
    try {
      await fs.promises.mkdir(probe)
      await fs.promises.rmdir(probe)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new CommandError(`cannot write ${values.out}: ${code === 'ENOENT' && !fs.existsSync(parent) ? `the folder ${parent} does not exist` : code === 'ENOTDIR' ? `${parent} is not a folder` : (error as Error).message}`, 73)
    }
    // The export runs in a process of its own whose heap is capped: its live memory is flat (~50 MB
    // above Payload, whatever the dataset's size), but an uncapped V8 defers collecting the garbage
    // of each batch and its RSS creeps up with the number of clips. The cap makes it collect.
    const heapMb = Number(process.env.EXPORT_HEAP_MB ?? 160)
    if (process.env.SHRUTIK_EXPORT_CAPPED !== '1' && heapMb > 0) {
      const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMb}`, process.argv[1], ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: { ...process.env, SHRUTIK_EXPORT_CAPPED: '1' },
      })
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
      const code = await new Promise<number>((resolve) => child.once('close', (status, signal) => resolve(status ?? (signal ? 1 : 0))))
      return code
    }
    const payload = await context.payload()
    let summary
    try {
      summary = await runExport(
        payload,
        { language: values.language!, format: values.format!, include, seed, minConfidence, audio, sampleRate, speaker: values.speaker },
        { out, onProgress: progressPrinter() },
      )
    } catch (error) {
      if (error instanceof NothingToExportError || error instanceof ExportRefusedError) throw new CommandError(`${error.message} No dataset was written.`, 65)
      if (error instanceof OutputError) throw new CommandError(error.message, 73)
      throw error
    }
    console.log(JSON.stringify(summary))
  },
}
