import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, test } from '@jest/globals'
import ts from 'typescript'

/**
 * Which parts of the repository may import which: the core (collections/) depends on no edge, the
 * site depends on no collection code, and host code depends on no plugin. Each rule is a row of
 * RULES; the checker reads every import (static, dynamic, `export … from`, type-only) with the
 * TypeScript compiler's own pre-processor.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Where an import leads: a file or folder of this repository, or an outside package. */
type Target = { kind: 'file'; path: string; specifier: string } | { kind: 'package'; name: string; specifier: string }

interface Rule {
  name: string
  /** Folders (relative to the repository) whose files are checked. */
  from: string[]
  /** Says why an import is refused, or undefined when it is fine. */
  refuses: (target: Target) => string | undefined
  /** Files the rule does not apply to, with the reason beside them. */
  ignore?: string[]
  /** Set while the code does not follow the rule yet: the rule is listed, skipped, and says why. */
  pending?: string
}

const within = (file: string, folder: string): boolean => file === folder || file.startsWith(`${folder}/`)
const withinAny = (file: string, folders: string[]): boolean => folders.some((folder) => within(file, folder))
/** A plugin: one of plugins/ (the SDK aside) or an example plugin in examples/. */
const PLUGINS_EXCEPT_SDK = (file: string): boolean => (within(file, 'plugins') && !within(file, 'plugins/sdk')) || within(file, 'examples')

const RULES: Rule[] = [
  {
    name: 'collections import only src/access, the plugin SDK, payload, outside packages and each other',
    from: ['collections'],
    refuses: (target) =>
      target.kind === 'file' && !withinAny(target.path, ['collections', 'src/access', 'plugins/sdk']) ? `imports ${target.path}` : undefined,
  },
  {
    name: 'the core (collections/) never imports the site (src/site, src/app)',
    from: ['collections'],
    refuses: (target) => (target.kind === 'file' && withinAny(target.path, ['src/site', 'src/app']) ? `imports ${target.path}` : undefined),
  },
  {
    name: 'the site (src/site, src/app) never imports collections/: it reads them through Payload',
    from: ['src/site', 'src/app'],
    refuses: (target) => (target.kind === 'file' && within(target.path, 'collections') ? `imports ${target.path}` : undefined),
  },
  {
    name: 'src/ and bin/ never import a plugin (the SDK aside)',
    from: ['src', 'bin'],
    refuses: (target) => (target.kind === 'file' && PLUGINS_EXCEPT_SDK(target.path) ? `imports ${target.path}` : undefined),
    // Written by `payload generate:importmap` from the plugins' admin components.
    ignore: ['src/app/(payload)/admin/importMap.js'],
  },
  {
    name: 'tests/ never import a plugin (the SDK aside)',
    from: ['tests'],
    refuses: (target) => (target.kind === 'file' && PLUGINS_EXCEPT_SDK(target.path) ? `imports ${target.path}` : undefined),
    ignore: [
      // The withdrawal rule under test is that the export plugin's clip selection skips withdrawn clips.
      'tests/withdrawal.test.ts',
    ],
  },
]

const SOURCE = /\.(ts|tsx|mts|js|mjs)$/

const sourcesUnder = (folder: string): string[] => {
  const absolute = path.join(root, folder)
  if (!fs.existsSync(absolute)) return []
  return (fs.readdirSync(absolute, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    // Installed packages and build output (`dist/`, written by `npm pack` in tests/packaging.test.ts) are not sources.
    .filter((file) => !file.split('/').some((part) => part === 'node_modules' || part === 'dist'))
}

/** Workspace packages (`@shrutik/...`) and the folders they live in. */
const workspaces = new Map<string, string>(
  ['plugins', 'themes', 'examples'].flatMap((group) =>
    fs
      .readdirSync(path.join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, group, entry.name, 'package.json')))
      .map((entry): [string, string] => {
        const manifest = JSON.parse(fs.readFileSync(path.join(root, group, entry.name, 'package.json'), 'utf8')) as { name: string }
        return [manifest.name, `${group}/${entry.name}`]
      }),
  ),
)

