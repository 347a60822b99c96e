import type { RegisteredMigrations } from '@shrutik/plugin-sdk'

/**
 * Who owns which part of the database schema: the host (`core`) or a plugin. A schema snapshot
 * (Drizzle's JSON, as Payload's migrations store it) is split into one part per owner, so each
 * owner's migrations are generated from its own changes only, and merged back to diff against.
 */

export const CORE = 'core'

interface Column {
  name: string
  type: string
  primaryKey?: boolean
  [key: string]: unknown
}
interface Index {
  name: string
  columns: { expression: string; isExpression: boolean }[]
  [key: string]: unknown
}
interface ForeignKey {
  name: string
  tableFrom: string
  tableTo: string
  columnsFrom: string[]
  [key: string]: unknown
}
export interface Table {
  name: string
  schema: string
  columns: Record<string, Column>
  indexes: Record<string, Index>
  foreignKeys: Record<string, ForeignKey>
  compositePrimaryKeys: Record<string, unknown>
  uniqueConstraints: Record<string, unknown>
  policies: Record<string, unknown>
  checkConstraints: Record<string, unknown>
  isRLSEnabled: boolean
}
export interface Snapshot {
  tables: Record<string, Table>
  enums: Record<string, { name: string; schema: string; values: string[] }>
  [key: string]: unknown
}

export interface Owner {
  plugin: string
  /** Table names (snake case), each also owning its child tables (`<table>_…`). */
  tables: string[]
  /** Table → column-name stems: a stem owns the column of that name and every `<stem>_…` column. */
  columns: Record<string, string[]>
}

/** Payload's table and column names: snake case of slugs and field names. */
export const snake = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase()

export const ownersOf = (registered: RegisteredMigrations[]): Owner[] =>
  registered.map(({ plugin, owns }) => ({
    plugin,
    tables: owns.collections.map(snake),
    columns: Object.fromEntries(Object.entries(owns.fields ?? {}).map(([slug, fields]) => [snake(slug), fields.map(snake)])),
  }))

const stemMatches = (name: string, stem: string): boolean => name === stem || name.startsWith(`${stem}_`)

/** Answers who owns each table, column, index, foreign key and enum of a snapshot. */
export const ownership = (owners: Owner[]) => {
  const tableOwner = (table: string): string => {
    // The longest matching stem wins (a plugin's `segments` over a core table named `segment…`).
    let best: { plugin: string; length: number } | undefined
    for (const owner of owners) {
      for (const stem of owner.tables) {
        if (stemMatches(table, stem) && (!best || stem.length > best.length)) best = { plugin: owner.plugin, length: stem.length }
      }
    }
    return best?.plugin ?? CORE
  }
  const columnOwner = (table: string, column: string): string => {
    for (const owner of owners) {
      if ((owner.columns[table] ?? []).some((stem) => stemMatches(column, stem))) return owner.plugin
    }
    const ofTable = tableOwner(table)
    if (ofTable !== CORE) return ofTable
    // Payload's relation tables (locked documents, preferences) have a `<table>_id` column per collection.
    const referenced = column.endsWith('_id') ? owners.find((owner) => owner.tables.includes(column.slice(0, -3))) : undefined
    return referenced?.plugin ?? CORE
  }
  const indexOwner = (table: string, index: Index): string => {
    const columnOwners = index.columns.filter((column) => !column.isExpression).map((column) => columnOwner(table, column.expression))
    return columnOwners.find((owner) => owner !== tableOwner(table)) ?? tableOwner(table)
  }
  const foreignKeyOwner = (table: string, key: ForeignKey): string => {
    const fromColumns = key.columnsFrom.map((column) => columnOwner(table, column)).find((owner) => owner !== CORE)
    if (fromColumns) return fromColumns
    return tableOwner(key.tableTo)
  }
  return { tableOwner, columnOwner, indexOwner, foreignKeyOwner }
}

const emptyTable = (table: Table): Table => ({
  name: table.name,
  schema: table.schema,
  columns: {},
  indexes: {},
  foreignKeys: {},
  compositePrimaryKeys: {},
  uniqueConstraints: {},
  policies: {},
  checkConstraints: {},
  isRLSEnabled: false,
})

const emptyLike = (snapshot: Snapshot): Snapshot => ({ ...snapshot, tables: {}, enums: {} })

/**
 * One snapshot per owner (`core` and every plugin): a table's owner gets the table with its own
 * columns, indexes and keys and its table-level constraints; another owner with columns on it gets
 * a partial entry holding only those.
 */
