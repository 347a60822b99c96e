import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { AutoRefresh } from '../Jobs/JobActions'
import { MarkAllRead, NotificationActions } from './NotificationActions'

const when = (value: unknown): string => (value ? new Date(String(value)).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '—')

const cell = { padding: '6px 10px', borderBottom: '1px solid var(--theme-elevation-100)', verticalAlign: 'top' as const, textAlign: 'left' as const }

const KIND_LABELS: Record<string, string> = {
  'job-failed': 'Failed job',
  'email-failed': 'Failed email',
  'queue-growing': 'Queue backed up',
  'disk-low': 'Disk space low',
}

/** Admin-only: notifications raised by the checks job, newest first; mark read or dismiss. */
export const NotificationsView = async ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  const template = { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
  // Custom admin views skip Payload's own admin-access redirect, so this view does it itself.
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/notifications')}`)
  if (!hasRole(req.user, 'admin', 'reviewer')) redirect('/admin/unauthorized')
  if (!hasRole(req.user, 'admin')) {
    return (
      <DefaultTemplate {...template}>
        <Gutter>
          <h1>Notifications</h1>
          <p role="alert">Only admins can see notifications.</p>
        </Gutter>
      </DefaultTemplate>
    )
  }
  // As the admin, under the collection's access rules.
  const found = await req.payload.find({
    collection: 'admin-notifications',
    where: { dismissedAt: { exists: false } },
    sort: '-lastSeenAt',
    limit: 100,
    depth: 0,
    user: req.user,
    overrideAccess: false,
  })
  return (
    <DefaultTemplate {...template}>
      <Gutter>
        <h1>Notifications</h1>
        <p>
          Failed jobs, failed emails, a backed-up job queue and low disk space, checked every minute. One notification per problem until it is resolved. <MarkAllRead />
        </p>
        <AutoRefresh seconds={30} />
        {found.docs.length === 0 ? (
          <p style={{ opacity: 0.7 }}>Nothing needs your attention.</p>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table style={{ borderCollapse: 'collapse', width: '100%', fontSize: 14 }} data-testid="notifications">
              <thead>
                <tr>
                  {['Problem', 'Kind', 'Seen', 'Status', ''].map((heading) => (
                    <th key={heading} style={cell} scope="col">
                      {heading}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {found.docs.map((doc) => (
                  <tr key={doc.id} data-notification-id={doc.id} style={{ fontWeight: doc.readAt ? 'normal' : 'bold' }}>
                    <td style={{ ...cell, maxWidth: 520 }}>
                      <div>{String(doc.title)}</div>
                      <div style={{ fontWeight: 'normal', whiteSpace: 'pre-wrap', wordBreak: 'break-word', opacity: 0.8 }}>{String(doc.detail ?? '')}</div>
                    </td>
                    <td style={cell}>{KIND_LABELS[String(doc.kind)] ?? String(doc.kind)}</td>
                    <td style={cell}>
                      first {when(doc.firstSeenAt)}
                      <br />
                      last {when(doc.lastSeenAt)}
                    </td>
                    <td style={cell}>{doc.resolvedAt ? `Resolved ${when(doc.resolvedAt)}` : 'Ongoing'}</td>
                    <td style={cell}>
                      <NotificationActions id={Number(doc.id)} read={Boolean(doc.readAt)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Gutter>
    </DefaultTemplate>
  )
}
