import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** What the web build is made from: a change to any of these needs a new build. */
const SOURCES = ['package.json', 'package-lock.json', 'payload.config.ts', 'next.config.mjs', 'tsconfig.json', 'src', 'collections', 'plugins', 'themes', 'admin', 'public']
/** Never part of the build: dependencies, outputs (a package's dist/ included), data, tests. */
const SKIPPED = new Set(['node_modules', '.next', 'dist', 'data', 'media', 'tests', 'test', '.tmp', 'coverage'])
/** Unit tests beside the code they test. */
const TEST_FILE = /\.test\.tsx?$/
const STAMP = path.join('.next', 'shrutik-build.json')

export interface BuildStamp {
  version: string
  sourceHash: string
  builtAt: string
}

const filesUnder = (root: string, relative: string, into: string[]): void => {
  const full = path.join(root, relative)
  let stat: fs.Stats
  try {
    stat = fs.statSync(full)
  } catch {
    return
  }
  if (stat.isFile()) {
    if (!TEST_FILE.test(relative)) into.push(relative)
    return
  }
  if (!stat.isDirectory()) return
  for (const entry of fs.readdirSync(full).sort()) {
    if (!SKIPPED.has(entry)) filesUnder(root, path.join(relative, entry), into)
  }
}

/** SHA-256 over the path and content of every source file, in a fixed order (mtimes change on every checkout; content does not). */
export const sourceHash = (root: string): string => {
  const files: string[] = []
  for (const source of SOURCES) filesUnder(root, source, files)
  const hash = createHash('sha256')
  for (const file of files) {
    hash.update(file.split(path.sep).join('/'))
    hash.update('\0')
    hash.update(fs.readFileSync(path.join(root, file)))
    hash.update('\0')
  }
  return hash.digest('hex')
}

export const packageVersion = (root: string): string => {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '0.0.0')
  } catch {
    return '0.0.0'
  }
}

export const currentStamp = (root: string): BuildStamp => ({ version: packageVersion(root), sourceHash: sourceHash(root), builtAt: new Date().toISOString() })

/** Recorded after a successful build, with the stamp computed before it started. */
export const writeBuildStamp = (root: string, stamp: BuildStamp): void => {
  fs.writeFileSync(path.join(root, STAMP), JSON.stringify(stamp, null, 2))
}

export type BuildState = { fresh: true } | { fresh: false; reason: string }

/** Whether the web build in `.next` was made from the code as it is now, and if not, why. */
export const buildState = (root: string): BuildState => {
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) return { fresh: false, reason: 'there is no build yet' }
  let built: Partial<BuildStamp>
  try {
    built = JSON.parse(fs.readFileSync(path.join(root, STAMP), 'utf8')) as Partial<BuildStamp>
  } catch {
    return { fresh: false, reason: 'the build predates build stamps, so it may be older than the code' }
  }
  const version = packageVersion(root)
  if (built.version !== version) return { fresh: false, reason: `the version changed (${String(built.version)} → ${version})` }
  if (built.sourceHash !== sourceHash(root)) return { fresh: false, reason: 'the code changed since the last build' }
  return { fresh: true }
}