export const splitSnapshot = (snapshot: Snapshot, owners: Owner[]): Map<string, Snapshot> => {
  const who = ownership(owners)
  const parts = new Map<string, Snapshot>([[CORE, emptyLike(snapshot)], ...owners.map((owner) => [owner.plugin, emptyLike(snapshot)] as [string, Snapshot])])
  const entry = (owner: string, key: string, table: Table): Table => {
    const part = parts.get(owner)!
    part.tables[key] ??= emptyTable(table)
    return part.tables[key]
  }
  const enumOwners = new Map<string, string>()
  for (const [key, table] of Object.entries(snapshot.tables)) {
    const tableOwner = who.tableOwner(table.name)
    const base = entry(tableOwner, key, table)
    base.compositePrimaryKeys = table.compositePrimaryKeys
    base.uniqueConstraints = table.uniqueConstraints
    base.policies = table.policies
    base.checkConstraints = table.checkConstraints
    base.isRLSEnabled = table.isRLSEnabled
    for (const [name, column] of Object.entries(table.columns)) {
      const owner = who.columnOwner(table.name, name)
      entry(owner, key, table).columns[name] = column
      if (!enumOwners.has(column.type)) enumOwners.set(column.type, owner)
    }
    for (const [name, index] of Object.entries(table.indexes)) entry(who.indexOwner(table.name, index), key, table).indexes[name] = index
    for (const [name, foreignKey] of Object.entries(table.foreignKeys)) entry(who.foreignKeyOwner(table.name, foreignKey), key, table).foreignKeys[name] = foreignKey
  }
  for (const [key, value] of Object.entries(snapshot.enums)) {
    parts.get(enumOwners.get(value.name) ?? CORE)!.enums[key] = value
  }
  return parts
}

const isBase = (table: Table): boolean => Object.values(table.columns).some((column) => column.primaryKey)

/** The union of parts: a table's base entry (the one with its primary key) first, so columns keep their order. */
export const mergeSnapshots = (template: Snapshot, parts: Snapshot[]): Snapshot => {
  const merged = emptyLike(template)
  const tables = new Map<string, Table[]>()
  for (const part of parts) {
    for (const [key, table] of Object.entries(part.tables)) tables.set(key, [...(tables.get(key) ?? []), table])
    Object.assign(merged.enums, part.enums)
  }
  for (const [key, entries] of tables) {
    const ordered = [...entries.filter(isBase), ...entries.filter((table) => !isBase(table))]
    const table = { ...emptyTable(ordered[0]) }
    for (const part of ordered) {
      table.columns = { ...table.columns, ...part.columns }
      table.indexes = { ...table.indexes, ...part.indexes }
      table.foreignKeys = { ...table.foreignKeys, ...part.foreignKeys }
      if (isBase(part)) {
        table.compositePrimaryKeys = part.compositePrimaryKeys
        table.uniqueConstraints = part.uniqueConstraints
        table.policies = part.policies
        table.checkConstraints = part.checkConstraints
        table.isRLSEnabled = part.isRLSEnabled
      }
    }
    merged.tables[key] = table
  }
  return merged
}

/**
 * A plugin's first migration may find its schema already there (it was created by the host's own
 * history before plugins shipped migrations): every statement is made a no-op when its object exists.
 */
export const idempotentStatements = (statements: string[]): string[] =>
  statements.map((statement) => {
    const text = statement.trim()
    if (/^CREATE TABLE "/.test(text)) return text.replace(/^CREATE TABLE "/, 'CREATE TABLE IF NOT EXISTS "')
    if (/^CREATE (UNIQUE )?INDEX "/.test(text)) return text.replace(/^CREATE (UNIQUE )?INDEX "/, 'CREATE $1INDEX IF NOT EXISTS "')
    if (/^ALTER TABLE "[^"]+" ADD COLUMN "/.test(text)) return text.replace(/ ADD COLUMN "/, ' ADD COLUMN IF NOT EXISTS "')
    if (/^(ALTER TABLE "[^"]+" ADD CONSTRAINT|CREATE TYPE) /.test(text)) {
      return `DO $$ BEGIN\n  ${text.replace(/;\s*$/, '')};\nEXCEPTION WHEN duplicate_object OR duplicate_table THEN NULL;\nEND $$;`
    }
    return text
  })

/**
 * Down migrations drop tables with CASCADE, which already takes the constraints and indexes
 * pointing at them: the drops that follow must not fail on what is gone.
 */
export const tolerantDrops = (statements: string[]): string[] =>
  statements.map((statement) =>
    statement
      .replace(/ DROP CONSTRAINT "/g, ' DROP CONSTRAINT IF EXISTS "')
      .replace(/^(\s*)DROP INDEX "/, '$1DROP INDEX IF EXISTS "')
      .replace(/ DROP COLUMN "/g, ' DROP COLUMN IF EXISTS "'),
  )
