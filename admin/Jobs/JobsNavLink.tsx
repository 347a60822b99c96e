import type { ServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'

/** "Jobs" in the admin navigation, for admins only. */
export const JobsNavLink = ({ user }: ServerProps) => {
  if (!hasRole(user, 'admin')) return null
  return (
    <a className="nav__link" href="/admin/jobs" id="nav-jobs" style={{ display: 'block', padding: '4px 0' }}>
      <span className="nav__link-label">Jobs</span>
    </a>
  )
}