/** Where `specifier`, imported by `file`, leads (tsconfig's `@/` and `@payload-config` paths included). */
const resolveImport = (file: string, specifier: string): Target => {
  const asFile = (absolute: string): Target => ({ kind: 'file', path: path.relative(root, absolute).split(path.sep).join('/'), specifier })
  if (specifier.startsWith('.')) return asFile(path.resolve(root, path.dirname(file), specifier))
  if (specifier.startsWith('@/')) return asFile(path.join(root, 'src', specifier.slice(2)))
  if (specifier === '@payload-config') return asFile(path.join(root, 'payload.config.ts'))
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  const folder = workspaces.get(name)
  if (folder) return asFile(path.join(root, folder, specifier.slice(name.length)))
  return { kind: 'package', name, specifier }
}

const importsOf = (text: string): string[] =>
  ts.preProcessFile(text, true, true).importedFiles.map((reference) => reference.fileName)

/** Every import in `sources` that breaks `rule`, as "file: why". */
const violationsOf = (rule: Rule, sources: { file: string; text: string }[]): string[] =>
  sources
    .filter(({ file }) => withinAny(file, rule.from) && !rule.ignore?.includes(file))
    .flatMap(({ file, text }) =>
      importsOf(text).flatMap((specifier) => {
        const why = rule.refuses(resolveImport(file, specifier))
        return why ? [`${file}: ${why} ('${specifier}')`] : []
      }),
    )

const repositorySources = (rule: Rule) =>
  [...new Set(rule.from.flatMap(sourcesUnder))].map((file) => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }))

describe('layering', () => {
  for (const rule of RULES) {
    const check = rule.pending ? test.skip : test
    // A pending rule is skipped, not deleted: `rule.pending` says what must change before it holds.
    check(rule.name, () => {
      expect(violationsOf(rule, repositorySources(rule))).toEqual([])
    })
  }

  test('the checker catches each kind of import that breaks a rule', () => {
    const [collectionsOnly, coreWithoutSite, siteWithoutCollections, hostWithoutPlugins, testsWithoutPlugins] = RULES
    const bad = [
      { file: 'collections/Fake/index.ts', text: "import { LOCALES } from '../../src/site/i18n'\n" },
      { file: 'collections/Fake/lazy.ts', text: "export const load = () => import('../../src/lib/env')\n" },
      { file: 'collections/Fake/types.ts', text: "import type { Theme } from '@/site/themes'\n" },
      { file: 'collections/Fake/plugin.ts', text: "export { consensusPlugin } from '@shrutik/plugin-consensus'\n" },
      { file: 'src/site/fake.tsx', text: "import { BCP47 } from '../../collections/Languages'\n" },
      { file: 'src/app/(site)/fake/page.tsx', text: "import { Sentences } from '../../../../collections/Sentences'\n" },
      { file: 'tests/fake.test.ts', text: "import { wav } from '../plugins/audio-processing/tests/audio'\n" },
      { file: 'src/fake.ts', text: "import { webhooksPlugin } from '@shrutik/plugin-webhooks'\n" },
    ]
    expect(violationsOf(collectionsOnly, bad)).toHaveLength(4)
    expect(violationsOf(coreWithoutSite, bad)).toEqual([
      "collections/Fake/index.ts: imports src/site/i18n ('../../src/site/i18n')",
      "collections/Fake/types.ts: imports src/site/themes ('@/site/themes')",
    ])
    expect(violationsOf(siteWithoutCollections, bad)).toHaveLength(2)
    expect(violationsOf(hostWithoutPlugins, bad)).toEqual(["src/fake.ts: imports examples/webhooks ('@shrutik/plugin-webhooks')"])
    expect(violationsOf(testsWithoutPlugins, bad)).toEqual(["tests/fake.test.ts: imports plugins/audio-processing/tests/audio ('../plugins/audio-processing/tests/audio')"])

    const fine = [
      {
        file: 'collections/Fake/index.ts',
        text: [
          "import fs from 'node:fs'",
          "import { APIError } from 'payload'",
          "import { idOf } from '@shrutik/plugin-sdk'",
          "import { isAdmin } from '../../src/access'",
          "import { mayContribute } from '../../src/access/contributor'",
          "import { SENTENCE_LICENCES } from '../Sentences'",
          "import { fileTypeFromBuffer } from 'file-type'",
        ].join('\n'),
      },
      { file: 'src/site/fine.tsx', text: "import { idOf } from '@shrutik/plugin-sdk'\nimport { translator } from './i18n'\n" },
    ]
    for (const rule of RULES) expect(violationsOf(rule, fine)).toEqual([])
  })
})

