import type { Config, Payload, SanitizedConfig } from 'payload'

/**
 * What a plugin does when a person's contributions change hands: an anonymous browser's work
 * becomes an account's (claim), or a person withdraws (their judgments and data go). The host runs
 * every registered handler inside ONE database transaction with its own changes, then each
 * handler's `after` once it has committed (enqueue follow-up jobs there).
 */
export interface SqlExecutor {
  execute(query: unknown): Promise<unknown>
}

export interface ContributorChangeResult {
  /** Rows moved or removed, by kind (e.g. `{ votes: 3 }`), reported to the person. */
  counts?: Record<string, number>
  /** Rows dropped because they conflicted (e.g. a judgment of one's own recording), by kind. */
  dropped?: Record<string, number>
  /** Runs after the commit. */
  after?: () => Promise<void>
}

export interface ContributorHandlers {
  /** Names the plugin in logs and counts. */
  name: string
  /** Move what `clientId` did anonymously to account `userId`; drop, never fail on, conflicts. */
  claim?: (change: { db: SqlExecutor; payload: Payload; clientId: string; userId: number }) => Promise<ContributorChangeResult>
  /** Remove everything of this person (an account, a browser id, or both). */
  withdraw?: (change: { db: SqlExecutor; payload: Payload; userId?: number; clientIds: string[] }) => Promise<ContributorChangeResult>
}

const KEY = 'shrutikContributorHandlers'

/** Adds a plugin's claim/withdraw handlers to the config (from the plugin's `(config) => config`). */
export const registerContributorHandlers = <C extends Config>(config: C, handlers: ContributorHandlers): C => {
  const existing = getContributorHandlers(config)
  if (existing.some((entry) => entry.name === handlers.name)) throw new Error(`Contributor handlers "${handlers.name}" are registered twice.`)
  return { ...config, custom: { ...config.custom, [KEY]: [...existing, handlers] } }
}

export const getContributorHandlers = (config: Config | SanitizedConfig): ContributorHandlers[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[KEY] as ContributorHandlers[] | undefined) ?? []
