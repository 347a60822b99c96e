import type { Config, Payload, PayloadRequest, SanitizedConfig } from 'payload'

/**
 * A plugin's schema change, as Payload writes them (`up`/`down` with `db`, `payload`, `req`).
 * Generate them with `npx shrutik migrate:create NAME --plugin SLUG`: the host diffs only the
 * schema the plugin owns (see `SchemaOwnership`) against the plugin's last snapshot.
 */
export interface PluginMigration {
  /** `<timestamp>_<name>`, as generated; unique within the plugin. */
  name: string
  up(args: MigrationArgs): Promise<void>
  down(args: MigrationArgs): Promise<void>
}

export interface MigrationArgs {
  /** The Drizzle database (in the migration's transaction): `db.execute(sql\`…\`)`. */
  db: { execute(query: unknown): Promise<unknown> }
  payload: Payload
  req: PayloadRequest
}

/**
 * What part of the database a plugin owns: the tables of the collections it adds (and their child
 * tables), and the columns of the fields it adds to other collections (a group `audio` on
 * recordings owns every `audio_*` column there). Indexes, foreign keys and enum types go with the
 * columns they are on; a foreign key pointing at a plugin's table belongs to that plugin.
 */
export interface SchemaOwnership {
  /** Slugs of the collections (and globals) the plugin adds. */
  collections: string[]
  /** Collection slug → names of the top-level fields the plugin adds to it. */
  fields?: Record<string, string[]>
}

export interface RegisteredMigrations {
  plugin: string
  migrations: PluginMigration[]
  owns: SchemaOwnership
  /** Where `migrate:create --plugin` writes this plugin's migrations (its source folder). */
  directory?: string
}

const KEY = 'shrutikMigrations'
const SLUG = /^[a-z][a-z0-9-]*$/

const registered = (config: Config | SanitizedConfig): RegisteredMigrations[] =>
  ((config.custom as Record<string, unknown> | undefined)?.[KEY] as RegisteredMigrations[] | undefined) ?? []

/**
 * Adds a plugin's migrations and what it owns, from its `(config) => config`. The host applies
 * them after its own, plugin by plugin in the order of `plugins` in the config, under the same
 * advisory lock; `/readyz` lists any not yet applied as `<plugin>:<name>`.
 */
export const registerMigrations = <C extends Config>(config: C, entry: RegisteredMigrations): C => {
  if (!SLUG.test(entry.plugin)) throw new Error(`Migrations of "${entry.plugin}": the plugin slug must be lower-case letters, digits and dashes.`)
  if (registered(config).some((existing) => existing.plugin === entry.plugin)) throw new Error(`Migrations of "${entry.plugin}" are registered twice.`)
  const names = new Set<string>()
  for (const migration of entry.migrations) {
    if (names.has(migration.name)) throw new Error(`Migration "${entry.plugin}:${migration.name}" is listed twice.`)
    names.add(migration.name)
  }
  return { ...config, custom: { ...config.custom, [KEY]: [...registered(config), entry] } }
}

/** Every plugin's migrations, in plugin order. */
export const getRegisteredMigrations = (config: Config | SanitizedConfig): RegisteredMigrations[] => registered(config)

/** The name a plugin migration is recorded under in `payload_migrations`. */
export const pluginMigrationName = (plugin: string, name: string): string => `${plugin}:${name}`