/**
 * A plugin is a package: every file under `plugins/<name>/`, `examples/<name>/` and
 * `themes/<name>/` (its sources, unit tests and integration tests alike) imports only files of its
 * own package, Node's built-ins, and the packages its package.json declares (dependencies, peer,
 * optional or dev dependencies, other `@shrutik/*` packages included). Never this repository's
 * `src/`, `tests/`, `bin/` or another package's folder by path: what passes here passes where the
 * package is installed alone.
 */
const PACKAGE_GROUPS = ['plugins', 'themes', 'examples']

/** Tooling the host's test runner provides to every package's tests (Jest is the workspace's, not a package's). */
const TEST_TOOLING = new Set(['@jest/globals'])

interface PackageInfo {
  folder: string
  name: string
  declared: Set<string>
}

const packageOf = (file: string, packages: PackageInfo[]): PackageInfo | undefined => packages.find((candidate) => within(file, candidate.folder))

const readPackages = (): PackageInfo[] =>
  [...workspaces].map(([name, folder]) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
    const declared = new Set(['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})))
    return { folder, name, declared }
  })

const isTestFile = (file: string): boolean => /\.test\.tsx?$/.test(file) || file.split('/').includes('test')

const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])

/** Every import in `sources` (files of `packages`) that leaves its package other than through a declared dependency, as "file: why". */
const packageBoundaryViolations = (sources: { file: string; text: string }[], packages: PackageInfo[]): string[] =>
  sources.flatMap(({ file, text }) => {
    const own = packageOf(file, packages)
    if (!own) return []
    // A path into the host spelt out as a string (a spawned `bin/shrutik.mjs`, a read of `tests/…`) leaves the package too.
    const byPath = [...text.matchAll(/(['"`])((?:\.\.\/)+[^'"`\s]*)\1/g)].flatMap(([, , relative]) => {
      const target = path.relative(root, path.resolve(root, path.dirname(file), relative)).split(path.sep).join('/')
      return !within(target, own.folder) && withinAny(target, ['src', 'tests', 'bin']) && !importsOf(text).includes(relative) ? [`${file}: refers to ${target} by path ('${relative}')`] : []
    })
    return byPath.concat(importsOf(text).flatMap((specifier) => {
      if (specifier.startsWith('.')) {
        const target = path.relative(root, path.resolve(root, path.dirname(file), specifier)).split(path.sep).join('/')
        return within(target, own.folder) ? [] : [`${file}: imports ${target}, outside its package ('${specifier}')`]
      }
      if (isBuiltin(specifier)) return []
      if (specifier.startsWith('@/') || specifier === '@payload-config') return [`${file}: imports the host ('${specifier}')`]
      const parts = specifier.split('/')
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
      if (name === own.name || own.declared.has(name)) return []
      if (TEST_TOOLING.has(name) && isTestFile(file)) return []
      return [`${file}: imports ${name}, which ${own.name} does not declare ('${specifier}')`]
    }))
  })

describe('packages', () => {
  const packages = readPackages()
  const sources = () =>
    PACKAGE_GROUPS.flatMap(sourcesUnder)
      .map((file) => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }))

  test('every file of a plugin, example or theme imports only its own package, built-ins and its declared dependencies', () => {
    expect(packages.map((entry) => entry.folder)).toEqual(expect.arrayContaining(['plugins/sdk', 'plugins/audio-processing', 'plugins/consensus', 'plugins/export', 'examples/webhooks']))
    expect(packageBoundaryViolations(sources(), packages)).toEqual([])
  })

  test('the check catches a package reaching outside itself', () => {
    const bad = [
      { file: 'plugins/audio-processing/test/fake.test.ts', text: "import { startTestServer } from '../../../tests/helpers/server'\n" },
      { file: 'plugins/audio-processing/test/runtime.test.ts', text: "import { createJobRuntime } from '../../../src/jobs/runtime'\n" },
      { file: 'plugins/export/src/fake.ts', text: "export const load = () => import('../../../src/lib/env')\n" },
      { file: 'plugins/export/test/cli.test.ts', text: "const BIN = new URL('../../../bin/shrutik.mjs', import.meta.url)\nimport type { Settings } from '../../../bin/settings'\n" },
      { file: 'plugins/consensus/src/fake.ts', text: "import { mediaDir } from '@/lib/env'\n" },
      { file: 'plugins/consensus/src/other.ts', text: "import { wav } from '../../audio-processing/src/core'\n" },
      { file: 'plugins/consensus/src/undeclared.ts', text: "import { exportPlugin } from '@shrutik/plugin-export'\nimport express from 'express'\n" },
      { file: 'plugins/export/src/jest.ts', text: "import { expect } from '@jest/globals'\n" },
    ]
    expect(packageBoundaryViolations(bad, packages)).toEqual([
      "plugins/audio-processing/test/fake.test.ts: imports tests/helpers/server, outside its package ('../../../tests/helpers/server')",
      "plugins/audio-processing/test/runtime.test.ts: imports src/jobs/runtime, outside its package ('../../../src/jobs/runtime')",
      "plugins/export/src/fake.ts: imports src/lib/env, outside its package ('../../../src/lib/env')",
      "plugins/export/test/cli.test.ts: refers to bin/shrutik.mjs by path ('../../../bin/shrutik.mjs')",
      "plugins/export/test/cli.test.ts: imports bin/settings, outside its package ('../../../bin/settings')",
      "plugins/consensus/src/fake.ts: imports the host ('@/lib/env')",
      "plugins/consensus/src/other.ts: imports plugins/audio-processing/src/core, outside its package ('../../audio-processing/src/core')",
      "plugins/consensus/src/undeclared.ts: imports @shrutik/plugin-export, which @shrutik/plugin-consensus does not declare ('@shrutik/plugin-export')",
      "plugins/consensus/src/undeclared.ts: imports express, which @shrutik/plugin-consensus does not declare ('express')",
      "plugins/export/src/jest.ts: imports @jest/globals, which @shrutik/plugin-export does not declare ('@jest/globals')",
    ])
    const fine = [
      {
        file: 'plugins/audio-processing/test/fine.test.ts',
        text: [
          "import fs from 'node:fs'",
          "import path from 'path'",
          "import { expect } from '@jest/globals'",
          "import { startTestHost } from '@shrutik/plugin-sdk/testing'",
          "import { consensusPlugin } from '@shrutik/plugin-consensus'",
          "import { audioProcessingPlugin } from '@shrutik/plugin-audio-processing'",
          "import { PROCESS_RECORDING } from '../src/job'",
          "import sharp from 'sharp'",
        ].join('\n'),
      },
    ]
    expect(packageBoundaryViolations(fine, packages)).toEqual([])
  })
})

