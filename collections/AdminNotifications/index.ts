import type { CollectionConfig } from 'payload'

import { fieldNobody, isAdmin, nobody } from '../../src/access'

export const NOTIFICATION_KINDS = ['job-failed', 'email-failed', 'queue-growing', 'disk-low'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/**
 * What needs an admin's attention: failed jobs, failed emails, a queue that keeps growing, low disk
 * space. Raised and resolved by the `notifications.check` job (src/notifications): one row per
 * condition while it lasts (a partial unique index on `condition` among the unresolved), updated as
 * it goes on. Admins read them in the Notifications view, mark them read or dismiss them.
 */
export const AdminNotifications: CollectionConfig = {
  slug: 'admin-notifications',
  labels: { singular: 'Notification', plural: 'Notifications' },
  admin: {
    group: 'Operations',
    hidden: true,
    useAsTitle: 'title',
    defaultColumns: ['title', 'kind', 'lastSeenAt', 'resolvedAt', 'readAt'],
  },
  access: { create: nobody, read: isAdmin, update: isAdmin, delete: isAdmin },
  fields: [
    { name: 'kind', type: 'select', options: [...NOTIFICATION_KINDS], required: true, index: true, access: { update: fieldNobody } },
    { name: 'condition', type: 'text', required: true, index: true, maxLength: 300, access: { update: fieldNobody } },
    { name: 'title', type: 'text', required: true, maxLength: 300, access: { update: fieldNobody } },
    { name: 'detail', type: 'textarea', maxLength: 4000, access: { update: fieldNobody } },
    { name: 'occurrences', type: 'number', defaultValue: 1, access: { update: fieldNobody } },
    { name: 'firstSeenAt', type: 'date', required: true, access: { update: fieldNobody } },
    { name: 'lastSeenAt', type: 'date', required: true, access: { update: fieldNobody } },
    { name: 'resolvedAt', type: 'date', index: true, access: { update: fieldNobody } },
    // What an admin changes: read, dismissed (hidden from the list; the condition stays tracked).
    { name: 'readAt', type: 'date', index: true },
    { name: 'dismissedAt', type: 'date' },
  ],
  timestamps: true,
}
