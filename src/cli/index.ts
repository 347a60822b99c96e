import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { buildState, currentStamp, writeBuildStamp } from '../lib/buildStamp'
import { projectRoot } from '../lib/env'

const HELP = `Usage: shrutik <command> [options]

Commands:
  start                         Build the web app if missing or older than the code, then serve Shrutik on $PORT (default 3000)
                                and run jobs in the same process (SHRUTIK_ROLE=web|worker|all, default all)
  worker                        Run background jobs only (no web server); start as many as you need
  build                         Build the web app (Next.js) for production
  migrate                       Apply pending database migrations
  migrate:create [name]         (developers) Write a migration for schema changes in the collections
  seed                          Load the starter languages and sentences (safe to run again)
  users:create-admin --email E --password P [--name N]
                                Create an admin account, or make an existing account admin
  audio inspect FILE            Check an audio file as an upload would be checked; prints one JSON
                                object; exit 0 if it would be accepted, 2 if rejected, 1 on error
  audio segment FILE --out DIR  Cut a long recording at its pauses into 1–15 s FLAC segments in DIR;
                                prints their list as JSON
  consensus aggregate --in FILE.tsv --out FILE.tsv [--item-col NAME] [--worker-col NAME]
                    [--text-col NAME] [--lang CODE] [--strategy reliability|rover|medoid]
                    [--adaptive [--min N] [--max N] [--threshold X] [--agreement X|off] [--seed N]]
                                Agree on one text per item from many people's transcriptions (a TSV
                                with a header; columns item, worker, text by default); writes
                                item, text, confidence; exit 65 on malformed input, 66 unreadable.
                                --adaptive replays collection: each item's transcriptions are read
                                one at a time (seeded order) until the plugin's live rule stops;
                                adds a judgments column (how many were read); --agreement sets the
                                agreement rule's tolerance (0–0.5) or switches it off

  export --language CODE --format cv|hf|kaldi|nemo|ljspeech --out PATH [--seed N]
         [--min-confidence X] [--include accepted|all] [--audio flac|wav|opus|copy]
         [--sample-rate HZ] [--speaker ID]
                                Write a training-ready dataset: PATH ending in .tar or .tar.gz is an
                                archive, any other PATH a new folder; prints a one-line JSON summary;
                                exit 65 when nothing matches, 73 when PATH cannot be written

  sentences import FILE --language CODE [--source S] [--domain D] [--licence L]
                    [--status pending|approved]
                                Import sentences from a .txt (one a line), .csv or .tsv file (CSV/TSV:
                                a header with a "sentence" column, optionally language, source, domain,
                                licence); progress on a terminal; prints the report's counts as one
                                JSON line and writes the full report next to the import (path on stderr);
                                exit 65 when the file cannot be read or decoded (naming the line)
  sentences export --language CODE --kind validated|unvalidated [--out FILE]
                                Write validated_sentences.tsv or unvalidated_sentences.tsv (Common Voice
                                columns) to FILE or stdout

  backup --out FILE             Write a consistent backup of the database and every media file to FILE (a .tar;
                                .tar.gz to compress); safe while Shrutik runs; prints a JSON summary;
                                exit 73 when FILE exists or cannot be written
  restore FILE [--data-dir DIR] Restore a backup into an empty data folder (or the empty database in
                                DATABASE_URL); checks every checksum before anything is kept;
                                exit 65 for a damaged backup, 66 unreadable, 73 when the target is not empty

With no DATABASE_URL, every command uses the embedded PostgreSQL in ./data/postgres.
Environment variables are listed in the README.`

class UsageError extends Error {}

/** A failure with its own exit status (sysexits.h: 65 bad input data, 66 cannot open input, 73 cannot create output). */
class ExitError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

const require = createRequire(import.meta.url)

const nextBin = (): string => require.resolve('next/dist/bin/next')

