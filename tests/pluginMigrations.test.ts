import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getRegisteredMigrations, registerMigrations, type PluginMigration } from '@shrutik/plugin-sdk'
import { drizzle } from '@payloadcms/db-postgres/drizzle/node-postgres'
import type { Config } from 'payload'
import pg from 'pg'

import { migrations as coreMigrations } from '../src/migrations'
import { createMigration, MigrationRequestError } from '../src/db/createMigration'
import { checkReadiness } from '../src/db/readiness'
import { ownersOf, splitSnapshot, type Snapshot } from '../src/db/schemaParts'
import { bootPayload, type Booted } from '../src/server/boot'
import type { RemovablePlugin } from '../src/lib/removablePlugins'
import { testWith } from './helpers/plugins'

/**
 * Each plugin ships its own migrations, applied by the host after its own: on this repository's
 * databases (whose history already made the plugins' tables) they change nothing; on a database
 * without a plugin's schema they make exactly that schema, and take it away again.
 */

let booted: Booted
let admin: pg.Client
const databases: string[] = []

// The installed plugins' migrations, reached through the host's config (no plugin imported).
const PLUGINS: [string, PluginMigration[]][] = getRegisteredMigrations(await (await import('../payload.config')).default).map((entry) => [entry.plugin, entry.migrations])
const migrationsOf = (plugin: string): PluginMigration[] => PLUGINS.find(([name]) => name === plugin)![1]

const urlOf = (name: string): string => {
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${name}`
  return url.toString()
}

/** A new, empty database and a Drizzle handle on it, as a migration gets. */
const scratch = async () => {
  const name = `plugin_migrations_${randomBytes(4).toString('hex')}`
  await admin.query(`CREATE DATABASE ${name}`)
  databases.push(name)
  const pool = new pg.Pool({ connectionString: urlOf(name), max: 2 })
  const db = drizzle(pool)
  const run = async (list: { up: PluginMigration['up'] }[]) => {
    for (const migration of list) await migration.up({ db, payload: undefined as never, req: undefined as never })
  }
  const down = async (list: { down: PluginMigration['down'] }[]) => {
    for (const migration of [...list].reverse()) await migration.down({ db, payload: undefined as never, req: undefined as never })
  }
  return { pool, run, down }
}

/** Everything about a schema that a migration makes, in a stable order. */
const signature = async (pool: pg.Pool): Promise<string[]> => {
  const queries = [
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public'`,
    `SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public'`,
    `SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
    `SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname AS line FROM pg_trigger WHERE NOT tgisinternal`,
    `SELECT 'function ' || proname AS line FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
    `SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`,
  ]
  const lines: string[] = []
  for (const query of queries) lines.push(...(await pool.query(query)).rows.map((row: { line: string }) => row.line))
  return lines.sort()
}

beforeAll(async () => {
  booted = await bootPayload()
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
}, 60_000)

afterAll(async () => {
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
  await admin?.end()
})

// The shipped set of plugins, which several checks below name one by one.
const EVERY_PLUGIN: RemovablePlugin[] = ['audio-processing', 'consensus', 'export', 'webhooks']

