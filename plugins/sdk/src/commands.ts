import type { Config, Payload, SanitizedConfig } from 'payload'

/**
 * A command a plugin adds to the `shrutik` CLI: `npx shrutik <plugin> <name> [args]`. The host
 * lists it in `shrutik --help` and runs it; the plugin parses its own arguments (`node:util`
 * `parseArgs` is enough) and reports bad ones with `CommandError`.
 */
export interface PluginCommand {
  /** One word, lower case: `aggregate` in `shrutik consensus aggregate`. */
  name: string
  /** The help text: the arguments on the first line, then what it does (indented lines are kept as written). */
  help: string
  /** Also run when the group is followed by options, not a command name (`shrutik export --language bn …`). One per plugin. */
  default?: boolean
  /**
   * Runs the command. `payload()` boots Payload on the database (embedded unless DATABASE_URL is
   * set) on first call, for commands that need it; the host closes it afterwards. Return an exit
   * status (default 0), or throw a `CommandError`.
   */
  run(args: string[], context: CommandContext): Promise<number | void>
}

export interface CommandContext {
  payload(): Promise<Payload>
}

/**
 * A failure the person running the command can act on: printed as `shrutik: <message>`, exit
 * `status` (sysexits.h: 64 usage, 65 bad input data, 66 cannot open input, 73 cannot create output).
 */
export class CommandError extends Error {
  override name = 'CommandError'
  constructor(
    message: string,
    readonly status = 64,
  ) {
    super(message)
  }
}

export interface RegisteredCommands {
  plugin: string
  commands: PluginCommand[]
}

const KEY = 'shrutikCommands'
const WORD = /^[a-z][a-z0-9-]*$/

const registered = (config: Config | SanitizedConfig): RegisteredCommands[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[KEY] as RegisteredCommands[] | undefined) ?? []

/** Adds a plugin's CLI commands, from its `(config) => config`. `plugin` is the first word after `shrutik`. */
export const registerCommands = <C extends Config>(config: C, plugin: string, commands: PluginCommand[]): C => {
  if (!WORD.test(plugin)) throw new Error(`CLI group "${plugin}" must be one lower-case word (letters, digits, dashes).`)
  const existing = registered(config)
  if (existing.some((entry) => entry.plugin === plugin)) throw new Error(`CLI commands for "${plugin}" are registered twice.`)
  if (commands.filter((command) => command.default).length > 1) throw new Error(`CLI commands for "${plugin}": only one may be the default.`)
  const names = new Set<string>()
  for (const command of commands) {
    if (!WORD.test(command.name)) throw new Error(`CLI command "${plugin} ${command.name}" must be one lower-case word.`)
    if (names.has(command.name)) throw new Error(`CLI command "${plugin} ${command.name}" is registered twice.`)
    names.add(command.name)
  }
  return { ...config, custom: { ...config.custom, [KEY]: [...existing, { plugin, commands }] } }
}

/** Every plugin's commands, in plugin order. */
export const getRegisteredCommands = (config: Config | SanitizedConfig): RegisteredCommands[] => registered(config)
