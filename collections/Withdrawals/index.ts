import type { CollectionConfig } from 'payload'

import { isAdmin, nobody } from '../../src/access'

export const WITHDRAWAL_KINDS = ['anonymous', 'account', 'account-deleted'] as const

/**
 * Tombstones of withdrawals: what was removed and when, with no personal data (no account, no
 * client id, no text). Recordings point here until the purge job has deleted them and their files;
 * exports read the counts to say how many clips were removed because consent was withdrawn.
 */
export const Withdrawals: CollectionConfig = {
  slug: 'withdrawals',
  labels: { singular: 'Withdrawal', plural: 'Withdrawals' },
  admin: {
    group: 'People',
    defaultColumns: ['kind', 'recordings', 'votes', 'transcriptions', 'status', 'createdAt'],
    description: 'Contributors who withdrew (audit list, no personal data). Their recordings, votes and transcriptions were removed.',
  },
  // Written by POST /api/site/withdraw, account deletion and the purge job only.
  access: { create: nobody, read: isAdmin, update: nobody, delete: nobody },
  fields: [
    { name: 'kind', type: 'select', options: [...WITHDRAWAL_KINDS], required: true, admin: { readOnly: true } },
    { name: 'recordings', type: 'number', defaultValue: 0, admin: { readOnly: true } },
    { name: 'votes', type: 'number', defaultValue: 0, admin: { readOnly: true } },
    { name: 'transcriptions', type: 'number', defaultValue: 0, admin: { readOnly: true } },
    { name: 'skips', type: 'number', defaultValue: 0, admin: { readOnly: true, description: 'Sentence and segment skips and reports.' } },
    {
      name: 'status',
      type: 'select',
      options: ['removing-files', 'done'],
      defaultValue: 'removing-files',
      index: true,
      admin: { readOnly: true, description: 'Done once every recording and file is deleted.' },
    },
    { name: 'completedAt', type: 'date', admin: { readOnly: true } },
  ],
  timestamps: true,
}
