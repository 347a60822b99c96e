import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
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
  migrate:create [NAME] [--plugin SLUG]
                                (developers) Write the host's next migration from its schema changes, or
                                with --plugin that plugin's (into the plugin's own migrations folder)
  seed                          Load the starter languages and sentences (safe to run again)
  users:create-admin --email E --password P [--name N]
                                Create an admin account, or make an existing account admin
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

  plugin:new NAME [--dir DIR]   (developers) Start a plugin in plugins/NAME (or DIR): options, a collection, an
                                event listener, a job, an endpoint, an admin component, a CLI command, a
                                migrations folder and tests that pass; exit 73 when the folder exists

  backup --out FILE             Write a consistent backup of the database and every media file to FILE (a .tar;
                                .tar.gz to compress); safe while Shrutik runs; prints a JSON summary;
                                exit 73 when FILE exists or cannot be written
  restore FILE [--data-dir DIR] Restore a backup into an empty data folder (or the empty database in
                                DATABASE_URL); checks every checksum before anything is kept;
                                exit 65 for a damaged backup, 66 unreadable, 73 when the target is not empty

With no DATABASE_URL, every command uses the embedded PostgreSQL in ./data/postgres.
Environment variables are listed in the README.`

/** The installed plugins' commands (`shrutik <plugin> <command>`), from the Payload config. */
const pluginCommands = async () => {
  const { getRegisteredCommands } = await import('@shrutik/plugin-sdk')
  const { default: config } = await import('../../payload.config')
  return getRegisteredCommands(await config)
}

const pluginHelp = async (): Promise<string> => {
  const groups = await pluginCommands()
  const lines = groups.flatMap(({ plugin, commands: list }) =>
    list.flatMap((command) => {
      const [usage, ...rest] = command.help.split('\n')
      return [`  ${plugin} ${command.default ? `[${command.name}]` : command.name} ${usage}`, ...rest.map((line) => `    ${line}`)]
    }),
  )
  return lines.length ? `\nPlugin commands:\n${lines.join('\n')}` : ''
}

/** `shrutik <plugin> <command> ...`: a command a plugin registered (its default one when options come first). */
const runPluginCommand = async (group: string, words: string[]): Promise<boolean> => {
  const found = (await pluginCommands()).find((entry) => entry.plugin === group)
  if (!found) return false
  const fallback = found.commands.find((entry) => entry.default)
  const named = found.commands.find((entry) => entry.name === words[0])
  const command = named ?? (fallback && (words.length === 0 || words[0].startsWith('-')) ? fallback : undefined)
  const args = named ? words.slice(1) : words
  if (!command) throw new UsageError(`${group} needs a subcommand: ${found.commands.map((entry) => entry.name).join(', ')}.`)
  const { CommandError } = await import('@shrutik/plugin-sdk')
  let booted: Awaited<ReturnType<typeof import('../server/boot').bootPayload>> | undefined
  try {
    const status = await command.run(args, {
      payload: async () => {
        const { bootPayload } = await import('../server/boot')
        booted ??= await bootPayload()
        return booted.payload
      },
    })
    if (status) process.exitCode = status
  } catch (error) {
    if (error instanceof CommandError) throw new ExitError(error.message, error.status)
    throw error
  } finally {
    await booted?.close()
  }
  return true
}

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
    const { values, positionals } = parseArgs({ args, options: { plugin: { type: 'string' } }, allowPositionals: true, strict: true })
    if (positionals.length > 1) throw new UsageError('migrate:create takes one NAME (lower-case letters, digits, underscores).')
    await withPayload(async ({ payload }) => {
      const { createMigration, MigrationRequestError } = await import('../db/createMigration')
      try {
        const created = await createMigration({ payload, name: positionals[0] ?? 'migration', plugin: values.plugin })
        console.log(`Wrote ${path.relative(process.cwd(), created.file)} (${created.statements} statement${created.statements === 1 ? '' : 's'}) and its snapshot.`)
      } catch (error) {
        if (error instanceof MigrationRequestError) throw new UsageError(error.message)
        throw error
      }
    })
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

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/

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

commands['plugin:new'] = async (args) => {
  const { values, positionals } = parseArgs({ args, options: { dir: { type: 'string' } }, allowPositionals: true, strict: true })
  if (positionals.length !== 1) throw new UsageError('plugin:new needs one NAME, e.g. "shrutik plugin:new speaking-rate".')
  const { PluginNewError, scaffoldPlugin } = await import('./pluginNew')
  const name = positionals[0]
  const dir = path.resolve(values.dir ?? path.join(projectRoot(), 'plugins', name))
  const version = (pkg: string) => (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  try {
    const written = scaffoldPlugin({ name, dir, sdkVersion: version('@shrutik/plugin-sdk'), payloadVersion: version('payload') })
    console.log(`Wrote ${written.length} files in ${path.relative(process.cwd(), dir) || '.'}:\n${written.map((file) => `  ${file}`).join('\n')}`)
    console.log(`Next: add it to payload.config.ts, run "npm install", then "npx shrutik migrate:create initial --plugin ${name}". Guide: plugins/README.md`)
  } catch (error) {
    if (error instanceof PluginNewError) throw new ExitError(error.message, error.status)
    throw error
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
  // Listing the installed plugins' migrations loads the config, which would write a new session
  // secret into the empty data folder: a throwaway one (never written) stands in until the backup's is restored.
  // The config reads DATABASE_URL when it loads (as bootPayload arranges).
  process.env.DATABASE_URL = database.url
  const ownSecret = process.env.PAYLOAD_SECRET
  process.env.PAYLOAD_SECRET ??= randomBytes(32).toString('hex')
  const knownMigrations = await expectedMigrationNames()
  if (ownSecret === undefined) delete process.env.PAYLOAD_SECRET
  const show = opsProgress('restore')
  try {
    const result = await asExit(() =>
      restoreBackup({
        file: positionals[0],
        databaseUrl: database.url,
        knownMigrations,
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
    // The installed plugins' commands come from the Payload config, which takes a few seconds to load.
    console.log(await pluginHelp().catch((error: Error) => `\nPlugin commands could not be listed: ${error.message}`))
    return
  }
  const run = commands[command]
  if (run) await run(args)
  else if (!(await runPluginCommand(command, args))) throw new UsageError(`Unknown command "${command}".`)
}

main()
  .then(() => {
    // `start` and `worker` keep running until a signal; every other command is done.
    if (process.argv[2] !== 'start' && process.argv[2] !== 'worker') process.exit(process.exitCode ?? 0)
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
