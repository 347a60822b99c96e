#!/usr/bin/env node
// Builds the Shrutik plugin (or theme, or the SDK) in the current folder to JavaScript and type
// declarations in dist/, one module per `exports` entry that names its source (`"source": "./src/x.ts"`).
//
// Why esbuild for the JavaScript: the sources import each other without file extensions
// (`moduleResolution: bundler`), which tsc would emit as-is and Node's ESM loader refuses; esbuild
// bundles each entry (shared code split into chunks, every package import left external). tsc writes
// the declarations (`--emitDeclarationOnly`).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import { build } from 'esbuild'

const root = process.cwd()
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const fail = (message) => {
  console.error(`shrutik-plugin-build (${manifest.name ?? root}): ${message}`)
  process.exit(1)
}

/** `exports` entries with a `source`: `{ out: 'admin/index', in: 'src/admin/index.ts' }`. */
const entries = Object.values(manifest.exports ?? {}).flatMap((target) => {
  if (typeof target !== 'object' || typeof target.source !== 'string') return []
  if (typeof target.default !== 'string' || !target.default.startsWith('./dist/') || !target.default.endsWith('.js')) {
    fail(`the export of ${target.source} must name its build as "default": "./dist/<name>.js".`)
  }
  return [{ out: target.default.slice('./dist/'.length, -'.js'.length), in: target.source }]
})
if (entries.length === 0) fail('package.json has no `exports` entry with a "source" condition; nothing to build.')

const dist = path.join(root, 'dist')
fs.rmSync(dist, { recursive: true, force: true })

// Client components ('use client' at the top of the entry) are built apart: the directive must stay
// the first line of their module, and a chunk shared with server code would lose it.
const isClient = (entry) => /^\s*(['"])use client\1/.test(fs.readFileSync(path.join(root, entry.in), 'utf8'))
const reexportsClient = (entry) =>
  [...fs.readFileSync(path.join(root, entry.in), 'utf8').matchAll(/from\s+['"](\.[^'"]+)['"]/g)].some(([, spec]) => {
    const base = path.join(path.dirname(path.join(root, entry.in)), spec)
    const file = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'].map((ext) => base + ext).find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile())
    return file !== undefined && /^\s*(['"])use client\1/.test(fs.readFileSync(file, 'utf8'))
  })
const client = entries.filter((entry) => isClient(entry) || reexportsClient(entry))
const server = entries.filter((entry) => !client.includes(entry))

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: dist,
  packages: 'external',
  jsx: 'automatic',
  logLevel: 'warning',
  // Each package keeps its own `import.meta.url` (folderOf), so no shims are needed.
  legalComments: 'none',
}
if (server.length > 0) await build({ ...common, entryPoints: server, splitting: true, chunkNames: 'chunks/[name]-[hash]' })
for (const entry of client) await build({ ...common, entryPoints: [entry], banner: { js: "'use client'" }, logOverride: { 'module-level-directive': 'silent' } })

// Migration snapshots travel with the build: `migrate:create --plugin` diffs against the latest one.
const migrations = path.join(root, 'src', 'migrations')
if (fs.existsSync(migrations)) {
  for (const name of fs.readdirSync(migrations).filter((file) => file.endsWith('.json'))) {
    fs.mkdirSync(path.join(dist, 'migrations'), { recursive: true })
    fs.copyFileSync(path.join(migrations, name), path.join(dist, 'migrations', name))
  }
}

// Declarations: tsc from the package's tsconfig.build.json when present, else a default one.
const require = createRequire(path.join(root, 'package.json'))
let tsc
let tscMajor = 0
try {
  const typescript = require.resolve('typescript/package.json')
  tsc = path.join(path.dirname(typescript), 'bin', 'tsc')
  tscMajor = Number(JSON.parse(fs.readFileSync(typescript, 'utf8')).version.split('.')[0])
} catch {
  fail('TypeScript is needed for the type declarations: npm install --save-dev typescript')
}
const project = path.join(root, 'tsconfig.build.json')
const args = fs.existsSync(project)
  ? ['-p', project]
  : [
      ...entries.map((entry) => entry.in),
      // TypeScript 6 refuses files on the command line beside a tsconfig.json (the repository's, say) unless told.
      ...(tscMajor >= 6 ? ['--ignoreConfig'] : []),
      ...['--declaration', '--emitDeclarationOnly', '--outDir', 'dist', '--rootDir', 'src', '--skipLibCheck', '--strict'],
      ...['--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--jsx', 'react-jsx', '--esModuleInterop', '--resolveJsonModule'],
      ...['--types', 'node', '--lib', 'es2022,dom,dom.iterable', '--noEmit', 'false', '--allowImportingTsExtensions', 'false'],
    ]
const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' })
if (result.status !== 0) fail('tsc could not write the type declarations (see above).')
console.log(`${manifest.name}: built ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} to dist/`)
