import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { withPayload } from '@payloadcms/next/withPayload'

const root = path.dirname(fileURLToPath(import.meta.url))

/**
 * Workspace packages export their build (dist/) to the world and their TypeScript sources under the
 * `source` condition; in this repository the app is built from the sources, so a plugin edit needs
 * no package build. Turbopack takes them as aliases (one per export), webpack as a condition.
 */
const workspaceSources = () => {
  const aliases = {}
  for (const group of ['plugins', 'themes', 'examples']) {
    for (const folder of fs.readdirSync(path.join(root, group), { withFileTypes: true })) {
      const manifestPath = path.join(root, group, folder.name, 'package.json')
      if (!folder.isDirectory() || !fs.existsSync(manifestPath)) continue
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        if (typeof target === 'object' && typeof target.source === 'string') {
          aliases[`${manifest.name}${subpath.slice(1)}`] = `./${path.posix.join(group, folder.name, target.source)}`
        }
      }
    }
  }
  return aliases
}
const sources = workspaceSources()

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Workspace packages are built from their TypeScript sources.
  transpilePackages: [...new Set(Object.keys(sources).map((specifier) => specifier.split('/').slice(0, 2).join('/')))],
  // Spawn binaries and native code at run time; never bundled.
  serverExternalPackages: ['fluent-ffmpeg', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
  turbopack: { resolveAlias: sources },
  webpack: (config) => {
    config.resolve.conditionNames = ['source', ...(config.resolve.conditionNames ?? ['...'])]
    return config
  },
  // Security headers are set by the Express server (src/server) for every response.
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
