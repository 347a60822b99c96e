import fs from 'node:fs'
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
    .filter((file) => !file.split('/').includes('node_modules'))
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