const runBuild = (why = 'on request'): void => {
  console.log(`Building the web app (${why}; this takes a minute or two)...`)
  const result = spawnSync(process.execPath, [nextBin(), 'build'], {
    cwd: projectRoot(),
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (result.status !== 0) throw new Error('The web app build failed; see the messages above.')
  // Stamped after the build, so files the build itself writes (Payload's import map) count as built.
  writeBuildStamp(projectRoot(), currentStamp(projectRoot()))
}

/** Runs a Local-API task with a booted Payload and exits (a Payload process never exits by itself). */
const withPayload = async (task: (booted: Awaited<ReturnType<typeof import('../server/boot').bootPayload>>) => Promise<void>) => {
  const { bootPayload } = await import('../server/boot')
  const booted = await bootPayload()
  try {
    await task(booted)
  } finally {
    await booted.close()
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  async start() {
    // The built app always runs in production mode (no dev tooling, no schema push).
    ;(process.env as Record<string, string>).NODE_ENV ??= 'production'
    const { processRole, startProcess } = await import('../server/start')
    const role = processRole()
    // After an upgrade (git pull, npm ci) the old build would serve with the new server code.
    if (role !== 'worker') {
      const state = buildState(projectRoot())
      if (!state.fresh) runBuild(state.reason)
    }
    await startProcess(role)
  },
  async worker() {
    ;(process.env as Record<string, string>).NODE_ENV ??= 'production'
    const { startProcess } = await import('../server/start')
    await startProcess('worker')
  },
  async build() {
    runBuild()
  },
  async migrate() {
    // bootPayload applies pending migrations.
    await withPayload(async () => console.log('Database schema is up to date.'))
  },
  async 'migrate:create'(args) {
    const { ensureDatabase } = await import('../db/embedded')
    const database = await ensureDatabase()
    try {
      const payloadBin = path.join(projectRoot(), 'node_modules', 'payload', 'bin.js')
      const result = spawnSync(process.execPath, [payloadBin, 'migrate:create', ...args], {
        cwd: projectRoot(),
        stdio: 'inherit',
        env: { ...process.env, DATABASE_URL: database.url },
      })
      if (result.status !== 0) throw new Error('payload migrate:create failed; see the messages above.')
    } finally {
      await database.stop()
    }
  },
  async seed() {
    const { seed } = await import('../seed')
    await withPayload(async ({ payload }) => {
      const result = await seed(payload)
      console.log(
        `Seed done: ${result.languagesCreated} languages and ${result.sentencesCreated} sentences added, ${result.sentencesSkipped} sentences already present.`,
      )
    })
  },
  async 'users:create-admin'(args) {
    const { values } = parseArgs({
      args,
      options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    })
    if (!values.email || !values.password) throw new UsageError('users:create-admin needs --email and --password.')
    if (values.password.length < 8) throw new UsageError('The password must be at least 8 characters long.')
    const email = values.email.trim().toLowerCase()
    await withPayload(async ({ payload }) => {
      // Run as the system: this is the operator bootstrapping the first admin.
      // The operator at the shell: system calls with the default overrideAccess.
      const existing = await payload.find({ collection: 'users', where: { email: { equals: email } }, limit: 1, depth: 0 })
      if (existing.docs[0]) {
        await payload.update({
          collection: 'users',
          id: existing.docs[0].id,
          data: { roles: ['admin'], password: values.password, ...(values.name ? { name: values.name } : {}) },
        })
        console.log(`${email} is now an admin (password updated).`)
      } else {
        await payload.create({ collection: 'users', data: { email, password: values.password, name: values.name, roles: ['admin'] } })
        console.log(`Admin ${email} created.`)
      }
    })
  },
}

/** Exit code for `audio inspect`: 2 means "rejected", distinct from usage (64) and internal (1) errors. */
const REJECTED = 2

const audioCommands: Record<string, (args: string[]) => Promise<void>> = {
  async inspect(args) {
    const file = args[0]
    if (!file || args.length > 1) throw new UsageError('audio inspect needs exactly one FILE.')
    if (!fs.existsSync(file)) throw new UsageError(`No such file: ${file}`)
    const { inspectFile } = await import('@shrutik/plugin-audio-processing/inspect')
    const result = await inspectFile(path.resolve(file))
    console.log(JSON.stringify(result))
    if (!result.ok) process.exit(REJECTED)
  },
  async segment(args) {
    const { values, positionals } = parseArgs({ args, options: { out: { type: 'string' } }, allowPositionals: true, strict: true })
    const file = positionals[0]
    if (!file || positionals.length > 1 || !values.out) throw new UsageError('audio segment needs one FILE and --out DIR.')
    if (!fs.existsSync(file)) throw new UsageError(`No such file: ${file}`)
    const { inspectFile } = await import('@shrutik/plugin-audio-processing/inspect')
    const inspected = await inspectFile(path.resolve(file))
    if (!inspected.ok) {
      console.log(JSON.stringify(inspected))
      process.exit(REJECTED)
    }
    const { segmentFile } = await import('@shrutik/plugin-audio-processing/segment')
    console.log(JSON.stringify(await segmentFile(path.resolve(file), path.resolve(values.out))))
  },
}

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/

const consensusCommands: Record<string, (args: string[]) => Promise<void>> = {
  async aggregate(args) {
    const { values } = parseArgs({
      args,
      options: {
        in: { type: 'string' },
        out: { type: 'string' },
        'item-col': { type: 'string' },
        'worker-col': { type: 'string' },
        'text-col': { type: 'string' },
        lang: { type: 'string' },
        strategy: { type: 'string' },
        adaptive: { type: 'boolean' },
        min: { type: 'string' },
        max: { type: 'string' },
        seed: { type: 'string' },
        threshold: { type: 'string' },
        agreement: { type: 'string' },
      },
      strict: true,
    })
    if (!values.in || !values.out) throw new UsageError('consensus aggregate needs --in FILE.tsv and --out FILE.tsv.')
    for (const name of ['min', 'max', 'seed', 'threshold', 'agreement'] as const) {
      if (values[name] !== undefined && !values.adaptive) throw new UsageError(`--${name} only applies with --adaptive.`)
    }
    const integer = (name: 'min' | 'max' | 'seed', lowest: number) => {
      const raw = values[name]
      if (raw === undefined) return undefined
      if (!/^\d+$/.test(raw) || Number(raw) < lowest || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} needs a whole number ≥ ${lowest}, not "${raw}".`)
      return Number(raw)
    }
    const minJudgments = integer('min', 1)
    const maxJudgments = integer('max', 1)
    const seed = integer('seed', 0)
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold)
    if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new UsageError(`--threshold needs a confidence in (0, 1], not "${values.threshold}".`)
    const agreementOff = values.agreement === 'off'
    const tolerance = values.agreement === undefined || agreementOff ? undefined : Number(values.agreement)
    if (tolerance !== undefined && !(values.agreement!.trim() !== '' && tolerance >= 0 && tolerance <= 0.5)) {
      throw new UsageError(`--agreement needs a share of words from 0 to 0.5, or off, not "${values.agreement}".`)
    }
    if (values.lang !== undefined && !LANGUAGE_TAG.test(values.lang)) throw new UsageError(`--lang needs a language code such as bn, en or en-GB, not "${values.lang}".`)
    const core = await import('@shrutik/plugin-consensus/core')
    const strategyName = values.strategy ?? 'reliability'
    if (!Object.hasOwn(core.TRANSCRIPT_STRATEGIES, strategyName)) {
      throw new UsageError(`--strategy must be one of ${Object.keys(core.TRANSCRIPT_STRATEGIES).join(', ')}, not "${strategyName}".`)
    }
    const adaptiveDefaults = core.DEFAULT_DECISION_SETTINGS
    if ((minJudgments ?? adaptiveDefaults.minTranscriptions) > (maxJudgments ?? adaptiveDefaults.maxTranscriptions)) {
      throw new UsageError(`--min (${minJudgments ?? adaptiveDefaults.minTranscriptions}) must not exceed --max (${maxJudgments ?? adaptiveDefaults.maxTranscriptions}).`)
    }
    const started = performance.now()
    let input: string
    try {
      input = await fs.promises.readFile(values.in, 'utf8')
    } catch (error) {
      throw new ExitError(`cannot read ${values.in}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 66)
    }
    let transcripts: ReturnType<typeof core.transcriptsFromTable>
    try {
      transcripts = core.transcriptsFromTable(core.parseTsv(input), { itemColumn: values['item-col'], workerColumn: values['worker-col'], textColumn: values['text-col'] })
    } catch (error) {
      throw new ExitError(`${values.in}: ${(error as Error).message}`, 65)
    }
    const normalize = values.lang ? { language: values.lang } : {}
    let items: { item: string; text: string; confidence: number; judgments: number }[]
    let adaptiveSummary = ''
    if (values.adaptive) {
      const decision = {
        transcriptStrategy: strategyName,
        minTranscriptions: minJudgments,
        maxTranscriptions: maxJudgments,
        transcriptConfidenceThreshold: threshold,
        transcriptAgreement: agreementOff ? false : undefined,
        transcriptAgreementTolerance: tolerance,
      }
      const chosen = core.withDefaults(core.DEFAULT_DECISION_SETTINGS, decision)
      const simulation = core.simulateAdaptiveCollection(transcripts, { seed, decision, normalize })
      items = simulation.items
      const review = simulation.items.filter((item) => item.status === 'needs-review').length
      adaptiveSummary = `; adaptive (seed ${seed ?? core.DEFAULT_ADAPTIVE_OPTIONS.seed}, min ${chosen.minTranscriptions}, max ${chosen.maxTranscriptions}, threshold ${chosen.transcriptConfidenceThreshold}, agreement ${chosen.transcriptAgreement ? chosen.transcriptAgreementTolerance : 'off'}): read ${simulation.revealed} of ${simulation.available}, ${(simulation.revealed / Math.max(items.length, 1)).toFixed(2)} per item, ${review} would go to review, ${simulation.reopened} reopened by a re-estimate`
    } else {
      items = core.transcriptStrategy(strategyName).aggregate(transcripts, { normalize }).items
    }
    // Written next to the target, then renamed: a failed run never leaves half a file.
    const temporary = `${values.out}.tmp-${process.pid}`
    try {
      await fs.promises.writeFile(temporary, core.formatConsensusTsv(items, { judgments: values.adaptive === true }))
      await fs.promises.rename(temporary, values.out)
    } catch (error) {
      await fs.promises.rm(temporary, { force: true })
      throw new ExitError(`cannot write ${values.out}: ${(error as Error).message}`, 73)
    }
    const workers = new Set(transcripts.map((row) => row.worker)).size
    const meanConfidence = items.length ? items.reduce((sum, item) => sum + item.confidence, 0) / items.length : 0
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.error(
      `consensus aggregate: ${transcripts.length} transcriptions of ${items.length} items by ${workers} workers → ${values.out} (${strategyName}, mean confidence ${meanConfidence.toFixed(3)}${adaptiveSummary}, ${seconds} s)`,
    )
  },
}

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

commands.export = async (args) => {
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
  if (!values.language || !values.format || !values.out) throw new UsageError('export needs --language CODE, --format NAME and --out PATH.')
  if (!LANGUAGE_TAG.test(values.language)) throw new UsageError(`--language needs a language code such as bn, not "${values.language}".`)
  const formats = ['cv', 'hf', 'kaldi', 'nemo', 'ljspeech']
  if (!formats.includes(values.format)) throw new UsageError(`--format must be one of ${formats.join(', ')}, not "${values.format}".`)
  const seed = values.seed === undefined ? 0 : Number(values.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number ≥ 0, not "${values.seed}".`)
  const minConfidence = values['min-confidence'] === undefined ? undefined : Number(values['min-confidence'])
  if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) throw new UsageError(`--min-confidence must be between 0 and 1, not "${values['min-confidence']}".`)
  const include = (values.include ?? 'accepted') as (typeof INCLUDES)[number]
  if (!INCLUDES.includes(include)) throw new UsageError(`--include must be accepted or all, not "${values.include}".`)
  const audio = values.audio as (typeof AUDIO)[number] | undefined
  if (audio !== undefined && !AUDIO.includes(audio)) throw new UsageError(`--audio must be one of ${AUDIO.join(', ')}, not "${values.audio}".`)
  const sampleRate = values['sample-rate'] === undefined ? undefined : Number(values['sample-rate'])
  if (sampleRate !== undefined && !(Number.isInteger(sampleRate) && sampleRate >= 8000 && sampleRate <= 48_000)) {
    throw new UsageError(`--sample-rate must be a whole number of Hz between 8000 and 48000, not "${values['sample-rate']}".`)
  }
  const out = path.resolve(values.out)
  // The output is checked before the database is touched: a path that cannot be written fails fast.
  if (fs.existsSync(out)) throw new ExitError(`${values.out} already exists; choose a new path (exports never overwrite).`, 73)
  const parent = path.dirname(out)
  const probe = path.join(parent, `.shrutik-export-probe-${process.pid}`)
  try {
    await fs.promises.mkdir(probe)
    await fs.promises.rmdir(probe)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ExitError(`cannot write ${values.out}: ${code === 'ENOENT' && !fs.existsSync(parent) ? `the folder ${parent} does not exist` : code === 'ENOTDIR' ? `${parent} is not a folder` : (error as Error).message}`, 73)
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
    process.exit(code)
  }
  const plugin = await import('@shrutik/plugin-export')
  await withPayload(async ({ payload }) => {
    let summary
    try {
      summary = await plugin.runExport(
        payload,
        { language: values.language!, format: values.format!, include, seed, minConfidence, audio, sampleRate, speaker: values.speaker },
        { out, onProgress: progressPrinter() },
      )
    } catch (error) {
      if (error instanceof plugin.NothingToExportError || error instanceof plugin.ExportRefusedError) throw new ExitError(`${error.message} No dataset was written.`, 65)
      if (error instanceof plugin.OutputError) throw new ExitError(error.message, 73)
      throw error
    }
    console.log(JSON.stringify(summary))
  })
}

const sentenceCommands: Record<string, (args: string[]) => Promise<void>> = {
  async import(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        language: { type: 'string' },
        source: { type: 'string' },
        domain: { type: 'string' },
        licence: { type: 'string' },
        status: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    })
    const file = positionals[0]
    if (!file || positionals.length > 1) throw new UsageError('sentences import needs exactly one FILE.')
    if (!values.language) throw new UsageError('sentences import needs --language CODE (e.g. --language bn).')
    if (!LANGUAGE_TAG.test(values.language)) throw new UsageError(`--language needs a language code such as bn, not "${values.language}".`)
    const status = values.status ?? 'pending'
    if (status !== 'pending' && status !== 'approved') throw new UsageError(`--status must be pending or approved, not "${values.status}".`)
    const { SENTENCE_LICENCES } = await import('../../collections/Sentences')
    if (values.licence !== undefined && !(SENTENCE_LICENCES as readonly string[]).includes(values.licence)) {
      throw new UsageError(`--licence must be one of ${SENTENCE_LICENCES.join(', ')}, not "${values.licence}".`)
    }
    const absolute = path.resolve(file)
    try {
      const stat = await fs.promises.stat(absolute)
      if (!stat.isFile()) throw new Error('not a regular file')
      await fs.promises.access(absolute, fs.constants.R_OK)
    } catch (error) {
      throw new ExitError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 65)
    }
    const { ImportInputError, runImport } = await import('../curation/import')
    await withPayload(async ({ payload }) => {
      const language = await payload.find({ collection: 'languages', where: { code: { equals: values.language } }, limit: 1, depth: 0 })
      if (!language.docs[0]) throw new UsageError(`No language has the code "${values.language}"; add it in the admin (or run seed) first.`)
      // The operator at the shell imports as the system (like users:create-admin); run here, not by a worker.
      const created = await payload.create({
        collection: 'sentence-imports',
        data: {
          language: language.docs[0].id,
          source: values.source,
          domain: values.domain ?? 'general',
          licence: (values.licence ?? 'CC0-1.0') as (typeof SENTENCE_LICENCES)[number],
          sentenceStatus: status,
          sourcePath: absolute,
          state: 'queued',
        } as never,
        context: { runInProcess: true },
      })
      const tty = process.stderr.isTTY
      let counts
      try {
        counts = await runImport(payload, Number(created.id), {
          onProgress: ({ bytesRead, totalBytes, lines, phase }) => {
            if (!tty) return
            const fraction = totalBytes ? bytesRead / totalBytes : 1
            const width = 30
            const filled = Math.round(fraction * width)
            process.stderr.write(`\r${phase.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${lines} lines   `)
            if (phase === 'done') process.stderr.write('\n')
          },
        })
      } catch (error) {
        if (error instanceof ImportInputError) throw new ExitError(`${file}: ${error.message} Nothing was imported.`, 65)
        throw error
      }
      const stored = (await payload.findByID({ collection: 'sentence-imports', id: created.id, depth: 0, showHiddenFields: true })) as { reportPath?: string }
      console.error(`sentences import: report in ${stored.reportPath}`)
      console.log(JSON.stringify(counts))
    })
  },
  async export(args) {
    const { values } = parseArgs({ args, options: { language: { type: 'string' }, kind: { type: 'string' }, out: { type: 'string' } }, strict: true })
    if (!values.language || !values.kind) throw new UsageError('sentences export needs --language CODE and --kind validated|unvalidated.')
    if (values.kind !== 'validated' && values.kind !== 'unvalidated') throw new UsageError(`--kind must be validated or unvalidated, not "${values.kind}".`)
    const kind = values.kind
    const { corpusTsv } = await import('../curation/coverage')
    await withPayload(async ({ payload }) => {
      const language = await payload.find({ collection: 'languages', where: { code: { equals: values.language } }, limit: 1, depth: 0 })
      if (!language.docs[0]) throw new UsageError(`No language has the code "${values.language}".`)
      const { Readable } = await import('node:stream')
      const { pipeline } = await import('node:stream/promises')
      const rows = Readable.from(corpusTsv(payload, Number(language.docs[0].id), kind))
      if (!values.out) {
        await pipeline(rows, process.stdout, { end: false })
        return
      }
      const temporary = `${values.out}.tmp-${process.pid}`
      try {
        await pipeline(rows, fs.createWriteStream(temporary))
        await fs.promises.rename(temporary, values.out)
      } catch (error) {
        await fs.promises.rm(temporary, { force: true })
        throw new ExitError(`cannot write ${values.out}: ${(error as Error).message}`, 73)
      }
    })
  },
}

commands.sentences = async ([subcommand, ...rest]) => {
  const run = subcommand ? sentenceCommands[subcommand] : undefined
  if (!run) throw new UsageError(`sentences needs a subcommand: ${Object.keys(sentenceCommands).join(', ')}.`)
  await run(rest)
}

commands.consensus = async ([subcommand, ...rest]) => {
  const run = subcommand ? consensusCommands[subcommand] : undefined
  if (!run) throw new UsageError(`consensus needs a subcommand: ${Object.keys(consensusCommands).join(', ')}.`)
  await run(rest)
}

commands.audio = async ([subcommand, ...rest]) => {
  const run = subcommand ? audioCommands[subcommand] : undefined
  if (!run) throw new UsageError(`audio needs a subcommand: ${Object.keys(audioCommands).join(', ')}.`)
  await run(rest)
}

/** Progress of a backup or restore on stderr: redrawn on a terminal, a line per phase otherwise. */
const opsProgress = (command: string) => {
  const tty = process.stderr.isTTY
  let lastPhase = ''
  return (phase: string, text: string) => {
    if (tty) process.stderr.write(`\r${command}: ${phase} ${text}`.padEnd(70) + (phase === 'done' ? '\n' : ''))
    else if (phase !== lastPhase) console.error(`${command}: ${phase}${text ? ` ${text}` : ''}`)
    lastPhase = phase
  }
}

/** Turns a BackupError into the CLI's exit status. */
const asExit = async <T>(task: () => Promise<T>): Promise<T> => {
  const { BackupError } = await import('../backup/format')
  try {
    return await task()
  } catch (error) {
    if (error instanceof BackupError) throw new ExitError(error.message, error.status)
    throw error
  }
}

commands.backup = async (args) => {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true })
  if (!values.out) throw new UsageError('backup needs --out FILE (for example --out /var/backups/shrutik-$(date +%F).tar).')
  const { ensureDatabase } = await import('../db/embedded')
  const { createBackup } = await import('../backup/backup')
  const { packageVersion } = await import('../lib/buildStamp')
  // A running instance's embedded PostgreSQL is reused; otherwise it is started for the backup.
  const database = await ensureDatabase()
  const show = opsProgress('backup')
  try {
    const result = await asExit(() =>
      createBackup({
        databaseUrl: database.url,
        out: values.out!,
        shrutikVersion: packageVersion(projectRoot()),
        onProgress: ({ phase, done, total, current }) => show(phase, phase === 'done' ? '' : `${done}/${total}${current && process.stderr.isTTY ? ` ${current}` : ''}`),
      }),
    )
    console.log(JSON.stringify(result))
  } finally {
    await database.stop()
  }
}

commands.restore = async (args) => {
  const { values, positionals } = parseArgs({ args, options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true })
  if (positionals.length !== 1) throw new UsageError('restore needs one FILE (a backup written by "shrutik backup").')
  if (values['data-dir']) process.env.SHRUTIK_DATA_DIR = path.resolve(values['data-dir'])
  const { ensureDatabase } = await import('../db/embedded')
  const { prepareSchemaWithPayload, restoreBackup } = await import('../backup/restore')
  const { expectedMigrationNames } = await import('../db/migrate')
  if (!fs.existsSync(positionals[0])) throw new ExitError(`cannot read ${positionals[0]}: no such file`, 66)
  const database = await ensureDatabase()
  const show = opsProgress('restore')
  try {
    const result = await asExit(() =>
      restoreBackup({
        file: positionals[0],
        databaseUrl: database.url,
        knownMigrations: expectedMigrationNames(),
        prepareSchema: prepareSchemaWithPayload,
        onProgress: ({ phase, bytesRead, bytesTotal }) => show(phase, phase === 'done' ? '' : `${Math.round((bytesRead / Math.max(1, bytesTotal)) * 100)} %`),
        onWarning: (message) => console.error(`restore: warning: ${message}`),
      }),
    )
    console.log(JSON.stringify(result))
    console.error('restore: done. Start Shrutik on this data folder; migrations newer than the backup run at start.')
  } finally {
    await database.stop()
  }
}

const main = async (): Promise<void> => {
  // Settings from ./.env, if present; variables already in the environment win.
  const envFile = path.join(projectRoot(), '.env')
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile)
  const [command, ...args] = process.argv.slice(2)
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP)
    return
  }
  const run = commands[command]
  if (!run) throw new UsageError(`Unknown command "${command}".`)
  await run(args)
}

main()
  .then(() => {
    // `start` and `worker` keep running until a signal; every other command is done.
    if (process.argv[2] !== 'start' && process.argv[2] !== 'worker') process.exit(0)
  })
  .catch((error: Error) => {
    if (error instanceof ExitError) {
      console.error(`shrutik: ${error.message}`)
      process.exit(error.status)
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`shrutik: ${error.message}\nRun "shrutik --help" for the commands and their options.`)
      process.exit(64)
    }
    console.error(`shrutik: ${error.message}`)
    process.exit(1)
  })
