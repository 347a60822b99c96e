import type { Config, Payload, SanitizedConfig } from 'payload'

import { CommandError, getRegisteredCommands } from '../commands'

export interface CommandOutcome {
  /** The exit status `shrutik` would end with: the command's return value, a `CommandError`'s status, or 0. */
  status: number
  /** What the command printed with `console.log` / `process.stdout.write`. */
  stdout: string
  /** `shrutik: <message>` for a `CommandError`, as the host prints it; also what the command wrote to stderr. */
  stderr: string
}

/** Set while a command runs (its output is being captured). */
let capturing = false

/**
 * Runs `shrutik <group> <args…>` as the host does, in this process: finds the command your plugin
 * registered under `group` in `config` (the named one, or the group's default when the arguments
 * start with an option), runs it with `payload` for commands that need a database, and returns its
 * exit status and output. Only the `shrutik` binary itself (its argument parsing, Payload booting)
 * is left to the host's own tests.
 */
export const runCommand = async (
  config: Config | SanitizedConfig,
  group: string,
  words: string[],
  { payload }: { payload?: Payload } = {},
): Promise<CommandOutcome> => {
  const found = getRegisteredCommands(config).find((entry) => entry.plugin === group)
  if (!found) throw new Error(`No CLI commands are registered under "${group}".`)
  const fallback = found.commands.find((entry) => entry.default)
  const named = found.commands.find((entry) => entry.name === words[0])
  const command = named ?? (fallback && (words.length === 0 || words[0].startsWith('-')) ? fallback : undefined)
  if (!command) return { status: 64, stdout: '', stderr: `shrutik: ${group} needs a subcommand: ${found.commands.map((entry) => entry.name).join(', ')}.` }
  // Output is captured by replacing console and the process streams: one command at a time.
  if (capturing) throw new Error('runCommand: another command is still running; await it before starting the next.')
  capturing = true
  const out: string[] = []
  const err: string[] = []
  const saved = { log: console.log, error: console.error, out: process.stdout.write, err: process.stderr.write }
  const text = (values: unknown[]) => `${values.map((value) => (typeof value === 'string' ? value : String(value))).join(' ')}\n`
  console.log = (...values: unknown[]) => void out.push(text(values))
  console.error = (...values: unknown[]) => void err.push(text(values))
  // A stream's write(chunk[, encoding][, callback]): the text kept, the callback called (a command may await it).
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      const callback = rest.find((value): value is () => void => typeof value === 'function')
      if (callback) queueMicrotask(callback)
      return true
    }
  process.stdout.write = capture(out) as typeof process.stdout.write
  process.stderr.write = capture(err) as typeof process.stderr.write
  let status: number
  try {
    status =
      (await command.run(named ? words.slice(1) : words, {
        payload: async () => {
          if (!payload) throw new Error(`runCommand: "${group} ${command.name}" asked for the database; pass { payload } (a test host's).`)
          return payload
        },
      })) ?? 0
  } catch (error) {
    if (!(error instanceof CommandError)) throw error
    status = error.status
    err.push(`shrutik: ${error.message}\n`)
  } finally {
    console.log = saved.log
    console.error = saved.error
    process.stdout.write = saved.out
    process.stderr.write = saved.err
    capturing = false
  }
  return { status, stdout: out.join(''), stderr: err.join('') }
}