describe('plugin migrations', () => {
  testWith(EVERY_PLUGIN, 'every plugin registers its migrations and what it owns; the host applied them and /readyz counts them', async () => {
    const registered = getRegisteredMigrations(booted.payload.config)
    expect(registered.map((entry) => entry.plugin)).toEqual(['audio-processing', 'consensus', 'export', 'webhooks'])
    for (const entry of registered) expect(entry.migrations.length).toBeGreaterThan(0)
    const applied = (await admin.query('SELECT name FROM payload_migrations')).rows.map((row: { name: string }) => row.name)
    for (const [plugin, list] of PLUGINS) for (const migration of list) expect(applied).toContain(`${plugin}:${migration.name}`)
    expect(await checkReadiness(booted.payload)).toMatchObject({ ready: true, migrations: 'ok' })
    // A plugin migration not applied yet holds readiness back, named as `<plugin>:<name>`.
    await admin.query(`DELETE FROM payload_migrations WHERE name = $1`, [`consensus:${migrationsOf('consensus')[0].name}`])
    try {
      expect(await checkReadiness(booted.payload)).toMatchObject({ ready: false, migrations: 'pending', pendingMigrations: [`consensus:${migrationsOf('consensus')[0].name}`] })
    } finally {
      await admin.query(`INSERT INTO payload_migrations (name, batch) VALUES ($1, 99)`, [`consensus:${migrationsOf('consensus')[0].name}`])
    }
  })

  test('on a database the host’s history made, the plugins’ first migrations change nothing', async () => {
    const { pool, run } = await scratch()
    try {
      await run(coreMigrations)
      // The host's history made the first three plugins' schema; the webhooks plugin is newer than that.
      await run(migrationsOf('webhooks'))
      const before = await signature(pool)
      // Their first migrations (the baselines); later ones change the schema on purpose.
      for (const [, list] of PLUGINS) await run(list.slice(0, 1))
      expect(await signature(pool)).toEqual(before)
    } finally {
      await pool.end()
    }
  }, 120_000)

  testWith(EVERY_PLUGIN, 'without a plugin’s schema, its migrations make exactly that schema (and down takes it away)', async () => {
    const { pool, run, down } = await scratch()
    try {
      await run(coreMigrations)
      for (const [, list] of PLUGINS) await run(list)
      const full = await signature(pool)
      // Take every plugin's schema away, last plugin first: what is left is the host's alone.
      for (const [, list] of [...PLUGINS].reverse()) await down(list)
      const hostOnly = await signature(pool)
      for (const table of ['segments', 'votes', 'consensus_skips', 'segment_decisions', 'dataset_exports', 'dataset_export_rows', 'webhook_deliveries']) {
        expect(hostOnly.some((line) => line.startsWith(`column ${table}.`))).toBe(false)
      }
      expect(hostOnly.some((line) => line.startsWith('column recordings.audio_'))).toBe(false)
      expect(hostOnly.some((line) => line.startsWith('column recordings.filename'))).toBe(true)
      expect(hostOnly.some((line) => line.startsWith('trigger '))).toBe(false)
      // Plugin by plugin, in the config's order, their migrations bring back exactly what they own.
      for (const [, list] of PLUGINS) await run(list)
      expect(await signature(pool)).toEqual(full)
    } finally {
      await pool.end()
    }
  }, 120_000)
})