/**
 * Plugins talk through exports, never tables: no SQL in one plugin names a table another plugin
 * owns, or a column it owns that its published views do not expose. Each plugin's ownership is
 * read from its own migrations: the latest snapshot (tables it creates, columns it adds) and the
 * views it publishes (`CREATE OR REPLACE VIEW`, their column names are its read API). SQL is any
 * string or template in a plugin's sources that reads as SQL, and every `sql.identifier(…)` and
 * `table(…)` argument. A plugin's migrations (the history that made its schema and views) and
 * tests are not checked.
 */
const PLUGIN_FOLDERS: Record<string, string> = {
  'audio-processing': 'plugins/audio-processing',
  consensus: 'plugins/consensus',
  export: 'plugins/export',
  webhooks: 'examples/webhooks',
}
/** Columns every Payload table has: naming them says nothing about whose table it is. */
const GENERIC_COLUMNS = new Set(['id', 'created_at', 'updated_at'])

interface Ownership {
  /** Tables the plugin creates. */
  tables: Set<string>
  /** `table.column` of every column the plugin makes. */
  qualified: Set<string>
  /** Columns the plugin makes (on its tables and others'), generic ones aside. */
  columns: Set<string>
  /** Its published views and their columns: what others may name. */
  published: Set<string>
}

