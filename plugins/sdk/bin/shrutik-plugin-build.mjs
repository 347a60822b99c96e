#!/usr/bin/env node
// Builds the Shrutik plugin (or theme, or the SDK) in the current folder to JavaScript and type
// declarations in dist/, mirroring src/ file by file; every `exports` entry that names its source
// (`"source": "./src/x.ts"`) must name its build (`"default": "./dist/x.js"`).
//
// Why esbuild and not tsc for the JavaScript: the sources import each other without file
// extensions (`moduleResolution: bundler`), which tsc would emit as-is and Node's ESM loader
// refuses. esbuild transpiles each file (keeping `'use client'` on client components, so server and
// client components stay apart), and the relative imports are then given their `.js` names. tsc
// writes the declarations (`--emitDeclarationOnly`), whose relative imports are renamed the same way.
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

/** `exports` entries with a `source`: each must name its build, the same path under dist/. */
const entries = Object.values(manifest.exports ?? {}).flatMap((target) => {
  if (typeof target !== 'object' || typeof target.source !== 'string') return []
  const expected = target.source.replace(/^\.\/src\//, './dist/').replace(/\.tsx?$/, '.js')
  if (!target.source.startsWith('./src/') || target.default !== expected) fail(`the export of ${target.source} must name its build as "default": "${expected}".`)
  return [target.source]
})
if (entries.length === 0) fail('package.json has no `exports` entry with a "source" condition; nothing to build.')

const src = path.join(root, 'src')
const dist = path.join(root, 'dist')
fs.rmSync(dist, { recursive: true, force: true })

// Every module under src/ but tests.
const sources = fs
  .readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
  .map((entry) => path.join(entry.parentPath, entry.name))

await build({
  absWorkingDir: root,
  entryPoints: sources,
  outbase: src,
  outdir: dist,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'none',
})

/** `./x` from `file` (a source path) → `./x.js` or `./x/index.js`, as built. */
const builtSpecifier = (file, specifier) => {
  const base = path.resolve(path.dirname(file), specifier)
  for (const [suffix, built] of [['.ts', '.js'], ['.tsx', '.js'], ['/index.ts', '/index.js'], ['/index.tsx', '/index.js']]) {
    if (fs.existsSync(base + suffix)) return specifier + built
  }
  if (fs.existsSync(base) && fs.statSync(base).isFile()) return specifier
  fail(`${path.relative(root, file)} imports ${specifier}, which is not a module under src/.`)
}
const RELATIVE = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g
for (const file of sources) {
  const out = path.join(dist, path.relative(src, file)).replace(/\.tsx?$/, '.js')
  const code = fs.readFileSync(out, 'utf8')
  fs.writeFileSync(out, code.replace(RELATIVE, (_, keyword, quote, specifier) => `${keyword}${quote}${builtSpecifier(file, specifier)}${quote}`))
}

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
      ...entries,
      // TypeScript 6 refuses files on the command line beside a tsconfig.json (the repository's, say) unless told.
      ...(tscMajor >= 6 ? ['--ignoreConfig'] : []),
      ...['--declaration', '--emitDeclarationOnly', '--outDir', 'dist', '--rootDir', 'src', '--skipLibCheck', '--strict'],
      ...['--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--jsx', 'react-jsx', '--esModuleInterop', '--resolveJsonModule'],
      ...['--types', 'node', '--lib', 'es2022,dom,dom.iterable', '--noEmit', 'false', '--allowImportingTsExtensions', 'false'],
    ]
const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' })
if (result.status !== 0) fail('tsc could not write the type declarations (see above).')

// tsc keeps the sources' extensionless specifiers in the declarations; a consumer resolving as
// Node does (`moduleResolution: "node16"` or `"nodenext"`) could not follow them, so they get
// their built names too (`./x` → `./x.js`), as the JavaScript did above.
const declarations = fs
  .readdirSync(dist, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
  .map((entry) => path.join(entry.parentPath, entry.name))
for (const declaration of declarations) {
  const stem = path.join(src, path.relative(dist, declaration)).replace(/\.d\.ts$/, '')
  // The source the declaration was written from (its folder is what relative specifiers start at).
  const file = ['.ts', '.tsx'].map((extension) => stem + extension).find((candidate) => fs.existsSync(candidate)) ?? `${stem}.ts`
  const code = fs.readFileSync(declaration, 'utf8')
  fs.writeFileSync(declaration, code.replace(RELATIVE, (_, keyword, quote, specifier) => `${keyword}${quote}${builtSpecifier(file, specifier)}${quote}`))
}
console.log(`${manifest.name}: built ${sources.length} modules (${entries.length} entry points) to dist/`)
