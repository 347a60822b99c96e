import type { ServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { unreadNotificationCount } from '../../src/notifications/unread'

/** "Notifications" in the admin navigation with a badge of the unread count, for admins only. */
export const NotificationsNavLink = async ({ user, payload }: ServerProps) => {
  if (!hasRole(user, 'admin')) return null
  const unread = await unreadNotificationCount(payload).catch(() => 0)
  const label = unread === 1 ? '1 unread notification' : `${unread} unread notifications`
  return (
    <a className="nav__link" href="/admin/notifications" id="nav-notifications" style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '4px 0' }}>
      <span className="nav__link-label">Notifications</span>
      {unread > 0 && (
        <span
          data-testid="notifications-badge"
          aria-label={label}
          title={label}
          style={{ minWidth: 20, padding: '0 6px', borderRadius: 10, background: 'var(--theme-error-500)', color: 'var(--theme-elevation-0)', fontSize: 12, lineHeight: '20px', textAlign: 'center' }}
        >
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </a>
  )
}
