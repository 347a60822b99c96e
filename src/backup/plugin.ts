import { registerJobs } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { appendHooks, extendCollection } from '../lib/extendConfig'
import { createBackupJob, enqueueBackupAfterCreate, removeBackupFileAfterDelete, runBackupScheduleJob } from './jobs'

/**
 * Backups, installed like a plugin: creating a backups row queues the `backup.create` job,
 * deleting one deletes its file, and `backup.run-schedule` follows Backup settings.
 */
export const backupModule =
  () =>
  (config: Config): Config =>
    registerJobs(
      extendCollection(config, 'backups', (backups) => appendHooks(backups, { afterChange: [enqueueBackupAfterCreate], afterDelete: [removeBackupFileAfterDelete] }), 'The backup module (src/backup/plugin.ts)'),
      [createBackupJob, runBackupScheduleJob],
    )
