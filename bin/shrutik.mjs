#!/usr/bin/env node
// The `shrutik` command. Runs the TypeScript CLI through tsx, in this process.
import { register as registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

import { register } from 'tsx/esm/api'

// Paths (./data, the Next build) are relative to the installation, wherever the command is run from.
process.env.SHRUTIK_ROOT ??= fileURLToPath(new URL('..', import.meta.url))
register()
// Workspace packages from their sources (see sourceConditions.mjs).
if (!process.execArgv.includes('--conditions=source')) registerHooks('./sourceConditions.mjs', import.meta.url)
await import('../src/cli/index.ts')