/** Output column names of `SELECT <list> FROM`: the alias, else the column. */
const viewColumns = (list: string): string[] => {
  const items: string[] = []
  let depth = 0
  let current = ''
  for (const char of list) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      items.push(current)
      current = ''
    } else current += char
  }
  items.push(current)
  return items.map((item) => item.trim().match(/"?(\w+)"?\s*$/)?.[1]).filter((name): name is string => Boolean(name))
}

export const ownershipFromMigrations = (folder: string): Ownership => {
  const migrations = path.join(root, folder, 'src/migrations')
  const files = fs.existsSync(migrations) ? fs.readdirSync(migrations).sort() : []
  const latest = files.filter((file) => file.endsWith('.json')).at(-1)
  const ownership: Ownership = { tables: new Set(), qualified: new Set(), columns: new Set(), published: new Set() }
  if (latest) {
    const snapshot = JSON.parse(fs.readFileSync(path.join(migrations, latest), 'utf8')) as { tables: Record<string, { name: string; columns: Record<string, unknown> }> }
    for (const table of Object.values(snapshot.tables)) {
      const columns = Object.keys(table.columns)
      // A table whose `id` the plugin makes is its own; elsewhere it only adds columns (a group on a core table).
      if (columns.includes('id')) ownership.tables.add(table.name)
      for (const column of columns) {
        ownership.qualified.add(`${table.name}.${column}`)
        if (!GENERIC_COLUMNS.has(column)) ownership.columns.add(column)
      }
    }
  }
  for (const file of files.filter((name) => name.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(migrations, file), 'utf8')
    for (const match of text.matchAll(/CREATE (?:OR REPLACE )?VIEW "?(\w+)"? AS\s+SELECT([\s\S]*?)\bFROM\b/g)) {
      ownership.published.add(match[1])
      for (const column of viewColumns(match[2])) ownership.published.add(column)
    }
  }
  return ownership
}

const SQL_WORDS = /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|JOIN|WHERE|RETURNING)\b/

/** Every piece of SQL in one source: strings and templates that read as SQL, and identifiers made with `sql.identifier(…)` or `table(…)`. */
const sqlPieces = (file: string, text: string): { text: string; kind: 'sql' | 'identifier' }[] => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const pieces: { text: string; kind: 'sql' | 'identifier' }[] = []
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (SQL_WORDS.test(node.text)) pieces.push({ text: node.text, kind: 'sql' })
    } else if (ts.isTemplateExpression(node)) {
      const literal = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ')
      if (SQL_WORDS.test(literal)) pieces.push({ text: literal, kind: 'sql' })
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source)
      if (/(^|\.)identifier$/.test(callee) || callee === 'table') for (const argument of node.arguments) pieces.push({ text: argument.getText(source), kind: 'identifier' })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return pieces
}

