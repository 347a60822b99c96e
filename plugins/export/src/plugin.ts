import os from 'node:os'

import { folderOf, registerCommands, registerJobs, registerMigrations } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { datasetCommand } from './cli'
import { downloadsCollection, exportsCollection } from './collections'
import { exportEndpoints } from './endpoints'
import { exportJobs } from './jobs'
import { migrations } from './migrations'
import { DOWNLOADS, EXPORTS, sanitizeOptions, SETTINGS_KEY, type ExportOptions } from './options'
import { PLAN_ROWS, planRowsCollection } from './planStore'

/**
 * `exportPlugin(options)`: the `dataset-exports` and `dataset-export-downloads` collections, the
 * build/shard/finalize/schedule jobs, and the download and cancel endpoints under
 * `/api/export/` (and a hidden `dataset-export-rows` table: the plans of running exports).
 * Exports the audio-processing plugin's segments with the consensus plugin's decisions and votes
 * (both listed before it). Without the consensus plugin every clip is unvalidated (status
 * `pending`, no votes): only `include: 'all'` exports anything. Without the audio-processing plugin
 * there are no clips, and an export says so. With `enabled: false` only the schema stays.
 */
export const exportPlugin =
  (options: ExportOptions) =>
  (config: Config): Config => {
    const settings = sanitizeOptions(options, os.availableParallelism())
    const collections = config.collections ?? []
    for (const slug of [settings.recordingsSlug, settings.languagesSlug]) {
      if (!collections.some((collection) => collection.slug === slug)) throw new Error(`exportPlugin: no "${slug}" collection to export from.`)
    }
    const withCollections: Config = {
      ...config,
      custom: { ...config.custom, [SETTINGS_KEY]: settings },
      collections: [...collections, exportsCollection(settings), downloadsCollection(settings), planRowsCollection()],
    }
    // Its tables are created and changed by its own migrations.
    const withMigrations = registerMigrations(withCollections, {
      plugin: 'export',
      migrations,
      owns: { collections: [EXPORTS, DOWNLOADS, PLAN_ROWS] },
      directory: folderOf(import.meta.url, 'migrations'),
    })
    // `shrutik export --language … --format … --out …`: a dataset from the command line.
    const withSchema = registerCommands(withMigrations, 'export', [datasetCommand])
    if (!settings.enabled) return withSchema
    return registerJobs({ ...withSchema, endpoints: [...(withSchema.endpoints ?? []), ...exportEndpoints(settings)] }, exportJobs(settings))
  }
