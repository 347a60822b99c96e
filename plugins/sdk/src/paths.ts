import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder beside a module (`folderOf(import.meta.url, 'migrations')`), or undefined where a
 * bundler gives modules no file URL (only the CLI's `migrate:create` needs it).
 */
export const folderOf = (moduleUrl: string, ...segments: string[]): string | undefined => {
  try {
    return path.join(path.dirname(fileURLToPath(moduleUrl)), ...segments)
  } catch {
    return undefined
  }
}