describe('the consensus plugin’s decisions move into its own table', () => {
  testWith(['audio-processing', 'consensus'], 'existing decisions are copied, the view reads the same, and down puts them back on segments', async () => {
    const { pool, run, down } = await scratch()
    try {
      await run(coreMigrations)
      const consensus = migrationsOf('consensus')
      const moved = consensus.findIndex((migration) => migration.name.endsWith('_segment_decisions'))
      expect(moved).toBeGreaterThan(0)
      for (const [plugin, list] of PLUGINS) await run(plugin === 'consensus' ? list.slice(0, moved) : plugin === 'audio-processing' ? list : [])
      // Two segments decided the old way (columns on segments), one never touched.
      const { rows: languages } = await pool.query(`INSERT INTO languages (code, name, native_name) VALUES ('qzz', 'Test', 'Test') RETURNING id`)
      const { rows: recordings } = await pool.query(
        `INSERT INTO recordings (language_id, mode, filename, mime_type, filesize, consent_version) VALUES ($1, 'prompt', 'a.wav', 'audio/wav', 1, '1') RETURNING id`,
        [languages[0].id],
      )
      const insert = (index: number, extra: string, values: string) =>
        pool.query(`INSERT INTO segments (recording_id, index, start_ms, end_ms, duration_ms, file, expected_text${extra}) VALUES ($1, ${index}, 0, 1, 1, 'f${index}', 'text'${values}) RETURNING id`, [recordings[0].id])
      const accepted = (await insert(0, `, consensus_task, consensus_status, consensus_agreed_text, consensus_confidence, consensus_judgments, consensus_method, consensus_decided_by, consensus_decided_at`,
        `, 'validation', 'accepted', 'the text', 0.97, 3, 'dawid-skene', 'crowd', now()`)).rows[0].id as number
      const review = (await insert(1, `, consensus_task, consensus_status, consensus_reports`, `, 'validation', 'needs-review', 2`)).rows[0].id as number
      const untouched = (await insert(2, '', '')).rows[0].id as number
      const view = async () =>
        (await pool.query(`SELECT segment_id, task::text, status::text, agreed_text, confidence::float AS confidence, judgments::int AS judgments, reports::int AS reports, method, decided_by::text FROM consensus_segments ORDER BY segment_id`)).rows
      const before = await view()
      expect(before).toHaveLength(3)
      await run([consensus[moved]])
      expect(await view()).toEqual(before)
      expect((await pool.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'segments' AND column_name LIKE 'consensus%'`)).rows[0].n).toBe(0)
      expect((await pool.query(`SELECT segment_id FROM segment_decisions ORDER BY segment_id`)).rows.map((row) => row.segment_id)).toEqual([accepted, review, untouched])
      // The row goes with its segment.
      await pool.query(`DELETE FROM segments WHERE id = $1`, [untouched])
      expect((await pool.query(`SELECT count(*)::int AS n FROM segment_decisions`)).rows[0].n).toBe(2)
      // The refusal of judging one's own recording names what to do instead.
      const { rows: hint } = await pool.query(`SELECT prosrc FROM pg_proc WHERE proname = 'consensus_refuse_own_recording'`)
      expect(hint[0].prosrc).toContain("HINT = 'Validate or transcribe other people''s recordings.'")
      await down([consensus[moved]])
      expect(await view()).toEqual(before.filter((row) => row.segment_id !== untouched))
      expect((await pool.query(`SELECT consensus_status::text AS status FROM segments WHERE id = $1`, [accepted])).rows[0].status).toBe('accepted')
    } finally {
      await pool.end()
    }
  }, 120_000)
})

describe('schema ownership', () => {
  // The whole schema as it is now (the host's stored snapshots hold only its own part once it has a migration of its own).
  const snapshot = async (): Promise<Snapshot> => {
    const adapter = booted.payload.db as unknown as { schema: unknown; requireDrizzleKit(): { generateDrizzleJson(schema: unknown): Promise<Snapshot> | Snapshot } }
    return await adapter.requireDrizzleKit().generateDrizzleJson(adapter.schema)
  }
  const owners = () => ownersOf(getRegisteredMigrations(booted.payload.config))

  const cases: [string, string, string, string, RemovablePlugin[]][] = [
    ['a plugin’s own table', 'public.votes', 'id', 'consensus', ['consensus']],
    ['a plugin’s own table referring to another plugin’s', 'public.segment_decisions', 'segment_id', 'consensus', ['audio-processing', 'consensus']],
    ['a plugin’s table', 'public.segments', 'expected_text', 'audio-processing', ['audio-processing']],
    ['a plugin’s group on a core table', 'public.recordings', 'audio_status', 'audio-processing', ['audio-processing']],
    ['a core column', 'public.recordings', 'filename', 'core', []],
    ['Payload’s per-collection relation column', 'public.payload_locked_documents_rels', 'dataset_exports_id', 'export', ['export']],
    ['a core collection’s relation column', 'public.payload_locked_documents_rels', 'recordings_id', 'core', []],
  ]
  for (const [what, table, column, owner, needs] of cases) {
    testWith(needs, `${what}: ${table}.${column} belongs to ${owner}`, async () => {
      const parts = splitSnapshot(await snapshot(), owners())
      const holders = [...parts].filter(([, part]) => part.tables[table]?.columns[column]).map(([name]) => name)
      expect(holders).toEqual([owner])
    })
  }

  testWith(['audio-processing', 'consensus'], 'a foreign key pointing at a plugin’s table is that plugin’s; enums go with their columns', async () => {
    const parts = splitSnapshot(await snapshot(), owners())
    expect(Object.keys(parts.get('audio-processing')!.tables['public.transcriptions'].foreignKeys)).toEqual(['transcriptions_item_id_segments_id_fk'])
    expect(parts.get('core')!.tables['public.transcriptions'].foreignKeys['transcriptions_item_id_segments_id_fk']).toBeUndefined()
    expect(Object.keys(parts.get('consensus')!.enums)).toContain('public.enum_segment_decisions_status')
    expect(Object.keys(parts.get('audio-processing')!.enums)).toContain('public.enum_recordings_audio_status')
  })
})

describe('shrutik migrate:create', () => {
  testWith(EVERY_PLUGIN, 'finds nothing new for the host or any plugin on this schema, and says which plugins ship migrations', async () => {
    await expect(createMigration({ payload: booted.payload, name: 'nothing' })).rejects.toThrow(/No schema changes in the host/)
    await expect(createMigration({ payload: booted.payload, name: 'nothing', plugin: 'consensus' })).rejects.toThrow(/No schema changes in plugin "consensus"/)
    await expect(createMigration({ payload: booted.payload, name: 'x', plugin: 'nope' })).rejects.toThrow(MigrationRequestError)
    await expect(createMigration({ payload: booted.payload, name: 'x', plugin: 'nope' })).rejects.toThrow(/these do: audio-processing, consensus, export, webhooks/)
    await expect(createMigration({ payload: booted.payload, name: 'Bad Name' })).rejects.toThrow(/lower-case/)
  })

  testWith(['audio-processing', 'consensus'], 'a plugin whose owned schema changed gets a migration of that change only, in its own folder', async () => {
    // The consensus plugin, as if its last snapshot predated a decision's `reports`: copy its folder, point the plugin at it.
    const registered = getRegisteredMigrations(booted.payload.config)
    const consensus = registered.find((entry) => entry.plugin === 'consensus')!
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'shrutik-plugin-migrations-'))
    try {
      const json = fs.readdirSync(consensus.directory!).filter((file) => file.endsWith('.json')).sort().at(-1)!
      const older = JSON.parse(fs.readFileSync(path.join(consensus.directory!, json), 'utf8')) as Snapshot
      delete older.tables['public.segment_decisions'].columns.reports
      fs.writeFileSync(path.join(folder, json), JSON.stringify(older))
      const custom = booted.payload.config.custom as Record<string, unknown>
      const original = custom.shrutikMigrations
      custom.shrutikMigrations = registered.map((entry) => (entry.plugin === 'consensus' ? { ...entry, directory: folder } : entry))
      try {
        const created = await createMigration({ payload: booted.payload, name: 'reports', plugin: 'consensus', now: new Date('2030-01-01T00:00:00Z') })
        const source = fs.readFileSync(created.file, 'utf8')
        expect(created.file).toBe(path.join(folder, '20300101_000000_reports.ts'))
        expect(created.statements).toBe(1)
        expect(source).toMatch(/ALTER TABLE "segment_decisions" ADD COLUMN "reports" numeric/)
        expect(source).toMatch(/ALTER TABLE "segment_decisions" DROP COLUMN IF EXISTS "reports"/)
        // Nothing of the host's or the other plugins' schema, and not made idempotent (not a first migration).
        expect(source).not.toMatch(/recordings|votes|dataset_exports|IF NOT EXISTS/)
        expect(fs.readFileSync(path.join(folder, 'index.ts'), 'utf8')).toMatch(/name: '20300101_000000_reports'/)
      } finally {
        custom.shrutikMigrations = original
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true })
    }
  })

  test('registerMigrations refuses a plugin registered twice and a migration listed twice', () => {
    const once = registerMigrations({} as Config, { plugin: 'demo', migrations: [], owns: { collections: ['demo'] } })
    expect(() => registerMigrations(once, { plugin: 'demo', migrations: [], owns: { collections: [] } })).toThrow(/registered twice/)
    const migration = { name: '20300101_000000_a', up: async () => undefined, down: async () => undefined }
    expect(() => registerMigrations({} as Config, { plugin: 'demo', migrations: [migration, migration], owns: { collections: [] } })).toThrow(/listed twice/)
  })
})