/** Column names of the core's own tables and columns (the host's latest snapshot, less what the plugins make): anyone may name them. */
const coreColumnNames = (owners: Map<string, Ownership>): Set<string> => {
  const migrations = path.join(root, 'src/migrations')
  const latest = fs.readdirSync(migrations).filter((file) => file.endsWith('.json')).sort().at(-1)!
  const snapshot = JSON.parse(fs.readFileSync(path.join(migrations, latest), 'utf8')) as { tables: Record<string, { name: string; columns: Record<string, unknown> }> }
  const ownedByPlugins = [...owners.values()]
  const names = new Set<string>()
  for (const table of Object.values(snapshot.tables)) {
    if (ownedByPlugins.some((ownership) => ownership.tables.has(table.name))) continue
    for (const column of Object.keys(table.columns)) {
      if (!ownedByPlugins.some((ownership) => ownership.qualified.has(`${table.name}.${column}`))) names.add(column)
    }
  }
  return names
}

/** Every SQL mention, in `plugin`'s sources, of a table or unpublished column that another plugin owns, as "file: names 'x' (owned by y)". */
export const sqlBoundaryViolations = (plugin: string, owners: Map<string, Ownership>, sources: { file: string; text: string }[]): string[] => {
  const mine = owners.get(plugin)!
  const core = coreColumnNames(owners)
  // A column name some plugin publishes in a view (`audio_segments.duration_ms`) is read through
  // that view; another plugin having a column of that name in a table of its own is no evidence.
  const publishedAnywhere = new Set([...owners.values()].flatMap((ownership) => [...ownership.published]))
  const forbidden = new Map<string, string>()
  for (const [other, ownership] of owners) {
    if (other === plugin) continue
    for (const table of ownership.tables) if (!ownership.published.has(table)) forbidden.set(table, other)
    for (const column of ownership.columns) {
      // A name the core or this plugin also has (`language_id`, `status`) is not evidence of reaching into another's data.
      const shared = core.has(column) || mine.columns.has(column) || mine.published.has(column) || mine.tables.has(column)
      if (!publishedAnywhere.has(column) && !shared) forbidden.set(column, other)
    }
  }
  return sources.flatMap(({ file, text }) =>
    sqlPieces(file, text).flatMap((piece) => {
      const words = new Set(piece.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])
      return [...words].filter((word) => forbidden.has(word)).map((word) => `${file}: names '${word}' (owned by ${forbidden.get(word)})`)
    }),
  )
}

