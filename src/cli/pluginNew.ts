import fs from 'node:fs'
import path from 'node:path'

/**
 * `shrutik plugin:new NAME`: a working plugin to start from, with one of everything the contract
 * offers (options, a collection, an event listener, a job, an endpoint, an admin component, a CLI
 * command, its migrations folder), unit tests beside the code and integration tests on the SDK's test
 * kit, which pass as written. Plain templates: the files are
 * small and a generator library would add more than it saves.
 */

export const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

export class PluginNewError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
const pascal = (name: string): string => camel(name).replace(/^./, (letter) => letter.toUpperCase())

const files = (name: string, sdkVersion: string, payloadVersion: string): Record<string, string> => {
  const fn = `${camel(name)}Plugin`
  const slug = `${name}-notes`
  const pkg = `@shrutik/plugin-${name}`
  return {
    'package.json': `${JSON.stringify(
      {
        name: pkg,
        version: '0.1.0',
        description: `Shrutik plugin: ${name}`,
        license: 'MIT',
        type: 'module',
        // `source`: the TypeScript, for a Shrutik checkout (no build while developing); the rest: the build, for everyone else.
        exports: Object.fromEntries(
          [
            ['.', 'index'],
            ['./admin', 'admin/index'],
            ['./migrations', 'migrations/index'],
          ].map(([subpath, file]) => [subpath, { source: `./src/${file}.ts`, types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` }]),
        ),
        files: ['dist', 'src', '!src/**/*.test.ts', 'README.md'],
        scripts: { build: 'shrutik-plugin-build', prepack: 'shrutik-plugin-build' },
        peerDependencies: { '@payloadcms/db-postgres': payloadVersion, '@shrutik/plugin-sdk': sdkVersion, payload: payloadVersion, react: '*' },
      },
      null,
      2,
    )}\n`,
    'README.md': `# ${pkg}

