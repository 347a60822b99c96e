import type { CollectionConfig, Config } from 'payload'

export type CollectionHooks = NonNullable<CollectionConfig['hooks']>

/**
 * The config with one collection changed, for modules installed like plugins. A module names the
 * collections it extends, so a missing one stops the boot with a message instead of silently
 * doing nothing.
 */
export const extendCollection = (config: Config, slug: string, change: (collection: CollectionConfig) => CollectionConfig, by: string): Config => {
  const collections = config.collections ?? []
  if (!collections.some((collection) => collection.slug === slug)) {
    throw new Error(`${by} extends the "${slug}" collection, which is not in the config: list ${slug} in payload.config.ts collections.`)
  }
  return { ...config, collections: collections.map((collection) => (collection.slug === slug ? change(collection) : collection)) }
}

/** The collection's own hooks first, then these (a module's behaviour comes after the schema's). */
export const appendHooks = (collection: CollectionConfig, hooks: CollectionHooks): CollectionConfig => {
  const own = (collection.hooks ?? {}) as Record<string, unknown[] | undefined>
  const merged: Record<string, unknown[]> = { ...(own as Record<string, unknown[]>) }
  for (const [name, added] of Object.entries(hooks as Record<string, unknown[] | undefined>)) {
    if (added?.length) merged[name] = [...(own[name] ?? []), ...added]
  }
  return { ...collection, hooks: merged as CollectionHooks }
}