describe('plugins talk through exports, never tables', () => {
  const owners = new Map(Object.entries(PLUGIN_FOLDERS).map(([plugin, folder]) => [plugin, ownershipFromMigrations(folder)]))

  for (const [plugin, folder] of Object.entries(PLUGIN_FOLDERS)) {
    test(`no SQL in ${folder} names another plugin's tables or columns`, () => {
      const sources = sourcesUnder(folder)
        // What the package ships: its migrations (which create what it owns) and its tests (unit tests
        // beside the code, integration tests in test/, which set up fixtures on the host) aside.
        .filter((file) => !within(file, `${folder}/src/migrations`) && !within(file, `${folder}/test`) && !within(file, `${folder}/tests`) && !/\.test\.tsx?$/u.test(file))
        .map((file) => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }))
      expect(sources.length).toBeGreaterThan(0)
      expect(sqlBoundaryViolations(plugin, owners, sources)).toEqual([])
    })
  }

  test('ownership comes from each plugin’s migrations: its tables, its columns, its published views', () => {
    const audio = owners.get('audio-processing')!
    expect([...audio.tables]).toEqual(['segments'])
    expect([...audio.columns]).toEqual(expect.arrayContaining(['expected_text', 'audio_status', 'duration_ms']))
    expect([...audio.published]).toEqual(expect.arrayContaining(['audio_segments', 'audio_recordings', 'kind', 'text', 'duration_ms', 'ready']))
    expect([...owners.get('consensus')!.tables].sort()).toEqual(['consensus_decisions', 'consensus_skips', 'contributor_reliability', 'segment_decisions', 'votes'])
    expect([...owners.get('consensus')!.published]).toEqual(expect.arrayContaining(['consensus_segments', 'status', 'agreed_text', 'consensus_votes', 'consensus_reviews']))
    // No plugin keeps columns on another plugin's table any more: the consensus plugin's decisions are in a table of its own.
    expect([...owners.get('consensus')!.qualified].filter((column) => column.startsWith('segments.'))).toEqual([])
  })

  test('the checker catches SQL that reaches into another plugin’s tables or columns, and lets published views through', () => {
    const bad = [
      { file: 'plugins/consensus/src/fake.ts', text: 'const q = sql`SELECT s.expected_text FROM segments s WHERE s.id = ${id}`\n' },
      { file: 'plugins/consensus/src/fake2.ts', text: "const ready = `SELECT id FROM recordings WHERE audio_status = 'ready'`\n" },
      { file: 'plugins/consensus/src/fake3.ts', text: 'const t = sql`UPDATE ${table(settings.slugs.segments)} SET consensus_status = 1`\n' },
      { file: 'plugins/export/src/fake.ts', text: "const votes = sql.identifier('votes')\nconst q = sql`SELECT d.agreed_text, r.vote_accuracy FROM segment_decisions d, x r`\n" },
    ]
    expect(sqlBoundaryViolations('consensus', owners, bad.slice(0, 3))).toEqual([
      "plugins/consensus/src/fake.ts: names 'expected_text' (owned by audio-processing)",
      "plugins/consensus/src/fake.ts: names 'segments' (owned by audio-processing)",
      "plugins/consensus/src/fake2.ts: names 'audio_status' (owned by audio-processing)",
      "plugins/consensus/src/fake3.ts: names 'segments' (owned by audio-processing)",
    ])
    expect(sqlBoundaryViolations('export', owners, bad.slice(3))).toEqual([
      "plugins/export/src/fake.ts: names 'votes' (owned by consensus)",
      "plugins/export/src/fake.ts: names 'vote_accuracy' (owned by consensus)",
      "plugins/export/src/fake.ts: names 'segment_decisions' (owned by consensus)",
    ])
    const fine = [
      {
        file: 'plugins/consensus/src/fine.ts',
        text: 'const q = sql`SELECT a.text, a.duration_ms, c.status FROM audio_segments a JOIN consensus_segments c ON c.segment_id = a.id JOIN audio_recordings ar ON ar.id = a.recording_id WHERE ar.ready`\n',
      },
      { file: 'plugins/consensus/src/prose.ts', text: "const message = 'Segments of this recording are being processed.'\n" },
    ]
    expect(sqlBoundaryViolations('consensus', owners, fine)).toEqual([])
    // A new plugin with a `duration_ms` column in a table of its own: reading the audio view's
    // `duration_ms` is still fine, reaching into the new plugin's table is not.
    const newcomer = { tables: new Set(['speaking_rates']), qualified: new Set(['speaking_rates.duration_ms']), columns: new Set(['duration_ms', 'words_per_second']), published: new Set<string>() }
    const withNewcomer = new Map([...owners, ['speaking-rate', newcomer]])
    expect(sqlBoundaryViolations('consensus', withNewcomer, fine)).toEqual([])
    expect(sqlBoundaryViolations('consensus', withNewcomer, [{ file: 'plugins/consensus/src/fake4.ts', text: 'const q = `SELECT words_per_second FROM speaking_rates`\n' }]).sort()).toEqual([
      "plugins/consensus/src/fake4.ts: names 'speaking_rates' (owned by speaking-rate)",
      "plugins/consensus/src/fake4.ts: names 'words_per_second' (owned by speaking-rate)",
    ])
  })
})
