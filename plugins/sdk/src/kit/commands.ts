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
  const out: string[] = []
  const err: string[] = []
  const saved = { log: console.log, error: console.error, out: process.stdout.write, err: process.stderr.write }
  const text = (values: unknown[]) => `${values.map((value) => (typeof value === 'string' ? value : String(value))).join(' ')}\n`
  console.log = (...values: unknown[]) => void out.push(text(values))
  console.error = (...values: unknown[]) => void err.push(text(values))
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write
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
  }
  return { status, stdout: out.join(''), stderr: err.join('') }
}
