import type { CollectionConfig, GlobalConfig } from 'payload'

import { fieldNobody, isAdmin, nobody } from '../../src/access'

/**
 * Backups of the whole instance (database and media) written by the `backup.create` job into
 * BACKUP_DIR: on the schedule in Backup settings, or now by creating one here. Deleting a row
 * deletes its file (both done by the backup module, src/backup/plugin.ts). The files hold
 * everything, password hashes included: admins only.
 */
export const Backups: CollectionConfig = {
  slug: 'backups',
  labels: { singular: 'Backup', plural: 'Backups' },
  admin: {
    group: 'System',
    useAsTitle: 'file',
    defaultColumns: ['file', 'status', 'trigger', 'bytes', 'createdAt'],
    description: 'Press “Create new” and save to back up now. Copy the files in BACKUP_DIR to another machine; restore one with `npx shrutik restore FILE`.',
  },
  access: { create: isAdmin, read: isAdmin, update: nobody, delete: isAdmin },
  fields: [
    { name: 'note', type: 'text', maxLength: 200, admin: { description: 'Optional: why this backup was made.' } },
    { name: 'status', type: 'select', options: ['queued', 'running', 'done', 'failed'], defaultValue: 'queued', index: true, access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'trigger', type: 'select', options: ['manual', 'schedule'], defaultValue: 'manual', index: true, access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'file', type: 'text', access: { create: fieldNobody }, admin: { readOnly: true, description: 'File name in BACKUP_DIR.' } },
    { name: 'progress', type: 'number', access: { create: fieldNobody }, admin: { readOnly: true, description: 'Percent done.' } },
    { name: 'bytes', type: 'number', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'sha256', type: 'text', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'tables', type: 'number', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'rows', type: 'number', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'files', type: 'number', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'finishedAt', type: 'date', access: { create: fieldNobody }, admin: { readOnly: true } },
    { name: 'error', type: 'text', access: { create: fieldNobody }, admin: { readOnly: true } },
  ],
  timestamps: true,
}

/** When scheduled backups run and how many are kept. */
export const BackupSettings: GlobalConfig = {
  slug: 'backup-settings',
  label: 'Backup settings',
  admin: { group: 'System', description: 'Backups are written to BACKUP_DIR (default: the data folder’s backups/ folder).' },
  access: { read: isAdmin, update: isAdmin },
  fields: [
    {
      name: 'schedule',
      type: 'select',
      required: true,
      defaultValue: 'off',
      options: [
        { label: 'Off', value: 'off' },
        { label: 'Every day', value: 'daily' },
        { label: 'Every week', value: 'weekly' },
      ],
    },
    { name: 'hour', type: 'number', required: true, defaultValue: 3, min: 0, max: 23, admin: { description: 'Hour of the day (UTC) the backup starts.' } },
    {
      name: 'weekday',
      type: 'select',
      defaultValue: '0',
      options: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].map((label, day) => ({ label, value: String(day) })),
      admin: { condition: (data) => data?.schedule === 'weekly', description: 'Day of a weekly backup.' },
    },
    { name: 'keep', type: 'number', required: true, defaultValue: 7, min: 1, max: 365, admin: { description: 'Finished backups kept; older ones (and their files) are deleted after each new one.' } },
  ],
}
