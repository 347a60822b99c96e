#!/usr/bin/env node
// The packages this repository publishes: every workspace of the root package.json (`workspaces`)
// that is not private and has a `build` script (the plugins, the SDK, the example plugin; not the
// themes, which ship as source), in dependency order (a package after the workspace packages it
// depends on or peers with, so the SDK's declarations exist when a plugin's are written).
//
//   node bin/packages.mjs         prints their folders, one a line
//   node bin/packages.mjs build   builds each in turn (`npm run build:packages`)
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The folders a `workspaces` entry names: a folder, or `folder/*` (its subfolders with a package.json). */
const expand = (pattern) => {
  if (!pattern.includes('*')) return [pattern]
  if (!/^[^*]+\/\*$/.test(pattern)) throw new Error(`workspaces: only "folder" and "folder/*" patterns are understood, not "${pattern}".`)
  const parent = pattern.slice(0, -2)
  if (!fs.existsSync(path.join(root, parent))) return []
  return fs
    .readdirSync(path.join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, parent, entry.name, 'package.json')))
    .map((entry) => `${parent}/${entry.name}`)
    .sort()
}

/** `[{ folder, manifest }]` of the published workspace packages, dependencies first. */
export const publishedPackages = () => {
  const { workspaces = [] } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const found = workspaces
    .flatMap(expand)
    .map((folder) => ({ folder, manifest: JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private && typeof manifest.scripts?.build === 'string')
  const byName = new Map(found.map((entry) => [entry.manifest.name, entry]))
  const ordered = []
  const state = new Map()
  const visit = (entry, trail) => {
    if (state.get(entry) === 'done') return
    if (state.get(entry) === 'visiting') throw new Error(`Workspace packages depend on each other in a cycle: ${[...trail, entry.manifest.name].join(' → ')}`)
    state.set(entry, 'visiting')
    const { dependencies = {}, peerDependencies = {} } = entry.manifest
    for (const name of [...Object.keys(dependencies), ...Object.keys(peerDependencies)].sort()) {
      const other = byName.get(name)
      if (other) visit(other, [...trail, entry.manifest.name])
    }
    state.set(entry, 'done')
    ordered.push(entry)
  }
  for (const entry of found) visit(entry, [])
  return ordered
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command] = process.argv.slice(2)
  const packages = publishedPackages()
  if (command === undefined) {
    for (const { folder } of packages) console.log(folder)
  } else if (command === 'build') {
    for (const { folder } of packages) {
      const result = spawnSync('npm', ['run', 'build', '--workspace', folder], { cwd: root, stdio: 'inherit' })
      if (result.status !== 0) process.exit(result.status ?? 1)
    }
  } else {
    console.error(`Usage: node bin/packages.mjs [build]`)
    process.exit(2)
  }
}