A Shrutik plugin made with \`npx shrutik plugin:new ${name}\`. It notes every processed recording in
the \`${slug}\` collection (admins see it under *Plugins*), has a \`POST /api/${name}/recount\`
endpoint that queues a job, and a \`shrutik ${name} hello\` command.

Install it in \`payload.config.ts\`, after the plugins it listens to:

\`\`\`ts
import { ${fn} } from '${pkg}'
plugins: [audioProcessingPlugin({}), /* … */ ${fn}({ greeting: 'Hello' })]
\`\`\`

then write its first migration and commit it:

\`\`\`
npm install                                   # links the new workspace package
npx shrutik migrate:create initial --plugin ${name}
npm run test:unit -- plugins/${name}
\`\`\`

Unit tests sit beside the code (\`src/*.test.ts\`); \`test/\` holds the integration tests, which run
the plugin in a minimal host from \`@shrutik/plugin-sdk/testing\` (a throwaway PostgreSQL database,
Payload, the plugin's migrations, the real job runtime). Until the first migration exists the kit
pushes the plugin's schema instead. \`npm run build\` writes \`dist/\` (JavaScript and type
declarations); \`npm pack\` builds and packs it for installing elsewhere.

The guide to the contract is \`plugins/README.md\`.
`,
    'src/index.ts': `export { ${fn} } from './plugin'
export { sanitizeOptions, type ${pascal(name)}Options } from './options'
`,
    'src/options.ts': `export interface ${pascal(name)}Options {
  /** Said by \`shrutik ${name} hello\` and shown in the admin. 1–200 characters. @default 'Hello' */
  greeting?: string
  /** With false, the collection (and its migrations) stay but nothing listens or runs. @default true */
  enabled?: boolean
}

export interface Sanitized${pascal(name)}Options {
  greeting: string
  enabled: boolean
}

/** Checked once, at boot, with a message that says what to fix. */
export const sanitizeOptions = (options: ${pascal(name)}Options = {}): Sanitized${pascal(name)}Options => {
  const greeting = options.greeting ?? 'Hello'
  if (typeof greeting !== 'string' || greeting.trim().length === 0 || greeting.length > 200) {
    throw new Error('${fn}: \`greeting\` must be 1–200 characters.')
  }
  return { greeting: greeting.trim(), enabled: options.enabled !== false }
}
`,
    'src/plugin.ts': `import {
  CommandError,
  folderOf,
  getJobQueue,
  hasRole,
  listen,
  registerCommands,
  registerJobs,
  registerMigrations,
  type JobDefinition,
  type PluginCommand,
} from '@shrutik/plugin-sdk'
import type { CollectionConfig, Config, Endpoint } from 'payload'

import { migrations } from './migrations'
import { sanitizeOptions, type ${pascal(name)}Options, type Sanitized${pascal(name)}Options } from './options'

export const NOTES = '${slug}'
export const RECOUNT = '${name}.recount'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    '${name}.recount': { requestedBy: number }
  }
}

const isAdmin = ({ req }: { req: { user?: unknown } }) => hasRole(req.user, 'admin')

/** One note per processed recording. Admins read them; only this plugin's jobs write them. */
const notesCollection = (settings: Sanitized${pascal(name)}Options): CollectionConfig => ({
  slug: NOTES,
  admin: { group: 'Plugins', useAsTitle: 'note', defaultColumns: ['recording', 'status', 'note', 'createdAt'] },
  access: { read: isAdmin, create: () => false, update: () => false, delete: isAdmin },
  fields: [
    // A client component from this package (src/admin), shown above the fields.
    { name: 'banner', type: 'ui', admin: { components: { Field: { path: '@shrutik/plugin-${name}/admin#Banner', clientProps: { greeting: settings.greeting } } } } },
    { name: 'recording', type: 'number', required: true, unique: true, admin: { description: 'The recording’s id.' } },
    { name: 'status', type: 'select', options: ['ready', 'rejected'], required: true },
    { name: 'note', type: 'text', required: true },
  ],
  timestamps: true,
})

/** \`${name}.recount\`: counts the notes (an example of a job queued by an endpoint). */
const recountJob: JobDefinition<'${name}.recount'> = {
  name: RECOUNT,
  retries: 2,
  validate: (data) => (Number.isInteger((data as { requestedBy?: unknown })?.requestedBy) ? undefined : 'requestedBy must be a user id'),
  async handler({ payload, log }) {
    // System job: counts without a user.
    const { totalDocs } = await payload.count({ collection: NOTES as never })
    log('notes counted', { notes: totalDocs })
  },
}

/** \`POST /api/${name}/recount\` (admins): queues the job, answers 202 with its id. */
const recountEndpoint: Endpoint = {
  path: '/${name}/recount',
  method: 'post',
  handler: async (req) => {
    if (!isAdmin({ req })) return Response.json({ errors: [{ message: 'Only admins may recount.' }] }, { status: req.user ? 403 : 401 })
    const queued = await getJobQueue(req.payload).enqueue(RECOUNT, { requestedBy: Number((req.user as { id: number }).id) }, { dedupeKey: 'recount' })
    return Response.json({ jobId: queued.jobId }, { status: 202 })
  },
}

const helloCommand = (settings: Sanitized${pascal(name)}Options): PluginCommand => ({
  name: 'hello',
  help: \`[NAME]
  Print the configured greeting.\`,
  async run(args) {
    if (args.length > 1) throw new CommandError('${name} hello takes at most one NAME.')
    console.log(\`\${settings.greeting}\${args[0] ? \`, \${args[0]}\` : ''}!\`)
  },
})

/** \`${fn}(options)\`: see README.md. */
export const ${fn} =
  (options: ${pascal(name)}Options = {}) =>
  (config: Config): Config => {
    const settings = sanitizeOptions(options)
    const withSchema = registerMigrations(
      { ...config, collections: [...(config.collections ?? []), notesCollection(settings)] },
      { plugin: '${name}', migrations, owns: { collections: [NOTES] }, directory: folderOf(import.meta.url, 'migrations') },
    )
    const withCommands = registerCommands(withSchema, '${name}', [helloCommand(settings)])
    if (!settings.enabled) return withCommands
    // After the audio job's commit, as a job of its own (retried; may come twice: upsert, never insert blindly).
    const listening = listen(withCommands, {
      plugin: '${name}',
      event: 'recording.processed',
      handler: async ({ data, payload }) => {
        // System job: writes only this plugin's collection (the Local API's default overrideAccess).
        const note = \`\${settings.greeting}: recording \${data.recordingId} is \${data.status} (\${data.segmentIds.length} segment\${data.segmentIds.length === 1 ? '' : 's'}).\`
        const existing = await payload.find({ collection: NOTES as never, where: { recording: { equals: data.recordingId } }, limit: 1, depth: 0 })
        if (existing.docs[0]) await payload.update({ collection: NOTES as never, id: existing.docs[0].id, data: { status: data.status, note } as never })
        else await payload.create({ collection: NOTES as never, data: { recording: data.recordingId, status: data.status, note } as never })
      },
    })
    return registerJobs({ ...listening, endpoints: [...(listening.endpoints ?? []), recountEndpoint] }, [recountJob])
  }
`,
    'src/admin/index.ts': `export { Banner } from './Banner'
`,
    'src/admin/Banner.tsx': `'use client'

/** Shown on every note in the admin: a client component, registered by its package path. */
export const Banner = ({ greeting }: { greeting?: string }) => (
  <p role="note" style={{ margin: '0 0 1rem', color: 'var(--theme-elevation-600)' }}>
    {greeting ?? 'Hello'} — notes are written by the ${name} plugin when a recording is processed.
  </p>
)
`,
    'src/migrations/index.ts': `// Written by \`npx shrutik migrate:create NAME --plugin ${name}\` once the plugin is installed.
export const migrations = [
];
`,
    'src/plugin.test.ts': `import { describe, expect, test } from '@jest/globals'
import { getEventListeners, getRegisteredCommands, getRegisteredJobs, getRegisteredMigrations } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { ${fn}, sanitizeOptions } from '.'

/** What the plugin adds to a config, and its options' rules. No database needed. */

describe('options', () => {
  test.each([[''], ['   '], ['x'.repeat(201)]])('greeting %j is refused', (greeting) => {
    expect(() => sanitizeOptions({ greeting })).toThrow(/greeting/)
  })

  test('defaults', () => {
    expect(sanitizeOptions()).toEqual({ greeting: 'Hello', enabled: true })
  })
})

describe('${fn}', () => {
  const config = ${fn}({ greeting: 'Namaskar' })({ collections: [] } as unknown as Config)

  test('adds its collection, migrations, command, listener, job and endpoint', () => {
    expect(config.collections?.map((collection) => collection.slug)).toEqual(['${slug}'])
    expect(getRegisteredMigrations(config).map((entry) => [entry.plugin, entry.owns.collections])).toEqual([['${name}', ['${slug}']]])
    expect(getRegisteredCommands(config).map((entry) => [entry.plugin, entry.commands.map((command) => command.name)])).toEqual([['${name}', ['hello']]])
    expect(getEventListeners(config, 'recording.processed').map((listener) => listener.plugin)).toEqual(['${name}'])
    expect(getRegisteredJobs(config).map((job) => job.name).sort()).toEqual(['${name}.on-recording-processed', '${name}.recount'])
    expect(config.endpoints?.map((endpoint) => \`\${endpoint.method} \${endpoint.path}\`)).toEqual(['post /${name}/recount'])
  })

  test('disabled, it keeps its schema and command and does nothing else', () => {
    const off = ${fn}({ enabled: false })({ collections: [] } as unknown as Config)
    expect(off.collections?.map((collection) => collection.slug)).toEqual(['${slug}'])
    expect(getRegisteredJobs(off)).toEqual([])
    expect(getEventListeners(off)).toEqual([])
  })

  test('the command prints the greeting and refuses extra arguments', async () => {
    const [hello] = getRegisteredCommands(config)[0].commands
    const printed: string[] = []
    const log = console.log
    console.log = (line: string) => void printed.push(line)
    try {
      await hello.run(['Mita'], { payload: async () => undefined as never })
    } finally {
      console.log = log
    }
    expect(printed).toEqual(['Namaskar, Mita!'])
    await expect(hello.run(['a', 'b'], { payload: async () => undefined as never })).rejects.toThrow(/at most one NAME/)
  })

  test('the job refuses data without a user id', () => {
    const job = getRegisteredJobs(config).find((entry) => entry.name === '${name}.recount')!
    expect(job.validate?.({})).toMatch(/requestedBy/)
    expect(job.validate?.({ requestedBy: 1 })).toBeUndefined()
  })
})
`,
    'test/host.test.ts': `import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { emit } from '@shrutik/plugin-sdk'
import { startTestHost, type TestHost } from '@shrutik/plugin-sdk/testing'

import { ${fn} } from '../src'
import { migrations } from '../src/migrations'
import { NOTES, RECOUNT } from '../src/plugin'

/**
 * The plugin in a minimal host from the SDK's test kit: a throwaway PostgreSQL database, Payload,
 * the plugin's migrations (its schema pushed until the first one exists) and the real job runtime.
 */

let host: TestHost

beforeAll(async () => {
  host = await startTestHost({ plugins: [${fn}({ greeting: 'Namaskar' })], pushPluginSchema: migrations.length === 0 })
}, 120_000)

afterAll(async () => {
  await host?.stop()
})

describe('${fn} in a host', () => {
  test('a processed recording gets one note, through the real listener job, even when the event comes twice', async () => {
    for (const status of ['rejected', 'ready'] as const) {
      await emit(host.payload, 'recording.processed', { recordingId: 41, status, durationMs: 1200, segmentIds: [7] })
      await host.settle()
    }
    // System read: the test looks at what the job wrote.
    const notes = await host.payload.find({ collection: NOTES as never, where: { recording: { equals: 41 } }, depth: 0 })
    expect(notes.docs.map((doc) => (doc as unknown as { status: string; note: string }).note)).toEqual(['Namaskar: recording 41 is ready (1 segment).'])
  })

  test('the recount job runs to completion on the real queue', async () => {
    const outcome = await host.runJob(RECOUNT, { requestedBy: 1 })
    expect(outcome).toMatchObject({ name: RECOUNT, failed: false, attempts: 1 })
  })

  test('the real queue refuses a recount without a user id', async () => {
    await expect(host.runtime.queue.enqueue(RECOUNT, {} as never)).rejects.toThrow(/requestedBy/)
  })
})
`,
  }
}

/** Writes the plugin into `dir` (which must not exist). Returns the files written, relative to it. */
export const scaffoldPlugin = ({ name, dir, sdkVersion, payloadVersion }: { name: string; dir: string; sdkVersion: string; payloadVersion: string }): string[] => {
  if (!PLUGIN_NAME.test(name) || name.length > 40) {
    throw new PluginNewError(`"${name}" is not a plugin name: use lower-case letters and digits, words joined by dashes (e.g. speaking-rate), at most 40 characters.`, 64)
  }
  if (fs.existsSync(dir)) throw new PluginNewError(`${dir} already exists; choose another NAME or --dir.`, 73)
  const written = files(name, sdkVersion, payloadVersion)
  for (const [file, content] of Object.entries(written)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), content, { flag: 'wx' })
  }
  return Object.keys(written)
}
